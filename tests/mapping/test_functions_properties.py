"""Money rounding agrees with Python's decimal module in every mode; cents round-trip exactly."""

from __future__ import annotations

import decimal
from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.mapping.functions.money import ROUNDING_MODES
from connector.mapping.values import DECIMAL
from tests.mapping.test_functions import evaluate

PYTHON_MODES = {
    "half_up": decimal.ROUND_HALF_UP,
    "half_even": decimal.ROUND_HALF_EVEN,
    "down": decimal.ROUND_DOWN,
    "up": decimal.ROUND_UP,
    "ceiling": decimal.ROUND_CEILING,
    "floor": decimal.ROUND_FLOOR,
}
assert set(PYTHON_MODES) == set(ROUNDING_MODES)

amounts = st.decimals(
    min_value=Decimal("-99999999999999"),
    max_value=Decimal("99999999999999"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)


def frame_of(values: list[Decimal]) -> pl.DataFrame:
    return pl.DataFrame({"n": [str(v) for v in values]}).select(pl.col("n").cast(DECIMAL))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(amounts, min_size=1, max_size=30),
    st.integers(min_value=0, max_value=5),
    st.sampled_from(sorted(PYTHON_MODES)),
)
def test_money_rounds_like_python_decimal(values, places, mode):
    got = evaluate(f'money(n, places: {places}, rounding: "{mode}")', frame_of(values)).values
    quantum = Decimal(1).scaleb(-places)
    assert got == [v.quantize(quantum, rounding=PYTHON_MODES[mode]) for v in values]


@settings(max_examples=80, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=30))
def test_text_amounts_round_like_python_decimal(values):
    frame = pl.DataFrame({"A": [f"{v:f}" for v in values]})
    got = evaluate('money(col("A"), places: 2, rounding: "half_even")', frame).values
    assert got == [v.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_EVEN) for v in values]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(min_value=-(10**15), max_value=10**15), min_size=1, max_size=30))
def test_cents_round_trip(counts):
    frame = pl.DataFrame({"A": [str(c) for c in counts]})
    outcome = evaluate('cents(from_cents(col("A")))', frame)
    assert outcome.values == counts and outcome.refusals == []


@settings(max_examples=80, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=30))
def test_amounts_round_trip_through_cents(values):
    two_places = [v.quantize(Decimal("0.01"), rounding=decimal.ROUND_HALF_UP) for v in values]
    got = evaluate("from_cents(cents(n))", frame_of(values)).values
    assert got == two_places
