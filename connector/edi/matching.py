"""Match the acknowledgments a partner sent to the interchanges we sent them, and record them.

A 997/999 names our group (GS06), a TA1 or CONTRL our interchange (ISA13, UNB 0020); the sets
or messages they list are matched by ST02 / UNH 0062 within it. Each verdict is kept on the
sent interchange and written to the audit trail under the transfer that carried the file, one
row per set, so the file's history shows what the partner made of it.

Sets an acknowledgment does not list take its group's verdict: 997s commonly list only the sets
with errors. A TA1 that accepts says nothing of content (the 997 is still to come), so it is
noted on the envelope only; one that rejects settles everything as rejected.

What cannot be matched (a number we never sent, a set that is not in the interchange, an
acknowledgment we could not fully read) is reported as a warning under the acknowledgment file's
own transfer, never raised: one partner's sloppy 997 must not stop the others being recorded.
The same verdict arriving again is a duplicate and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from connector.edi.ack_reader import Acknowledgment, SetAck
from connector.errors import ConfigurationError
from connector.store import AuditRow, AuditStatus, Store
from connector.store.control_numbers import EdiStandard
from connector.store.interchanges import AckStatus, SentInterchange, Verdict

Outcome = Literal["settled", "replaced", "duplicate", "noted", "unknown"]

# A group's verdict as the default for sets it does not list.
_UNLISTED = {
    AckStatus.ACCEPTED: AckStatus.ACCEPTED,
    AckStatus.ACCEPTED_WITH_ERRORS: AckStatus.ACCEPTED,
    AckStatus.PARTIALLY_ACCEPTED: AckStatus.ACCEPTED,
    AckStatus.REJECTED: AckStatus.REJECTED,
    AckStatus.RECEIVED: AckStatus.RECEIVED,
}
_AUDIT_STATUS = {
    AckStatus.ACCEPTED: AuditStatus.ACCEPTED,
    AckStatus.ACCEPTED_WITH_ERRORS: AuditStatus.ACCEPTED_WITH_ERRORS,
    AckStatus.REJECTED: AuditStatus.REJECTED,
    AckStatus.RECEIVED: AuditStatus.RECEIVED,
}


@dataclass(frozen=True)
class Matched:
    """What became of one acknowledgment."""

    kind: str
    control: str
    outcome: Outcome
    status: str | None
    message: str
    interchange_id: int | None = None


def record_acknowledgments(
    store: Store,
    partner: str,
    acknowledgments: Sequence[Acknowledgment],
    *,
    transfer_id: int,
    file_name: str,
) -> list[Matched]:
    """Match and record each acknowledgment of one file; ``transfer_id`` is that file's own
    (inbound) transfer, under which whatever did not match is reported."""
    results: list[Matched] = []
    rows: list[AuditRow] = []
    for ack in acknowledgments:
        matched, ack_rows = _record(store, partner, ack, transfer_id, file_name)
        results.append(matched)
        rows += ack_rows
    store.audit.record(rows)
    return results


def _record(
    store: Store, partner: str, ack: Acknowledgment, transfer_id: int, file_name: str
) -> tuple[Matched, list[AuditRow]]:
    sent = _sent(store, partner, ack)
    if sent is None or ack.status is None:
        why = (
            f"answers {ack.answers} {ack.control or '(none)'}, which we never sent to {partner}"
            if sent is None
            else "could not be read: " + "; ".join(ack.problems)
        )
        message = f"{ack.kind} at {ack.where} {why}"
        row = _unmatched(transfer_id, partner, ack.kind, file_name, message, ack.control)
        return Matched(ack.kind, ack.control, "unknown", None, message), [row]

    if ack.kind == "TA1" and ack.status is not AckStatus.REJECTED:
        verdict = Verdict(ack.status, _detail(ack))
        noted = store.sent_interchanges.note_envelope(sent.id, verdict)
        message = f"TA1: interchange envelope {ack.status.value}; {_detail(ack) or 'no note'}"
        rows = [_set_row(noted, AuditStatus.RECEIVED, file_name, f"{message}; 997 awaited", None)]
        return Matched(ack.kind, ack.control, "noted", ack.status.value, message, sent.id), rows

    verdict, set_verdicts, unmatched = _verdicts(ack, sent)
    unchanged = sent.verdict == verdict and all(
        sent.set(control).verdict == set_verdict  # type: ignore[union-attr]
        for control, set_verdict in set_verdicts.items()
    )
    rows = [
        _unmatched(
            transfer_id,
            partner,
            ack.kind,
            file_name,
            f"{ack.kind} at {ack.where} lists set {extra.control} ({extra.code}), which "
            f"interchange {sent.interchange_control} did not carry",
            extra.control,
        )
        for extra in unmatched
    ]
    if unchanged:
        message = f"{ack.kind} repeats the verdict already recorded ({verdict.status.value})"
        rows += [_set_row(sent, AuditStatus.DUPLICATE, file_name, message, None)]
        return Matched(
            ack.kind, ack.control, "duplicate", verdict.status.value, message, sent.id
        ), rows

    earlier = sent.verdict.status
    settled = store.sent_interchanges.settle(sent.id, verdict, set_verdicts)
    outcome: Outcome = "settled" if earlier is AckStatus.PENDING else "replaced"
    note = "" if outcome == "settled" else f" (replaces the earlier verdict: {earlier.value})"
    for sent_set in settled.sets:
        status = _AUDIT_STATUS.get(sent_set.verdict.status, AuditStatus.WARNING)
        text = f"{ack.kind}: {sent_set.verdict.status.value}{note}"
        if sent_set.verdict.detail:
            text += f": {sent_set.verdict.detail}"
        rows.append(_set_row(settled, status, file_name, text, sent_set.control, sent_set.code))
    message = f"{ack.kind}: interchange {sent.interchange_control} {verdict.status.value}{note}"
    return Matched(ack.kind, ack.control, outcome, verdict.status.value, message, sent.id), rows


def _sent(store: Store, partner: str, ack: Acknowledgment) -> SentInterchange | None:
    control = ack.control.strip()
    if not control.isdigit():
        return None
    if ack.answers == "group":
        return store.sent_interchanges.by_group(partner, ack.standard, int(control))
    return store.sent_interchanges.by_interchange(partner, ack.standard, int(control))


def _verdicts(
    ack: Acknowledgment, sent: SentInterchange
) -> tuple[Verdict, dict[int, Verdict], list[SetAck]]:
    """The interchange's verdict, each sent set's, and the listed sets we did not send."""
    assert ack.status is not None
    listed: dict[int, SetAck] = {}
    unmatched: list[SetAck] = []
    for set_ack in ack.sets:
        control = set_ack.control.strip()
        if control.isdigit() and sent.set(int(control)) is not None:
            listed[int(control)] = set_ack
        else:
            unmatched.append(set_ack)
    if ack.kind == "TA1":
        default = Verdict(AckStatus.REJECTED, "interchange rejected: " + (_detail(ack) or "-"))
    else:
        default = Verdict(_UNLISTED[ack.status])
    set_verdicts = {
        sent_set.control: _set_verdict(listed[sent_set.control])
        if sent_set.control in listed
        else default
        for sent_set in sent.sets
    }
    status = ack.status
    if ack.kind == "CONTRL" and status is AckStatus.ACCEPTED:
        rejected = sum(v.status is AckStatus.REJECTED for v in set_verdicts.values())
        if rejected:
            status = (
                AckStatus.REJECTED
                if rejected == len(set_verdicts)
                else AckStatus.PARTIALLY_ACCEPTED
            )
    return Verdict(status, _detail(ack)), set_verdicts, unmatched


def _set_verdict(set_ack: SetAck) -> Verdict:
    """A listed set's own verdict; one listed without a readable status counts as rejected."""
    return Verdict(set_ack.status or AckStatus.REJECTED, "; ".join(set_ack.reasons) or None)


