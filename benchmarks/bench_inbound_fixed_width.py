"""Fixed-width payments in: the compiled Northwind mapping beside a per-line string-slicing loop.

The file is one batch as Northwind sends it: a header line (batch number, payment date), the
detail lines, and a trailer with the count of details and their total. Both sides read the same
bytes (generated before timing) and must give the same payment records (line number and every
value), the same refused rows with column, raw value and message, and the same verdict on the
trailer's count and total. The loop does the mapping's work: slices each line by record type,
strips the padding, reads right-aligned zero-padded amounts with two implied decimals, validates
and rounds them as exact Decimals, joins each detail to the header's date and batch, looks up the
method, applies the rule amount <= 0 and the required fields, and checks the trailer. The
mapping's timed part is parse + map to its columnar batch; turning the batch into Python rows for
the comparison happens once, outside the timing. Each side runs --repeat times; the median counts.
Size: `--rows N` or BENCH_INBOUND_FIXED_WIDTH_ROWS detail lines (default 999,998: with the header
and the trailer a 1,000,000-line file; the trailer counts in six digits).
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from connector.mapping.inbound import InboundFileError  # noqa: E402

FILE_NAME = "NWPAY_20240601.txt"
METHODS = {"CHK": "Check", "ACH": "ACH"}
AMOUNT_TEXT = re.compile(r"[+-]?(\d{1,26}(\.\d{0,12})?|\.\d{1,12})")
DIGITS = re.compile(r"[+-]?\d+")
NOT_AN_AMOUNT = "not an amount (write it like 1234.56: no currency sign or separators)"
CENT = Decimal("0.01")

Problem = tuple[int, str | None, str | None, str]


class Result(NamedTuple):
    records: list[tuple]
    rejected: list[Problem]
    file_error: str | None


def make_file(rows: int) -> bytes:
    """One batch: header, `rows` details (one in a hundred awkward), and a matching trailer."""
    lines = ["HDB000071220240601"]
    total = 0
    for i in range(rows):
        invoice = f"{i % 900_000:07d}"
        cents = (i * 7919) % 2_500_000 + 1
        amount = f"{cents:012d}"
        method = ("CHK", "ACH", "WIR")[i % 3]
        match i % 1009:
            case 7:
                cents, amount = 0, "000000000000"
            case 13:
                cents, amount = -cents, "-" + f"{cents:011d}"
            case 17:
                cents, amount = 0, "0000000012X4"  # not an amount: left out of the total
            case 19:
                invoice = ""
        total += cents
        lines.append(f"DT{invoice:<10}{amount}{method}")
    lines.append(f"TR{rows:06d}{'-' if total < 0 else ''}{abs(total):0{14 - (total < 0)}d}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _text(raw: str) -> str | None:
    value = raw.rstrip(" ").rstrip()
    return value or None


def _right_zero(raw: str, implied: int) -> str | None:
    """A right-aligned, zero-padded field as the format reads it, the implied point put back."""
    value = raw.lstrip("0")
    if value == "" and raw != "":
        value = "0"
    value = value.strip()
    if not value:
        return None
    if implied and DIGITS.fullmatch(value):
        sign = "-" if value.startswith("-") else ""
        body = value.lstrip("+-").lstrip("0").rjust(implied + 1, "0")
        value = f"{sign}{body[:-implied]}.{body[-implied:]}"
    return value


def _money(text: str | None) -> Decimal | None:
    stripped = (text or "").strip()
    if AMOUNT_TEXT.fullmatch(stripped):
        return Decimal(stripped).quantize(CENT, rounding=ROUND_HALF_UP)
    return None


def python_loop(data: bytes) -> Result:
    records, rejected = [], []
    batch = paid_on = date = None
    count, total = 0, Decimal(0)
    trailer_count = trailer_total = None
    for number, line in enumerate(data.decode("utf-8").split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        kind = line[0:2]
        if kind == "HD":
            batch, paid_on = _text(line[2:10]), _text(line[10:18])
            date = dt.datetime.strptime(paid_on, "%Y%m%d").date()
        elif kind == "TR":
            trailer_count = _right_zero(line[2:8], 0)
            trailer_total = _right_zero(line[8:22], 2)
        elif kind == "DT":
            count += 1
            invoice, raw_amount = _text(line[2:12]), _right_zero(line[12:24], 2)
            method = _text(line[24:27])
            amount = _money(raw_amount)
            if amount is not None:
                total += amount
            problems: list[Problem] = []
            if amount is None and (raw_amount or "").strip():
                problems.append((number, "detail.Amount", raw_amount, NOT_AN_AMOUNT))
            if amount is not None and amount <= 0:
                message = f"amount must be positive, got {amount}"
                problems.append((number, "detail.Amount", raw_amount, message))
            if amount is None and not (raw_amount or "").strip():
                message = "amount is required but empty"
                problems.append((number, "detail.Amount", raw_amount, message))
            if not (invoice or "").strip():
                message = "invoice_number is required but empty"
                problems.append((number, "detail.Invoice", invoice, message))
            if problems:
                rejected.extend(problems)
                continue
            kind_name = METHODS.get(method, "Other")
            note = f"Northwind batch {batch}"
            records.append((number, invoice, amount, date, None, kind_name, note))
        else:
            return Result([], [], f"line {number} is no known record type")
    if Decimal(trailer_count or "0") != count:
        error = f"the trailer counts {trailer_count} payments, the file has {count}"
        return Result([], [], f"{FILE_NAME}: {error}")
    if _money(trailer_total) != total:
        return Result([], [], f"{FILE_NAME}: the trailer totals {trailer_total}")
    return Result(records, rejected, None)


def mapped(section, data: bytes) -> Result:
    """The mapping's outcome: its batch, or the file rule that refused the file."""
    try:
        return section.parse(data, FILE_NAME)
    except InboundFileError as error:
        return Result([], [], error.message)


def in_loop_shape(outcome) -> Result:
    """The mapping's batch in the loop's shape: done once, outside the timing."""
    if isinstance(outcome, Result):
        return outcome
    fields = ("invoice_number", "amount", "date", "currency", "type", "note")
    records = outcome.frame.select("row_number", *fields).rows()
    problems = [(p.row_number, p.column, p.value, p.message) for p in outcome.rejected]
    return Result(records, problems, None)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rows",
        type=int,
        default=int(os.environ.get("BENCH_INBOUND_FIXED_WIDTH_ROWS", "999998")),
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the median counts")
    args = parser.parse_args(argv)
    data = make_file(args.rows)
    section = load_mapping(REPO / "mappings" / "northwind_fixed_width.map").inbound("payment")
    print(f"{args.rows} detail lines, {len(data) / 1e6:.1f} MB fixed-width")

    value, outcome = timed(
        "compiled mapping (parse + map to a columnar batch)",
        lambda: mapped(section, data),
        args.repeat,
    )
    baseline, expected = timed("python slicing loop", lambda: python_loop(data), args.repeat)
    result = in_loop_shape(outcome)
    print(f"  {len(result.records)} records, {len(result.rejected)} problems refused")
    same = (
        result.records == expected.records
        and sorted(result.rejected) == sorted(expected.rejected)
        and (result.file_error is None) == (expected.file_error is None)
    )
    if not same or result.file_error is not None:
        print("results differ between the mapping and the loop", file=sys.stderr)
        print(f"  mapping file error: {result.file_error}", file=sys.stderr)
        print(f"  loop file error: {expected.file_error}", file=sys.stderr)
        return 1
    print("results identical")
    report("inbound_fixed_width", value, "python slicing loop", baseline, ">= 10x faster")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
