"""``/accounting/account/{account_id}/users/clients[/{id}]``: list, get, create, update."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.sandbox.listing import (
    CASELESS_TEXT,
    Equals,
    Filter,
    Like,
    OneOf,
    paginate,
    parse_includes,
    parse_list_query,
    select,
    updated_range,
)
from connector.sandbox.records import Client
from connector.sandbox.state import CLIENT_FIELDS, SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.vis_state import UpdatePhase, check_ext_vis_state, update_phase
from connector.sandbox.wire import (
    check_accounting_access,
    many,
    read_object,
    record_in_path,
    single,
)

PATH = "/accounting/account/{account_id}/users/clients"
IDENTIFYING = ("fname", "lname", "email", "organization")

FILTERS: list[Filter] = [
    Equals("userid", lambda c: c.id),
    OneOf("userids", lambda c: c.id),
    Equals("email", lambda c: c.email.casefold(), CASELESS_TEXT),
    Like("fname_like", lambda c: c.fname),
    Like("lname_like", lambda c: c.lname),
    Like("organization_like", lambda c: c.organization),
    Like("phone_like", lambda c: f"{c.bus_phone} {c.mob_phone}"),
    Like("note_like", lambda c: c.note),
    Like(
        "address_like",
        lambda c: " ".join((c.p_street, c.p_street2, c.p_city, c.p_province, c.p_code)),
    ),
    Equals("vis_state", lambda c: c.vis_state),
    *updated_range(lambda c: c.updated),
]


def client_routes(state: SandboxState) -> list[Route]:
    def render(client: Client, includes: frozenset[str]) -> dict[str, Any]:
        wants_balance = "outstanding_balance" in includes
        return client.to_json(state.client_outstanding(client.id) if wants_balance else None)

    def find(request: Request) -> Client:
        return record_in_path(request, state.client, "client", "userid")

    async def list_clients(request: Request) -> Response:
        check_accounting_access(request, state)
        query = parse_list_query(request.query_params, state.behaviour)
        with state.lock:
            chosen = select(state.clients, FILTERS, query)
            page, meta = paginate(chosen, query)
            return many("clients", [render(c, query.includes) for c in page], meta)

    async def get_client(request: Request) -> Response:
        check_accounting_access(request, state)
        with state.lock:
            return single("client", render(find(request), parse_includes(request.query_params)))

    async def create_client(request: Request) -> Response:
        check_accounting_access(request, state)
        reader = BodyReader(await read_object(request, "client"), "client")
        fields = _client_fields(reader)
        if not any(fields.get(name) for name in IDENTIFYING):
            raise reader.fail(
                7012,
                "client",
                "At least one field among fname, lname, email and organization is required.",
            )
        client = state.add_client(**fields)
        return single("client", render(client, frozenset()))

    async def update_client(request: Request) -> Response:
        check_accounting_access(request, state)
        reader = BodyReader(await read_object(request, "client"), "client")
        with state.lock:
            client = find(request)
            phase = update_phase(reader.body)
            if phase is UpdatePhase.EXT_VIS_STATE:
                check_ext_vis_state(reader)
                return single("client", render(client, frozenset()))
            if phase is UpdatePhase.VIS_STATE:
                changes: dict[str, Any] = {"vis_state": reader.vis_state()}
            else:
                changes = _client_fields(reader)
            client = state.update_client(client.id, changes)
            return single("client", render(client, frozenset()))

    return [
        Route(PATH, list_clients, methods=["GET"]),
        Route(PATH, create_client, methods=["POST"]),
        Route(PATH + "/{id}", get_client, methods=["GET"]),
        Route(PATH + "/{id}", update_client, methods=["PUT"]),
    ]


def _client_fields(reader: BodyReader) -> dict[str, Any]:
    return {name: reader.text(name) for name in sorted(CLIENT_FIELDS) if reader.has(name)}
