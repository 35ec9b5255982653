"""``/accounting/account/{account_id}/users/clients[/{id}]``: list, get, create, update."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from connector.sandbox.listing import (
    CASELESS_TEXT,
    Equals,
    Filter,
    Like,
    OneOf,
    updated_range,
)
from connector.sandbox.records import Client
from connector.sandbox.resource_routes import Resource, resource_routes
from connector.sandbox.state import CLIENT_FIELDS, SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.vis_state import apply_update

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

    clients = Resource(
        PATH,
        "client",
        "clients",
        "userid",
        records=lambda: state.clients,
        lookup=state.client,
        render=render,
        filters=FILTERS,
    )

    def create(reader: BodyReader) -> Client:
        fields = _client_fields(reader)
        if not any(fields.get(name) for name in IDENTIFYING):
            raise reader.fail(
                7012,
                "client",
                "At least one field among fname, lname, email and organization is required.",
            )
        return state.add_client(**fields)

    def update(client: Client, reader: BodyReader) -> Client:
        return apply_update(
            reader,
            client,
            vis_state=lambda vis_state: state.update_client(client.id, {"vis_state": vis_state}),
            data=lambda: state.update_client(client.id, _client_fields(reader)),
        )

    return resource_routes(state, clients, create=create, update=update)


def _client_fields(reader: BodyReader) -> dict[str, Any]:
    return {name: reader.text(name) for name in sorted(CLIENT_FIELDS) if reader.has(name)}
