"""The EDI benchmark runs end to end on a small size: both readers agree, every figure reported."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_edi_benchmark_smoke():
    pytest.importorskip("mockedi", reason="mock-edi (dev-only) is the benchmark's baseline")
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_edi.py"), "--invoices", "30"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    figures = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert [f["name"] for f in figures] == [
        "edi_x12_810_write",
        "edi_x12_810_write_mapped",
        "edi_edifact_invoic_read",
        "edi_x12_810_read",
    ]
    assert all(f["value"] > 0 and f["baseline_value"] > 0 for f in figures)
    assert "30 transaction sets" in proc.stdout
