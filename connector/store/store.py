"""The state store: one object that opens and migrates the database and holds the repositories."""

from __future__ import annotations

from types import TracebackType

from connector import settings
from connector.store.audit import AuditTrail
from connector.store.control_numbers import ControlNumbers
from connector.store.cursors import Cursors
from connector.store.database import Database
from connector.store.engine import create_store_engine
from connector.store.events import WebhookEvents
from connector.store.interchanges import SentInterchanges
from connector.store.ledger import Ledger
from connector.store.migrate import upgrade_schema
from connector.store.transfers import Transfers
from connector.store.versions import OutboundVersions


class Store:
    """Open with ``Store.open()``; safe to share between threads, one per process is enough."""

    def __init__(self, db: Database, schema_revision: str) -> None:
        self._db = db
        self.schema_revision = schema_revision
        self.transfers = Transfers(db)
        self.audit = AuditTrail(db)
        self.ledger = Ledger(db)
        self.cursors = Cursors(db)
        self.events = WebhookEvents(db)
        self.versions = OutboundVersions(db)
        self.control_numbers = ControlNumbers(db)
        self.sent_interchanges = SentInterchanges(db)

    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Connect (default URL: ``settings.database_url()``) and migrate to this code's schema."""
        db = Database(create_store_engine(url or settings.database_url()))
        try:
            upgrade = upgrade_schema(db)
        except BaseException:
            db.dispose()
            raise
        return cls(db, upgrade.after)

    @property
    def location(self) -> str:
        """The database URL with any password masked, fit for logs and messages."""
        return self._db.location

    def close(self) -> None:
        self._db.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
