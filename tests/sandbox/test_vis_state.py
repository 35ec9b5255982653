"""The vis_state rules on every resource: one update phase per PUT, and what lists return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from connector.sandbox import Sandbox
from connector.sandbox.state import SandboxState
from connector.sandbox.vis_state import UpdatePhase, update_phase
from tests.sandbox.envelopes import errors_of

ACTIVE, DELETED, ARCHIVED = 0, 1, 2


@dataclass(frozen=True)
class Kind:
    """One resource as the tests drive it: where it lives and a data field a PUT can change."""

    wrapper: str
    path: str
    list_key: str
    data_field: str
    records: Callable[[SandboxState], list[Any]]
    set_vis_state: Callable[[SandboxState, int, int], object]
    id_field: str = "id"
    """The id's name on the record and in its JSON."""

    def record_id(self, record: Any) -> int:
        return getattr(record, self.id_field)


KINDS = [
    Kind(
        "client",
        "users/clients",
        "clients",
        "organization",
        lambda state: state.clients,
        lambda state, record_id, vis: state.update_client(record_id, {"vis_state": vis}),
    ),
    Kind(
        "invoice",
        "invoices/invoices",
        "invoices",
        "notes",
        lambda state: state.invoices,
        lambda state, record_id, vis: state.set_invoice_vis_state(record_id, vis),
    ),
    Kind(
        "payment",
        "payments/payments",
        "payments",
        "note",
        lambda state: state.payments,
        lambda state, record_id, vis: state.update_payment(record_id, {"vis_state": vis}),
    ),
    Kind(
        "bill",
        "bills/bills",
        "bills",
        "bill_number",
        lambda state: state.purchases.bills,
        lambda state, record_id, vis: state.purchases.set_bill_vis_state(record_id, vis),
    ),
    Kind(
        "bill_vendor",
        "bill_vendors/bill_vendors",
        "bill_vendors",
        "city",
        lambda state: state.purchases.vendors,
        lambda state, record_id, vis: state.purchases.update_vendor(record_id, {"vis_state": vis}),
        id_field="vendorid",
    ),
    Kind(
        "bill_payment",
        "bill_payments/bill_payments",
        "bill_payments",
        "note",
        lambda state: state.purchases.bill_payments,
        lambda state, record_id, vis: state.purchases.update_bill_payment(
            record_id, {"vis_state": vis}
        ),
    ),
]
INVOICE = KINDS[1]


def first_id(sandbox: Sandbox, kind: Kind) -> int:
    return kind.record_id(kind.records(sandbox.state)[0])


def put(api: httpx.Client, accounting: str, kind: Kind, record_id: int, body: dict) -> dict:
    answer = api.put(f"{accounting}/{kind.path}/{record_id}", json={kind.wrapper: body})
    assert answer.status_code == 200, answer.text
    return answer.json()["response"]["result"][kind.wrapper]


def fetch(api: httpx.Client, accounting: str, kind: Kind, record_id: int) -> dict:
    answer = api.get(f"{accounting}/{kind.path}/{record_id}")
    return answer.json()["response"]["result"][kind.wrapper]


@pytest.mark.parametrize("vis_state", [ARCHIVED, ACTIVE], ids=["archive", "unchanged"])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.wrapper)
def test_vis_state_applies_alone_and_drops_the_data(
    sandbox: Sandbox, api: httpx.Client, accounting: str, kind: Kind, vis_state: int
) -> None:
    record_id = first_id(sandbox, kind)
    before = fetch(api, accounting, kind, record_id)[kind.data_field]
    answer = put(api, accounting, kind, record_id, {"vis_state": vis_state, kind.data_field: "x"})
    assert (answer["vis_state"], answer[kind.data_field]) == (vis_state, before)
    assert before != "x"
    assert fetch(api, accounting, kind, record_id)[kind.data_field] == before


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.wrapper)
def test_ext_vis_state_outranks_vis_state_and_data(
    sandbox: Sandbox, api: httpx.Client, accounting: str, kind: Kind
) -> None:
    record_id = first_id(sandbox, kind)
    before = fetch(api, accounting, kind, record_id)
    answer = put(
        api,
        accounting,
        kind,
        record_id,
        {"ext_vis_state": 0, "vis_state": DELETED, kind.data_field: "dropped"},
    )
    if kind is INVOICE:
        answer.pop("lines")  # an invoice PUT answers with its lines, a plain GET without
    assert answer == before
    assert fetch(api, accounting, kind, record_id) == before


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.wrapper)
def test_ext_vis_state_must_be_a_number(
    sandbox: Sandbox, api: httpx.Client, accounting: str, kind: Kind
) -> None:
    answer = api.put(
        f"{accounting}/{kind.path}/{first_id(sandbox, kind)}",
        json={kind.wrapper: {"ext_vis_state": "hidden"}},
    )
    assert answer.status_code == 422
    (error,) = errors_of(answer)
    assert (error["errno"], error["field"]) == (1015, "ext_vis_state")


