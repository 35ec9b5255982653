"""The EDI interchanges we sent, with the control numbers acknowledgments quote back to us.

A partner's 997 names our group (GS06) and its sets (ST02), a TA1 or CONTRL our interchange
(ISA13, UNB 0020) and messages (UNH 0062): each sent interchange is kept under those numbers with
the transfer (file) that carried it, and stays ``pending`` until a verdict arrives. What is still
pending after the partner's deadline is overdue: the partner is about to charge back for it.

One interchange carries one group: that is how our writers build them, so the group's verdict
is the interchange's. Numbers wrap (see ``control_numbers``), so a look-up by number takes the
newest interchange that carried it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from connector.store.checks import choice, integer, required_text
from connector.store.columns import utc_now
from connector.store.control_numbers import EdiStandard
from connector.store.database import Database
from connector.store.errors import InvalidRecordError, RecordNotFoundError
from connector.store.tables import sent_interchanges, sent_sets

_SENT = sent_interchanges.c
_SET = sent_sets.c


class AckStatus(StrEnum):
    """A verdict: X12 AK5/AK9 (A, E, P, R), CONTRL 0083 (7, 4, 8), or none yet."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    ACCEPTED_WITH_ERRORS = "accepted_with_errors"
    PARTIALLY_ACCEPTED = "partially_accepted"
    REJECTED = "rejected"
    RECEIVED = "received"
    """CONTRL action 8: the interchange arrived; a partner that only confirms receipt says no
    more, so it settles the interchange like a verdict."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What an acknowledgment said about one level, with its reasons in words."""

    status: AckStatus
    detail: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", choice(AckStatus, self.status, "ack status"))


@dataclass(frozen=True, slots=True)
class SentSet:
    """One transaction set (message) of a sent interchange, by its ST02 / UNH 0062."""

    control: int
    code: str
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class SentInterchange:
    id: int
    partner: str
    standard: EdiStandard
    interchange_control: int
    group_control: int | None
    functional_code: str | None
    transfer_id: int
    sent_at: datetime
    verdict: Verdict
    acked_at: datetime | None
    envelope: Verdict | None
    """What a TA1 (or a CONTRL's UCI) said of the envelope alone: the 997 is still to come."""
    sets: tuple[SentSet, ...]

    def set(self, control: int) -> SentSet | None:
        """The set an acknowledgment names by ``control``; None when this interchange had none."""
        return next((sent for sent in self.sets if sent.control == control), None)


