"""The sandbox's general ledger: chart of accounts, journal entry creation and detail listing."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.sandbox import Sandbox
from connector.sandbox.errors import SandboxDataError
from connector.sandbox.ledger import NewDetail
from tests.sandbox.envelopes import errno_of, errors_of

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"


def sub_id(sandbox: Sandbox, number: str) -> int:
    return sandbox.state.ledger.sub_account_numbered(number).id


def entry_body(sandbox: Sandbox, **overrides: Any) -> dict[str, Any]:
    entry = {
        "name": "Accrual May",
        "description": "Accrue May hosting",
        "currency_code": "USD",
        "user_entered_date": "2024-05-31",
        "details": [
            {"sub_accountid": str(sub_id(sandbox, "640010")), "debit": "120"},
            {"sub_accountid": str(sub_id(sandbox, "640022")), "credit": "120.00"},
        ],
    }
    return {"journal_entry": {**entry, **overrides}}


def post_entry(sandbox: Sandbox, day: str, debit: str, credit: str, amount: str) -> None:
    sandbox.state.ledger.post_entry(
        f"Entry {day}",
        date.fromisoformat(day),
        [
            NewDetail(sub_id(sandbox, debit), debit=Decimal(amount)),
            NewDetail(sub_id(sandbox, credit), credit=Decimal(amount)),
        ],
    )


# -- the chart of accounts ---------------------------------------------------------------------


def test_chart_lists_accounts_with_their_sub_accounts(api: httpx.Client, accounting: str) -> None:
    result = api.get(f"{accounting}/journal_entry_accounts/journal_entry_accounts").json()
    result = result["response"]["result"]
    accounts = result["journal_entry_accounts"]
    assert result["total"] == len(accounts) == 11
    types = {account["account_type"] for account in accounts}
    assert types == {"asset", "liability", "equity", "income", "cost_of_goods_sold", "expense"}
    receivable = next(a for a in accounts if a["account_number"] == "1200")
    assert set(receivable) == {
        "account_name",
        "account_number",
        "account_type",
        "accountid",
        "accounting_systemid",
        "id",
        "balance",
        "created_at",
        "currency_code",
        "sub_accounts",
    }
    (sub,) = receivable["sub_accounts"]
    assert sub["parentid"] == receivable["accountid"]
    assert sub["sub_accountid"] == sub["id"]
    assert (sub["account_sub_number"], sub["balance"], sub["transaction_posted"]) == (
        "120000",
        "0.000",
        False,
    )


def test_chart_is_the_same_in_every_sandbox(sandbox: Sandbox, tmp_path: Path) -> None:
    def numbers(sb: Sandbox) -> list[tuple[int, str]]:
        return [(sub.id, sub.number) for a in sb.state.ledger.accounts for sub in a.sub_accounts]

    other = Sandbox(root=tmp_path / "other", state_dir=tmp_path / "other-state", seed_plan=None)
    assert numbers(other) == numbers(sandbox)


def test_chart_holds_every_account_the_shipped_mapping_names(sandbox: Sandbox) -> None:
    with (MAPPINGS / "ledger_accounts.csv").open(newline="") as handle:
        named = [row["freshbooks_account"] for row in csv.DictReader(handle)]
    assert named
    for number in named:
        sandbox.state.ledger.sub_account_numbered(number)


def test_chart_is_paginated_and_ignores_account_type(api: httpx.Client, accounting: str) -> None:
    path = f"{accounting}/journal_entry_accounts/journal_entry_accounts"
    seen = []
    for page in (1, 2, 3):
        result = api.get(path, params={"per_page": 4, "page": page}).json()["response"]["result"]
        assert (result["pages"], result["total"]) == (3, 11)
        seen += [account["accountid"] for account in result["journal_entry_accounts"]]
    assert len(set(seen)) == 11
    filtered = api.get(path, params={"search[account_type]": "asset"}).json()
    assert filtered["response"]["result"]["total"] == 11


def test_chart_balances_follow_postings(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    post_entry(sandbox, "2024-05-01", "100010", "400020", "250.00")
    post_entry(sandbox, "2024-05-02", "640010", "100010", "40.50")
    accounts = api.get(f"{accounting}/journal_entry_accounts/journal_entry_accounts").json()
    by_number = {
        sub["account_sub_number"]: sub
        for account in accounts["response"]["result"]["journal_entry_accounts"]
        for sub in account["sub_accounts"]
    }
    assert by_number["100010"]["balance"] == "209.500"
    assert by_number["400020"]["balance"] == "250.000"
    assert by_number["640010"]["balance"] == "40.500"
    assert by_number["100010"]["transaction_posted"] is True
    assert by_number["100020"]["transaction_posted"] is False
    cash = next(
        a
        for a in accounts["response"]["result"]["journal_entry_accounts"]
        if a["account_number"] == "1000"
    )
    assert cash["balance"] == "209.500"


# -- creating entries --------------------------------------------------------------------------


def test_create_echoes_the_entry(sandbox: Sandbox, api: httpx.Client, accounting: str) -> None:
    answer = api.post(f"{accounting}/journal_entries/journal_entries", json=entry_body(sandbox))
    assert answer.status_code == 200
    entry = answer.json()["response"]["result"]["journal_entry"]
    assert entry["id"] == entry["entryid"]
    assert (entry["name"], entry["user_entered_date"], entry["currency_code"]) == (
        "Accrual May",
        "2024-05-31",
        "USD",
    )
    debit, credit = entry["details"]
    assert (debit["sub_accountid"], debit["debit"], debit["credit"]) == (
        sub_id(sandbox, "640010"),
        "120.00",
        None,
    )
    assert (credit["debit"], credit["credit"]) == (None, "120.00")
    assert debit["detailid"] == debit["id"] != credit["id"]
    assert debit["description"] == "Accrue May hosting"
    assert [e.id for e in sandbox.state.ledger.entries] == [entry["id"]]


def test_create_keeps_line_descriptions_and_defaults_the_currency(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    body = entry_body(sandbox)
    del body["journal_entry"]["currency_code"]
    body["journal_entry"]["details"][0]["description"] = "Hosting café"
    entry = api.post(f"{accounting}/journal_entries/journal_entries", json=body).json()
    entry = entry["response"]["result"]["journal_entry"]
    assert entry["currency_code"] == "USD"
    assert [d["description"] for d in entry["details"]] == ["Hosting café", "Accrue May hosting"]


@pytest.fixture(scope="module")
def unseeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, httpx.Client]]:
    """One sandbox for the refusal cases: none of them may change it, which they also check."""
    folder = tmp_path_factory.mktemp("journal-refusals")
    with Sandbox(root=folder / "sftp", state_dir=folder / "state", seed_plan=None) as sb:
        headers = {"Authorization": f"Bearer {sb.info.access_token}"}
        with httpx.Client(base_url=sb.info.api_url, headers=headers, timeout=10) as api:
            yield sb, api


def _detail(index: int, **fields: Any):
    """A change to one detail of the default entry body."""

    def change(body: dict[str, Any]) -> None:
        detail = body["journal_entry"]["details"][index]
        for name, value in fields.items():
            if value is None:
                detail.pop(name, None)
            else:
                detail[name] = value

    return change


def _entry(**fields: Any):
    def change(body: dict[str, Any]) -> None:
        for name, value in fields.items():
            if value is None:
                body["journal_entry"].pop(name, None)
            else:
                body["journal_entry"][name] = value

    return change


@pytest.mark.parametrize(
    ("change", "errno", "obj", "field"),
    [
        (_entry(name=None), 1001, "journal_entry", "name"),
        (_entry(name=""), 1001, "journal_entry", "name"),
        (_entry(name=7), 1004, "journal_entry", "name"),
        (_entry(user_entered_date=None), 1001, "journal_entry", "user_entered_date"),
        (_entry(user_entered_date="31.05.2024"), 1033, "journal_entry", "user_entered_date"),
        (_entry(currency_code="dollars"), 1004, "journal_entry", "currency_code"),
        (_entry(description=["x"]), 1004, "journal_entry", "description"),
        (_entry(details=None), 1001, "journal_entry", "details"),
        (_entry(details=[]), 1001, "journal_entry", "details"),
        (_entry(details="both"), 1004, "journal_entry", "details"),
        (_entry(details=[["x"]]), 1004, "journal_entry", "details"),
        (_detail(0, sub_accountid=None), 1001, "details[0]", "sub_accountid"),
        (_detail(1, sub_accountid="cash"), 1015, "details[1]", "sub_accountid"),
        (_detail(1, sub_accountid=999), 1004, "details[1]", "sub_accountid"),
        (_detail(0, debit=None), 1001, "details[0]", "debit"),
        (_detail(0, debit=""), 1001, "details[0]", "debit"),
        (_detail(0, credit="120"), 1004, "details[0]", "credit"),
        (_detail(0, debit="-120"), 1004, "details[0]", "debit"),
        (_detail(1, credit="0"), 1004, "details[1]", "credit"),
        (_detail(0, debit="lots"), 1015, "details[0]", "debit"),
        (_detail(0, debit=True), 1015, "details[0]", "debit"),
        (_detail(0, debit="120.001"), 1004, "details[0]", "debit"),
        (_detail(0, description=5), 1004, "details[0]", "description"),
        (_detail(1, credit="119.99"), 1004, "journal_entry", "details"),
    ],
)
def test_create_refuses_what_freshbooks_would(
    unseeded: tuple[Sandbox, httpx.Client], change, errno, obj, field
) -> None:
    sandbox, api = unseeded
    body = entry_body(sandbox)
    change(body)
    answer = api.post(
        f"/accounting/account/{sandbox.info.account_id}/journal_entries/journal_entries", json=body
    )
    assert answer.status_code == 422
    (error,) = errors_of(answer)
    assert (error["errno"], error["object"], error["field"]) == (errno, obj, field)
    assert sandbox.state.ledger.entries == []


def test_unbalanced_entry_names_both_totals(
    sandbox: Sandbox, api: httpx.Client, accounting: str
) -> None:
    body = entry_body(sandbox)
    body["journal_entry"]["details"].append(
        {"sub_accountid": sub_id(sandbox, "100010"), "debit": 0.5}
    )
    answer = api.post(f"{accounting}/journal_entries/journal_entries", json=body)
    (error,) = errors_of(answer)
    assert "debits total 120.50 but credits total 120.00" in error["message"]
    assert error["value"] == "0.50"


@pytest.mark.parametrize(
    ("content", "status", "errno"),
    [(b"{not json", 400, 1005), (b'{"entry": {}}', 422, 1001), (b"[]", 422, 1001)],
)
def test_malformed_bodies(
    sandbox: Sandbox, api: httpx.Client, accounting: str, content: bytes, status, errno
) -> None:
    answer = api.post(
        f"{accounting}/journal_entries/journal_entries",
        content=content,
        headers={"Content-Type": "application/json"},
    )
    assert (answer.status_code, errno_of(answer)) == (status, errno)
    assert sandbox.state.ledger.entries == []


def test_entries_cannot_be_listed_changed_or_deleted(api: httpx.Client, accounting: str) -> None:
    path = f"{accounting}/journal_entries/journal_entries"
    assert api.get(path).status_code == 405
    assert api.put(f"{path}/930001", json={}).status_code == 404


def test_ledger_paths_need_a_token(sandbox: Sandbox, accounting: str) -> None:
    with httpx.Client(base_url=sandbox.info.api_url) as anonymous:
        for path in (
            "journal_entries/journal_entry_details",
            "journal_entry_accounts/journal_entry_accounts",
        ):
            assert anonymous.get(f"{accounting}/{path}").status_code == 401
        posted = anonymous.post(
            f"{accounting}/journal_entries/journal_entries", json=entry_body(sandbox)
        )
        assert posted.status_code == 401


def test_state_refuses_impossible_entries_from_direct_callers(sandbox: Sandbox) -> None:
    ledger = sandbox.state.ledger
    cash = sub_id(sandbox, "100010")
    with pytest.raises(SandboxDataError, match="does not balance"):
        ledger.post_entry(
            "Off",
            date(2024, 5, 1),
            [NewDetail(cash, debit=Decimal(1)), NewDetail(cash, credit=Decimal(2))],
        )
    with pytest.raises(SandboxDataError, match="exactly one of debit and credit"):
        NewDetail(cash, debit=Decimal(1), credit=Decimal(1))
    with pytest.raises(SandboxDataError, match="no sub-account with id 1"):
        ledger.post_entry(
            "Nowhere",
            date(2024, 5, 1),
            [NewDetail(1, debit=Decimal(1)), NewDetail(cash, credit=Decimal(1))],
        )
    assert ledger.entries == []


# -- listing details ---------------------------------------------------------------------------


@pytest.fixture
def posted(sandbox: Sandbox) -> Sandbox:
    post_entry(sandbox, "2024-04-30", "100010", "400010", "100.00")
    post_entry(sandbox, "2024-05-15", "640010", "100010", "30.00")
    post_entry(sandbox, "2024-05-31", "640010", "640022", "120.00")
    post_entry(sandbox, "2024-06-01", "100010", "400020", "5.25")
    return sandbox


def details(api: httpx.Client, accounting: str, **params: Any) -> dict[str, Any]:
    answer = api.get(f"{accounting}/journal_entries/journal_entry_details", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["response"]["result"]


def test_details_carry_accounts_entry_and_running_balance(
    posted: Sandbox, api: httpx.Client, accounting: str
) -> None:
    cash = sub_id(posted, "100010")
    listed = details(api, accounting, **{"search[sub_accountid]": cash})["journal_entry_details"]
    assert [d["user_entered_date"] for d in listed] == ["2024-04-30", "2024-05-15", "2024-06-01"]
    assert [d["balance"]["amount"] for d in listed] == ["100.00", "70.00", "75.25"]
    first, second, _ = listed
    assert first["debit"] == {"amount": "100.00", "code": "USD"} and first["credit"] is None
    assert second["credit"] == {"amount": "30.00", "code": "USD"} and second["debit"] is None
    assert first["sub_account"]["account_sub_number"] == "100010"
    assert first["account"]["account_number"] == "1000"
    assert first["entry"]["entryid"] == posted.state.ledger.entries[0].id
    assert first["id"] == first["detailid"]


def test_details_filter_by_dates(posted: Sandbox, api: httpx.Client, accounting: str) -> None:
    may = details(
        api, accounting, **{"search[start_date]": "2024-05-01", "search[end_date]": "2024-05-31"}
    )
    assert {d["user_entered_date"] for d in may["journal_entry_details"]} == {
        "2024-05-15",
        "2024-05-31",
    }
    assert may["total"] == 4
    since = details(api, accounting, **{"search[start_date]": "2024-05-31"})
    assert since["total"] == 4  # the May 31 entry's two lines and June's two


def test_details_combine_filters(posted: Sandbox, api: httpx.Client, accounting: str) -> None:
    hosting = sub_id(posted, "640010")
    found = details(
        api,
        accounting,
        **{"search[sub_accountid]": hosting, "search[start_date]": "2024-05-20"},
    )["journal_entry_details"]
    assert [(d["user_entered_date"], d["debit"]["amount"]) for d in found] == [
        ("2024-05-31", "120.00")
    ]


def test_details_are_paginated(posted: Sandbox, api: httpx.Client, accounting: str) -> None:
    ids = []
    for page in (1, 2, 3):
        result = details(api, accounting, per_page=3, page=page)
        assert (result["pages"], result["total"]) == (3, 8)
        ids += [d["id"] for d in result["journal_entry_details"]]
    assert len(set(ids)) == 8
    assert details(api, accounting, per_page=3, page=4)["journal_entry_details"] == []
    assert details(api, accounting)["per_page"] == 15


def test_details_ignore_unknown_search_keys(
    posted: Sandbox, api: httpx.Client, accounting: str
) -> None:
    assert details(api, accounting, **{"search[account_type]": "asset"})["total"] == 8


@pytest.mark.parametrize(
    ("params", "errno"),
    [
        ({"search[sub_accountid]": "cash"}, 1015),
        ({"search[start_date]": "May"}, 1033),
        ({"search[end_date]": "2024-13-01"}, 1033),
        ({"page": "first"}, 1014),
    ],
)
def test_details_bad_filter_values(api: httpx.Client, accounting: str, params, errno) -> None:
    answer = api.get(f"{accounting}/journal_entries/journal_entry_details", params=params)
    assert (answer.status_code, errno_of(answer)) == (400, errno)
