"""A real receiver under uvicorn, killed with SIGKILL mid-stream, loses no acknowledged event."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connector.freshbooks.signature import HEADER, signature
from connector.store import Store
from tests.webhooks.conftest import EXAMPLE_VERIFIER, FORM

# A consumer that has handled nothing: it sees every event the receiver buffered.
READER = "webhook-tests"

DELIVERIES = 500
KILL_AFTER = 400
CONCURRENCY = 16
STARTUP_ATTEMPTS = 400


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, str, str]]:
    """A `webhooks serve` process over a SQLite store holding one verified callback."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    with Store.open(url) as store:
        token = store.events.add_callback("invoice").path_token
        store.events.set_verifier(token, EXAMPLE_VERIFIER, 2001)
        store.events.mark_verified(token)
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from connector.webhooks.cli import app; app()",
            "serve",
            "--port",
            str(port),
        ],
        env={**os.environ, "ML_CONNECTOR_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_listening(process, port)
        yield process, f"http://127.0.0.1:{port}/hooks/freshbooks/{token}", url
    finally:
        process.kill()
        process.wait()


def _wait_until_listening(process: subprocess.Popen, port: int) -> None:
    for _ in range(STARTUP_ATTEMPTS):
        if process.poll() is not None:
            raise RuntimeError(f"the receiver exited with {process.returncode} on startup")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the receiver did not start listening")


async def _deliver_until_killed(process: subprocess.Popen, url: str) -> set[str]:
    acknowledged: set[str] = set()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def deliver(client: httpx.AsyncClient, object_id: str) -> None:
        fields = [("name", "invoice.update"), ("object_id", object_id), ("account_id", "xZNQ1X")]
        body = "&".join(f"{name}={value}" for name, value in fields)
        headers = {**FORM, HEADER: signature(fields, EXAMPLE_VERIFIER)}
        async with gate:
            if process.returncode is not None:
                return
            try:
                response = await client.post(url, content=body, headers=headers)
            except httpx.TransportError:
                return
        if response.status_code == 200:
            acknowledged.add(object_id)
            if len(acknowledged) == KILL_AFTER:
                process.send_signal(signal.SIGKILL)
                process.wait()

    async with httpx.AsyncClient(timeout=10) as client:
        await asyncio.gather(*(deliver(client, str(number)) for number in range(DELIVERIES)))
    return acknowledged


def test_sigkill_after_answering_loses_no_acknowledged_event(receiver):
    process, url, store_url = receiver

    acknowledged = asyncio.run(_deliver_until_killed(process, url))

    assert process.returncode == -signal.SIGKILL
    assert len(acknowledged) >= KILL_AFTER
    with Store.open(store_url) as store:
        stored = {
            event.object_id for event in store.events.pending(READER, ["invoice.update"], 1000)
        }
    assert acknowledged <= stored
