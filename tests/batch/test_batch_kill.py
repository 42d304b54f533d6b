"""Killing the batch process (SIGKILL) at seeded random moments and starting it again never loses
or duplicates a page, and a page already recorded is never taken again."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.services.batch import batch_outcome
from app.services.context import AppContext
from app.store.repositories import BatchRepository
from tests.batch.batch_helpers import child_env, expected_documents, make_stack
from tests.timing import budget

CHILD = Path(__file__).with_name("batch_child.py")
KINDS = "TTSTTBTKTTTSSTTT"  # 16 pages, 4 separators, 1 blank
KILLS = 6
SEED = 20261204


class Child:
    def __init__(self, data: Path, folder: Path) -> None:
        self.process = subprocess.Popen([sys.executable, str(CHILD), str(data), str(folder)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            if not raw.endswith(b"\n"):
                break
            line = raw.decode("utf-8").rstrip("\n")
            self.lines.append(line)
            if line.startswith("READY"):
                self.ready.set()

    def kill(self) -> str:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.reader.join(timeout=30)
        assert self.process.stderr is not None
        return self.process.stderr.read().decode("utf-8", "replace")

    def took(self) -> list[str]:
        return [line.split()[2] for line in self.lines if line.startswith("TOOK")]


def recorded_names(data: Path) -> list[str]:
    with AppContext.open(data) as ctx, ctx.session() as session:
        repo = BatchRepository(session)
        return [p.name for b in repo.list() for p in repo.pages(b.id)]


@pytest.mark.slow
def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    folder, data = tmp_path / "stack", tmp_path / "data"
    names = make_stack(folder, KINDS)
    AppContext.open(data).close()
    rng = random.Random(SEED)
    kills_mid_batch = 0
    for _ in range(KILLS):
        before = recorded_names(data)
        child = Child(data, folder)
        assert child.ready.wait(budget(60)), child.kill()
        time.sleep(rng.uniform(0.05, 1.2))  # on a loaded machine this lands earlier: still mid-batch
        exited = child.process.poll()
        stderr = child.kill()
        assert exited is None or any(line.startswith("DONE") for line in child.lines), stderr[-2000:]
        # pages recorded before this run were not taken again
        assert not set(child.took()) & set(before), (child.took(), before)
        kills_mid_batch += exited is None
    before = recorded_names(data)
    final = subprocess.run([sys.executable, str(CHILD), str(data), str(folder)], capture_output=True,
                           text=True, env=child_env(), timeout=budget(120), check=False)
    assert final.returncode == 0, final.stderr[-3000:]
    took = [line.split()[2] for line in final.stdout.splitlines() if line.startswith("TOOK")]
    assert not set(took) & set(before)
    assert kills_mid_batch >= 2  # the kills really landed during the batch

    with AppContext.open(data) as ctx:
        with ctx.session() as session:
            batches = BatchRepository(session).list()
        assert len(batches) == 1 and batches[0].state == "done"  # resumed, never started twice
        outcome = batch_outcome(ctx, batches[0].id)
        assert recorded_names(data) == names  # each page exactly once, in order
        assert outcome.accounting.ok and outcome.accounting.delivered == len(KINDS)
        assert outcome.to_json() == {"documents": expected_documents(KINDS, names)}
        with ctx.session() as session:
            docs = BatchRepository(session).documents(batches[0].id)
        assert [d.number for d in docs] == list(range(len(outcome.documents)))
        assert all(d.sha256 and ctx.db.blobs.verify(d.sha256) for d in docs)
