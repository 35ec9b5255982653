"""Where ml-connector keeps its local state, read from the environment once per call.

Everything defaults to a folder under the user's home so that the demo and the tests
need no configuration; operators point ``ML_CONNECTOR_DATABASE_URL`` at PostgreSQL when
several machines share the work.
"""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "ML_CONNECTOR_HOME"
DATABASE_URL_ENV = "ML_CONNECTOR_DATABASE_URL"


def home() -> Path:
    """The local state folder, created on first use."""
    path = Path(os.environ.get(HOME_ENV) or Path.home() / ".ml-connector").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """The state store's SQLAlchemy URL: PostgreSQL when configured, else SQLite under home()."""
    return os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{home() / 'state.db'}"
