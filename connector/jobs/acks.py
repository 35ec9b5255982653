"""The acks job: take the partner's acknowledgment files, record them, and find what is overdue.

Acknowledgment files share the partner's outgoing folder with their remittances, so only names
matching the acknowledgment patterns are claimed: the inbound flow's files are never taken. Each
claimed file is read whole (acknowledgments are small), matched and recorded (``connector.edi.
matching``), then moved to processed/; a file that holds no readable acknowledgment goes to
error/ with a report. An acknowledgment naming numbers we never sent does not fail its file: it
is reported in the audit trail and the outcome, so the partner can be asked about it.

Overdue is what is still pending after the partner's deadline: the partner's chargeback clock
runs from when we sent it, not from when we look.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connector.edi.ack_reader import read_acknowledgments
from connector.edi.matching import Matched, record_acknowledgments
from connector.errors import DataError
from connector.jobs.inbound_files import claim_files
from connector.store import Store
from connector.store.interchanges import SentInterchange
from connector.transport import ClaimedFile, PartnerFolders


@dataclass(frozen=True)
class AckFileOutcome:
    name: str
    status: str  # "processed" or "error"
    acknowledgments: int = 0
    settled: int = 0
    duplicates: int = 0
    unknown: int = 0
    moved_to: str = ""
    message: str = ""


@dataclass(frozen=True)
class Overdue:
    """An interchange still unacknowledged after the partner's deadline."""

    partner: str
    standard: str
    interchange_control: int
    group_control: int | None
    sets: str
    transfer_id: int
    sent_at: str
    hours_waiting: float


def collect_acknowledgments(
    store: Store,
    folders: PartnerFolders,
    partner: str,
    *,
    patterns: Sequence[str],
    settle_seconds: float = 30.0,
    reclaim_after_seconds: float = 900.0,
) -> list[AckFileOutcome]:
    """Claim and record every acknowledgment file dropped, and any a crashed run left claimed."""
    claimed = claim_files(
        folders,
        lambda name: _is_ack(name, patterns),
        settle_seconds=settle_seconds,
        reclaim_after_seconds=reclaim_after_seconds,
    )
    return [_process(store, folders, partner, file) for file in claimed]


def overdue_interchanges(
    store: Store, partner: str, deadline: timedelta, now: datetime | None = None
) -> list[Overdue]:
    """Interchanges sent to ``partner`` more than ``deadline`` ago and still unacknowledged."""
    moment = now or datetime.now(UTC)
    return [
        _overdue(sent, moment)
        for sent in store.sent_interchanges.pending(partner, sent_before=moment - deadline)
    ]


def _is_ack(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)


def _process(
    store: Store, folders: PartnerFolders, partner: str, claimed: ClaimedFile
) -> AckFileOutcome:
    data = folders.read(claimed)
    transfer_id = store.transfers.start(
        partner,
        "inbound",
        "acknowledgment",
        claimed.name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
    )
    try:
        acknowledgments = read_acknowledgments(data, claimed.name)
    except DataError as error:
        report = {"file": claimed.name, "partner": partner, "error": str(error)}
        moved_to = folders.move_to_error(claimed, json.dumps(report, indent=2).encode())
        store.transfers.finish(transfer_id, "error", str(error), remote_path=moved_to)
        return AckFileOutcome(claimed.name, "error", moved_to=moved_to, message=str(error))
    matched = record_acknowledgments(
        store, partner, acknowledgments, transfer_id=transfer_id, file_name=claimed.name
    )
    moved_to = folders.move_to_processed(claimed)
    message = "; ".join(m.message for m in matched)
    store.transfers.finish(transfer_id, "processed", message, remote_path=moved_to)
    return AckFileOutcome(
        claimed.name,
        "processed",
        acknowledgments=len(matched),
        settled=_count(matched, "settled", "replaced", "noted"),
        duplicates=_count(matched, "duplicate"),
        unknown=_count(matched, "unknown"),
        moved_to=moved_to,
        message=message,
    )


def _count(matched: list[Matched], *outcomes: str) -> int:
    return sum(1 for m in matched if m.outcome in outcomes)


def _overdue(sent: SentInterchange, now: datetime) -> Overdue:
    return Overdue(
        partner=sent.partner,
        standard=sent.standard.value,
        interchange_control=sent.interchange_control,
        group_control=sent.group_control,
        sets=", ".join(f"{s.code} {s.control}" for s in sent.sets),
        transfer_id=sent.transfer_id,
        sent_at=sent.sent_at.isoformat(timespec="seconds"),
        hours_waiting=round((now - sent.sent_at).total_seconds() / 3600, 1),
    )
