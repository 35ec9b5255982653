"""Shared fixtures: each area's fixtures live in tests/fixtures and are registered here."""

import os

import pytest

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.sshd", "tests.fixtures.postgres"]

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own ML_CONNECTOR_HOME so no state leaks between tests or into ~."""
    monkeypatch.setenv("ML_CONNECTOR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ML_CONNECTOR_DATABASE_URL", raising=False)
