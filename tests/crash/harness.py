"""Kill the driver (``driver.py``) with SIGKILL at seeded random moments, restart it, then check.

After the last kill, :func:`check` opens the store and asks: does every dossier that was confirmed
exist, with its operation's key; does every confirmed page exist in the blob store with its hash
and in its dossier's attachments; is anything duplicated (an operation twice, a page twice in a
dossier, a dossier number used twice or skipped); and is ``verify`` clean. Used by
``tests/crash/test_crash.py`` (a few kills) and ``benchmarks/kills.py`` (hundreds).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from app.core.catalogue import default_catalogue_path
from app.core.codes import parse_dossier_code
from app.services.context import AppContext
from app.services.setup import init
from app.services.verify import verify
from app.store.repositories import DossierRepository
from tests.crash.driver import PROCEDURE, existing_ops

DRIVER = Path(__file__).with_name("driver.py")
READY_TIMEOUT = 60.0


@dataclass
class Confirmed:
    dossiers: dict[int, str] = field(default_factory=dict)  # op -> code
    pages: set[tuple[str, str]] = field(default_factory=set)  # (code, sha256)


@dataclass
class CrashReport:
    kills: int = 0
    kills_before_ready: int = 0
    confirmed_dossiers: int = 0
    confirmed_pages: int = 0
    losses: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    verify_problems: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.losses or self.duplicates or self.verify_problems)


def prepare(data_dir: Path) -> None:
    """A data folder with the one procedure the driver uses."""
    catalogue = json.loads(default_catalogue_path().read_text(encoding="utf-8"))
    catalogue["procedures"] = [p for p in catalogue["procedures"] if p["code"] == PROCEDURE]
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    path = data_dir.parent / f"{data_dir.name}-catalogue.json"
    path.write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")
    with AppContext.open(data_dir) as ctx:
        init(ctx, catalogue_path=path)


class _Child:
    """One run of the driver; its stdout and stderr are read on threads (a full pipe would stall it),
    each line stamped with the moment it arrived."""

    def __init__(self, data_dir: Path, seed: int, pages: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
        env["PYTHONUNBUFFERED"] = "1"
        self.started = time.perf_counter()
        self.process = subprocess.Popen([sys.executable, str(DRIVER), str(data_dir), str(seed), str(pages)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lines: list[str] = []
        self.ready_after: float | None = None  # seconds from the start to READY
        self.confirmed_at: list[float] = []  # when each CONFIRMED line arrived
        self._changed = threading.Condition()
        self._stderr = bytearray()
        self._readers = [threading.Thread(target=self._read, daemon=True),
                         threading.Thread(target=self._drain_stderr, daemon=True)]
        for reader in self._readers:
            reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            if not raw.endswith(b"\n"):  # cut by the kill: never a confirmation
                break
            line = raw.decode("utf-8").rstrip("\n")
            now = time.perf_counter()
            with self._changed:
                self.lines.append(line)
                if line.startswith("READY"):
                    self.ready_after = now - self.started
                elif line.startswith("CONFIRMED"):
                    self.confirmed_at.append(now)
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for chunk in iter(lambda: self.process.stderr.read1(65536), b""):  # type: ignore[union-attr]
            self._stderr += chunk

    @property
    def ready(self) -> bool:
        return self.ready_after is not None

    def wait_for(self, confirmations: int, timeout: float) -> bool:
        """Wait until READY and ``confirmations`` CONFIRMED lines have arrived (False: timed out or
        the driver exited)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: (self.ready and len(self.confirmed_at) >= confirmations)
                or self.process.poll() is not None, timeout) and self.process.poll() is None

    def kill(self) -> str:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=READY_TIMEOUT)
        for reader in self._readers:
            reader.join(timeout=READY_TIMEOUT)
        return self._stderr.decode("utf-8", "replace")


class _Pace:
    """How long the driver takes on this machine now: to start, and from one confirmation to the
    next. Kill moments are drawn on these measured scales, so a loaded machine (slower start-up,
    slower commits) gets kills at the same places in the work as an idle one, not all before the
    first commit."""

    def __init__(self) -> None:
        self.startups: list[float] = []
        self.steps: list[float] = []

    def learn(self, child: _Child) -> None:
        if child.ready_after is not None:
            self.startups.append(child.ready_after)
        stamps = child.confirmed_at
        self.steps += [b - a for a, b in pairwise(stamps)]

    @property
    def startup(self) -> float:
        """Typical seconds to READY (0.8 until one start has been seen)."""
        recent = self.startups[-8:]
        return sum(recent) / len(recent) if recent else 0.8

    @property
    def step(self) -> float:
        """Typical seconds between two confirmations (0.2 until some have been seen)."""
        recent = self.steps[-32:]
        return sum(recent) / len(recent) if recent else 0.2