class SentInterchanges:
    """The sent interchanges of the state store (``store.sent_interchanges``)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def record(
        self,
        partner: str,
        standard: EdiStandard | str,
        *,
        interchange_control: int,
        group_control: int | None,
        functional_code: str | None,
        sets: Sequence[tuple[int, str]],
        transfer_id: int,
        sent_at: datetime | None = None,
    ) -> SentInterchange:
        """Keep an interchange as sent, pending, with its sets as (control number, code)."""
        if not sets:
            raise InvalidRecordError(
                f"Interchange {interchange_control} of {partner!r} has no transaction sets.",
                hint="record the (control number, code) of every set the file carries",
            )
        values = {
            "partner": required_text(partner, "partner"),
            "standard": choice(EdiStandard, standard, "standard").value,
            "interchange_control": integer(interchange_control, "interchange_control"),
            "group_control": integer(group_control, "group_control", optional=True),
            "functional_code": functional_code,
            "transfer_id": integer(transfer_id, "transfer_id"),
            "sent_at": sent_at or utc_now(),
            "ack_status": AckStatus.PENDING.value,
        }
        set_rows = [
            {
                "set_control": integer(control, "set control number"),
                "code": required_text(code, "transaction set code"),
                "ack_status": AckStatus.PENDING.value,
            }
            for control, code in sets
        ]
        if len({row["set_control"] for row in set_rows}) != len(set_rows):
            raise InvalidRecordError(
                f"Interchange {interchange_control} of {partner!r} repeats a set control number.",
                hint="give every set of one interchange its own number (allocate_block)",
            )
        try:
            with self._db.transaction() as connection:
                identity = connection.execute(insert(sent_interchanges).values(values))
                interchange_id = identity.inserted_primary_key[0]
                connection.execute(
                    insert(sent_sets),
                    [{**row, "interchange_id": interchange_id} for row in set_rows],
                )
                return _load(connection, interchange_id)
        except IntegrityError as error:
            raise InvalidRecordError(
                f"Interchange {interchange_control} of {partner!r} names transfer "
                f"{transfer_id}, which the state store does not have.",
                hint="record the interchange with the id that transfers.start() returned",
            ) from error

    def get(self, interchange_id: int) -> SentInterchange | None:
        """The interchange ``record`` returned, as it stands now; None for an unknown id."""
        with self._db.transaction(read_only=True) as connection:
            return _find(connection, _SENT.id == integer(interchange_id, "interchange id"))

    def by_interchange(
        self, partner: str, standard: EdiStandard | str, control: int
    ) -> SentInterchange | None:
        """The newest interchange sent to ``partner`` under this ISA13 / UNB 0020."""
        return self._newest(partner, standard, _SENT.interchange_control == control)

    def by_group(
        self, partner: str, standard: EdiStandard | str, control: int
    ) -> SentInterchange | None:
        """The newest interchange sent to ``partner`` whose group is GS06 / UNG 0048 ``control``."""
        return self._newest(partner, standard, _SENT.group_control == control)

    def _newest(
        self, partner: str, standard: EdiStandard | str, number: ColumnElement[bool]
    ) -> SentInterchange | None:
        """Numbers wrap, so of the interchanges to ``partner`` that match ``number`` the newest
        is the one an acknowledgment means."""
        chosen = choice(EdiStandard, standard, "standard").value
        with self._db.transaction(read_only=True) as connection:
            return _find(connection, _SENT.partner == partner, _SENT.standard == chosen, number)

    def settle(
        self, interchange_id: int, verdict: Verdict, sets: Mapping[int, Verdict]
    ) -> SentInterchange:
        """Record an acknowledgment's verdict on the interchange and on the sets it names;
        a later acknowledgment replaces an earlier one (the caller audits both)."""
        now = utc_now()
        with self._db.transaction() as connection:
            current = _require(connection, interchange_id)
            unknown = sorted(set(sets) - {sent.control for sent in current.sets})
            if unknown:
                raise InvalidRecordError(
                    f"Interchange {current.interchange_control} of {current.partner!r} has no "
                    f"set(s) {', '.join(map(str, unknown))} to settle.",
                    hint="settle only the sets SentInterchange.sets lists",
                )
            connection.execute(
                update(sent_interchanges)
                .where(_SENT.id == interchange_id)
                .values(ack_status=verdict.status.value, ack_detail=verdict.detail, acked_at=now)
            )
            for control, set_verdict in sets.items():
                connection.execute(
                    update(sent_sets)
                    .where(_SET.interchange_id == interchange_id, _SET.set_control == control)
                    .values(ack_status=set_verdict.status.value, ack_detail=set_verdict.detail)
                )
            return _load(connection, interchange_id)

    def note_envelope(self, interchange_id: int, verdict: Verdict) -> SentInterchange:
        """Record what a TA1 said of the envelope, leaving the interchange's own verdict alone."""
        with self._db.transaction() as connection:
            _require(connection, interchange_id)
            connection.execute(
                update(sent_interchanges)
                .where(_SENT.id == interchange_id)
                .values(envelope_status=verdict.status.value, envelope_detail=verdict.detail)
            )
            return _load(connection, interchange_id)

    def pending(self, partner: str, sent_before: datetime | None = None) -> list[SentInterchange]:
        """Interchanges still awaiting a verdict, oldest first; with ``sent_before``, only those
        sent before it: the overdue ones."""
        conditions = [_SENT.partner == partner, _SENT.ack_status == AckStatus.PENDING.value]
        if sent_before is not None:
            conditions.append(_SENT.sent_at < sent_before)
        with self._db.transaction(read_only=True) as connection:
            ids = connection.scalars(
                select(_SENT.id).where(*conditions).order_by(_SENT.sent_at, _SENT.id)
            ).all()
            return [_load(connection, interchange_id) for interchange_id in ids]


def _find(connection: Connection, *conditions: Any) -> SentInterchange | None:
    newest = connection.scalar(
        select(_SENT.id).where(*conditions).order_by(_SENT.sent_at.desc(), _SENT.id.desc())
    )
    return None if newest is None else _load(connection, newest)


def _require(connection: Connection, interchange_id: int) -> SentInterchange:
    found = _find(connection, _SENT.id == integer(interchange_id, "interchange id"))
    if found is None:
        raise RecordNotFoundError(
            f"There is no sent interchange {interchange_id} in the state store.",
            hint="use the id that sent_interchanges.record() returned",
        )
    return found


def _load(connection: Connection, interchange_id: int) -> SentInterchange:
    row = connection.execute(select(sent_interchanges).where(_SENT.id == interchange_id)).one()
    sets = connection.execute(
        select(sent_sets).where(_SET.interchange_id == interchange_id).order_by(_SET.set_control)
    )
    return _interchange(row, tuple(_set(sent) for sent in sets))


def _interchange(row: Row[Any], sets: tuple[SentSet, ...]) -> SentInterchange:
    envelope = Verdict(row.envelope_status, row.envelope_detail) if row.envelope_status else None
    return SentInterchange(
        id=row.id,
        partner=row.partner,
        standard=EdiStandard(row.standard),
        interchange_control=row.interchange_control,
        group_control=row.group_control,
        functional_code=row.functional_code,
        transfer_id=row.transfer_id,
        sent_at=row.sent_at,
        verdict=Verdict(row.ack_status, row.ack_detail),
        acked_at=row.acked_at,
        envelope=envelope,
        sets=sets,
    )


def _set(row: Row[Any]) -> SentSet:
    return SentSet(row.set_control, row.code, Verdict(row.ack_status, row.ack_detail))
