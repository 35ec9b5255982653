"""The store's failures, named so that flows can tell "try again later" from "fix the code"."""

from __future__ import annotations

from connector.errors import StoreError


class UnsupportedDatabaseError(StoreError):
    """The database URL names a backend the store was not built and tested for."""


class StoreUnavailableError(StoreError):
    """The database could not be reached or stayed locked; retrying later may succeed."""


class SchemaVersionError(StoreError):
    """The database was migrated by a newer ml-connector than the one running."""


class InvalidRecordError(StoreError):
    """A value handed to a repository would break the store's rules; the caller must fix it."""


class RecordNotFoundError(StoreError):
    """An update named a transfer or posting that the store has never seen."""


class LedgerConflictError(StoreError):
    """A posting's state change would contradict what the ledger already knows."""
