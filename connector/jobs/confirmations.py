"""Payment events confirm our postings: FreshBooks' own word that a payment we posted is there.

Every payment the connector posts carries its ledger key in the note (``[ml-connector:KEY]``,
see ``inbound_files``). When FreshBooks reports a payment created, changed or deleted, the
buffered events are drained, coalesced per payment, and the payments fetched 100 per call
(``search[logids][]``; the ones not listed are asked for again as deleted). A payment of ours is
audited ``confirmed`` on the transfer that posted it; one deleted in FreshBooks is audited as a
warning, since the partner's remittance and the books now disagree. A ledger entry a crash or a
lost answer left in doubt is settled as posted, so a replay of its file will not post it again.
Payments without our mark are someone else's and are left alone, as are events of another
FreshBooks account than the client's.

Events are read as the ``confirmations`` consumer, beside the outbound runs that may read the same
business's events, and marked processed only after the audit rows are written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from connector.freshbooks import FreshBooksClient
from connector.jobs.changes import DEFAULT_MAX_EVENTS, DELETED, by_account, coalesce, finish_drain
from connector.jobs.inbound_files import KEY_MARK
from connector.store import AuditRow, LedgerEntry, PostingState, Store

PAYMENT_EVENTS = ("payment.create", "payment.update", "payment.delete")
CONSUMER = "confirmations"
IDS_PER_CALL = 100
_KEY = re.compile(re.escape(f"[{KEY_MARK}") + r"(?P<key>[^\]]+)\]")


@dataclass(frozen=True)
class ConfirmationResult:
    """What one run learnt from FreshBooks' payment events."""

    events: int
    payments: int
    confirmed: int
    deleted: int
    settled: int
    """Ledger entries left pending or failed that FreshBooks shows were posted after all."""
    not_ours: int
    unknown_keys: int
    """Payments marked with a key this store's ledger does not hold."""
    missing: int
    """Payments the events named that FreshBooks no longer returns."""
    unreadable: int
    foreign: int
    """Events of another FreshBooks account than the client's: passed over."""


def confirm_postings(
    store: Store, client: FreshBooksClient, *, max_events: int = DEFAULT_MAX_EVENTS
) -> ConfirmationResult:
    """Audit our payments FreshBooks reported on, then mark the events processed."""
    events = store.events.pending(CONSUMER, PAYMENT_EVENTS, max_events)
    ours, foreign = by_account(events, client.account_id)
    ids, unreadable = coalesce(ours)
    payments = _fetch(client, ids)
    missing = len(ids) - len(payments)

    rows: list[AuditRow] = []
    counts = dict.fromkeys(("confirmed", "deleted", "settled", "not_ours", "unknown_keys"), 0)
    for payment in payments:
        match = _KEY.search(str(payment.get("note") or ""))
        if match is None:
            counts["not_ours"] += 1
            continue
        entry = store.ledger.get(match["key"])
        if entry is None or entry.transfer_id is None:
            counts["unknown_keys"] += 1
            continue
        deleted = payment.get("vis_state") == DELETED
        if not deleted and entry.state is not PostingState.POSTED:
            entry = store.ledger.mark_posted(entry.idempotency_key, str(payment["id"]))
            counts["settled"] += 1
        counts["deleted" if deleted else "confirmed"] += 1
        rows.append(_audit_row(entry, payment, deleted))
    store.audit.record(rows)
    finish_drain(store, CONSUMER, events)
    return ConfirmationResult(
        events=len(events),
        payments=len(payments),
        missing=missing,
        unreadable=len(unreadable),
        foreign=len(foreign),
        **counts,
    )


def _fetch(client: FreshBooksClient, ids: list[int]) -> list[dict[str, Any]]:
    """The payments, 100 ids per call; ids not listed (deleted ones) asked for once more."""
    found: dict[int, dict[str, Any]] = {}
    for search in ({}, {"vis_state": DELETED}):
        missing = [payment_id for payment_id in ids if payment_id not in found]
        for chunk in _chunks(missing):
            wanted = set(chunk)  # FreshBooks ignores a search key it does not know: re-check
            for payment in client.payments.iter(logids=chunk, **search):
                if int(payment["id"]) in wanted:
                    found[int(payment["id"])] = payment
    return list(found.values())


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    remaining = iter(ids)
    while chunk := list(islice(remaining, IDS_PER_CALL)):
        yield chunk


def _audit_row(entry: LedgerEntry, payment: dict[str, Any], deleted: bool) -> AuditRow:
    amount = payment.get("amount") or {}
    described = (
        f"payment {payment['id']} of {amount.get('amount')} {amount.get('code') or ''} "
        f"on invoice {payment.get('invoiceid')}"
    ).replace("  ", " ")
    if deleted:
        status = "warning"
        message = f"{described} was deleted in FreshBooks after ml-connector posted it"
    else:
        status = "confirmed"
        message = f"FreshBooks reports {described}"
        if entry.freshbooks_id != str(payment["id"]):
            status = "warning"
            message += (
                f", but the ledger recorded this posting as payment {entry.freshbooks_id}: "
                "it may have been posted twice; check both in FreshBooks"
            )
    return AuditRow(
        transfer_id=entry.transfer_id,
        partner=entry.partner,
        direction="inbound",
        document_kind=entry.kind,
        source_id=entry.idempotency_key,
        target_id=str(payment["id"]),
        status=status,
        message=message,
    )
