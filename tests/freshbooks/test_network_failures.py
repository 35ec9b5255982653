"""Network failures on real loopback sockets: nothing listening, or a server that never answers."""

import socket
import time
from datetime import date
from decimal import Decimal

import pytest

from connector.errors import TransportError
from connector.freshbooks import (
    FreshBooksClient,
    FreshBooksConfig,
    FreshBooksUnreachable,
    MemoryTokenStore,
    RetryPolicy,
    Token,
    WriteOutcomeUnknown,
)

ACCOUNT = "xZNQ1X"


def config(port):
    return FreshBooksConfig(
        client_id="id",
        client_secret="secret",
        redirect_uri="https://example.test/callback",
        api_url=f"http://127.0.0.1:{port}",
        account_id=ACCOUNT,
    )


def valid_token_store():
    return MemoryTokenStore(Token("acc", "ref", expires_at=time.time() + 43200))


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """Completes TCP handshakes (the kernel does) but never answers a request."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield server
    server.close()


def connections_made(server):
    server.setblocking(False)
    count = 0
    while True:
        try:
            connection, _ = server.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


def client_for(port, sleeps, timeout=30.0):
    policy = RetryPolicy(max_attempts=3, base_delay=0.5, jitter=False, sleep=sleeps.append)
    return FreshBooksClient(config(port), valid_token_store(), retry=policy, timeout=timeout)


def test_get_is_retried_when_nothing_listens(closed_port):
    sleeps = []
    with client_for(closed_port, sleeps) as client, pytest.raises(FreshBooksUnreachable) as caught:
        client.clients.get(1)
    assert sleeps == [0.5, 1.0]
    assert isinstance(caught.value, TransportError)
    assert "acc" not in str(caught.value).split()


def test_write_is_retried_when_the_connection_was_never_made(closed_port):
    sleeps = []
    with client_for(closed_port, sleeps) as client, pytest.raises(FreshBooksUnreachable):
        client.payments.create(880021, Decimal("500"), date(2024, 5, 10), "Check")
    assert sleeps == [0.5, 1.0]


def test_get_that_times_out_is_retried(silent_server):
    sleeps = []
    port = silent_server.getsockname()[1]
    with client_for(port, sleeps, timeout=0.2) as client, pytest.raises(FreshBooksUnreachable):
        client.invoices.get(7)
    assert connections_made(silent_server) == 3
    assert sleeps == [0.5, 1.0]


def test_write_that_times_out_is_not_retried_and_reports_unknown_outcome(silent_server):
    sleeps = []
    port = silent_server.getsockname()[1]
    with (
        client_for(port, sleeps, timeout=0.2) as client,
        pytest.raises(WriteOutcomeUnknown) as caught,
    ):
        client.payments.create(880021, Decimal("500"), date(2024, 5, 10), "Check", note="Wire 4471")
    assert connections_made(silent_server) == 1
    assert sleeps == []
    error = caught.value
    assert (error.method, error.path) == (
        "POST",
        f"/accounting/account/{ACCOUNT}/payments/payments",
    )
    assert error.body == {
        "payment": {
            "invoiceid": 880021,
            "amount": {"amount": "500.00"},
            "date": "2024-05-10",
            "type": "Check",
            "note": "Wire 4471",
        }
    }
    assert "may or may not have been applied" in str(error)
