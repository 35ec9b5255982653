"""Journal entries and the chart of accounts through the client; envelopes and rate limits."""

from __future__ import annotations

import csv
import json
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from connector.errors import DataError
from connector.freshbooks import (
    FreshBooksClient,
    NotFound,
    RateLimited,
    RetryPolicy,
    ValidationFailed,
)
from connector.freshbooks.ledger import (
    InvalidJournalEntry,
    JournalLine,
    UnbalancedJournalEntry,
    numbers_to_sub_accounts,
)
from connector.mapping import load_mapping
from connector.sandbox import Sandbox
from connector.sandbox.ledger import NewDetail
from tests.freshbooks.conftest import RecordingTransport, requests_made, sandbox_config

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
ENTRIES = "/journal_entries/journal_entries"


def sub_id(sandbox: Sandbox, number: str) -> int:
    return sandbox.state.ledger.sub_account_numbered(number).id


def accrual(sandbox: Sandbox, credit: str = "120.00") -> list[JournalLine]:
    return [
        JournalLine(sub_id(sandbox, "640010"), debit=Decimal("120"), description="Hosting"),
        JournalLine(sub_id(sandbox, "640022"), credit=Decimal(credit)),
    ]


# -- creating entries --------------------------------------------------------------------------


def test_create_posts_the_entry(sandbox: Sandbox, store, retry, events) -> None:
    transport = RecordingTransport(events)
    config = sandbox_config(sandbox.info)
    with FreshBooksClient(config, store, transport=transport, retry=retry) as fb:
        entry = fb.journal_entries.create(
            "Ledger JE-501",
            date(2024, 5, 31),
            accrual(sandbox),
            description="Accrue May hosting",
            currency_code="USD",
        )
    assert entry["id"] == sandbox.state.ledger.entries[0].id
    assert [(d["debit"], d["credit"]) for d in entry["details"]] == [
        ("120.00", None),
        (None, "120.00"),
    ]
    requests = [event for event in events if event[0] == "request"]
    (sent,) = [
        json.loads(body)
        for event, body in zip(requests, transport.bodies, strict=True)
        if event[2].endswith(ENTRIES)
    ]
    assert sent == {
        "journal_entry": {
            "name": "Ledger JE-501",
            "user_entered_date": "2024-05-31",
            "details": [
                {
                    "sub_accountid": sub_id(sandbox, "640010"),
                    "debit": "120.00",
                    "description": "Hosting",
                },
                {"sub_accountid": sub_id(sandbox, "640022"), "credit": "120.00"},
            ],
            "description": "Accrue May hosting",
            "currency_code": "USD",
        }
    }


def test_unbalanced_entry_is_refused_before_sending(
    sandbox: Sandbox, client: FreshBooksClient, events
) -> None:
    with pytest.raises(UnbalancedJournalEntry) as caught:
        client.journal_entries.create(
            "Ledger JE-502", date(2024, 5, 31), accrual(sandbox, "119.99")
        )
    assert isinstance(caught.value, DataError)
    assert "'Ledger JE-502'" in str(caught.value)
    assert "debits 120.00, credits 119.99 (difference 0.01)" in str(caught.value)
    assert requests_made(events, ENTRIES) == []
    assert sandbox.state.ledger.entries == []


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "has no lines"),
        (
            [JournalLine(1, debit=Decimal(5), credit=Decimal(5))],
            "line 1 .* both a debit and a credit",
        ),
        (
            [JournalLine(1, debit=Decimal(5)), JournalLine(2)],
            "line 2 .* neither a debit nor a credit",
        ),
        (
            [JournalLine(1, debit=Decimal(-5)), JournalLine(2, credit=Decimal(-5))],
            "line 1 .* debit of -5.00",
        ),
        (
            [JournalLine(1, debit=Decimal(0)), JournalLine(2, credit=Decimal(0))],
            "line 1 .* debit of 0.00",
        ),
        ([JournalLine(1, debit=5.0), JournalLine(2, credit=5.0)], "line 1 .* float"),  # type: ignore[arg-type]
        (
            [JournalLine(1, debit=Decimal("5.001")), JournalLine(2, credit=Decimal("5.001"))],
            "line 1 .* fractions of a cent",
        ),
    ],
)
def test_malformed_entries_are_refused_before_sending(
    client: FreshBooksClient, events, lines, message
) -> None:
    with pytest.raises(InvalidJournalEntry, match=message) as caught:
        client.journal_entries.create("Ledger JE-9", date(2024, 5, 31), lines)
    assert "'Ledger JE-9'" in str(caught.value)
    assert requests_made(events, ENTRIES) == []


