"""Which FreshBooks records changed: the webhook buffer first, a catch-up scan behind it.

Webhook events name objects, not data, and arrive in repeats (create then updates, redeliveries),
so the buffered events of a document kind are drained, coalesced to one id per object and the
current records fetched 100 ids per call: 1,000 events cost about 10 API calls. Webhooks can be
lost, so now and then a scan lists what changed since the last scan's high-water mark, reaching
back an overlap window because FreshBooks filters ``updated_min`` by whole days and its clock is
not ours. Both paths compare each record's ``updated`` text with the version last settled for the
partner (``store.versions``), so a record is offered again only when it really changed again.

Events belong to the business, not to one partner: each partner drains them as its own consumer
(``outbound:<partner>:<kind>``), so two partners taking invoices from one business each get every
change. Events of another FreshBooks account reached the receiver but are not this connection's:
they are passed over, and marked handled so they do not come back.

Nothing here is marked done: ``settle`` does that once the caller has put the changes in a file,
so a failed run leaves its events pending and its versions unsettled, and the next run repeats it.
Settling also prunes events older than ``EVENT_RETENTION``, whoever has read them: a partner whose
runs stopped for longer finds those changes with its catch-up scan when it runs again.

Bills have no date filter in FreshBooks, so their scan lists every bill (100 per call, and again
for the deleted ones) and relies on the version comparison alone; schedule it with that in mind.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from connector.errors import ConfigurationError, DataError
from connector.freshbooks import FreshBooksClient
from connector.store import BufferedEvent, Store

DELETED = 1  # FreshBooks' vis_state of a deleted record
ACTIONS = ("create", "update", "delete")
DEFAULT_MAX_EVENTS = 10_000
# Far behind the catch-up scans (hourly by default, a day of overlap), so an event is only dropped
# long after every running consumer has had it, and a stopped one finds it with its scan.
EVENT_RETENTION = timedelta(days=7)

Pages = Iterator[list[dict[str, Any]]]


@dataclass(frozen=True)
class CatchUp:
    """When the scan for changes whose webhook never came runs, and how far back it reaches.

    ``every`` is the least time between scans (zero scans on every run); ``overlap`` is how far
    before the last scan's newest ``updated`` the next scan starts.
    """

    every: timedelta = timedelta(hours=1)
    overlap: timedelta = timedelta(days=1)

    def __post_init__(self) -> None:
        for name in ("every", "overlap"):
            value = getattr(self, name)
            if not isinstance(value, timedelta) or value < timedelta(0):
                raise ConfigurationError(
                    f"catch-up {name} must be a duration of zero or more, got {value!r}",
                    hint="pass a datetime.timedelta, such as timedelta(hours=1)",
                )


@dataclass(frozen=True)
class DocumentSource:
    """How one kind of FreshBooks document is found: its events, its version, its list calls."""

    kind: str
    version_field: str
    by_ids: Callable[[FreshBooksClient, list[int], dict[str, Any]], Pages]
    listing: Callable[[FreshBooksClient, date | None, dict[str, Any]], Pages]

    @property
    def events(self) -> tuple[str, ...]:
        return tuple(f"{self.kind}.{action}" for action in ACTIONS)

    @property
    def plural(self) -> str:
        return f"{self.kind}s"

    def version(self, record: Mapping[str, Any]) -> str:
        """The record's ``updated`` text as FreshBooks sent it: compared, never parsed."""
        value = record.get(self.version_field)
        if value is None or str(value).strip() == "":
            raise DataError(
                f"FreshBooks sent {self.kind} {record.get('id')} without `{self.version_field}`, "
                "so whether it changed cannot be told",
                hint="check the API answer (the sandbox's request log, or FreshBooks' status page)",
            )
        return str(value)


def _invoices_by_ids(client: FreshBooksClient, ids: list[int], search: dict[str, Any]) -> Pages:
    return client.invoices.pages(ids=ids, include_lines=True, **search)


