"""Turn a partner's settings and the named credential blocks into a live PartnerRun."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from connector.blocks import FreshBooksCredentials, SftpCredentials
from connector.freshbooks import EncryptedFileTokenStore, FreshBooksClient, FreshBooksConfig
from connector.jobs.context import PartnerRun
from connector.mapping import load_mapping
from connector.partners import PartnerSettings
from connector.store import Store
from connector.transport import Endpoint, PartnerFolders, open_filesystem


def endpoint_for(partner: PartnerSettings) -> Endpoint:
    """The partner's server, with the secrets read from its SFTP credentials block."""
    fields: dict = {
        "url": partner.remote_url,
        "known_hosts": partner.known_hosts,
        "development": partner.development,
    }
    if partner.sftp_credentials:
        credentials = SftpCredentials.load(partner.sftp_credentials)
        fields.update(
            username=credentials.username,
            password=credentials.password,
            private_key=credentials.private_key,
        )
    return Endpoint(**fields)


def freshbooks_config(block_name: str) -> FreshBooksConfig:
    """The OAuth application stored in a FreshBooks credentials block."""
    credentials = FreshBooksCredentials.load(block_name)
    return FreshBooksConfig(
        api_url=credentials.api_url,
        auth_url=credentials.auth_url,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret.get_secret_value(),
        redirect_uri=credentials.redirect_uri,
        account_id=credentials.account_id,
    )


def freshbooks_for(partner: PartnerSettings) -> FreshBooksClient:
    """A client on the business's OAuth application; tokens come from the encrypted local store."""
    name = partner.freshbooks_credentials
    return FreshBooksClient(freshbooks_config(name), EncryptedFileTokenStore(name))


@contextmanager
def open_partner_run(partner: PartnerSettings) -> Iterator[PartnerRun]:
    """Check the mapping first, then connect; everything opened is closed on the way out."""
    mapping = load_mapping(partner.mapping_path())
    endpoint = endpoint_for(partner)
    with Store.open() as store, freshbooks_for(partner) as freshbooks:
        filesystem = open_filesystem(endpoint)
        folders = PartnerFolders(
            filesystem,
            endpoint.path,
            outgoing=partner.outgoing_folder,
            incoming=partner.incoming_folder,
            done_suffix=partner.done_suffix,
        )
        try:
            yield PartnerRun(partner, mapping, freshbooks, folders, store)
        finally:
            folders.close()
