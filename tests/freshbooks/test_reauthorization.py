"""The re-authorisation mark: kept by both stores, set on invalid_grant only, lifted by saving."""

import time

import pytest

from connector.errors import ConfigurationError
from connector.freshbooks import (
    AuthenticationFailed,
    EncryptedFileTokenStore,
    FreshBooksClient,
    MemoryTokenStore,
    ReauthorizationRequired,
    Token,
    exchange_code,
)
from connector.freshbooks.oauth import TokenKeeper, oauth_session
from connector.freshbooks.tokens import ReauthorizationNeeded
from connector.secrets import EncryptedJsonFile
from tests.freshbooks.conftest import (
    RecordingStore,
    RecordingTransport,
    requests_made,
    sandbox_config,
    sandbox_token,
)
from tests.freshbooks.test_sandbox_oauth import authorize

MARK = ReauthorizationNeeded(since=1_700_000_000.0, reason="FreshBooks refused the grant")
TOKEN = Token("acc-123", "ref-456", expires_at=1_700_043_200.0, scope="user:profile:read")


@pytest.fixture(params=["memory", "file"])
def any_store(request):
    return MemoryTokenStore(TOKEN) if request.param == "memory" else _file_store(TOKEN)


def _file_store(token):
    store = EncryptedFileTokenStore("acme")
    store.save(token)
    return store


def test_a_mark_is_kept_beside_the_token_and_lifted_by_saving_a_new_one(any_store):
    assert any_store.reauthorization() is None
    any_store.require_reauthorization(MARK)
    assert any_store.reauthorization() == MARK
    assert any_store.load() == TOKEN
    fresh = Token("acc-789", "ref-000", expires_at=1_700_086_400.0)
    any_store.save(fresh)
    assert any_store.reauthorization() is None
    assert any_store.load() == fresh


def test_the_file_store_keeps_the_mark_encrypted_and_visible_to_other_instances():
    store = _file_store(TOKEN)
    store.require_reauthorization(MARK)
    assert b"refused" not in store.path.read_bytes()
    assert EncryptedFileTokenStore("acme").reauthorization() == MARK


def test_a_mark_without_a_token_means_no_token():
    store = EncryptedFileTokenStore("acme")
    store.require_reauthorization(MARK)
    assert store.load() is None
    assert store.reauthorization() == MARK


@pytest.mark.parametrize("mark", [{"since": "yesterday", "reason": "x"}, {"reason": "x"}, "gone"])
def test_an_unreadable_mark_is_a_configuration_error(mark):
    store = _file_store(TOKEN)
    EncryptedJsonFile(store.path).write({**TOKEN.to_dict(), "reauthorization": mark})
    with pytest.raises(ConfigurationError, match=r"re-authorisation mark .* is unreadable"):
        store.reauthorization()


def test_a_marked_store_stops_the_keeper_before_any_request(sandbox, events):
    store = RecordingStore(sandbox_token(sandbox.info), events)
    store.require_reauthorization(MARK)
    with (
        FreshBooksClient(
            sandbox_config(sandbox.info), store, transport=RecordingTransport(events)
        ) as client,
        pytest.raises(ReauthorizationRequired) as caught,
    ):
        client.identity()
    assert requests_made(events) == []
    message = str(caught.value)
    assert "'memory' needs re-authorisation since 2023-11-14 22:13:20 UTC" in message
    assert MARK.reason in message
    assert "ml-connector auth url --credentials memory" in message


def test_a_refused_refresh_marks_the_store_with_when_and_why(sandbox):
    config = sandbox_config(sandbox.info)
    spent = sandbox_token(sandbox.info, expires_in=60)
    with oauth_session(config) as session:
        TokenKeeper(config, MemoryTokenStore(spent), session).refresh(spent)
        store = MemoryTokenStore(spent, name="acme")
        before = time.time()
        with pytest.raises(ReauthorizationRequired, match="'acme' needs re-authorisation"):
            TokenKeeper(config, store, session).refresh(spent)
    mark = store.reauthorization()
    assert before <= mark.since <= time.time()
    assert "invalid_grant: The refresh token was already used" in mark.reason
    assert spent.refresh_token not in mark.reason
    assert store.load() == spent


def test_a_refresh_token_a_sibling_rotated_is_never_taken_for_a_refused_one(sandbox):
    """Both tokens expire within the margin: the late process refreshes again with the new one."""
    sandbox.state.behaviour.access_token_ttl = 60
    config = sandbox_config(sandbox.info)
    stale = sandbox_token(sandbox.info, expires_in=60)
    store = MemoryTokenStore(stale)
    with oauth_session(config) as session:
        sibling = TokenKeeper(config, store, session).refresh(stale)
        mine = TokenKeeper(config, store, session).refresh(stale)
    assert mine.refresh_token not in (stale.refresh_token, sibling.refresh_token)
    assert store.reauthorization() is None
    assert store.load() == mine


def test_other_token_endpoint_failures_leave_no_mark(sandbox):
    config = sandbox_config(sandbox.info, client_secret="not-the-secret")
    spent = sandbox_token(sandbox.info, expires_in=60)
    store = MemoryTokenStore(spent)
    with oauth_session(config) as session, pytest.raises(AuthenticationFailed):
        TokenKeeper(config, store, session).refresh(spent)
    assert store.reauthorization() is None


def test_exchanging_a_new_code_lifts_the_mark(sandbox):
    config = sandbox_config(sandbox.info)
    store = _file_store(sandbox_token(sandbox.info))
    store.require_reauthorization(MARK)
    token = exchange_code(config, authorize(config), store)
    assert store.reauthorization() is None
    with FreshBooksClient(config, store) as client:
        assert client.account_id == sandbox.info.account_id
    assert store.load().refresh_token == token.refresh_token


def test_a_refused_code_exchange_leaves_the_mark_in_place(sandbox):
    config = sandbox_config(sandbox.info)
    store = _file_store(sandbox_token(sandbox.info))
    store.require_reauthorization(MARK)
    code = authorize(config)
    exchange_code(config, code, MemoryTokenStore())
    with pytest.raises(ReauthorizationRequired, match="invalid_grant"):
        exchange_code(config, code, store)
    assert store.reauthorization() == MARK
