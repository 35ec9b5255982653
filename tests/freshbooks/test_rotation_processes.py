"""Token rotation across real OS processes sharing one encrypted token store and one sandbox.

Each worker is a spawned process with its own FreshBooksClient; the sandbox hands out access
tokens that are always inside the refresh margin, so every call refreshes under the shared lock.
"""

import multiprocessing
import os

import pytest
from cryptography.fernet import Fernet

from connector.freshbooks import (
    EncryptedFileTokenStore,
    FreshBooksClient,
    MemoryTokenStore,
    ReauthorizationRequired,
)
from connector.freshbooks.oauth import TokenKeeper, oauth_session
from tests.freshbooks.conftest import sandbox_config, sandbox_token

STORE = "shared"
ME = "/auth/api/v1/users/me"
WAIT = 120


def _settings(info):
    return {
        "client_id": info.client_id,
        "client_secret": info.client_secret,
        "redirect_uri": info.redirect_uri,
        "api_url": info.api_url,
        "auth_url": info.auth_url,
    }


def _shared_home(tmp_path, monkeypatch):
    """One ML_CONNECTOR_HOME and key for the test and every worker it spawns."""
    home, key = str(tmp_path / "shared-home"), Fernet.generate_key().decode()
    monkeypatch.setenv("ML_CONNECTOR_HOME", home)
    monkeypatch.setenv("ML_CONNECTOR_SECRET_KEY", key)
    return home, key


def _open_client(home, key, settings):
    os.environ["ML_CONNECTOR_HOME"] = home
    os.environ["ML_CONNECTOR_SECRET_KEY"] = key
    from connector.freshbooks import EncryptedFileTokenStore as Store
    from connector.freshbooks import FreshBooksClient as Client
    from connector.freshbooks import FreshBooksConfig as Config

    return Client(Config(**settings), Store(STORE))


def _call_repeatedly(home, key, settings, calls, ready, go, results):
    """Get ready, wait for the others, then make ``calls`` calls; report how many succeeded."""
    succeeded = 0
    try:
        with _open_client(home, key, settings) as client:
            ready.put("ready")
            go.wait(WAIT)
            for _ in range(calls):
                client.get(ME)
                succeeded += 1
        results.put(("ok", succeeded))
    except Exception as exc:  # reported to the parent, which fails the test with it
        results.put((f"{type(exc).__name__}: {exc}", succeeded))


def _call_after_the_refusal(home, key, settings, ready, go, results):
    """One call while the grant is alive, then one after a sibling was refused."""
    try:
        with _open_client(home, key, settings) as client:
            client.get(ME)
            ready.put("ready")
            go.wait(WAIT)
            client.get(ME)
        results.put("no error")
    except Exception as exc:
        results.put(f"{type(exc).__name__}: {exc}")


def _start(target, args, count):
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Queue(), context.Event(), context.Queue()
    workers = [
        context.Process(target=target, args=(*args, ready, go, results)) for _ in range(count)
    ]
    for worker in workers:
        worker.start()
    return workers, ready, go, results


def _finish(workers, results):
    outcomes = [results.get(timeout=WAIT) for _ in workers]
    for worker in workers:
        worker.join(timeout=WAIT)
    assert [worker.exitcode for worker in workers] == [0] * len(workers)
    return outcomes


def test_eight_processes_rotating_one_store_lose_no_refresh_token(sandbox, tmp_path, monkeypatch):
    home, key = _shared_home(tmp_path, monkeypatch)
    # Every token the sandbox issues expires within the 5-minute refresh margin (and for real
    # two seconds later), so each of the 8 x 12 calls refreshes first, all of them contending.
    sandbox.state.behaviour.access_token_ttl = 2
    EncryptedFileTokenStore(STORE).save(sandbox_token(sandbox.info, expires_in=60))
    calls = 12
    workers, ready, go, results = _start(
        _call_repeatedly, (home, key, _settings(sandbox.info), calls), 8
    )
    for _ in workers:
        ready.get(timeout=WAIT)
    go.set()
    outcomes = _finish(workers, results)

    assert outcomes == [("ok", calls)] * 8
    refreshes = sandbox.requests.entries(method="POST", path_regex="/auth/oauth/token")
    assert len(refreshes) >= 8 * calls
    assert {entry.status for entry in refreshes} == {200}  # never a reused refresh token
    gets = sandbox.requests.entries(method="GET", path_regex=ME)
    assert sum(entry.status == 200 for entry in gets) == 8 * calls
    assert EncryptedFileTokenStore(STORE).reauthorization() is None
    # A linear chain of rotations leaves one live refresh token: the stored one must be it.
    stored = EncryptedFileTokenStore(STORE).load()
    config = sandbox_config(sandbox.info)
    with oauth_session(config) as session:
        after = TokenKeeper(config, MemoryTokenStore(stored), session).refresh(stored)
    assert after.refresh_token != stored.refresh_token


def test_a_reused_refresh_token_stops_every_process_without_another_token_call(
    sandbox, tmp_path, monkeypatch
):
    home, key = _shared_home(tmp_path, monkeypatch)
    store = EncryptedFileTokenStore(STORE)
    alive = sandbox_token(sandbox.info)
    store.save(alive)
    workers, ready, go, results = _start(
        _call_after_the_refusal, (home, key, _settings(sandbox.info)), 3
    )
    for _ in workers:
        ready.get(timeout=WAIT)

    # A stale copy of the store (say, a restored backup) spends the refresh token elsewhere,
    # then the access token every process holds stops working.
    config = sandbox_config(sandbox.info)
    with oauth_session(config) as session:
        TokenKeeper(config, MemoryTokenStore(alive), session).refresh(alive)
    sandbox.state.tokens.revoke(alive.access_token)
    with (
        FreshBooksClient(config, store) as client,
        pytest.raises(ReauthorizationRequired) as refused,
    ):
        client.identity()
    message = str(refused.value)
    assert "invalid_grant" in message
    assert f"ml-connector auth url --credentials {STORE}" in message
    assert f"ml-connector auth exchange CODE --credentials {STORE}" in message
    assert alive.refresh_token not in message and alive.access_token not in message
    mark = store.reauthorization()
    assert mark is not None and "invalid_grant" in mark.reason
    seen = len(sandbox.requests.entries())

    go.set()
    outcomes = _finish(workers, results)

    assert all(outcome.startswith("ReauthorizationRequired: ") for outcome in outcomes), outcomes
    assert all("ml-connector auth exchange" in outcome for outcome in outcomes)
    assert len(sandbox.requests.entries()) == seen  # not one request more, token endpoint or API
    assert store.load() == alive
