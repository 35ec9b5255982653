"""The webhook side of the store: callbacks (one URI path and verifier each) and the event buffer.

The receiver commits every verified delivery here before it answers FreshBooks, so an event that
was acknowledged is never lost. Events belong to the business, not to one partner: each consumer
(``outbound:acme:invoice``, ``confirmations``) marks the events it has handled, so two partners
taking invoices from the same business each get every change.

An object keeps one event per name: a repeat delivery only counts as another delivery. A consumer
marks the count it read, so an event delivered again after it was read stays pending for that
consumer alone: the change behind that delivery may not have been fetched yet.

Nobody knows every consumer (partners come and go), so no event is ever "processed by all":
``prune`` drops events by age instead. A consumer that did not drain within the retention window
finds those changes with its catch-up scan, which exists for webhooks that never came.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Executable,
    Row,
    and_,
    delete,
    exists,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from connector.errors import StoreError
from connector.store.checks import integer, positive_limit, required_text
from connector.store.columns import utc_now
from connector.store.database import Database
from connector.store.dialect import in_chunks, insert_on_conflict
from connector.store.errors import InvalidRecordError, RecordNotFoundError
from connector.store.tables import webhook_callbacks, webhook_event_marks, webhook_events

# 32 URL-safe characters: unguessable, so the path itself keeps strangers from reaching a callback.
PATH_TOKEN_BYTES = 24

_EVENT = webhook_events.c
_MARK = webhook_event_marks.c


class CallbackConflictError(StoreError):
    """A verification handshake contradicts what the store already knows about the callback."""


@dataclass(frozen=True, slots=True)
class WebhookCallback:
    """A FreshBooks callback as the receiver knows it: its path, and the secret once verified."""

    path_token: str
    event: str
    callback_id: int | None
    verifier: str | None = field(repr=False)
    verified: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One verified delivery, with its form fields kept in the order FreshBooks sent them."""

    path_token: str
    account_id: str
    name: str
    object_id: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class BufferedEvent:
    """An event as buffered; ``deliveries`` counts repeats so a late one is not marked done."""

    id: int
    path_token: str
    account_id: str
    name: str
    object_id: str
    fields: tuple[tuple[str, str], ...]
    deliveries: int
    received_at: datetime
    last_received_at: datetime


