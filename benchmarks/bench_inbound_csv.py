"""Remittance CSV in: the compiled Acme mapping beside a per-row `csv.DictReader` loop.

Both sides read the same bytes (generated before timing) and must give the same payment records
(row number and every value), the same refused rows and the same warnings, each with its column,
raw value and message. The mapping's timed part is parse + map to its columnar batch
(`InboundBatch.frame`); the frame is turned into Python rows once, outside the timing, for the
comparison. The loop does the same work: trim, exact Decimal money with the mapping's validation
and half-up rounding, strptime dates, the payment-type lookup, the note, the required fields, the
reject rule amount <= 0 and the warn rule date > today, and row numbers. Each side runs --repeat
times and the median counts. Size: `--rows N` or BENCH_INBOUND_CSV_ROWS (default 1,000,000).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import re
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.harness import report, timed  # noqa: E402
from connector.mapping import load_mapping  # noqa: E402

FILE_NAME = "REMIT_20240601.csv"
HEADER = ["Invoice #", "Amount Paid", "Paid On", "Method", "Check No"]
METHODS = ("CHK", "ACH", " WIR ", "ZZZ", "ACH")
PAYMENT_TYPES = {"CHK": "Check", "ACH": "ACH", "WIR": "Bank Transfer"}
AMOUNT_TEXT = re.compile(r"[+-]?(\d{1,26}(\.\d{0,12})?|\.\d{1,12})")
NOT_AN_AMOUNT = "not an amount (write it like 1234.56: no currency sign or separators)"
NOT_A_DATE = "not a date in the form %Y-%m-%d (like 2024-05-31)"
CENT = Decimal("0.01")

# One problem: (row, column, raw value, message); one record: (row, every payment field).
Problem = tuple[int, str | None, str | None, str]


class Result(NamedTuple):
    records: list[tuple]
    rejected: list[Problem]
    warnings: list[Problem]


def make_csv(rows: int) -> bytes:
    """A remittance file with the awkward rows partners send: ten kinds, one row in a hundred."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(rows):
        invoice = f"{i % 900_000:07d}"
        amount = f"{(i * 7919) % 250_000 // 100}.{i % 100:02d}"
        paid = f"20{23 + i % 2}-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
        check = str(4000 + i % 9000) if i % 5 else ""
        match i % 1009:
            case 7:
                amount = "abc"
            case 13:
                amount = "1,250.00"
            case 17:
                amount = "0"
            case 19:
                amount = f"-{i % 500}.5"
            case 23:
                amount = f"{i % 90}.005"  # rounds half up
            case 29:
                paid = "12/05/2024"
            case 31:
                paid = "2999-01-01"  # warned, not refused
            case 37:
                invoice = "   "
            case 41:
                amount = ""
            case 43:
                invoice = f"  {invoice} "
        writer.writerow([invoice, amount, paid, METHODS[i % len(METHODS)], check])
    return out.getvalue().encode("utf-8")


def python_loop(data: bytes, today: dt.date) -> Result:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    records, rejected, warnings = [], [], []
    for row_number, row in enumerate(reader, start=2):
        raw_invoice, raw_amount, raw_date = row["Invoice #"], row["Amount Paid"], row["Paid On"]
        invoice = raw_invoice.strip()
        amount_text = raw_amount.strip()
        date_text = raw_date.strip()
        problems: list[Problem] = []
        amount = None
        if AMOUNT_TEXT.fullmatch(amount_text):
            amount = Decimal(amount_text).quantize(CENT, rounding=ROUND_HALF_UP)
        elif amount_text:
            problems.append((row_number, "Amount Paid", raw_amount, NOT_AN_AMOUNT))
        date = None
        if date_text:
            try:
                date = dt.datetime.strptime(date_text, "%Y-%m-%d").date()
            except ValueError:
                problems.append((row_number, "Paid On", raw_date, NOT_A_DATE))
        if amount is not None and amount <= 0:
            message = f"amount must be positive, got {amount}"
            problems.append((row_number, "Amount Paid", raw_amount, message))
        if date is not None and date > today:
            warnings.append((row_number, "Paid On", raw_date, "payment dated in the future"))
        if amount is None and not amount_text:
            message = "amount is required but empty"
            problems.append((row_number, "Amount Paid", raw_amount or None, message))
        if date is None and not date_text:
            message = "date is required but empty"
            problems.append((row_number, "Paid On", raw_date or None, message))
        if not invoice:
            message = "invoice_number is required but empty"
            problems.append((row_number, "Invoice #", raw_invoice or None, message))
        if problems:
            rejected.extend(problems)
            continue
        kind = PAYMENT_TYPES.get(row["Method"].strip(), "Other")
        note = "Acme remittance " + row["Check No"].strip()
        records.append((row_number, invoice, amount, date, None, kind, note))
    return Result(records, rejected, warnings)


def mapped_result(batch) -> Result:
    """The mapping's batch in the loop's shape: done once, outside the timing."""
    fields = ("invoice_number", "amount", "date", "currency", "type", "note")
    records = batch.frame.select("row_number", *fields).rows()

    def problems(found) -> list[Problem]:
        return [(p.row_number, p.column, p.value, p.message) for p in found]

    return Result(records, problems(batch.rejected), problems(batch.warnings))


def same(mapped: Result, loop: Result) -> bool:
    return (
        mapped.records == loop.records
        and sorted(mapped.rejected) == sorted(loop.rejected)
        and sorted(mapped.warnings) == sorted(loop.warnings)
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rows", type=int, default=int(os.environ.get("BENCH_INBOUND_CSV_ROWS", "1000000"))
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the median counts")
    args = parser.parse_args(argv)
    data = make_csv(args.rows)
    section = load_mapping(REPO / "mappings" / "acme_distribution.map").inbound("payment")
    today = dt.date.today()
    print(f"{args.rows} remittance rows, {len(data) / 1e6:.1f} MB of CSV")

    value, batch = timed(
        "compiled mapping (parse + map to a columnar batch)",
        lambda: section.parse(data, FILE_NAME),
        args.repeat,
    )
    baseline, expected = timed(
        "python csv.DictReader loop", lambda: python_loop(data, today), args.repeat
    )
    mapped = mapped_result(batch)
    print(
        f"  {len(mapped.records)} records, {len(mapped.rejected)} problems refused, "
        f"{len(mapped.warnings)} warnings"
    )
    if not same(mapped, expected):
        print("results differ between the mapping and the loop", file=sys.stderr)
        return 1
    print("results identical")
    report("inbound_csv", value, "python csv.DictReader loop", baseline, ">= 10x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
