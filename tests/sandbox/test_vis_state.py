"""The vis_state rules: one update phase per PUT (the rest dropped), and what lists return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from connector.sandbox import Sandbox
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

    def records(self, sandbox: Sandbox) -> list[Any]:
        return getattr(sandbox.state, self.list_key)

    def set_vis_state(self, sandbox: Sandbox, record_id: int, vis_state: int) -> None:
        state = sandbox.state
        if self.wrapper == "client":
            state.update_client(record_id, {"vis_state": vis_state})
        elif self.wrapper == "invoice":
            state.set_invoice_vis_state(record_id, vis_state)
        else:
            state.update_payment(record_id, {"vis_state": vis_state})


KINDS = [
    Kind("client", "users/clients", "clients", "organization"),
    Kind("invoice", "invoices/invoices", "invoices", "notes"),
    Kind("payment", "payments/payments", "payments", "note"),
]


def put(api: httpx.Client, accounting: str, kind: Kind, record_id: int, body: dict) -> dict:
    answer = api.put(f"{accounting}/{kind.path}/{record_id}", json={kind.wrapper: body})
    assert answer.status_code == 200, answer.text
    return answer.json()["response"]["result"][kind.wrapper]


def fetch(api: httpx.Client, accounting: str, kind: Kind, record_id: int) -> dict:
    answer = api.get(f"{accounting}/{kind.path}/{record_id}")
    return answer.json()["response"]["result"][kind.wrapper]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.wrapper)
def test_vis_state_applies_alone_and_drops_the_data(
    sandbox: Sandbox, api: httpx.Client, accounting: str, kind: Kind
) -> None:
    record = kind.records(sandbox)[0]
    before = fetch(api, accounting, kind, record.id)[kind.data_field]
    answer = put(
        api, accounting, kind, record.id, {"vis_state": ARCHIVED, kind.data_field: "dropped"}
    )
    assert answer["vis_state"] == ARCHIVED
    assert answer[kind.data_field] == before != "dropped"
    assert fetch(api, accounting, kind, record.id)[kind.data_field] == before


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.wrapper)
def test_an_unchanged_vis_state_still_drops_the_data(
    sandbox: Sandbox, api: httpx.Client, accounting: str, kind: Kind
) -> None:
    record = kind.records(sandbox)[0]
    before = fetch(api, accounting, kind, record.id)[kind.data_field]
    answer = put(api, accounting, kind, record.id, {"vis_state": ACTIVE, kind.data_field: "x"})
    assert (answer["vis_state"], answer[kind.data_field]) == (ACTIVE, before)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.wrapper)
def test_ext_vis_state_outranks_vis_state_and_data(
    sandbox: Sandbox, api: httpx.Client, accounting: str, kind: Kind
) -> None:
    record = kind.records(sandbox)[0]
    before = fetch(api, accounting, kind, record.id)
    answer = put(
        api,
        accounting,
        kind,
        record.id,
        {"ext_vis_state": 0, "vis_state": DELETED, kind.data_field: "dropped"},
    )
    answer.pop("lines", None)  # an invoice PUT answers with its lines, a plain GET without
    assert answer == before
    assert fetch(api, accounting, kind, record.id) == before


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.wrapper)
def test_ext_vis_state_must_be_a_number(
    sandbox: Sandbox, api: httpx.Client, accounting: str, kind: Kind
) -> None:
    record = kind.records(sandbox)[0]
    answer = api.put(
        f"{accounting}/{kind.path}/{record.id}", json={kind.wrapper: {"ext_vis_state": "hidden"}}
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
    answer = put(api, accounting, KINDS[1], draft.id, body)
    assert (answer["vis_state"], answer["v3_status"]) == (ARCHIVED, "draft")
    assert answer["notes"] != "dropped"


def test_ext_vis_state_outranks_an_invoice_action(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    draft = draft_invoice(sandbox)
    answer = put(api, accounting, KINDS[1], draft.id, {"ext_vis_state": 1, "action_email": True})
    assert (answer["vis_state"], answer["v3_status"]) == (ACTIVE, "draft")


def test_an_action_not_asked_for_leaves_the_data_phase(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    draft = draft_invoice(sandbox)
    answer = put(
        api, accounting, KINDS[1], draft.id, {"action_mark_as_sent": False, "notes": "kept"}
    )
    assert (answer["notes"], answer["v3_status"]) == ("kept", "draft")


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.wrapper)
def test_lists_return_active_and_archived_and_filter_by_vis_state(
    sandbox: Sandbox, api: httpx.Client, accounting: str, kind: Kind
) -> None:
    records = kind.records(sandbox)
    archived, deleted = records[0].id, records[1].id
    kind.set_vis_state(sandbox, archived, ARCHIVED)
    kind.set_vis_state(sandbox, deleted, DELETED)

    def listed(**search: int) -> set[int]:
        params: dict[str, Any] = {"per_page": 100}
        params.update({f"search[{key}]": value for key, value in search.items()})
        answer = api.get(f"{accounting}/{kind.path}", params=params).json()
        result = answer["response"]["result"]
        assert result["pages"] <= 1, "the seed outgrew one page; page through it here"
        return {record["id"] for record in result[kind.list_key]}

    everything = {record.id for record in kind.records(sandbox)}
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