class WebhookEvents:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._record_upsert: Executable | None = None

    def add_callback(self, event: str, *, callback_id: int | None = None) -> WebhookCallback:
        """Create the callback's path before asking FreshBooks for it, so the handshake that
        FreshBooks sends at once finds the path already known."""
        now = utc_now()
        values = {
            "path_token": secrets.token_urlsafe(PATH_TOKEN_BYTES),
            "event": required_text(event, "event"),
            "callback_id": integer(callback_id, "callback_id", optional=True),
            "verifier": None,
            "verified": False,
            "created_at": now,
            "updated_at": now,
        }
        try:
            with self._db.transaction() as connection:
                connection.execute(insert(webhook_callbacks).values(values))
                return _callback(_existing_callback(connection, values["path_token"]))
        except IntegrityError as error:
            raise InvalidRecordError(
                f"Callback {callback_id} is already registered under another path.",
                hint="look it up with callback_for_path() or remove it before adding it again",
            ) from error

    def callback_for_path(self, path_token: str) -> WebhookCallback | None:
        statement = select(webhook_callbacks).where(webhook_callbacks.c.path_token == path_token)
        with self._db.transaction(read_only=True) as connection:
            row = connection.execute(statement).one_or_none()
        return None if row is None else _callback(row)

    def set_verifier(self, path_token: str, verifier: str, callback_id: int) -> WebhookCallback:
        """Keep the secret from a handshake; refuse one for another callback or a verified one,
        since a forged handshake would otherwise let its sender sign events."""
        required_text(verifier, "verifier")
        integer(callback_id, "callback_id")
        with self._db.transaction() as connection:
            current = _callback(_existing_callback(connection, path_token))
            if current.verified:
                raise CallbackConflictError(
                    f"Callback {current.callback_id} ({current.event}) is already verified; "
                    "a new handshake for it was refused.",
                    hint="to change its verifier, register the callback again",
                )
            if current.callback_id is not None and current.callback_id != callback_id:
                raise CallbackConflictError(
                    f"A handshake for callback {callback_id} arrived on the path of callback "
                    f"{current.callback_id} ({current.event}).",
                    hint="each callback has its own path: check the URIs registered in FreshBooks",
                )
            return _update_callback(
                connection, path_token, verifier=verifier, callback_id=callback_id
            )

    def mark_verified(self, path_token: str) -> WebhookCallback:
        """Record that FreshBooks accepted our confirmation of the verifier."""
        with self._db.transaction() as connection:
            current = _callback(_existing_callback(connection, path_token))
            if current.verifier is None:
                raise CallbackConflictError(
                    f"Callback for {current.event} cannot be verified: no handshake has arrived.",
                    hint="wait for FreshBooks' callback.verify request, or ask it to resend",
                )
            return _update_callback(connection, path_token, verified=True)

    def record(self, event: WebhookEvent) -> bool:
        """Buffer an event; False when the object's event was already buffered, and this
        delivery only counts as another one of it."""
        return self.record_many([event])[0]

    def record_many(self, events: Sequence[WebhookEvent]) -> list[bool]:
        """Buffer events in one transaction, so one disk sync covers them all; for each, whether
        it was new. They are applied in order: a repeat of an earlier one in the same call counts
        as a duplicate. Nothing is kept if any one is refused."""
        now = utc_now()
        rows = [_event_row(event, now) for event in events]
        if not rows:
            return []
        try:
            with self._db.transaction() as connection:
                statement = self._record_statement(connection)
                return [connection.scalar(statement, row) == 1 for row in rows]
        except IntegrityError as error:
            which = (
                f"Event {events[0].name} for object {events[0].object_id}"
                if len(events) == 1
                else f"One of {len(events)} events recorded together"
            )
            raise InvalidRecordError(
                f"{which} arrived on a callback path the store does not know; none was kept.",
                hint="record events only for paths that callback_for_path() finds",
            ) from error

    def _record_statement(self, connection: Connection) -> Executable:
        """Built once: assembling an upsert costs more than executing it."""
        if self._record_upsert is None:
            insert_event = insert_on_conflict(connection, webhook_events)
            self._record_upsert = insert_event.on_conflict_do_update(
                index_elements=[_EVENT.account_id, _EVENT.name, _EVENT.object_id],
                set_={
                    "deliveries": webhook_events.c.deliveries + 1,
                    "last_received_at": insert_event.excluded.last_received_at,
                },
            ).returning(webhook_events.c.deliveries)
        return self._record_upsert

    def pending(self, consumer: str, names: Collection[str], limit: int) -> list[BufferedEvent]:
        """The oldest events with these names (``invoice.update``, ...) that ``consumer`` has
        not handled at their current delivery count."""
        required_text(consumer, "consumer")
        if isinstance(names, str) or not names:
            raise InvalidRecordError(
                f"pending() needs a collection of event names, got {names!r}.",
                hint="pass the names to drain, such as ['invoice.create', 'invoice.update']",
            )
        statement = (
            select(webhook_events)
            .outerjoin(
                webhook_event_marks,
                and_(_MARK.event_id == _EVENT.id, _MARK.consumer == consumer),
            )
            .where(
                _EVENT.name.in_(list(names)),
                or_(_MARK.deliveries_seen.is_(None), _MARK.deliveries_seen < _EVENT.deliveries),
            )
            .order_by(_EVENT.id)
            .limit(positive_limit(limit))
        )
        with self._db.transaction(read_only=True) as connection:
            return [_event(row) for row in connection.execute(statement)]

    def mark_processed(self, consumer: str, events: Iterable[BufferedEvent]) -> int:
        """Mark events handled by ``consumer`` at the delivery count it read; returns how many
        were read at their current count. One delivered again since it was read stays pending
        for this consumer, because the change behind that delivery may have come after the
        fetch. An event pruned meanwhile is skipped: there is nothing left to mark."""
        required_text(consumer, "consumer")
        seen: dict[int, int] = {}
        for event in events:
            seen[event.id] = max(event.deliveries, seen.get(event.id, 0))
        if not seen:
            return 0
        now = utc_now()
        with self._db.transaction() as connection:
            current: dict[int, int] = {}
            for chunk in in_chunks(sorted(seen)):
                # KEY SHARE holds off a prune until the marks are in, yet lets deliveries count.
                rows = connection.execute(
                    select(_EVENT.id, _EVENT.deliveries)
                    .where(_EVENT.id.in_(chunk))
                    .with_for_update(key_share=True)
                )
                current.update((row.id, row.deliveries) for row in rows)
            if current:
                connection.execute(
                    self._mark_statement(connection),
                    [
                        {
                            "event_id": event_id,
                            "consumer": consumer,
                            "deliveries_seen": seen[event_id],
                            "processed_at": now,
                        }
                        for event_id in current
                    ],
                )
        return sum(1 for event_id, count in current.items() if count <= seen[event_id])

    @staticmethod
    def _mark_statement(connection: Connection) -> Executable:
        """A mark only moves forward: a consumer's stale read never reopens what it handled."""
        statement = insert_on_conflict(connection, webhook_event_marks)
        return statement.on_conflict_do_update(
            index_elements=[_MARK.event_id, _MARK.consumer],
            set_={
                "deliveries_seen": statement.excluded.deliveries_seen,
                "processed_at": statement.excluded.processed_at,
            },
            where=_MARK.deliveries_seen < statement.excluded.deliveries_seen,
        )

    def prune(self, older_than: datetime) -> int:
        """Drop the events last delivered before ``older_than``, with their marks; returns how
        many. Age alone decides, since no one can say that every consumer has read an event:
        keep ``older_than`` well behind the consumers' catch-up scans, which find again what a
        consumer missed."""
        if not isinstance(older_than, datetime) or older_than.tzinfo is None:
            raise InvalidRecordError(
                f"prune() needs a time zone aware datetime, got {older_than!r}.",
                hint="pass a UTC time, such as datetime.now(UTC) - timedelta(days=7)",
            )
        with self._db.transaction() as connection:
            return _delete_events(connection, _EVENT.last_received_at < older_than)

    def callbacks(self) -> list[WebhookCallback]:
        """Every callback the store knows, oldest first: what register reuses and list shows."""
        statement = select(webhook_callbacks).order_by(
            webhook_callbacks.c.created_at, webhook_callbacks.c.path_token
        )
        with self._db.transaction(read_only=True) as connection:
            return [_callback(row) for row in connection.execute(statement)]

    def set_callback_id(self, path_token: str, callback_id: int) -> WebhookCallback:
        """Note the id FreshBooks gave the callback when it was created; the handshake may have
        brought it already, and a different one means two registrations crossed."""
        integer(callback_id, "callback_id")
        try:
            with self._db.transaction() as connection:
                current = _callback(_existing_callback(connection, path_token))
                if current.callback_id == callback_id:
                    return current
                if current.callback_id is not None:
                    raise CallbackConflictError(
                        f"FreshBooks created callback {callback_id} for {current.event}, but its "
                        f"path already belongs to callback {current.callback_id}.",
                        hint="run `ml-connector webhooks unregister`, then register again",
                    )
                return _update_callback(connection, path_token, callback_id=callback_id)
        except IntegrityError as error:
            raise InvalidRecordError(
                f"Callback {callback_id} is already registered under another path.",
                hint="run `ml-connector webhooks unregister`, then register again",
            ) from error

    def remove_callback(self, path_token: str) -> None:
        """Forget a callback with its events; refused while one of them waits for any consumer
        at all, because that is a change nobody has taken yet. (A consumer that has not read a
        change that another one took finds it with its catch-up scan.)"""
        with self._db.transaction() as connection:
            current = _callback(_existing_callback(connection, path_token))
            handled = exists().where(
                _MARK.event_id == _EVENT.id, _MARK.deliveries_seen >= _EVENT.deliveries
            )
            waiting = connection.scalar(
                select(_EVENT.id).where(_EVENT.path_token == path_token, ~handled).limit(1)
            )
            if waiting is not None:
                raise CallbackConflictError(
                    f"Callback {current.callback_id} ({current.event}) still has events waiting "
                    "to be processed; it was kept in the state store.",
                    hint="let the outbound flows drain the events, then unregister again",
                )
            _delete_events(connection, _EVENT.path_token == path_token)
            connection.execute(
                webhook_callbacks.delete().where(webhook_callbacks.c.path_token == path_token)
            )


