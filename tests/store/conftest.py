"""Store tests run on SQLite and on a private PostgreSQL cluster alike."""

from collections.abc import Iterator

import pytest

from connector.store import Store


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture
def transfer_id(store: Store) -> int:
    return store.transfers.start("acme", "inbound", "remittance", "remit-001.csv")
