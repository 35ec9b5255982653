"""The settings of one FreshBooks connection.

Only the two base URLs differ between the real API and the sandbox, so pointing a connection
at the sandbox never needs a code change.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

DEFAULT_API_URL = "https://api.freshbooks.com"
DEFAULT_AUTH_URL = "https://auth.freshbooks.com/oauth/authorize"


class FreshBooksConfig(BaseModel):
    """An app registration plus, optionally, which business to work on."""

    model_config = ConfigDict(frozen=True)

    client_id: str
    client_secret: SecretStr
    redirect_uri: str
    scopes: tuple[str, ...] = ()
    api_url: str = DEFAULT_API_URL
    auth_url: str = DEFAULT_AUTH_URL
    account_id: str | None = None

    @field_validator("api_url", "auth_url", "redirect_uri")
    @classmethod
    def _must_be_http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("api_url")
    @classmethod
    def _without_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def token_url(self) -> str:
        return f"{self.api_url}/auth/oauth/token"