def _delete_events(connection: Connection, which: ColumnElement[bool]) -> int:
    """Delete these events and their marks. The rows are locked first, so a consumer cannot
    mark one between its marks going and the event going."""
    ids = list(connection.scalars(select(_EVENT.id).where(which).with_for_update()))
    for chunk in in_chunks(ids):
        connection.execute(delete(webhook_event_marks).where(_MARK.event_id.in_(chunk)))
        connection.execute(delete(webhook_events).where(_EVENT.id.in_(chunk)))
    return len(ids)


def _event_row(event: WebhookEvent, now: datetime) -> dict[str, Any]:
    return {
        "path_token": required_text(event.path_token, "path_token"),
        "account_id": required_text(event.account_id, "account_id"),
        "name": required_text(event.name, "name"),
        "object_id": required_text(event.object_id, "object_id"),
        "fields": json.dumps([list(pair) for pair in event.fields]),
        "deliveries": 1,
        "received_at": now,
        "last_received_at": now,
    }


def _existing_callback(connection: Connection, path_token: str) -> Row[Any]:
    row = connection.execute(
        select(webhook_callbacks)
        .where(webhook_callbacks.c.path_token == path_token)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise RecordNotFoundError(
            "There is no webhook callback with that path in the state store.",
            hint="create the callback with add_callback() before FreshBooks calls its path",
        )
    return row


def _update_callback(connection: Connection, path_token: str, **values: Any) -> WebhookCallback:
    row = connection.execute(
        update(webhook_callbacks)
        .where(webhook_callbacks.c.path_token == path_token)
        .values(**values, updated_at=utc_now())
        .returning(*webhook_callbacks.c)
    ).one()
    return _callback(row)


def _callback(row: Row[Any]) -> WebhookCallback:
    return WebhookCallback(**row._mapping)


def _event(row: Row[Any]) -> BufferedEvent:
    values = dict(row._mapping)
    values["fields"] = tuple((name, value) for name, value in json.loads(values["fields"]))
    return BufferedEvent(**values)
