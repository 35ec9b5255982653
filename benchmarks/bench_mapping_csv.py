"""Invoices to the Acme CSV: the compiled mapping beside a hand-written per-row `csv` loop.

Both sides start from the same pages of API-shaped invoice dicts, as `client.invoices.pages()`
yields them (built before timing), and must give the same bytes, the same source invoice for every
row and the same refused invoices with the same messages. The reported value is the mapping's time
from those pages to CSV bytes, building its frame included; the baseline is the loop's time from
the same pages. A further printed figure renders an API-shaped DataFrame built beforehand, to show
the mapping's own cost. Each side runs --repeat times and the median counts (the runs are printed).
Size: `--invoices N` or BENCH_MAPPING_CSV_INVOICES (default 100,000 x 10 lines).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import sys
from decimal import ROUND_HALF_UP, Decimal
from itertools import chain
from pathlib import Path
from typing import NamedTuple

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.harness import report, timed  # noqa: E402
from connector.mapping import RunContext, load_mapping  # noqa: E402

LINES_PER_INVOICE = 10
PER_PAGE = 100  # the FreshBooks API's largest page
CUSTOMERS = (51234, 51235, 51236, 59999)  # the last has no Acme number: its invoices are refused
RUN = RunContext(dt.datetime(2024, 5, 31), 1, "acme")


def make_pages(count: int) -> list[list[dict]]:
    """`count` invoices with their lines, in pages as the FreshBooks client yields them."""
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
    return [invoices[start : start + PER_PAGE] for start in range(0, count, PER_PAGE)]


def api_frame(pages: list[list[dict]]) -> pl.DataFrame:
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
    return pl.from_dicts(list(chain.from_iterable(pages)), schema=schema)


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


class LoopResult(NamedTuple):
    """What the loop produces: the file, each row's invoice id, and the refused invoices."""

    content: bytes
    sources: list[str]
    refused: list[tuple[str, str]]


def python_loop(pages: list[list[dict]], customers: dict[str, str]) -> LoopResult:
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
    sources, refused = [], []
    for page in pages:
        for invoice in page:
            if invoice["v3_status"] == "draft" or not invoice["lines"]:
                continue
            number = customers.get(str(invoice["customerid"]))
            if number is None:
                message = f"no Acme number for customer {invoice['customerid']}"
                refused.append((str(invoice["id"]), message))
                continue
            created = dt.datetime.strptime(invoice["create_date"], "%Y-%m-%d")
            date = created.strftime("%m/%d/%Y")
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
                sources.append(str(invoice["id"]))
    return LoopResult(out.getvalue().encode("utf-8"), sources, refused)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--invoices", type=int, default=int(os.environ.get("BENCH_MAPPING_CSV_INVOICES", "100000"))
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the median counts")
    args = parser.parse_args(argv)
    pages = make_pages(args.invoices)
    section = load_mapping(REPO / "mappings" / "acme_distribution.map").outbound("invoice")
    with (REPO / "mappings" / "acme_customers.csv").open(encoding="utf-8") as handle:
        customers = {row["freshbooks_id"]: row["acme_number"] for row in csv.DictReader(handle)}
    lines = args.invoices * LINES_PER_INVOICE
    print(
        f"{args.invoices} invoices x {LINES_PER_INVOICE} lines = {lines} invoice lines, "
        f"in {len(pages)} pages"
    )

    value, mapped = timed(
        "compiled mapping (from the API's pages)", lambda: section.render(pages, RUN), args.repeat
    )
    print(f"  {mapped.rows} rows, {len(mapped.rejected)} invoices refused")
    frame = api_frame(pages)
    _, from_frame = timed(
        "compiled mapping (from an API-shaped DataFrame built beforehand)",
        lambda: section.render(frame, RUN),
        args.repeat,
    )
    baseline, expected = timed(
        "python csv loop (from the API's pages)",
        lambda: python_loop(pages, customers),
        args.repeat,
    )
    same = (
        mapped.content == expected.content
        and from_frame.content == expected.content
        and [source.source_id for source in mapped.sources] == expected.sources
        and [(p.source_id, p.message) for p in mapped.rejected] == expected.refused
    )
    if not same:
        print("outputs differ between the mapping and the loop", file=sys.stderr)
        return 1
    print("outputs identical")
    report("mapping_csv", value, "python csv loop", baseline, ">= 10x faster than the loop")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
