"""The state store: transfers, the audit trail, the postings ledger, cursors, webhook events.

SQLite (WAL) under ``ML_CONNECTOR_HOME`` by default, PostgreSQL when several machines share the
work; the schema is migrated forward automatically when the store is opened.
"""

from connector.store.errors import (
    InvalidRecordError,
    LedgerConflictError,
    RecordNotFoundError,
    SchemaVersionError,
    StoreUnavailableError,
    UnsupportedDatabaseError,
)
from connector.store.events import (
    BufferedEvent,
    CallbackConflictError,
    WebhookCallback,
    WebhookEvent,
)
from connector.store.records import (
    AuditEntry,
    AuditRow,
    AuditStatus,
    Direction,
    LedgerEntry,
    PostingState,
    Transfer,
    TransferStatus,
)
from connector.store.store import Store

__all__ = [
    "AuditEntry",
    "AuditRow",
    "AuditStatus",
    "BufferedEvent",
    "CallbackConflictError",
    "Direction",
    "InvalidRecordError",
    "LedgerConflictError",
    "LedgerEntry",
    "PostingState",
    "RecordNotFoundError",
    "SchemaVersionError",
    "Store",
    "StoreUnavailableError",
    "Transfer",
    "TransferStatus",
    "UnsupportedDatabaseError",
    "WebhookCallback",
    "WebhookEvent",
]
