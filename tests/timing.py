"""Time limits of the test suite: generous, and scaled by how loaded the machine is.

A time limit in a test guards against a hang or a wrong branch (waiting out a ten-second timeout,
retrying for hours); it is never a speed goal (those live in ``benchmarks/``). Limits are written
as they would be on an idle machine and go through :func:`budget`, which multiplies them by
:data:`GENEROSITY` and by :data:`CONTENTION`, measured once when the session starts: the wall time
of a short busy loop over the CPU time it got (1 on an idle machine, about 4 when eight busy
processes share two cores). ``MOTCUA_TEST_TIME_SCALE`` replaces the whole factor (``budget(s)`` is
then ``s * MOTCUA_TEST_TIME_SCALE``).

``tests/conftest.py`` applies :data:`SCALE` to every pytest-qt wait (``waitUntil``, ``waitSignal``…),
so a test writes the limit it means on an idle machine.
"""

from __future__ import annotations

import os
import time

GENEROSITY = 3.0
MAX_SCALE = 30.0
SCALE_ENV = "MOTCUA_TEST_TIME_SCALE"


def measure_contention(cpu_seconds: float = 0.15) -> float:
    """Wall time over CPU time of a busy loop of ``cpu_seconds`` (at least 1)."""
    wall, cpu = time.perf_counter(), time.process_time()
    spins = 0
    while time.process_time() - cpu < cpu_seconds:
        spins += 1
    used = max(time.process_time() - cpu, 1e-6)
    return max(1.0, (time.perf_counter() - wall) / used)


def _scale() -> tuple[float, float]:
    override = os.environ.get(SCALE_ENV, "").strip()
    if override:
        return 1.0, float(override)
    contention = measure_contention()
    return contention, min(MAX_SCALE, GENEROSITY * contention)


CONTENTION, SCALE = _scale()


def budget(seconds: float) -> float:
    """``seconds`` (a limit on an idle machine) made generous for this machine's load."""
    return seconds * SCALE


def budget_ms(milliseconds: int) -> int:
    """:func:`budget` for Qt's millisecond timeouts."""
    return int(milliseconds * SCALE)


def paced(seconds: float) -> float:
    """A delay that should land at the same point of a child's work whatever the load (a kill
    moment): ``seconds`` stretched by the measured contention only, not by the generosity."""
    return seconds * CONTENTION
