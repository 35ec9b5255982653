import multiprocessing
import os

import pytest

from connector import settings
from connector.errors import ConfigurationError
from connector.freshbooks import (
    EncryptedFileTokenStore,
    MemoryTokenStore,
    Token,
    UnexpectedResponse,
)
from connector.secrets import EncryptedJsonFile

ANSWER = {
    "access_token": "acc-123",
    "token_type": "Bearer",
    "expires_in": 43200,
    "refresh_token": "ref-456",
    "scope": "user:profile:read user:invoices:read",
    "created_at": 1_700_000_000,
}


def test_token_expiry_counts_from_created_at():
    token = Token.from_response(ANSWER, now=5.0)
    assert token.expires_at == 1_700_000_000 + 43200
    assert token.scope == "user:profile:read user:invoices:read"
    assert token.token_type == "Bearer"


def test_token_expiry_falls_back_to_now_without_created_at():
    answer = {key: value for key, value in ANSWER.items() if key != "created_at"}
    assert Token.from_response(answer, now=1000.0).expires_at == 1000.0 + 43200


@pytest.mark.parametrize("missing", ["access_token", "refresh_token", "expires_in"])
def test_token_answer_without_a_required_field_is_refused(missing):
    answer = {key: value for key, value in ANSWER.items() if key != missing}
    with pytest.raises(UnexpectedResponse, match="token answer"):
        Token.from_response(answer)


def test_token_repr_hides_secrets():
    text = repr(Token.from_response(ANSWER))
    assert "acc-123" not in text
    assert "ref-456" not in text


def test_expires_within_margin():
    token = Token("a", "r", expires_at=1000.0)
    assert token.expires_within(300, now=800.0)
    assert not token.expires_within(300, now=600.0)


def test_memory_store_round_trip():
    store = MemoryTokenStore()
    assert store.load() is None
    token = Token.from_response(ANSWER)
    with store.lock():
        store.save(token)
    assert store.load() == token


def test_encrypted_file_store_round_trip_under_home():
    store = EncryptedFileTokenStore("acme")
    assert store.load() is None
    token = Token.from_response(ANSWER)
    store.save(token)
    assert store.path == settings.home() / "tokens" / "acme.json"
    assert b"ref-456" not in store.path.read_bytes()
    assert EncryptedFileTokenStore("acme").load() == token


@pytest.mark.parametrize("name", ["", "../escape", "a/b", ".hidden"])
def test_encrypted_file_store_refuses_unsafe_names(name):
    with pytest.raises(ConfigurationError, match="not usable as a file name"):
        EncryptedFileTokenStore(name)


def test_encrypted_file_store_refuses_an_incomplete_token():
    store = EncryptedFileTokenStore("acme")
    EncryptedJsonFile(store.path).write({"access_token": "x"})
    with pytest.raises(ConfigurationError, match="incomplete"):
        store.load()


def _count_under_lock(home, rounds):
    os.environ["ML_CONNECTOR_HOME"] = home
    from connector.freshbooks import EncryptedFileTokenStore as Store

    store = Store("shared")
    counter = store.path.parent / "counter"
    for _ in range(rounds):
        with store.lock():
            value = int(counter.read_text()) if counter.exists() else 0
            os.sched_yield()
            counter.write_text(str(value + 1))


def test_file_store_lock_excludes_other_processes(tmp_path):
    home = str(tmp_path / "shared-home")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_count_under_lock, args=(home, 200)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    assert (tmp_path / "shared-home" / "tokens" / "counter").read_text() == "600"
