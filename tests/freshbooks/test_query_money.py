from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from connector.errors import DataError
from connector.freshbooks import InvalidMoney
from connector.freshbooks.money import money_text
from connector.freshbooks.query import include_params, search_params


def test_search_params_the_freshbooks_way():
    params = search_params(
        {
            "invoiceids": [1, 2],
            "invoice_number": "0000142",
            "paid": False,
            "date_min": date(2024, 5, 1),
            "skipped": None,
            "amount_min": Decimal("10.50"),
        }
    )
    assert params == [
        ("search[invoiceids][]", "1"),
        ("search[invoiceids][]", "2"),
        ("search[invoice_number]", "0000142"),
        ("search[paid]", "false"),
        ("search[date_min]", "2024-05-01"),
        ("search[amount_min]", "10.50"),
    ]
    assert include_params(["lines"]) == [("include[]", "lines")]


def test_aware_datetimes_become_the_freshbooks_calendar_day():
    # 03:00 UTC on 2 May is still 1 May in New York, where FreshBooks keeps its timestamps.
    assert search_params({"updated_min": datetime(2024, 5, 2, 3, 0, tzinfo=UTC)}) == [
        ("search[updated_min]", "2024-05-01")
    ]
    assert search_params({"updated_min": datetime(2024, 5, 2, 3, 0)}) == [
        ("search[updated_min]", "2024-05-02")
    ]


@pytest.mark.parametrize("value", [1.5, object()])
def test_search_values_that_cannot_be_sent_are_refused(value):
    with pytest.raises(TypeError):
        search_params({"amount_min": value})


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("5"), "5.00"),
        (Decimal("1130.1"), "1130.10"),
        (12, "12.00"),
        (Decimal("-3.50"), "-3.50"),
    ],
)
def test_money_has_two_places(amount, text):
    assert money_text(amount) == text


@pytest.mark.parametrize(
    "amount", [Decimal("1.005"), 1.5, "1.50", Decimal("NaN"), Decimal("Infinity"), True]
)
def test_money_that_would_lose_or_invent_precision_is_refused(amount):
    with pytest.raises(InvalidMoney) as caught:
        money_text(amount)
    assert isinstance(caught.value, DataError)
