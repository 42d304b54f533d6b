"""Shared helpers of the benchmark entries: timing, percentiles, report lines, cached data sets."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DATA_ROOT = Path(os.environ.get("MOTCUA_BENCH_DATA",
                               Path(__file__).resolve().parents[1] / ".benchmarks-data"))


@dataclass
class Report:
    """Lines of one entry: figures, ratios and whether each goal was met."""

    title: str
    lines: list[str] = field(default_factory=list)
    goals: list[tuple[str, bool]] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)
        print(f"  {line}", flush=True)

    def goal(self, text: str, met: bool) -> None:
        self.goals.append((text, met))
        print(f"  goal: {text}: {'MET' if met else 'NOT MET'}", flush=True)


def timed_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds of ``repeat`` calls of ``fn`` (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux: ru_maxrss is in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