def test_sandbox_refusal_names_the_detail(client: FreshBooksClient, sandbox: Sandbox) -> None:
    lines = [
        JournalLine(999, debit=Decimal(10)),
        JournalLine(sub_id(sandbox, "120000"), credit=Decimal(10)),
    ]
    with pytest.raises(ValidationFailed) as caught:
        client.journal_entries.create("Ledger JE-503", date(2024, 5, 31), lines)
    assert (caught.value.errno, caught.value.object, caught.value.field) == (
        1004,
        "details[0]",
        "sub_accountid",
    )
    assert "details[0].sub_accountid = '999'" in str(caught.value)


# -- reading the ledger ------------------------------------------------------------------------


@pytest.fixture
def posted(sandbox: Sandbox) -> Sandbox:
    ledger = sandbox.state.ledger
    for day, debit, credit, amount in [
        ("2024-04-30", "100010", "400010", "100.00"),
        ("2024-05-15", "640010", "100010", "30.00"),
        ("2024-05-31", "640010", "640022", "120.00"),
        ("2024-06-01", "100010", "400020", "5.25"),
    ]:
        ledger.post_entry(
            f"Entry {day}",
            date.fromisoformat(day),
            [
                NewDetail(sub_id(sandbox, debit), debit=Decimal(amount)),
                NewDetail(sub_id(sandbox, credit), credit=Decimal(amount)),
            ],
        )
    return sandbox


def test_details_page_through_everything(posted: Sandbox, client: FreshBooksClient, events) -> None:
    found = list(client.journal_entries.details(per_page=3))
    assert len(found) == 8
    assert len({d["id"] for d in found}) == 8
    assert len(requests_made(events, "journal_entry_details")) == 3


def test_details_filters(posted: Sandbox, client: FreshBooksClient) -> None:
    cash = sub_id(posted, "100010")
    found = list(
        client.journal_entries.details(
            sub_accountid=cash, start_date=date(2024, 5, 1), end_date=date(2024, 6, 30)
        )
    )
    assert [(d["user_entered_date"], d["balance"]["amount"]) for d in found] == [
        ("2024-05-15", "70.00"),
        ("2024-06-01", "75.25"),
    ]


def test_accounts_page_through_the_chart(client: FreshBooksClient, events) -> None:
    accounts = list(client.accounts.iter(per_page=4))
    assert len(accounts) == 11
    assert len(requests_made(events, "journal_entry_accounts")) == 3
    assert all(account["sub_accounts"] for account in accounts)


