"""The handlers every accounting resource has alike: list, get, create and update.

FreshBooks serves each resource the same way: a bearer check, a ``search[...]``-filtered and
paged list, a single record by the id in the path (404 errno 1012 when there is none), and
writes that answer with the record as it then stands. A resource module declares only what
differs (paths, wire keys, filters, rendering, how a body becomes a write) and gets its routes
here, so those rules are written once and cannot drift apart between resources.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.sandbox.listing import (
    Filter,
    ListQuery,
    paginate,
    parse_includes,
    parse_list_query,
    select,
)
from connector.sandbox.state import SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.wire import (
    check_accounting_access,
    many,
    read_object,
    record_in_path,
    single,
)

R = TypeVar("R")


@dataclass(frozen=True)
class Resource(Generic[R]):
    """One accounting resource as its routes see it."""

    path: str
    """The list path; single records live at ``path + "/{id}"``."""
    key: str
    """The wire name of one record: the request body's wrapper and the answer's key."""
    plural: str
    """The key a list answers under."""
    id_field: str
    """The field a 404 names for the id in the path (``invoiceid``, ``vendorid``, ...)."""
    records: Callable[[], Iterable[R]]
    lookup: Callable[[int], R]
    render: Callable[[R, frozenset[str]], Mapping[str, Any]]
    """The record's JSON for the request's ``include[]`` values."""
    filters: Sequence[Filter]
    order: Callable[[list[R], ListQuery], None] | None = None
    """Sorts the chosen records in place for the query's ``sort``, where the resource has any."""
    written_includes: frozenset[str] = frozenset()
    """What a write's answer includes without being asked (an invoice's lines)."""

    @property
    def record_path(self) -> str:
        return self.path + "/{id}"

    def find(self, request: Request) -> R:
        """The record the path names, or FreshBooks' 404 for it."""
        return record_in_path(request, self.lookup, self.key, self.id_field)

    def written(self, record: R) -> Response:
        """The answer to a write: the record as it now stands."""
        return single(self.key, self.render(record, self.written_includes))


def resource_routes(
    state: SandboxState,
    resource: Resource[R],
    *,
    create: Callable[[BodyReader], R] | None = None,
    update: Callable[[R, BodyReader], R] | None = None,
) -> list[Route]:
    """List and get routes, plus POST and PUT where the resource takes writes.

    ``create`` and ``update`` run under the state's lock with the body read and wrapped; they
    raise ``AccountingError`` (usually through the reader) for what FreshBooks refuses.
    """

    async def list_records(request: Request) -> Response:
        check_accounting_access(request, state)
        query = parse_list_query(request.query_params, state.behaviour)
        with state.lock:
            chosen = select(resource.records(), resource.filters, query)
            if resource.order is not None:
                resource.order(chosen, query)
            page, meta = paginate(chosen, query)
            listed = [resource.render(record, query.includes) for record in page]
            return many(resource.plural, listed, meta)

    async def get_record(request: Request) -> Response:
        check_accounting_access(request, state)
        includes = parse_includes(request.query_params)
        with state.lock:
            return single(resource.key, resource.render(resource.find(request), includes))

    def write_route(path: str, method: str, write: Callable[[Request, BodyReader], R]) -> Route:
        async def write_record(request: Request) -> Response:
            check_accounting_access(request, state)
            reader = BodyReader(await read_object(request, resource.key), resource.key)
            with state.lock:
                return resource.written(write(request, reader))

        return Route(path, write_record, methods=[method])

    routes = [
        Route(resource.path, list_records, methods=["GET"]),
        Route(resource.record_path, get_record, methods=["GET"]),
    ]
    if create is not None:
        make = create
        routes.append(write_route(resource.path, "POST", lambda _, reader: make(reader)))
    if update is not None:
        change = update
        routes.append(
            write_route(
                resource.record_path,
                "PUT",
                lambda request, reader: change(resource.find(request), reader),
            )
        )
    return routes
