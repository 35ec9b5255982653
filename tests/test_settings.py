from pathlib import Path

from connector import settings
from connector.errors import ConnectorError


def test_home_is_created_under_env(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.HOME_ENV, str(tmp_path / "x"))
    assert settings.home() == tmp_path / "x"
    assert (tmp_path / "x").is_dir()


def test_database_url_defaults_to_sqlite_in_home(tmp_path, monkeypatch):
    monkeypatch.setenv(settings.HOME_ENV, str(tmp_path))
    assert settings.database_url() == f"sqlite:///{Path(tmp_path) / 'state.db'}"
    monkeypatch.setenv(settings.DATABASE_URL_ENV, "postgresql+psycopg://db/x")
    assert settings.database_url() == "postgresql+psycopg://db/x"


def test_errors_carry_a_hint():
    error = ConnectorError("file missing", hint="upload it again")
    assert str(error) == "file missing\n  hint: upload it again"
    assert str(ConnectorError("plain")) == "plain"
