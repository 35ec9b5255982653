"""``sandbox serve``: the info JSON is the first output line, and SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from typer.testing import CliRunner

from connector.sandbox.cli import app

SERVE = "from connector.sandbox.cli import app; app()"


def test_serve_prints_info_first_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "ML_CONNECTOR_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-c", SERVE, "serve", "--root", str(tmp_path / "sftp"), "--no-seed"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    try:
        info = json.loads(process.stdout.readline())
        assert info["sftp_root"] == str(tmp_path / "sftp")
        headers = {"Authorization": f"Bearer {info['access_token']}"}
        listed = httpx.get(
            f"{info['api_url']}/accounting/account/{info['account_id']}/invoices/invoices",
            headers=headers,
        )
        assert listed.json()["response"]["result"]["total"] == 0
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        assert process.stderr.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_serve_help_lists_the_options() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--api-port", "--sftp-port", "--root", "--seed", "--no-seed"):
        assert option in result.output


def test_serve_refuses_a_non_number_port() -> None:
    result = CliRunner().invoke(app, ["serve", "--api-port", "eighty"])
    assert result.exit_code == 2


def test_serve_defaults_its_root_under_the_connector_home(tmp_path: Path) -> None:
    env = {**os.environ, "ML_CONNECTOR_HOME": str(tmp_path / "home")}
    command = [sys.executable, "-c", SERVE, "serve", "--no-seed"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, text=True)
    try:
        info = json.loads(process.stdout.readline())
        assert info["sftp_root"] == str(tmp_path / "home" / "sandbox" / "sftp")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
