"""Run every ``bench_*.py`` here (or the one named) in its own process and collect their JSON lines.

Each runs in a fresh interpreter so that one's warm caches or memory do not flatter the next.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def _scripts(only: str | None) -> list[Path]:
    scripts = sorted(HERE.glob("bench_*.py"))
    if only:
        scripts = [s for s in scripts if s.stem == f"bench_{only}" or s.stem == only]
        if not scripts:
            names = sorted(s.stem.removeprefix("bench_") for s in HERE.glob("bench_*.py"))
            known = ", ".join(names)
            sys.exit(f"no benchmark named {only!r}; known: {known}")
    return scripts


def main(argv: list[str]) -> int:
    results = []
    for script in _scripts(argv[0] if argv else None):
        print(f"== {script.stem}", flush=True)
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, check=False
        )
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            print(f"!! {script.stem} failed with exit code {proc.returncode}")
            return proc.returncode
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    print("== summary")
    for result in results:
        print(
            f"{result['name']}: {result['value']:.3f} {result['unit']} vs {result['baseline']} "
            f"{result['baseline_value']:.3f} {result['unit']} -> ratio {result['ratio']:.1f} "
            f"(goal: {result['goal']})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
