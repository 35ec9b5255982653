"""The rows the store hands out and takes in, as plain frozen dataclasses.

Enumerated fields are coerced to their ``StrEnum`` when a row is built, so a misspelt status is
refused where it is written rather than discovered later in a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from connector.store.checks import choice, integer, required_text


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class TransferStatus(StrEnum):
    STARTED = "started"
    UPLOADED = "uploaded"
    PROCESSED = "processed"
    ERROR = "error"
    PARTIALLY_POSTED = "partially_posted"
    DUPLICATE = "duplicate"


class AuditStatus(StrEnum):
    SENT = "sent"
    POSTED = "posted"
    REJECTED = "rejected"
    SKIPPED = "skipped"
    WARNING = "warning"
    DUPLICATE = "duplicate"
    CONFIRMED = "confirmed"
    # What a partner's acknowledgment said of a transaction set we sent.
    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    RECEIVED = "received"


class PostingState(StrEnum):
    PENDING = "pending"
    POSTED = "posted"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Transfer:
    """One file sent to or taken from a partner, from the first byte to its final status."""

    id: int
    partner: str
    direction: Direction
    document_kind: str
    file_name: str
    remote_path: str | None
    archive_url: str | None
    sha256: str | None
    size: int | None
    status: TransferStatus
    message: str | None
    started_at: datetime
    finished_at: datetime | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "direction", choice(Direction, self.direction, "direction"))
        object.__setattr__(self, "status", choice(TransferStatus, self.status, "transfer status"))


@dataclass(frozen=True, slots=True)
class AuditRow:
    """What happened to one record of a transfer; written in bulk once a file has been handled."""

    transfer_id: int
    partner: str
    direction: Direction
    document_kind: str
    status: AuditStatus
    source_id: str | None = None
    target_id: str | None = None
    file_name: str | None = None
    row_number: int | None = None
    message: str | None = None

    def __post_init__(self) -> None:
        integer(self.transfer_id, "transfer_id")
        integer(self.row_number, "row_number", optional=True)
        required_text(self.partner, "partner")
        required_text(self.document_kind, "document_kind")
        object.__setattr__(self, "direction", choice(Direction, self.direction, "direction"))
        object.__setattr__(self, "status", choice(AuditStatus, self.status, "audit status"))


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry(AuditRow):
    """An audit row as stored, with the id and time the store gave it."""

    id: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """A posting to FreshBooks, recorded before the call and settled after it."""

    idempotency_key: str
    partner: str
    transfer_id: int | None
    kind: str
    request: dict[str, Any] = field(hash=False)
    state: PostingState
    freshbooks_id: str | None
    message: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", choice(PostingState, self.state, "posting state"))
