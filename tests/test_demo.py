"""`make demo` must keep working: run the command as a user would, in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path


def test_demo_moves_invoices_out_and_payments_in(tmp_path):
    env = {**os.environ, "COLUMNS": "200", "HOME": str(tmp_path)}
    env.pop("ML_CONNECTOR_HOME", None)
    done = subprocess.run(
        [sys.executable, "-m", "connector.cli", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "Uploaded ACME_INV_" in out
    assert "REMIT_20260101_002.csv.error.json" in out
    assert "no FreshBooks invoice numbered '9999999'" in out
    assert not (tmp_path / ".ml-connector").exists(), "the demo keeps its state in a temp folder"
