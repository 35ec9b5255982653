"""The inbound benchmarks run end to end at a tiny size and end with their one JSON line."""

import json
import os
import subprocess
import sys

import pytest

from tests.mapping.conftest import REPO


def run(script: str, env: dict[str, str], *args: str) -> tuple[str, dict]:
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "script,env,name",
    [
        ("bench_inbound_csv.py", {"BENCH_INBOUND_CSV_ROWS": "3000"}, "inbound_csv"),
        (
            "bench_inbound_fixed_width.py",
            {"BENCH_INBOUND_FIXED_WIDTH_ROWS": "3000"},
            "inbound_fixed_width",
        ),
    ],
)
def test_speed_benchmarks_smoke(script, env, name):
    out, result = run(script, env, "--repeat", "1")
    assert "results identical" in out
    assert result["name"] == name and result["unit"] == "s"
    assert result["value"] > 0 and result["ratio"] > 0


def test_memory_benchmark_smoke(tmp_path):
    env = {"BENCH_INBOUND_MEMORY_MB": "4", "TMPDIR": str(tmp_path)}
    _, result = run("bench_inbound_memory.py", env, "--baseline-mb", "2")
    assert result["name"] == "inbound_memory" and result["unit"] == "MB"
    assert result["value"] > 0 and result["baseline_value"] > 0
    assert list(tmp_path.iterdir()) == []  # the generated file is gone