def _detail(ack: Acknowledgment) -> str | None:
    return "; ".join([*ack.reasons, *ack.problems]) or None


def _set_row(
    sent: SentInterchange,
    status: AuditStatus,
    file_name: str | None,
    message: str,
    set_control: int | None,
    code: str | None = None,
) -> AuditRow:
    source = f"{sent.standard.value}:{sent.interchange_control}"
    if sent.group_control is not None:
        source += f"/{sent.group_control}"
    if set_control is not None:
        source += f"/{set_control}"
    return AuditRow(
        transfer_id=sent.transfer_id,
        partner=sent.partner,
        direction="outbound",
        document_kind=code or (sent.sets[0].code if sent.sets else "interchange"),
        status=status,
        source_id=source,
        file_name=file_name,
        message=message,
    )


def _unmatched(
    transfer_id: int, partner: str, kind: str, file_name: str, message: str, control: str
) -> AuditRow:
    """A warning under the acknowledgment file's own transfer: nothing we sent to attach it to."""
    return AuditRow(
        transfer_id=transfer_id,
        partner=partner,
        direction="inbound",
        document_kind=kind,
        status=AuditStatus.WARNING,
        source_id=control or None,
        file_name=file_name,
        message=message,
    )


def settle_by_hand(
    store: Store,
    partner: str,
    standard: EdiStandard | str,
    interchange_control: int,
    status: AckStatus,
    reason: str,
) -> SentInterchange:
    """Settle an interchange the partner will never acknowledge (they confirmed it by phone, or
    it was resent under new numbers), so the acks flow stops reporting it overdue.

    Every set gets the same verdict; the audit trail says it was done by hand, and why.
    """
    if status is AckStatus.PENDING:
        raise ConfigurationError(
            "settling an interchange by hand needs a verdict, not pending",
            hint="use accepted, rejected or received",
        )
    if not reason.strip():
        raise ConfigurationError(
            "settling an interchange by hand needs a reason for the audit trail",
            hint='say why, e.g. --reason "confirmed by phone with Acme EDI support"',
        )
    sent = store.sent_interchanges.by_interchange(partner, standard, interchange_control)
    if sent is None:
        raise ConfigurationError(
            f"no interchange {interchange_control} was sent to {partner!r} in {standard}",
            hint="`ml-connector transfers list --partner NAME` shows what was sent",
        )
    verdict = Verdict(status, f"settled by hand: {reason.strip()}")
    settled = store.sent_interchanges.settle(
        sent.id, verdict, {sent_set.control: verdict for sent_set in sent.sets}
    )
    store.audit.record(
        [
            _set_row(
                settled,
                _AUDIT_STATUS.get(status, AuditStatus.WARNING),
                None,
                f"{status.value}, {verdict.detail} (was {sent.verdict.status.value})",
                sent_set.control,
                sent_set.code,
            )
            for sent_set in settled.sets
        ]
    )
    return settled
