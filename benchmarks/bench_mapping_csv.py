"""Invoices to the Acme CSV: the compiled mapping beside a hand-written per-row `csv` loop.

Both sides start from the same API-shaped invoice dicts (built before timing) and must produce the
same bytes; the reported value includes building the frame from those dicts. A second figure
renders from an API-shaped DataFrame built beforehand, to show the mapping's own cost.
Size: `--invoices N` or BENCH_MAPPING_CSV_INVOICES (default 100,000 x 10 lines).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from connector.mapping import RunContext, load_mapping  # noqa: E402

LINES_PER_INVOICE = 10
CUSTOMERS = (51234, 51235, 51236, 59999)  # the last has no Acme number: its invoices are refused
RUN = RunContext(dt.datetime(2024, 5, 31), 1, "acme")


def make_invoices(count: int) -> list[dict]:
    invoices = []
    for i in range(count):
        lines = [
            {
                "lineid": j + 1,
                "invoiceid": i,
                "type": 0,
                "name": f" item {j} ",
                "description": "",
                "qty": str(j % 4 + 1),
                "unit_cost": {
                    "amount": f"{(i * 7 + j * 13) % 5000}.{(i + j) % 1000:03d}",
                    "code": "USD",
                },
                "amount": {"amount": "10.00", "code": "USD"},
                "taxName1": "",
                "taxAmount1": "0",
            }
            for j in range(LINES_PER_INVOICE)
        ]
        invoices.append(
            {
                "id": 100000 + i,
                "invoiceid": 100000 + i,
                "accountid": "xZNQ1X",
                "invoice_number": f"{i:07d}",
                "customerid": CUSTOMERS[i % 97 % len(CUSTOMERS)],
                "organization": "Northwind Ltd",
                "create_date": f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                "currency_code": "USD",
                "v3_status": "draft" if i % 50 == 0 else "sent",
                "po_number": None if i % 3 else f"PO-{i}",
                "amount": {"amount": f"{i % 100000}.{i % 100:02d}", "code": "USD"},
                "vis_state": 0,
                "lines": lines,
            }
        )
    return invoices


def api_frame(invoices: list[dict]) -> pl.DataFrame:
    """The invoices as a DataFrame in the API's shape, as a page reader would hand them over."""
    money = pl.Struct({"amount": pl.String, "code": pl.String})
    line = pl.Struct({"name": pl.String, "qty": pl.String, "unit_cost": money})
    schema = {
        "id": pl.Int64,
        "invoice_number": pl.String,
        "customerid": pl.Int64,
        "create_date": pl.String,
        "v3_status": pl.String,
        "po_number": pl.String,
        "amount": money,
        "lines": pl.List(line),
    }
    return pl.from_dicts(invoices, schema=schema)


def _money(text: str) -> str:
    return str(Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _cell(value: str) -> str:
    if value and value[0] in "=+-@\t\r":
        try:
            float(value)
            if value.lstrip("+-").replace(".", "", 1).isdigit():
                return value
        except ValueError:
            pass
        return "'" + value
    return value


def python_loop(invoices: list[dict], customers: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "Invoice No",
            "Invoice Date",
            "Customer No",
            "PO",
            "Item",
            "Qty",
            "Unit Price",
            "Invoice Total",
            "Currency",
            "Vendor",
        ]
    )
    for invoice in invoices:
        if invoice["v3_status"] == "draft":
            continue
        number = customers.get(str(invoice["customerid"]))
        if number is None:
            continue
        date = dt.date.fromisoformat(invoice["create_date"]).strftime("%m/%d/%Y")
        total = _money(invoice["amount"]["amount"])
        for line in invoice["lines"]:
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        invoice["invoice_number"],
                        date,
                        number,
                        invoice["po_number"] or "",
                        line["name"].strip().upper(),
                        line["qty"],
                        _money(line["unit_cost"]["amount"]),
                        total,
                        invoice["amount"]["code"],
                        "SELLERCO",
                    )
                ]
            )
    return out.getvalue().encode("utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--invoices", type=int, default=int(os.environ.get("BENCH_MAPPING_CSV_INVOICES", "100000"))
    )
    args = parser.parse_args(argv)
    invoices = make_invoices(args.invoices)
    section = load_mapping(REPO / "mappings" / "acme_distribution.map").outbound("invoice")
    with (REPO / "mappings" / "acme_customers.csv").open(encoding="utf-8") as handle:
        customers = {row["freshbooks_id"]: row["acme_number"] for row in csv.DictReader(handle)}
    lines = args.invoices * LINES_PER_INVOICE
    print(f"{args.invoices} invoices x {LINES_PER_INVOICE} lines = {lines} invoice lines")

    start = time.perf_counter()
    mapped = section.render(invoices, RUN)
    value = time.perf_counter() - start
    print(
        f"compiled mapping (from API dicts): {value:.3f} s, {mapped.rows} rows, "
        f"{len(mapped.rejected)} invoices refused"
    )

    frame = api_frame(invoices)
    start = time.perf_counter()
    from_frame = section.render(frame, RUN)
    frame_seconds = time.perf_counter() - start
    print(
        f"compiled mapping (from an API-shaped DataFrame built beforehand): {frame_seconds:.3f} s"
    )

    start = time.perf_counter()
    expected = python_loop(invoices, customers)
    baseline = time.perf_counter() - start
    print(f"python csv loop: {baseline:.3f} s")
    if mapped.content != expected or from_frame.content != expected:
        print("outputs differ between the mapping and the loop", file=sys.stderr)
        return 1
    print("outputs identical")
    print(
        json.dumps(
            {
                "name": "mapping_csv",
                "value": round(value, 4),
                "unit": "s",
                "baseline": "python csv loop",
                "baseline_value": round(baseline, 4),
                "ratio": round(baseline / value, 2),
                "goal": ">= 10x faster than the loop",
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
