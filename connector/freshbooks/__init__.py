"""FreshBooks: OAuth 2.0 session, token stores, typed resources, pagination and retries."""

from connector.freshbooks.client import FreshBooksClient, choose_business
from connector.freshbooks.config import FreshBooksConfig
from connector.freshbooks.errors import (
    AccountNotFound,
    AuthenticationFailed,
    FreshBooksAPIError,
    FreshBooksError,
    FreshBooksUnreachable,
    InvalidMoney,
    NotFound,
    RateLimited,
    ReauthorizationRequired,
    ServerError,
    UnexpectedResponse,
    ValidationFailed,
    WriteOutcomeUnknown,
)
from connector.freshbooks.oauth import authorization_url, exchange_code
from connector.freshbooks.retry import RetryPolicy
from connector.freshbooks.tokens import (
    EncryptedFileTokenStore,
    MemoryTokenStore,
    Token,
    TokenStore,
)

__all__ = [
    "AccountNotFound",
    "AuthenticationFailed",
    "EncryptedFileTokenStore",
    "FreshBooksAPIError",
    "FreshBooksClient",
    "FreshBooksConfig",
    "FreshBooksError",
    "FreshBooksUnreachable",
    "InvalidMoney",
    "MemoryTokenStore",
    "NotFound",
    "RateLimited",
    "ReauthorizationRequired",
    "RetryPolicy",
    "ServerError",
    "Token",
    "TokenStore",
    "UnexpectedResponse",
    "ValidationFailed",
    "WriteOutcomeUnknown",
    "authorization_url",
    "choose_business",
    "exchange_code",
]
