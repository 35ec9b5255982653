"""Prefect blocks for the credentials a partner's flows need.

Blocks are where operators keep secrets: the Prefect server encrypts block data at rest, and the UI
masks the secret fields. The flows only ever receive a block's name.
"""

from __future__ import annotations

from prefect.blocks.core import Block
from pydantic import Field, SecretStr


class SftpCredentials(Block):
    """How to log in to a partner's SFTP server: a password, a private key, or both."""

    _block_type_name = "ml-connector SFTP Credentials"

    username: str = Field(description="The account on the partner's server.")
    password: SecretStr | None = Field(
        default=None, description="Password, if the partner uses one."
    )
    private_key: SecretStr | None = Field(
        default=None, description="Private key (OpenSSH or PEM text), if the partner uses keys."
    )


class FreshBooksCredentials(Block):
    """The OAuth application that reaches one FreshBooks business.

    Tokens are not kept here: they rotate on every refresh and live in the encrypted local
    token store named after this block, under a lock shared by every process of the machine.
    """

    _block_type_name = "ml-connector FreshBooks Credentials"

    client_id: str = Field(description="The OAuth application's client id.")
    client_secret: SecretStr = Field(description="The OAuth application's client secret.")
    redirect_uri: str = Field(description="The redirect URI registered with the application.")
    account_id: str | None = Field(
        default=None, description="The business's account id; found from users/me when empty."
    )
    api_url: str = Field(default="https://api.freshbooks.com", description="API base URL.")
    auth_url: str = Field(
        default="https://auth.freshbooks.com/oauth/authorize", description="Authorize URL."
    )
