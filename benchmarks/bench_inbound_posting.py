"""Posting a remittance file: one call at a time beside the adaptive limiter, against the sandbox.

The sandbox answers every request after an injected latency (``--latency``, default 50 ms, about
a FreshBooks round trip) and, in the second pair of runs, also rate-limits the API
(``Behaviour.rate_limit_per_second``, 429 with Retry-After). Both sides post the same rows
through the same pipeline (claim, map, ledger, audit, file); only the limiter differs: a window
of 1 (sequential) or AIMD up to 16. The client has the production retry policy: its transport
waits out each 429's Retry-After and sends again, and reports the 429 to the limiter as it
happens. Size: ``--rows N`` (default 200).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.harness import report  # noqa: E402
from connector.freshbooks import RetryPolicy  # noqa: E402
from connector.freshbooks.concurrency import AdaptiveLimiter  # noqa: E402
from connector.jobs.inbound_payments import receive_payments  # noqa: E402
from connector.sandbox import Sandbox  # noqa: E402
from connector.store import Store  # noqa: E402
from tests.jobs.inbound_support import (  # noqa: E402
    RAW_HEADER,
    RAW_PAYMENTS_MAP,
    client_for,
    open_invoices,
    partner_run,
)


def post_once(sandbox: Sandbox, work: Path, label: str, rows: int, limiter: AdaptiveLimiter):
    """Post ``rows`` one-cent payments spread over the open invoices; (seconds, outcome)."""
    invoices = open_invoices(sandbox, 10)
    body = RAW_HEADER + "".join(
        f"{invoices[n % len(invoices)]['invoice_number']},0.01,2026-01-05,Check,USD,{label}-{n}\n"
        for n in range(rows)
    )
    mapping = work / "raw.map"
    mapping.write_text(RAW_PAYMENTS_MAP)
    root = work / label
    (root / "outbound").mkdir(parents=True)
    (root / "outbound" / "PAY_BENCH.csv").write_text(body)
    sandbox.requests.clear()
    with Store.open() as store, client_for(sandbox, RetryPolicy()) as client:
        run = partner_run(mapping, client, store, root)
        start = time.perf_counter()
        [outcome] = receive_payments(run, limiter)
        seconds = time.perf_counter() - start
    if outcome.posted != rows:
        raise SystemExit(f"{label}: posted {outcome.posted} of {rows}: {outcome}")
    answers = [entry.status for entry in sandbox.requests.entries()]
    print(
        f"{label}: {seconds:.2f} s, {rows / seconds:.1f} rows/s, {len(answers)} requests, "
        f"{answers.count(429)} answered 429, 429s the limiter heard {limiter.throttles}, "
        f"final window {limiter.window:.1f}"
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rate", type=float, default=20.0, help="rate limit, requests/s")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-posting-") as folder:
        work = Path(folder)
        os.environ["ML_CONNECTOR_HOME"] = str(work / "home")
        with Sandbox(root=work / "sftp", state_dir=work / "sandbox") as sandbox:
            sandbox.faults.add(latency=args.latency, times=None)
            sequential = post_once(sandbox, work, "sequential", args.rows, _one_at_a_time())
            adaptive = post_once(sandbox, work, "adaptive", args.rows, AdaptiveLimiter())
            sandbox.state.behaviour.rate_limit_per_second = args.rate
            limited_seq = post_once(
                sandbox, work, "sequential-limited", args.rows, _one_at_a_time()
            )
            limited = post_once(sandbox, work, "adaptive-limited", args.rows, AdaptiveLimiter())
    print(
        f"rate-limited at {args.rate}/s: sequential {limited_seq:.2f} s, adaptive {limited:.2f} s"
    )
    report(
        "inbound_posting_adaptive",
        adaptive,
        "sequential",
        sequential,
        f"{args.rows} payments with {args.latency * 1000:.0f} ms latency: adaptive faster",
    )


def _one_at_a_time() -> AdaptiveLimiter:
    return AdaptiveLimiter(initial=1, maximum=1)


if __name__ == "__main__":
    main()
