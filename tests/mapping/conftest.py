"""Helpers for mapping tests: write a small mapping beside a copy of the Acme customer lookup."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACME = REPO / "mappings" / "acme_distribution.map"

HEADER = (
    'mapping "Test Partner"\n'
    'lookup customer_numbers from "acme_customers.csv" key freshbooks_id value acme_number\n'
)


@pytest.fixture
def write_mapping(tmp_path):
    shutil.copy(REPO / "mappings" / "acme_customers.csv", tmp_path / "acme_customers.csv")

    def write(body: str, *, header: str = HEADER) -> Path:
        path = tmp_path / "partner.map"
        path.write_text(header + body, encoding="utf-8")
        return path

    return write


def outbound(body: str, *, settings: str = 'file "OUT_{run.seq}.csv"\n rows per line\n') -> str:
    return f"outbound invoice to csv {{\n {settings}{body}\n}}\n"


def invoice(number: str = "0000142", customer: int = 51234, **overrides) -> dict:
    record = {
        "id": int(number),
        "invoice_number": number,
        "customerid": customer,
        "create_date": "2024-05-02",
        "v3_status": "sent",
        "po_number": None,
        "amount": {"amount": "1130.00", "code": "USD"},
        "lines": [
            {"name": "Consulting", "qty": "10", "unit_cost": {"amount": "100.00", "code": "USD"}},
            {"name": "Hosting", "qty": "1", "unit_cost": {"amount": "130.00", "code": "USD"}},
        ],
    }
    record.update(overrides)
    return record
