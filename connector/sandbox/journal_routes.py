"""The legacy general-ledger API: create journal entries, list their details, list the chart.

``POST .../journal_entries/journal_entries`` (create only, as FreshBooks offers it),
``GET .../journal_entries/journal_entry_details`` (``search[sub_accountid]``,
``search[start_date]``, ``search[end_date]``) and ``GET .../journal_entry_accounts/
journal_entry_accounts`` (``account_type`` and other search keys are ignored, as GS found).
An entry that does not balance to the cent, or a detail naming no sub-account of the chart, is
a 422 naming the detail (``details[1]``) and its field, so a person can find the line.
"""

from __future__ import annotations

import re
from decimal import Decimal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.sandbox.errors import AccountingError, SandboxDataError
from connector.sandbox.ledger import BASE_CURRENCY, NewDetail, totals
from connector.sandbox.listing import (
    DAY,
    AtLeast,
    AtMost,
    Equals,
    Filter,
    paginate,
    parse_list_query,
)
from connector.sandbox.money import cents
from connector.sandbox.state import SandboxState
from connector.sandbox.validation import BodyReader
from connector.sandbox.wire import check_accounting_access, many, read_object, single

PREFIX = "/accounting/account/{account_id}"
ENTRIES_PATH = PREFIX + "/journal_entries/journal_entries"
DETAILS_PATH = PREFIX + "/journal_entries/journal_entry_details"
ACCOUNTS_PATH = PREFIX + "/journal_entry_accounts/journal_entry_accounts"
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")

DETAIL_FILTERS: list[Filter] = [
    Equals("sub_accountid", lambda row: row[0].sub_account.id),
    AtLeast("start_date", lambda row: row[1].user_entered_date, DAY),
    AtMost("end_date", lambda row: row[1].user_entered_date, DAY),
]


def journal_routes(state: SandboxState) -> list[Route]:
    ledger = state.ledger

    async def create_entry(request: Request) -> Response:
        check_accounting_access(request, state)
        reader = BodyReader(await read_object(request, "journal_entry"), "journal_entry")
        reader.required("name")
        reader.required("user_entered_date")
        name = reader.text("name")
        day = reader.day("user_entered_date")
        currency = _currency(reader)
        details = _details(state, reader)
        entry = ledger.post_entry(
            name,
            day,
            details,
            description=reader.text("description"),
            currency_code=currency,
        )
        return single("journal_entry", entry.to_json())

    async def list_details(request: Request) -> Response:
        check_accounting_access(request, state)
        query = parse_list_query(request.query_params, state.behaviour)
        predicates = [p for f in DETAIL_FILTERS if (p := f.predicate(query)) is not None]
        rows = [row for row in ledger.details_with_balances() if all(p(row) for p in predicates)]
        page, meta = paginate(rows, query)
        listed = [detail.listing_json(entry, balance) for detail, entry, balance in page]
        return many("journal_entry_details", listed, meta)

    async def list_accounts(request: Request) -> Response:
        check_accounting_access(request, state)
        query = parse_list_query(request.query_params, state.behaviour)
        with state.lock:
            balances = ledger.balances()
            page, meta = paginate(ledger.accounts, query)
            listed = [account.to_json(balances) for account in page]
        return many("journal_entry_accounts", listed, meta)

    return [
        Route(ENTRIES_PATH, create_entry, methods=["POST"]),
        Route(DETAILS_PATH, list_details, methods=["GET"]),
        Route(ACCOUNTS_PATH, list_accounts, methods=["GET"]),
    ]


def _currency(reader: BodyReader) -> str:
    currency = reader.text("currency_code") or BASE_CURRENCY
    if not CURRENCY_CODE.match(currency):
        raise reader.fail(
            1004, "currency_code", "currency_code must be a three-letter ISO code such as USD."
        )
    return currency


def _details(state: SandboxState, reader: BodyReader) -> list[NewDetail]:
    raw = reader.required("details")
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise reader.fail(1004, "details", "details must be a list of detail objects.")
    if not raw:
        raise reader.fail(1001, "details", "details is required: an entry needs its lines.")
    details = [
        _detail(state, BodyReader(item, f"details[{index}]")) for index, item in enumerate(raw)
    ]
    debits, credits = totals(details)
    if debits != credits:
        raise AccountingError(
            422,
            1004,
            f"The entry does not balance: debits total {debits:.2f} but credits total "
            f"{credits:.2f}; they must be equal to the cent.",
            field="details",
            obj="journal_entry",
            value=f"{debits - credits:.2f}",
        )
    return details


def _detail(state: SandboxState, line: BodyReader) -> NewDetail:
    line.required("sub_accountid")
    sub_accountid = line.integer("sub_accountid")
    try:
        state.ledger.sub_account(sub_accountid)
    except SandboxDataError:
        raise line.fail(
            1004,
            "sub_accountid",
            f"{line.obj}: sub_accountid {sub_accountid} is not in the chart of accounts.",
        ) from None
    sides = [name for name in ("debit", "credit") if line.body.get(name) not in (None, "")]
    if not sides:
        raise line.fail(1001, "debit", f"{line.obj}: a detail needs a debit or a credit.")
    if len(sides) == 2:
        raise line.fail(
            1004, "credit", f"{line.obj}: a detail takes a debit or a credit, not both."
        )
    side = sides[0]
    amount = _amount(line, side)
    return NewDetail(
        sub_accountid=sub_accountid,
        debit=amount if side == "debit" else None,
        credit=amount if side == "credit" else None,
        description=line.text("description") if line.has("description") else None,
    )


def _amount(line: BodyReader, side: str) -> Decimal:
    amount = line.number(side)
    if amount <= 0:
        raise line.fail(1004, side, f"{line.obj}: {side} must be greater than zero.")
    if cents(amount) != amount:
        raise line.fail(1004, side, f"{line.obj}: {side} has fractions of a cent.")
    return amount