def _record(lines: list[str], confirmed: Confirmed) -> None:
    for line in lines:
        parts = line.split()
        if parts[:2] == ["CONFIRMED", "dossier"]:
            confirmed.dossiers[int(parts[2])] = parts[3]
        elif parts[:2] == ["CONFIRMED", "page"]:
            confirmed.pages.add((parts[3], parts[4]))


def run_kills(data_dir: Path, *, kills: int, seed: int, pages: int = 2, early_share: float = 0.15,
              time_budget: float | None = None, progress: bool = False) -> tuple[CrashReport, Confirmed]:
    """Start, kill and restart the driver ``kills`` times (fewer if ``time_budget`` runs out).

    A kill during start-up comes at a random moment of the measured start-up time; any other kill
    comes after a random number of confirmations (0 to two operations' worth) plus a random part
    of the measured time between two confirmations, so it lands anywhere inside an operation
    whatever the machine's load. Every wait has a generous limit: a driver that stalls fails."""
    rng = random.Random(seed)
    report, confirmed, pace = CrashReport(), Confirmed(), _Pace()
    lines_per_op = 1 + pages
    started = time.perf_counter()
    for n in range(kills):
        if time_budget is not None and n and time.perf_counter() - started > time_budget:
            break
        child = _Child(data_dir, seed, pages)
        if rng.random() < early_share:  # during start-up: opening, WAL recovery, first statements
            time.sleep(rng.uniform(0.0, pace.startup))
        else:
            wanted = rng.randint(0, 2 * lines_per_op)
            if not child.wait_for(wanted, READY_TIMEOUT * (1 + wanted)):
                exited = child.process.poll()
                stderr = child.kill()
                raise RuntimeError(f"the driver did not start or stalled (exit {exited}, "
                                   f"{len(child.confirmed_at)}/{wanted} confirmations):\n{stderr[-3000:]}")
            time.sleep(rng.uniform(0.0, pace.step))
        report.kills_before_ready += not child.ready
        exited = child.process.poll()
        stderr = child.kill()
        if exited is not None:  # it died by itself: a bug, not a crash test
            raise RuntimeError(f"the driver exited with {exited} before the kill:\n{stderr[-3000:]}")
        pace.learn(child)
        _record(child.lines, confirmed)
        report.kills += 1
        if progress and report.kills % 20 == 0:
            print(f"  {report.kills} kills, {len(confirmed.dossiers)} dossiers confirmed", flush=True)
    report.seconds = time.perf_counter() - started
    return report, confirmed


def check(data_dir: Path, report: CrashReport, confirmed: Confirmed) -> CrashReport:
    """Fill in losses, duplicates and verify problems (see the module documentation)."""
    report.confirmed_dossiers = len(confirmed.dossiers)
    report.confirmed_pages = len(confirmed.pages)
    with AppContext.open(data_dir, create=False) as ctx:
        ops = existing_ops(ctx)
        stored = {}
        with ctx.session() as session:
            repo = DossierRepository(session)
            for code in set(ops.values()) | set(confirmed.dossiers.values()):
                try:
                    stored[code] = repo.get(code)
                except Exception:
                    stored[code] = None
        for op, code in sorted(confirmed.dossiers.items()):
            if stored.get(code) is None:
                report.losses.append(f"dossier {code} (op {op}) was confirmed but is not stored")
            elif ops.get(op) != code:
                report.losses.append(f"dossier {code} does not carry op {op}")
        for code, sha in sorted(confirmed.pages):
            dossier = stored.get(code)
            if dossier is None or all(a.sha256 != sha for a in dossier.attachments):
                report.losses.append(f"page {sha[:12]} of {code} was confirmed but is not attached")
            elif not ctx.db.blobs.verify(sha):
                report.losses.append(f"page {sha[:12]} of {code} is missing or corrupt in the blob store")
        _duplicates(ctx, report, stored)
        report.verify_problems = verify(ctx).to_json()["problems"]
    return report


def _duplicates(ctx: AppContext, report: CrashReport, stored: dict) -> None:
    from sqlalchemy import select

    from app.store.models import DossierRow

    with ctx.session() as session:
        rows = session.execute(select(DossierRow.code, DossierRow.history)).all()
    notes = Counter(entry.get("note") for _code, history in rows for entry in history or []
                    if str(entry.get("note", "")).startswith("crash-op"))
    report.duplicates += [f"{note} received {n} times" for note, n in notes.items() if n > 1]
    numbers = sorted(parse_dossier_code(code)[2] for code, _h in rows)
    if numbers != list(range(1, len(numbers) + 1)):
        report.duplicates.append(f"dossier numbers are not 1..{len(numbers)} without gaps: "
                                 f"{numbers[:5]}…{numbers[-5:]}")
    for code, dossier in stored.items():
        if dossier is not None:
            shas = Counter(a.sha256 for a in dossier.attachments)
            report.duplicates += [f"page {sha[:12]} attached {n} times to {code}" for sha, n in shas.items()
                                  if n > 1]