def _invoices_since(client: FreshBooksClient, since: date | None, search: dict[str, Any]) -> Pages:
    return client.invoices.pages(updated_min=since, include_lines=True, **search)


def _bills_by_ids(client: FreshBooksClient, ids: list[int], search: dict[str, Any]) -> Pages:
    return client.bills.pages(ids=ids, **search)


def _every_bill(client: FreshBooksClient, since: date | None, search: dict[str, Any]) -> Pages:
    return client.bills.pages(**search)  # no date filter exists for bills: the versions decide


SOURCES: dict[str, DocumentSource] = {
    "invoice": DocumentSource("invoice", "updated", _invoices_by_ids, _invoices_since),
    "bill": DocumentSource("bill", "updated_at", _bills_by_ids, _every_bill),
}


def source_for(kind: str) -> DocumentSource:
    if kind not in SOURCES:
        raise ConfigurationError(
            f"outbound documents of kind {kind!r} are not supported",
            hint=f"use one of: {', '.join(SOURCES)}",
        )
    return SOURCES[kind]


@dataclass(frozen=True)
class ScanMark:
    """Where a scan got to: its newest ``updated`` and when it ran, saved once settled."""

    high_water: str | None
    scanned_at: datetime


@dataclass(frozen=True)
class ChangeSet:
    """One run's changes of one document kind, and what to mark once they are settled."""

    source: DocumentSource
    changed: list[dict[str, Any]]
    deleted: list[dict[str, Any]]
    vanished: list[str]
    """Ids events named that FreshBooks no longer returns at all, even as deleted."""
    events: list[BufferedEvent] = field(default_factory=list)
    """Every event drained, to mark processed once the changes are settled."""
    unreadable: list[BufferedEvent] = field(default_factory=list)
    """Those of ``events`` whose object id is no FreshBooks id: nothing can be fetched for them."""
    foreign: list[BufferedEvent] = field(default_factory=list)
    """Those of ``events`` from another FreshBooks account than the client's: not ours."""
    scan: ScanMark | None = None

    @property
    def empty(self) -> bool:
        return not (self.changed or self.deleted or self.vanished)


def find_changes(
    client: FreshBooksClient,
    store: Store,
    partner: str,
    source: DocumentSource,
    *,
    retry_ids: Collection[int] = (),
    start_date: date | None = None,
    catch_up: CatchUp | None = None,
    now: datetime | None = None,
    max_events: int = DEFAULT_MAX_EVENTS,
) -> ChangeSet:
    """The records changed since they were last settled for ``partner``.

    ``retry_ids`` are fetched whatever the events say (records refused last time); the scan runs
    when ``catch_up.every`` has passed since the last one, from ``start_date`` the first time.
    """
    catch_up = catch_up or CatchUp()
    now = now or datetime.now(UTC)
    events = store.events.pending(
        outbound_consumer(partner, source.kind), source.events, max_events
    )
    ours, foreign = by_account(events, client.account_id)
    named, unreadable = coalesce(ours)
    ids = list(dict.fromkeys([*named, *(int(record_id) for record_id in retry_ids)]))

    current: dict[str, dict[str, Any]] = {}
    scan = None
    if _scan_due(store, partner, source, catch_up, now):
        scan = _scan(client, store, partner, source, catch_up, start_date, now, current)
    wanted = [record_id for record_id in ids if str(record_id) not in current]
    vanished = _fetch(client, source, wanted, current)

    settled = store.versions.settled(partner, source.kind, current.keys())
    fresh = [
        record
        for record_id, record in current.items()
        if settled.get(record_id) != source.version(record)
    ]
    return ChangeSet(
        source=source,
        changed=[record for record in fresh if record.get("vis_state") != DELETED],
        deleted=[record for record in fresh if record.get("vis_state") == DELETED],
        vanished=vanished,
        events=events,
        unreadable=unreadable,
        foreign=foreign,
        scan=scan,
    )


