"""What every benchmark shares: median timing, and the one JSON line `make bench` collects."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from typing import Any


def timed(label: str, run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The median time of `repeat` runs, and the last run's result."""
    times, result = [], None
    for _ in range(repeat):
        result = None  # let the previous run's result go before timing the next
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    runs = ", ".join(f"{seconds:.3f}" for seconds in times)
    median = statistics.median(times)
    print(f"{label}: {median:.3f} s (runs: {runs})")
    return median, result


def report(
    name: str, value: float, baseline: str, baseline_value: float, goal: str, unit: str = "s"
) -> None:
    """The closing line: the figure beside its baseline measured in the same run."""
    print(
        json.dumps(
            {
                "name": name,
                "value": round(value, 4),
                "unit": unit,
                "baseline": baseline,
                "baseline_value": round(baseline_value, 4),
                "ratio": round(baseline_value / value, 2),
                "goal": goal,
            }
        )
    )
