"""EDI control numbers: ISA13, GS06 and ST02 (X12), UNB 0020, UNG 0048 and UNH 0062 (EDIFACT).

A partner rejects (or worse, silently drops) an interchange whose control number it has seen
before, so numbers are handed out by the database, never computed in Python: each allocation is
one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` that adds to the partner's counter and
answers the new value in the same statement. Two workers, threads or machines, can therefore
never be given the same number, and a crash after an allocation only leaves a gap (a number
never sent), which partners accept; a repeat they do not.

Wrapping is a decision, documented here: every kind of number has its field's maximum (ISA13,
GS06 and ST02 hold nine digits; EDIFACT references up to fourteen characters, of which we use
digits only). A block that would pass the maximum starts again at 1, and a block is never split
across the wrap, so the set numbers of one file are always consecutive. At a hundred files a day
ISA13 wraps after 27,000 years; partners' duplicate checks look back days or months.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, Connection, case, select

from connector.store.checks import choice, required_text
from connector.store.columns import utc_now
from connector.store.database import Database
from connector.store.dialect import insert_on_conflict
from connector.store.errors import InvalidRecordError
from connector.store.tables import control_numbers

_NUMBERS = control_numbers.c


class EdiStandard(StrEnum):
    """The standard a counter or sent interchange belongs to: each numbers independently."""

    X12 = "x12"
    EDIFACT = "edifact"


class ControlKind(StrEnum):
    """Which envelope level a number identifies; ``set`` is ST02 or UNH 0062 alike."""

    INTERCHANGE = "interchange"
    GROUP = "group"
    SET = "set"


# The largest value each field holds, per standard: X12 nine digits, EDIFACT fourteen.
MAXIMUM = {EdiStandard.X12: 999_999_999, EdiStandard.EDIFACT: 99_999_999_999_999}


@dataclass(frozen=True, slots=True)
class ControlBlock:
    """The numbers one file carries: its interchange, its group (None without one) and the
    consecutive numbers of its ``sets`` transaction sets or messages."""

    interchange: int
    group: int | None
    first_set: int
    sets: int

    @property
    def set_numbers(self) -> range:
        return range(self.first_set, self.first_set + self.sets)


class ControlNumbers:
    """The control number counters of the state store (``store.control_numbers``)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def allocate(
        self,
        partner: str,
        standard: EdiStandard | str,
        kind: ControlKind | str,
        count: int = 1,
    ) -> range:
        """``count`` consecutive numbers of one kind that no other allocation will be given."""
        chosen = choice(EdiStandard, standard, "standard")
        with self._db.transaction() as connection:
            return _allocate(connection, partner, chosen, kind, count)

    def allocate_block(
        self, partner: str, standard: EdiStandard | str, sets: int, *, group: bool = True
    ) -> ControlBlock:
        """An interchange number, a group number (unless ``group`` is False: EDIFACT without
        UNG) and ``sets`` set numbers, in one transaction: all of them or none.

        The counters are always taken in the same order (interchange, group, set), so two
        PostgreSQL transactions wait for each other instead of deadlocking.
        """
        chosen = choice(EdiStandard, standard, "standard")
        with self._db.transaction() as connection:
            interchange = _allocate(connection, partner, chosen, ControlKind.INTERCHANGE, 1)
            group_number = (
                _allocate(connection, partner, chosen, ControlKind.GROUP, 1) if group else None
            )
            numbers = _allocate(connection, partner, chosen, ControlKind.SET, sets)
        return ControlBlock(
            interchange=interchange[0],
            group=group_number[0] if group_number is not None else None,
            first_set=numbers.start,
            sets=sets,
        )

    def continue_from(
        self,
        partner: str,
        standard: EdiStandard | str,
        kind: ControlKind | str,
        last_issued: int,
    ) -> int:
        """Make the next number follow ``last_issued``, for a partner moving over from another
        translator. Never moves a counter backwards: returns the counter's value afterwards."""
        chosen = choice(EdiStandard, standard, "standard")
        level = choice(ControlKind, kind, "control number kind")
        _check_count(last_issued, MAXIMUM[chosen], "last_issued", allow_zero=True)
        kept = case((_NUMBERS.last_issued > last_issued, _NUMBERS.last_issued), else_=last_issued)
        with self._db.transaction() as connection:
            return _set_counter(connection, partner, chosen, level, first=last_issued, then=kept)

    def last_issued(
        self, partner: str, standard: EdiStandard | str, kind: ControlKind | str
    ) -> int | None:
        """The last number handed out, None before the first: what an operator compares with
        the partner's records."""
        statement = select(_NUMBERS.last_issued).where(
            _NUMBERS.partner == partner,
            _NUMBERS.standard == choice(EdiStandard, standard, "standard").value,
            _NUMBERS.kind == choice(ControlKind, kind, "control number kind").value,
        )
        with self._db.transaction(read_only=True) as connection:
            return connection.scalar(statement)


def _allocate(
    connection: Connection,
    partner: str,
    standard: EdiStandard,
    kind: ControlKind | str,
    count: int,
) -> range:
    level = choice(ControlKind, kind, "control number kind")
    maximum = MAXIMUM[standard]
    _check_count(count, maximum, "count of control numbers")
    following = _NUMBERS.last_issued + count
    wrapped = case((following > maximum, count), else_=following)
    last = _set_counter(connection, partner, standard, level, first=count, then=wrapped)
    return range(last - count + 1, last + 1)


def _set_counter(
    connection: Connection,
    partner: str,
    standard: EdiStandard,
    kind: ControlKind,
    *,
    first: int,
    then: ColumnElement[int],
) -> int:
    """Set a counter in one statement that also answers its new value: ``first`` when the
    partner has none of this kind yet, else ``then`` (computed from the stored value). One
    statement is what keeps two concurrent writers from reading the same value."""
    now = utc_now()
    statement = insert_on_conflict(connection, control_numbers).values(
        partner=required_text(partner, "partner"),
        standard=standard.value,
        kind=kind.value,
        last_issued=first,
        updated_at=now,
    )
    return connection.scalar(
        statement.on_conflict_do_update(
            index_elements=[_NUMBERS.partner, _NUMBERS.standard, _NUMBERS.kind],
            set_={"last_issued": then, "updated_at": now},
        ).returning(_NUMBERS.last_issued)
    )


def _check_count(value: object, maximum: int, name: str, *, allow_zero: bool = False) -> None:
    low = 0 if allow_zero else 1
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= maximum:
        raise InvalidRecordError(
            f"{name} {value!r} is out of range: control numbers of this standard run from "
            f"{low} to {maximum:,}.",
            hint=f"pass an int from {low} to {maximum}",
        )
