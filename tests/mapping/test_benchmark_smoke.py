"""The benchmark runs end to end on a small size and ends with its one JSON line."""

import json
import os
import subprocess
import sys

from tests.mapping.conftest import REPO


def test_benchmark_smoke():
    env = {**os.environ, "BENCH_MAPPING_CSV_INVOICES": "300"}
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_mapping_csv.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "outputs identical" in proc.stdout
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["name"] == "mapping_csv" and result["unit"] == "s"
    assert result["baseline"] == "python csv loop"
    assert result["value"] > 0 and result["ratio"] > 0
