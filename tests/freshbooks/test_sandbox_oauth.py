"""OAuth against the sandbox: code exchange, refresh, rotation, reuse, 401 and locking."""

import multiprocessing
import os
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from connector.freshbooks import (
    AuthenticationFailed,
    EncryptedFileTokenStore,
    FreshBooksClient,
    MemoryTokenStore,
    ReauthorizationRequired,
    Token,
    authorization_url,
    exchange_code,
)
from connector.freshbooks.oauth import TokenKeeper, oauth_session
from tests.freshbooks.conftest import (
    RecordingStore,
    RecordingTransport,
    requests_made,
    sandbox_config,
    sandbox_token,
)


def authorize(config, state="xyz-42"):
    """Play the browser: the sandbox approves at once and redirects with the code."""
    url = authorization_url(config, state)
    answer = httpx.get(url, follow_redirects=False)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["state"] == [state]
    return query["code"][0]


def test_authorization_url_carries_what_freshbooks_needs(sandbox):
    config = sandbox_config(sandbox.info, scopes=("user:profile:read", "user:invoices:read"))
    query = parse_qs(urlsplit(authorization_url(config, "s1")).query)
    assert query == {
        "response_type": ["code"],
        "client_id": [config.client_id],
        "redirect_uri": [config.redirect_uri],
        "scope": ["user:profile:read user:invoices:read"],
        "state": ["s1"],
    }


def test_code_exchange_stores_a_working_token(sandbox):
    config = sandbox_config(sandbox.info)
    store = EncryptedFileTokenStore("sandbox")
    token = exchange_code(config, authorize(config), store)
    assert store.load() == token
    assert token.expires_at > time.time() + 3600
    with FreshBooksClient(config, store) as client:
        assert client.account_id == sandbox.info.account_id
        assert client.business["id"] == sandbox.info.business_id


def test_a_code_works_only_once(sandbox):
    config = sandbox_config(sandbox.info)
    code = authorize(config)
    exchange_code(config, code, MemoryTokenStore())
    with pytest.raises(ReauthorizationRequired, match="invalid_grant"):
        exchange_code(config, code, MemoryTokenStore())


def test_wrong_client_secret_is_an_authentication_failure(sandbox):
    config = sandbox_config(sandbox.info)
    code = authorize(config)
    wrong = sandbox_config(sandbox.info, client_secret="not-the-secret")
    with pytest.raises(AuthenticationFailed) as caught:
        exchange_code(wrong, code, MemoryTokenStore())
    assert caught.value.status == 401
    assert "invalid_client" in str(caught.value)
    assert "not-the-secret" not in str(caught.value)


def test_refresh_before_expiry_saves_the_rotated_token_before_using_it(
    sandbox, client, store, events
):
    store.save(sandbox_token(sandbox.info, expires_in=60))
    events.clear()
    assert client.identity()["business_memberships"]
    saves = [event for event in events if event[0] == "save"]
    assert len(saves) == 1
    new_access = saves[0][1]
    assert new_access != sandbox.info.access_token
    order = [event[2] if event[0] == "request" else "save" for event in events]
    assert order == ["/auth/oauth/token", "save", "/auth/api/v1/users/me"]
    assert events[2][3] == new_access


def test_refresh_sends_redirect_uri_and_rotates(sandbox, events):
    config = sandbox_config(sandbox.info)
    store = MemoryTokenStore(sandbox_token(sandbox.info, expires_in=60))
    transport = RecordingTransport(events)
    with oauth_session(config, transport=transport) as session:
        keeper = TokenKeeper(config, store, session)
        first = keeper.refresh(store.load())
        assert first.refresh_token != sandbox.info.refresh_token
        second = keeper.refresh(first)
        assert second.refresh_token != first.refresh_token
    assert store.load() == second
    sent = {key: values[0] for key, values in parse_qs(transport.bodies[0].decode()).items()}
    assert sent == {
        "grant_type": "refresh_token",
        "refresh_token": sandbox.info.refresh_token,
        "redirect_uri": config.redirect_uri,
        "client_id": config.client_id,
        "client_secret": config.client_secret.get_secret_value(),
    }


