"""Webhook receiver: sustained verified, durably committed deliveries a second, beside no work.

Each side is a real uvicorn server in a child process, started the way `webhooks serve` starts it
(same host, log level and defaults): the receiver over a new SQLite store in a temporary
directory, holding one verified callback; the baseline is a Starlette app on the same route that
reads the body and answers 200 with no work. One load generator in this process keeps
`--connections` HTTP/1.1 keep-alive connections busy for a warm-up second and then `--seconds`
measured ones, each delivery a correctly signed `invoice.update` for a new object id. Only 200s
that complete inside the measured window count; latency is from the request's first byte to the
response's last. After each run the receiver is killed with SIGKILL and its store must hold
every delivery it acknowledged, warm-up included. The load generator shares the machine's cores
with the server, as FreshBooks would not: its CPU per delivery is printed beside the server's.
The sides take turns `--repeat` times (default 3), each run on a new server and store, and each
side's median run by rate counts, since other work on the machine moves single runs a lot.
Size: `--seconds N` or BENCH_WEBHOOK_SECONDS (default 5), `--connections N` (default 32).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import h11
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.harness import report  # noqa: E402
from connector.freshbooks.signature import HEADER, signature  # noqa: E402
from connector.store import Store  # noqa: E402
from connector.webhooks.app import ROUTE, create_app  # noqa: E402

HOST = "127.0.0.1"
VERIFIER = "QmVuY2htYXJrVmVyaWZpZXI"
ACCOUNT_ID = "xZNQ1X"
EVENT = "invoice.update"
WARM_UP_S = 1.0
STARTUP_S = 20.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LABELS = {"baseline": "no-work app", "receiver": "receiver"}


@dataclass(frozen=True, slots=True)
class Sample:
    object_id: str
    status: int
    started: float
    finished: float


@dataclass(frozen=True, slots=True)
class Side:
    """One server's figures over the measured window."""

    label: str
    rate: float
    p50_ms: float
    p99_ms: float
    refused: int
    lost: int
    acknowledged: int
    server_cpu_us: float
    client_cpu_us: float

    def describe(self) -> str:
        return (
            f"{self.label}: {self.rate:,.0f} deliveries/s, p50 {self.p50_ms:.1f} ms, "
            f"p99 {self.p99_ms:.1f} ms, {self.refused} not 200; CPU per delivery: server "
            f"{self.server_cpu_us:.0f} us, load generator {self.client_cpu_us:.0f} us"
        )


def serve(kind: str, port: int, store_url: str) -> None:
    """The child: one app under uvicorn.run with the arguments `webhooks serve` passes."""
    if kind == "receiver":
        with Store.open(store_url) as store:
            uvicorn.run(create_app(store), host=HOST, port=port, log_level="info")
    else:
        uvicorn.run(no_work_app(), host=HOST, port=port, log_level="info")


def no_work_app() -> Starlette:
    """The receiver's route and body read, without verifying or storing anything."""

    async def answer(request: Request) -> PlainTextResponse:
        await request.body()
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(ROUTE, answer, methods=["POST"])])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _start(kind: str, store_url: str) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port), "--store", store_url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the {kind} server exited with {process.returncode} on startup")
        try:
            with socket.create_connection((HOST, port), timeout=0.1):
                return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit(f"the {kind} server did not listen within {STARTUP_S:.0f} s")


