import json
import multiprocessing
import stat

import pytest
from cryptography.fernet import Fernet

from connector import secrets, settings
from connector.errors import ConfigurationError
from connector.secrets import (
    SECRET_KEY_ENV,
    EncryptedJsonFile,
    InvalidSecretKey,
    SecretStoreError,
    WrongSecretKey,
)


@pytest.fixture(autouse=True)
def _no_key_in_env(monkeypatch):
    monkeypatch.delenv(SECRET_KEY_ENV, raising=False)


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_round_trip_is_encrypted_and_private(tmp_path):
    store = EncryptedJsonFile(tmp_path / "creds" / "x.json")
    assert store.read() is None
    store.write({"refresh_token": "very-secret", "n": 1})
    assert store.read() == {"refresh_token": "very-secret", "n": 1}
    raw = (tmp_path / "creds" / "x.json").read_bytes()
    assert b"very-secret" not in raw
    assert mode(tmp_path / "creds" / "x.json") == 0o600


def test_key_is_generated_once_into_home_with_mode_0600(tmp_path):
    EncryptedJsonFile(tmp_path / "a.json").write({"a": 1})
    key_file = settings.home() / secrets.SECRET_KEY_FILE
    first_key = key_file.read_bytes()
    assert mode(key_file) == 0o600
    EncryptedJsonFile(tmp_path / "b.json").write({"b": 2})
    assert key_file.read_bytes() == first_key
    assert Fernet(first_key).decrypt((tmp_path / "a.json").read_bytes()) == b'{"a": 1}'


def test_key_from_environment_takes_precedence(tmp_path, monkeypatch):
    key = Fernet.generate_key()
    monkeypatch.setenv(SECRET_KEY_ENV, key.decode())
    EncryptedJsonFile(tmp_path / "a.json").write({"a": 1})
    assert json.loads(Fernet(key).decrypt((tmp_path / "a.json").read_bytes())) == {"a": 1}
    assert not (settings.home() / secrets.SECRET_KEY_FILE).exists()


def test_wrong_key_names_the_variable_to_check(tmp_path, monkeypatch):
    monkeypatch.setenv(SECRET_KEY_ENV, Fernet.generate_key().decode())
    store = EncryptedJsonFile(tmp_path / "a.json")
    store.write({"token": "t0p"})
    monkeypatch.setenv(SECRET_KEY_ENV, Fernet.generate_key().decode())
    with pytest.raises(WrongSecretKey) as caught:
        store.read()
    assert SECRET_KEY_ENV in str(caught.value)
    assert str(tmp_path / "a.json") in str(caught.value)
    assert "t0p" not in str(caught.value)
    assert isinstance(caught.value, ConfigurationError)


def test_wrong_key_file_names_the_file(tmp_path):
    store = EncryptedJsonFile(tmp_path / "a.json")
    store.write({"a": 1})
    key_file = settings.home() / secrets.SECRET_KEY_FILE
    key_file.write_bytes(Fernet.generate_key())
    with pytest.raises(WrongSecretKey, match=r"secret\.key"):
        store.read()


@pytest.mark.parametrize("bad", ["not-a-key", "c2hvcnQ="])
def test_malformed_key_in_environment_is_refused(tmp_path, monkeypatch, bad):
    monkeypatch.setenv(SECRET_KEY_ENV, bad)
    with pytest.raises(InvalidSecretKey, match=SECRET_KEY_ENV):
        EncryptedJsonFile(tmp_path / "a.json").write({"a": 1})


def test_malformed_key_file_is_refused(tmp_path):
    (settings.home() / secrets.SECRET_KEY_FILE).write_text("garbage\n")
    with pytest.raises(InvalidSecretKey, match=r"secret\.key"):
        EncryptedJsonFile(tmp_path / "a.json").write({"a": 1})


def test_file_holding_something_other_than_an_object_is_refused(tmp_path):
    path = tmp_path / "a.json"
    path.write_bytes(Fernet(secrets.secret_key()).encrypt(b"[1, 2]"))
    with pytest.raises(SecretStoreError, match="not an object"):
        EncryptedJsonFile(path).read()


def test_write_replaces_atomically_and_leaves_no_temporary_files(tmp_path):
    store = EncryptedJsonFile(tmp_path / "creds" / "a.json")
    for n in range(5):
        store.write({"n": n})
    assert store.read() == {"n": 4}
    assert [p.name for p in (tmp_path / "creds").iterdir()] == ["a.json"]


def _read_key(home, queue):
    import os

    os.environ["ML_CONNECTOR_HOME"] = home
    from connector import secrets as module

    queue.put(module.secret_key())


def test_concurrent_first_runs_agree_on_one_key(tmp_path):
    home = str(tmp_path / "shared-home")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_read_key, args=(home, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    keys = {queue.get(timeout=60) for _ in workers}
    for worker in workers:
        worker.join(timeout=60)
    assert len(keys) == 1
