"""Job fixtures: the sandbox's FreshBooks over real HTTP, a real SQLite store, a local folder as
the partner's server, and a way to buffer webhook events the way the receiver does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from connector.freshbooks import FreshBooksClient, MemoryTokenStore
from connector.jobs.archive import Archive
from connector.jobs.context import PartnerRun
from connector.mapping import load_mapping
from connector.partners import PartnerSettings
from connector.store import Store, WebhookEvent
from connector.transport import Endpoint, PartnerFolders, open_filesystem
from tests.freshbooks.conftest import sandbox_config, sandbox_token


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open() as opened:
        yield opened


@pytest.fixture
def freshbooks(sandbox) -> Iterator[FreshBooksClient]:
    with FreshBooksClient(
        sandbox_config(sandbox.info), MemoryTokenStore(sandbox_token(sandbox.info))
    ) as client:
        yield client


@pytest.fixture
def partner_root(tmp_path) -> Path:
    root = tmp_path / "partner"
    for folder in ("inbound", "outbound"):
        (root / folder).mkdir(parents=True)
    return root


def open_run(mapping: str, store: Store, freshbooks: FreshBooksClient, root: Path) -> PartnerRun:
    """A partner named acme on ``mapping``, its server the local folder ``root``."""
    partner = PartnerSettings(
        name="acme", mapping=mapping, remote_url=root.as_uri(), development=True
    )
    endpoint = Endpoint(url=partner.remote_url, development=True)
    folders = PartnerFolders(open_filesystem(endpoint), endpoint.path)
    return PartnerRun(partner, load_mapping(partner.mapping_path()), freshbooks, folders, store)


@pytest.fixture
def run(store, freshbooks, partner_root) -> PartnerRun:
    """Acme (invoices to CSV) on the sandbox, its server a local folder."""
    return open_run("acme_distribution.map", store, freshbooks, partner_root)


@pytest.fixture
def archive(tmp_path) -> Archive:
    return Archive((tmp_path / "archive").as_uri())


@dataclass
class Deliver:
    """Buffer a webhook event as the receiver would after verifying it."""

    store: Store
    account_id: str

    def __post_init__(self) -> None:
        self.path_token = self.store.events.add_callback("invoice").path_token

    def __call__(self, name: str, object_id: int | str) -> bool:
        fields = (("name", name), ("object_id", str(object_id)), ("account_id", self.account_id))
        return self.store.events.record(
            WebhookEvent(self.path_token, self.account_id, name, str(object_id), fields)
        )


@pytest.fixture
def deliver(store, sandbox) -> Callable[[str, int | str], bool]:
    return Deliver(store, sandbox.info.account_id)
