"""Wire the Acme partner to a running sandbox: the blocks, the tokens and the partner settings.

Shared by the demo and the end-to-end tests so both exercise exactly the configuration an operator
would create by hand against the real FreshBooks and the real partner.
"""

from __future__ import annotations

from pydantic import SecretStr

from connector.blocks import FreshBooksCredentials, SftpCredentials
from connector.freshbooks import EncryptedFileTokenStore, Token
from connector.partners import PartnerSettings
from connector.sandbox import Sandbox

FRESHBOOKS_BLOCK = "sandbox-freshbooks"
SFTP_BLOCK = "sandbox-acme-sftp"


def save_credentials(sandbox: Sandbox) -> None:
    """Store the sandbox's OAuth app and SFTP login as blocks, and its first tokens encrypted."""
    info = sandbox.info
    FreshBooksCredentials(
        client_id=info.client_id,
        client_secret=SecretStr(info.client_secret),
        redirect_uri=info.redirect_uri,
        account_id=info.account_id,
        api_url=info.api_url,
        auth_url=info.auth_url,
    ).save(FRESHBOOKS_BLOCK, overwrite=True)
    SftpCredentials(username=info.sftp_user, password=SecretStr(info.sftp_password)).save(
        SFTP_BLOCK, overwrite=True
    )
    EncryptedFileTokenStore(FRESHBOOKS_BLOCK).save(
        Token.from_response(
            {
                "access_token": info.access_token,
                "refresh_token": info.refresh_token,
                "token_type": "Bearer",
                "expires_in": 43200,
                "scope": "",
            }
        )
    )


def partner_settings(sandbox: Sandbox, **overrides: object) -> PartnerSettings:
    """Acme on the sandbox's SFTP server, its host key pinned as in production."""
    info = sandbox.info
    fields: dict = {
        "name": "acme",
        "mapping": "acme_distribution.map",
        "remote_url": f"sftp://{info.sftp_host}:{info.sftp_port}/",
        "sftp_credentials": SFTP_BLOCK,
        "known_hosts": info.sftp_host_key,
        "freshbooks_credentials": FRESHBOOKS_BLOCK,
        "settle_seconds": 0,
    }
    fields.update(overrides)
    return PartnerSettings(**fields)