def test_sub_accounts_by_number_resolves_the_shipped_mapping(
    sandbox: Sandbox, client: FreshBooksClient
) -> None:
    numbers = client.accounts.sub_accounts_by_number()
    with (MAPPINGS / "ledger_accounts.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            number = row["freshbooks_account"]
            assert numbers[number] == sub_id(sandbox, number)
    # A single sub-account stands for its account; an account with several does not.
    assert numbers["1200"] == numbers["120000"]
    assert "1000" not in numbers and "100010" in numbers


def test_a_number_naming_two_sub_accounts_is_left_out() -> None:
    chart = [
        {
            "account_number": "6000",
            "sub_accounts": [{"account_sub_number": "1", "sub_accountid": 11}],
        },
        {
            "account_number": "6100",
            "sub_accounts": [
                {"account_sub_number": "1", "sub_accountid": 21},
                {"account_sub_number": "6000", "sub_accountid": 22},
            ],
        },
        {
            "account_number": "7000",
            "sub_accounts": [{"account_sub_number": "", "sub_accountid": 31}],
        },
        {"account_number": "8000", "sub_accounts": []},
    ]
    assert numbers_to_sub_accounts(chart) == {"7000": 31}


def test_the_shipped_journal_file_posts_end_to_end(
    sandbox: Sandbox, client: FreshBooksClient
) -> None:
    section = load_mapping(MAPPINGS / "ledger_journal.map").inbound("journal_entry")
    accounts = client.accounts.sub_accounts_by_number()
    posted = []
    for batch in section.iter_batches(MAPPINGS / "ledger_journal.tests" / "JE_20240531.csv"):
        for record in batch.records:
            entry = record.values
            lines = [
                JournalLine(
                    accounts[line["account_number"]],
                    debit=line["debit"],
                    credit=line["credit"],
                    description=line["description"],
                )
                for line in entry["details"]
            ]
            posted.append(
                client.journal_entries.create(
                    entry["name"],
                    entry["date"],
                    lines,
                    description=entry["description"],
                    currency_code=entry["currency_code"],
                )
            )
    assert [entry["name"] for entry in posted] == ["Ledger JE-501"]
    hosting = list(client.journal_entries.details(sub_accountid=accounts["640010"]))
    assert [(d["description"], d["debit"]["amount"]) for d in hosting] == [
        ("Hosting café", "120.00")
    ]


# -- envelopes and rate limits against the sandbox ---------------------------------------------


class VersionedTransport(RecordingTransport):
    """Sends FreshBooks' API-version header on every request, as the official SDKs can."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers["X-API-VERSION"] = "2023-09-25"
        return super().handle_request(request)


@pytest.fixture
def versioned(sandbox: Sandbox, store, retry, events):
    transport = VersionedTransport(events)
    with FreshBooksClient(
        sandbox_config(sandbox.info), store, transport=transport, retry=retry
    ) as fb:
        yield fb


def test_client_reads_the_newer_not_found_envelope(versioned: FreshBooksClient) -> None:
    with pytest.raises(NotFound) as caught:
        versioned.clients.get(12345)
    assert (caught.value.errno, caught.value.field, caught.value.value) == (1012, "userid", "12345")
    assert caught.value.reason == "Client not found."


def test_client_reads_the_newer_validation_envelope(
    sandbox: Sandbox, versioned: FreshBooksClient
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        versioned.journal_entries.create(
            "Ledger JE-1",
            date(2024, 5, 31),
            [
                JournalLine(sub_id(sandbox, "640010"), debit=Decimal(1)),
                JournalLine(424242, credit=Decimal(1)),
            ],
        )
    assert (caught.value.status, caught.value.errno) == (422, 1004)
    assert (caught.value.object, caught.value.field) == ("details[1]", "sub_accountid")


def rate_limited_client(sandbox: Sandbox, store, sleeps: list[float]) -> FreshBooksClient:
    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    policy = RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=30, jitter=False, sleep=sleep)
    return FreshBooksClient(sandbox_config(sandbox.info), store, retry=policy)


def test_gets_wait_for_retry_after_and_succeed(sandbox: Sandbox, store) -> None:
    sandbox.state.behaviour.rate_limit_per_second = 1
    sandbox.state.behaviour.rate_limit_burst = 1
    sleeps: list[float] = []
    with rate_limited_client(sandbox, store, sleeps) as fb:
        fb.identity()
        accounts = list(fb.accounts.iter())
    assert len(accounts) == 11
    statuses = [e.status for e in sandbox.requests.entries(method="GET")]
    assert statuses.count(429) == len(sleeps) >= 1
    assert statuses[-1] == 200
    assert all(seconds == 1.0 for seconds in sleeps)


def test_a_write_refused_at_the_limit_is_sent_again_and_posted_once(
    sandbox: Sandbox, store
) -> None:
    sleeps: list[float] = []
    with rate_limited_client(sandbox, store, sleeps) as fb:
        fb.identity()
        sandbox.state.behaviour.rate_limit_per_second = 1
        sandbox.state.behaviour.rate_limit_burst = 1
        fb.journal_entries.create("Ledger JE-7", date(2024, 5, 31), accrual(sandbox))
        fb.journal_entries.create("Ledger JE-8", date(2024, 5, 31), accrual(sandbox))
    assert [e.name for e in sandbox.state.ledger.entries] == ["Ledger JE-7", "Ledger JE-8"]
    posts = [e.status for e in sandbox.requests.entries(method="POST", path_regex=ENTRIES)]
    assert posts.count(200) == 2
    assert posts.count(429) == len(sleeps) >= 1


def test_a_wait_longer_than_the_policy_allows_raises_rate_limited(
    sandbox: Sandbox, client: FreshBooksClient, sleeps
) -> None:
    client.identity()
    sandbox.state.behaviour.rate_limit_per_second = 0.01
    sandbox.state.behaviour.rate_limit_burst = 1
    list(client.accounts.iter())
    with pytest.raises(RateLimited) as caught:
        list(client.accounts.iter())
    assert caught.value.retry_after == 100
    assert sleeps == []