def _cpu_seconds(pid: int) -> float:
    """A process's user plus system time, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _request(connection: h11.Connection, path: str, object_id: str) -> bytes:
    fields = [("name", EVENT), ("object_id", object_id), ("account_id", ACCOUNT_ID)]
    body = "&".join(f"{name}={value}" for name, value in fields).encode("ascii")
    headers = [
        ("host", HOST),
        ("content-type", "application/x-www-form-urlencoded"),
        ("content-length", str(len(body))),
        (HEADER, signature(fields, VERIFIER)),
    ]
    return (
        connection.send(h11.Request(method="POST", target=path, headers=headers))
        + connection.send(h11.Data(data=body))
        + connection.send(h11.EndOfMessage())
    )


async def _status(connection: h11.Connection, reader: asyncio.StreamReader) -> int:
    status = 0
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            connection.receive_data(await reader.read(65536))
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.EndOfMessage):
            return status
        elif isinstance(event, h11.ConnectionClosed):
            raise ConnectionError("the server closed a keep-alive connection mid-run")


async def _keep_busy(
    port: int, path: str, ids: Iterator[int], until: float, samples: list[Sample]
) -> None:
    """One connection sending deliveries back to back, each after the previous answer."""
    reader, writer = await asyncio.open_connection(HOST, port)
    connection = h11.Connection(h11.CLIENT)
    try:
        while time.perf_counter() < until:
            object_id = str(next(ids))
            request = _request(connection, path, object_id)
            started = time.perf_counter()
            writer.write(request)
            status = await _status(connection, reader)
            samples.append(Sample(object_id, status, started, time.perf_counter()))
            connection.start_next_cycle()
    finally:
        writer.close()
        await writer.wait_closed()


async def _load(
    port: int, path: str, connections: int, seconds: float
) -> tuple[list[Sample], float]:
    samples: list[Sample] = []
    ids = itertools.count(1)
    start = time.perf_counter() + WARM_UP_S
    until = start + seconds
    await asyncio.gather(*(_keep_busy(port, path, ids, until, samples) for _ in range(connections)))
    return samples, start


def measure(kind: str, folder: Path, args: argparse.Namespace) -> Side:
    """One run against a new server over a new store; a receiver's store is checked after it."""
    store_url = f"sqlite:///{folder / f'{kind}-{time.monotonic_ns()}.db'}"
    path = _store_with_callback(store_url)
    process, port = _start(kind, store_url)
    try:
        server_cpu, client_cpu = _cpu_seconds(process.pid), time.process_time()
        samples, start = asyncio.run(_load(port, path, args.connections, args.seconds))
        server_cpu = _cpu_seconds(process.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    end = start + args.seconds
    counted = [s for s in samples if s.status == 200 and start <= s.finished <= end]
    if len(counted) < 2:
        raise SystemExit(f"{kind}: fewer than two deliveries answered 200 in the window")
    latencies = [(s.finished - s.started) * 1000 for s in counted]
    acknowledged = {s.object_id for s in samples if s.status == 200}
    return Side(
        label=LABELS[kind],
        rate=len(counted) / args.seconds,
        p50_ms=statistics.median(latencies),
        p99_ms=statistics.quantiles(latencies, n=100)[98],
        refused=sum(1 for s in samples if s.status != 200),
        lost=len(_lost(store_url, acknowledged)) if kind == "receiver" else 0,
        acknowledged=len(acknowledged),
        server_cpu_us=server_cpu / len(samples) * 1e6,
        client_cpu_us=client_cpu / len(samples) * 1e6,
    )


def _store_with_callback(url: str) -> str:
    with Store.open(url) as store:
        token = store.events.add_callback("invoice").path_token
        store.events.set_verifier(token, VERIFIER, 1)
        store.events.mark_verified(token)
    return ROUTE.replace("{token}", token)


def _lost(url: str, acknowledged: set[str]) -> set[str]:
    """Acknowledged deliveries the store does not hold, read after the server was killed."""
    with Store.open(url) as store:
        held = {
            e.object_id for e in store.events.pending("benchmark", [EVENT], len(acknowledged) + 1)
        }
    return acknowledged - held


def _median_run(runs: list[Side]) -> Side:
    return sorted(runs, key=lambda run: run.rate)[len(runs) // 2]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_WEBHOOK_SECONDS", "5"))
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the median counts")
    parser.add_argument("--serve", choices=sorted(LABELS), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port, args.store)
        return 0
    print(
        f"{args.connections} connections, {WARM_UP_S:.0f} s warm-up then {args.seconds:g} s "
        f"measured, {args.repeat} runs per side taking turns, on {os.cpu_count()} cores shared "
        f"with the load generator (load average {os.getloadavg()[0]:.1f} before the first run)"
    )
    runs: dict[str, list[Side]] = {kind: [] for kind in LABELS}
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as folder:
        for _ in range(args.repeat):
            for kind, kind_runs in runs.items():
                kind_runs.append(measure(kind, Path(folder), args))
                print("  " + kind_runs[-1].describe())
    baseline, receiver = _median_run(runs["baseline"]), _median_run(runs["receiver"])
    print("median runs:")
    print("  " + baseline.describe())
    print("  " + receiver.describe())
    refused = sum(run.refused for run in runs["receiver"])
    lost = sum(run.lost for run in runs["receiver"])
    if refused or lost:
        print(
            f"the receiver refused {refused} deliveries and lost {lost} it had acknowledged",
            file=sys.stderr,
        )
        return 1
    acknowledged = sum(run.acknowledged for run in runs["receiver"])
    print(
        f"every one of the {acknowledged:,} acknowledged deliveries was in the store after SIGKILL"
    )
    print(
        f"the receiver sustains {receiver.rate / baseline.rate:.2f} of the no-work rate "
        f"(the no-work app answers {baseline.rate / receiver.rate:.1f}x as many)"
    )
    report(
        "webhook_receiver",
        receiver.rate,
        "the same server answering 200 with no work",
        baseline.rate,
        ">= 1,000 deliveries/s",
        unit="deliveries/s",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
