"""How the sandbox keeps records of one kind, and the write rules every kind shares.

Each kind (clients, bills, journal entries, ...) lives in a ``Table`` that numbers new records
from a realistic-looking first id and, for an id it does not hold, raises an error naming where
seed or test code can list the ids it does hold. Every table shares the SandboxState's one
lock, so a read here never sees half of a write made on the server's thread.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from connector.sandbox.errors import SandboxDataError
from connector.sandbox.records import DELETED

R = TypeVar("R")


class Table(Generic[R]):
    """Records by id; ``listing`` is where they show on ``sb.state`` (``purchases.bills``)."""

    def __init__(self, lock: threading.RLock, kind: str, listing: str, first_id: int) -> None:
        self._lock = lock
        self.kind = kind
        self._listing = listing
        self._records: dict[int, R] = {}
        self._ids = itertools.count(first_id)

    def all(self) -> list[R]:
        with self._lock:
            return list(self._records.values())

    def get(self, record_id: int) -> R | None:
        with self._lock:
            return self._records.get(record_id)

    def __getitem__(self, record_id: int) -> R:
        with self._lock:
            record = self._records.get(record_id)
        if record is None:
            raise SandboxDataError(
                f"the sandbox has no {self.kind} with id {record_id}",
                hint=f"list sb.state.{self._listing} for the ids it holds",
            )
        return record

    def next_id(self) -> int:
        """The id for the next record; each call hands out a new one."""
        with self._lock:
            return next(self._ids)

    def insert(self, record_id: int, record: R) -> R:
        with self._lock:
            self._records[record_id] = record
            return record


def check_writable(fields: Mapping[str, Any], allowed: frozenset[str], kind: str) -> None:
    """Seed and test code may only set the fields the API lets a client write."""
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise SandboxDataError(
            f"{kind} has no writable field(s) {', '.join(unknown)}",
            hint=f"writable {kind} fields: {', '.join(sorted(allowed))}",
        )


def change_event(kind: str, changes: Mapping[str, Any]) -> str:
    """``delete`` when the change moves the record to the deleted state, else ``update``."""
    return f"{kind}.delete" if changes.get("vis_state") == DELETED else f"{kind}.update"
