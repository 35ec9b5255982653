"""Reading fields of a request body into typed values, with FreshBooks' 422 mapping errors.

Errnos follow FreshBooks' table: 1001 required, 1004 invalid value, 1015 number,
1031 boolean, 1033 date.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from connector.sandbox.errors import AccountingError
from connector.sandbox.money import parse_decimal, parse_money


class BodyReader:
    """Reads one object's fields and names that object in every error it raises."""

    def __init__(self, body: Mapping[str, Any], obj: str) -> None:
        self.body = body
        self.obj = obj

    def has(self, name: str) -> bool:
        return name in self.body

    def fail(self, errno: int, name: str, message: str, status: int = 422) -> AccountingError:
        return AccountingError(
            status, errno, message, field=name, obj=self.obj, value=self.body.get(name)
        )

    def required(self, name: str) -> Any:
        if self.body.get(name) in (None, ""):
            raise self.fail(1001, name, f"{name} is required.")
        return self.body[name]

    def integer(self, name: str) -> int:
        value = self.body[name]
        if isinstance(value, bool):
            raise self.fail(1015, name, f"{name} must be a number.")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise self.fail(1015, name, f"{name} must be a number.") from None

    def optional_integer(self, name: str) -> int | None:
        return None if self.body.get(name) is None else self.integer(name)

    def number(self, name: str) -> Decimal:
        try:
            return parse_decimal(self.body[name])
        except ValueError:
            raise self.fail(1015, name, f"{name} must be a number.") from None

    def percent(self, name: str) -> Decimal:
        """Discounts and tax rates: a number from 0 to 100 (errno 1018 outside it)."""
        value = self.number(name)
        if not 0 <= value <= 100:
            raise self.fail(1018, name, f"{name} is a percentage, 0 to 100.")
        return value

    def day_count(self, name: str) -> int:
        """A number of days such as ``due_offset_days``, which cannot be negative."""
        days = self.integer(name)
        if days < 0:
            raise self.fail(1004, name, f"{name} must not be negative.")
        return days

    def amount(self, name: str) -> tuple[Decimal, str | None]:
        try:
            return parse_money(self.body[name])
        except ValueError:
            raise self.fail(
                1015, name, f'{name} must be {{"amount": "<number>", "code": "<currency>"}}.'
            ) from None

    def day(self, name: str) -> date:
        value = self.body[name]
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise self.fail(1033, name, f"{name} must be a date YYYY-MM-DD.") from None

    def text(self, name: str, default: str = "") -> str:
        value = self.body.get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(1004, name, f"{name} must be text.")
        return value

    def choice(self, name: str, allowed: Collection[str]) -> str:
        value = self.body[name]
        if value not in allowed:
            raise self.fail(
                1004, name, f"{name} must be one of: {', '.join(sorted(allowed))}; got {value!r}."
            )
        return value

    def vis_state(self) -> int:
        state = self.integer("vis_state")
        if state not in (0, 1, 2):
            raise self.fail(
                1004, "vis_state", "vis_state must be 0 (active), 1 (deleted) or 2 (archived)."
            )
        return state