def draft_invoice(sandbox: Sandbox) -> Any:
    return next(i for i in sandbox.state.invoices if i.statuses()["v3_status"] == "draft")


def test_vis_state_outranks_an_invoice_action(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    draft = draft_invoice(sandbox)
    body = {"vis_state": ARCHIVED, "action_mark_as_sent": True, "notes": "dropped"}
    answer = put(api, accounting, INVOICE, draft.id, body)
    assert (answer["vis_state"], answer["v3_status"]) == (ARCHIVED, "draft")
    assert answer["notes"] != "dropped"


def test_ext_vis_state_outranks_an_invoice_action(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    draft = draft_invoice(sandbox)
    answer = put(api, accounting, INVOICE, draft.id, {"ext_vis_state": 1, "action_email": True})
    assert (answer["vis_state"], answer["v3_status"]) == (ACTIVE, "draft")


def test_an_action_not_asked_for_leaves_the_data_phase(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    draft = draft_invoice(sandbox)
    answer = put(
        api, accounting, INVOICE, draft.id, {"action_mark_as_sent": False, "notes": "kept"}
    )
    assert (answer["notes"], answer["v3_status"]) == ("kept", "draft")


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.wrapper)
def test_lists_return_active_and_archived_and_filter_by_vis_state(
    sandbox: Sandbox, api: httpx.Client, accounting: str, kind: Kind
) -> None:
    records = kind.records(sandbox.state)
    archived, deleted = kind.record_id(records[0]), kind.record_id(records[1])
    kind.set_vis_state(sandbox.state, archived, ARCHIVED)
    kind.set_vis_state(sandbox.state, deleted, DELETED)

    def listed(**search: int) -> set[int]:
        params: dict[str, Any] = {"per_page": 100}
        params.update({f"search[{key}]": value for key, value in search.items()})
        answer = api.get(f"{accounting}/{kind.path}", params=params).json()
        result = answer["response"]["result"]
        assert result["pages"] <= 1, "the seed outgrew one page; page through it here"
        return {record[kind.id_field] for record in result[kind.list_key]}

    everything = {kind.record_id(record) for record in kind.records(sandbox.state)}
    assert listed() == everything - {deleted}
    assert listed(vis_state=ARCHIVED) == {archived}
    assert listed(vis_state=DELETED) == {deleted}
    assert listed(vis_state=ACTIVE) == everything - {archived, deleted}


@pytest.mark.parametrize(
    ("body", "phase"),
    [
        ({"ext_vis_state": 0, "vis_state": 1, "action_email": True, "notes": "x"}, "ext"),
        ({"vis_state": 1, "action_email": True, "notes": "x"}, "vis"),
        ({"action_email": True, "notes": "x"}, "action"),
        ({"action_email": False, "notes": "x"}, "data"),
        ({}, "data"),
    ],
)
def test_phase_precedence(body: dict, phase: str) -> None:
    expected = {
        "ext": UpdatePhase.EXT_VIS_STATE,
        "vis": UpdatePhase.VIS_STATE,
        "action": UpdatePhase.ACTION,
        "data": UpdatePhase.DATA,
    }[phase]
    assert update_phase(body, ["action_email"]) is expected
