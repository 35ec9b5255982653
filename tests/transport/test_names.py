"""Names in partner folders: claims keep the partner's name, taken names get a counter."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import islice

import pytest

from connector.transport import UnsafeRemoteName
from connector.transport.names import candidates, check_name, claim_name, parse_claim_name


@pytest.mark.parametrize("name", ["remit.csv", "REMIT", "a__b.csv", "with space.txt", ".hidden"])
def test_a_claim_name_gives_back_the_partner_name_and_time(name: str) -> None:
    when = datetime(2025, 11, 25, 10, 55, 1, tzinfo=UTC)
    claimed = claim_name(name, when)
    assert claimed.startswith("20251125T105501Z-")
    assert parse_claim_name(claimed) == (name, when)


def test_claim_names_are_unique() -> None:
    when = datetime.now(UTC)
    assert len({claim_name("remit.csv", when) for _ in range(1000)}) == 1000


@pytest.mark.parametrize(
    "name",
    [
        "remit.csv",
        "__remit.csv",
        "20251125T105501Z__x",
        "20251125T105501Z-0123456789ab__",
        "20251399T999999Z-0123456789ab__x.csv",
        "",
    ],
)
def test_names_that_are_not_claims_give_none(name: str) -> None:
    assert parse_claim_name(name) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("remit.csv", ["remit.csv", "remit.1.csv", "remit.2.csv"]),
        ("REMIT", ["REMIT", "REMIT.1", "REMIT.2"]),
        ("remit.csv.gz", ["remit.csv.gz", "remit.csv.1.gz", "remit.csv.2.gz"]),
        (".hidden", [".hidden", ".hidden.1", ".hidden.2"]),
    ],
)
def test_candidates_put_the_counter_before_the_extension(name: str, expected: list[str]) -> None:
    assert list(islice(candidates(name), 3)) == expected


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "a\\b", "a\0b", "upload.csv.part"])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(UnsafeRemoteName):
        check_name(name, "/partner/inbound")


def test_plain_names_pass() -> None:
    assert check_name("invoices-0001.csv", "/partner/inbound") == "invoices-0001.csv"