def settle(
    store: Store,
    partner: str,
    changes: ChangeSet,
    versions: Mapping[str, str],
    transfer_id: int | None,
) -> None:
    """Mark a run's changes done: versions first, events last, so a crash in between only
    repeats work (the events come back) and never loses a change."""
    source = changes.source
    store.versions.settle(partner, source.kind, versions, transfer_id)
    if changes.scan is not None:
        if changes.scan.high_water is not None:
            store.cursors.set(partner, high_water_cursor(source), changes.scan.high_water)
        store.cursors.set(partner, scanned_cursor(source), changes.scan.scanned_at.isoformat())
    finish_drain(store, outbound_consumer(partner, source.kind), changes.events)


def outbound_consumer(partner: str, kind: str) -> str:
    """The name under which one partner's outbound run of one document kind reads events."""
    return f"outbound:{partner}:{kind}"


def finish_drain(store: Store, consumer: str, events: list[BufferedEvent]) -> None:
    """Mark the drained events handled by ``consumer``, then prune the buffer's old events."""
    store.events.mark_processed(consumer, events)
    store.events.prune(datetime.now(UTC) - EVENT_RETENTION)


def by_account(
    events: Iterable[BufferedEvent], account_id: str
) -> tuple[list[BufferedEvent], list[BufferedEvent]]:
    """The events of this FreshBooks account, and those of any other (not this connection's)."""
    ours: list[BufferedEvent] = []
    foreign: list[BufferedEvent] = []
    for event in events:
        (ours if event.account_id == account_id else foreign).append(event)
    return ours, foreign


def high_water_cursor(source: DocumentSource) -> str:
    """``invoices.updated``: the name the invoice cursor always had, so upgrades keep it."""
    return f"{source.plural}.updated"


def scanned_cursor(source: DocumentSource) -> str:
    return f"{source.plural}.scanned_at"


def coalesce(events: Iterable[BufferedEvent]) -> tuple[list[int], list[BufferedEvent]]:
    """One id per object, in the order first seen, and the events naming no FreshBooks id."""
    ids: dict[int, None] = {}
    unreadable = []
    for event in events:
        if event.object_id.isascii() and event.object_id.isdigit():
            ids[int(event.object_id)] = None
        else:
            unreadable.append(event)
    return list(ids), unreadable


def _scan_due(
    store: Store, partner: str, source: DocumentSource, catch_up: CatchUp, now: datetime
) -> bool:
    last = store.cursors.get(partner, scanned_cursor(source))
    return last is None or now - datetime.fromisoformat(last) >= catch_up.every


def _scan(
    client: FreshBooksClient,
    store: Store,
    partner: str,
    source: DocumentSource,
    catch_up: CatchUp,
    start_date: date | None,
    now: datetime,
    into: dict[str, dict[str, Any]],
) -> ScanMark:
    """List records updated since the last scan's mark less the overlap, deleted ones too
    (the default list leaves them out)."""
    mark = store.cursors.get(partner, high_water_cursor(source))
    since = (datetime.fromisoformat(mark) - catch_up.overlap).date() if mark else start_date
    for search in ({}, {"vis_state": DELETED}):
        for page in source.listing(client, since, search):
            into.update((str(record["id"]), record) for record in page)
    versions = [source.version(record) for record in into.values()]
    newest = max([*versions, *([mark] if mark else [])], default=None)
    return ScanMark(newest, now)


def _fetch(
    client: FreshBooksClient,
    source: DocumentSource,
    ids: list[int],
    into: dict[str, dict[str, Any]],
) -> list[str]:
    """Fetch these ids 100 per call; those not listed are asked for again as deleted, and the
    ids still missing are returned: FreshBooks no longer has them at all."""
    for search in ({}, {"vis_state": DELETED}):
        missing = [record_id for record_id in ids if str(record_id) not in into]
        if not missing:
            return []
        for page in source.by_ids(client, missing, search):
            into.update((str(record["id"]), record) for record in page)
    return [str(record_id) for record_id in ids if str(record_id) not in into]
