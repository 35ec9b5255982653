"""Every shipped mapping's golden examples (mappings/NAME.tests/cases.toml), case by case.

The same runner serves `ml-connector mapping test`, so a failure here reads exactly as the analyst
would see it: the case's name and a unified diff of expected against actual.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.mapping.golden import load_cases, run_cases

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
SHIPPED = sorted(MAPPINGS.glob("*.map"))


def test_every_shipped_mapping_has_golden_examples():
    assert SHIPPED
    for mapping in SHIPPED:
        assert load_cases(mapping), f"{mapping.name} has no golden examples"


@pytest.mark.parametrize("mapping", SHIPPED, ids=[path.stem for path in SHIPPED])
def test_golden_cases_pass(mapping):
    failed = [result for result in run_cases(mapping) if not result.passed]
    assert not failed, "\n\n".join(
        f"{result.case.name}: {result.error or result.diff}" for result in failed
    )