def test_reused_refresh_token_requires_reauthorisation_and_is_not_retried(sandbox, events):
    config = sandbox_config(sandbox.info)
    spent = sandbox_token(sandbox.info, expires_in=60)
    with oauth_session(config) as session:
        TokenKeeper(config, MemoryTokenStore(spent), session).refresh(spent)
    store = RecordingStore(spent, events)
    with (
        FreshBooksClient(config, store, transport=RecordingTransport(events)) as client,
        pytest.raises(ReauthorizationRequired) as caught,
    ):
        client.identity()
    assert len(requests_made(events, "/auth/oauth/token")) == 1
    assert requests_made(events, "/users/me") == []
    assert store.load() == spent
    assert "authorise the FreshBooks app again" in str(caught.value)
    assert spent.refresh_token not in str(caught.value)


def test_no_stored_token_requires_authorisation(sandbox):
    with (
        FreshBooksClient(sandbox_config(sandbox.info), MemoryTokenStore()) as client,
        pytest.raises(ReauthorizationRequired, match="no FreshBooks token is stored"),
    ):
        client.identity()


def test_a_401_earns_one_refresh_and_one_retry(sandbox, client, events):
    sandbox.state.tokens.revoke(sandbox.info.access_token)
    assert client.identity()["business_memberships"]
    assert len(requests_made(events, "/auth/oauth/token")) == 1
    statuses = [
        event[3] == sandbox.info.access_token for event in requests_made(events, "/users/me")
    ]
    assert statuses == [True, False]


def test_a_second_401_is_not_answered_with_another_refresh(sandbox, client, events):
    sandbox.state.tokens.revoke(sandbox.info.access_token)
    sandbox.state.behaviour.access_token_ttl = 0
    with pytest.raises(AuthenticationFailed) as caught:
        client.identity()
    assert caught.value.status == 401
    assert len(requests_made(events, "/auth/oauth/token")) == 1
    assert len(requests_made(events, "/users/me")) == 2


def _refresh_repeatedly(home, secret_key, settings, rounds, results):
    os.environ["ML_CONNECTOR_HOME"] = home
    os.environ["ML_CONNECTOR_SECRET_KEY"] = secret_key
    from connector.freshbooks import EncryptedFileTokenStore as Store
    from connector.freshbooks import FreshBooksClient as Client
    from connector.freshbooks import FreshBooksConfig as Config

    config = Config(**settings)
    try:
        with Client(config, Store("shared")) as client:
            for _ in range(rounds):
                client.get("/auth/api/v1/users/me")
        results.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test with it
        results.put(f"{type(exc).__name__}: {exc}")


def test_two_processes_refreshing_one_store_lose_no_token(sandbox, tmp_path, monkeypatch):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    home = str(tmp_path / "shared-home")
    monkeypatch.setenv("ML_CONNECTOR_HOME", home)
    monkeypatch.setenv("ML_CONNECTOR_SECRET_KEY", key)
    # Every new token is already inside the refresh margin, so every call refreshes.
    sandbox.state.behaviour.access_token_ttl = 120
    EncryptedFileTokenStore("shared").save(sandbox_token(sandbox.info, expires_in=60))
    info = sandbox.info
    settings = {
        "client_id": info.client_id,
        "client_secret": info.client_secret,
        "redirect_uri": info.redirect_uri,
        "api_url": info.api_url,
        "auth_url": info.auth_url,
    }
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [
        context.Process(target=_refresh_repeatedly, args=(home, key, settings, 8, results))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert outcomes == ["ok", "ok"]
    refreshes = sandbox.requests.entries(method="POST", path_regex="/auth/oauth/token")
    assert [entry.status for entry in refreshes] == [200] * 16
    final = EncryptedFileTokenStore("shared").load()
    config = sandbox_config(info)
    with oauth_session(config) as session:
        after = TokenKeeper(config, EncryptedFileTokenStore("shared"), session).refresh(final)
    assert after.refresh_token != final.refresh_token


def test_token_fetched_elsewhere_is_used_instead_of_refreshing_again(sandbox):
    config = sandbox_config(sandbox.info)
    stale = sandbox_token(sandbox.info, expires_in=60)
    store = MemoryTokenStore(stale)
    with oauth_session(config) as session:
        other = TokenKeeper(config, store, session).refresh(stale)
        mine = TokenKeeper(config, store, session).refresh(stale)
    assert mine == other
    assert isinstance(mine, Token)
