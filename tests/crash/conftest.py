"""Helpers of the crash and fault tests: the child scripts, mounts, the ``motcua`` command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.crash.harness import Confirmed

FAULT_CHILD = Path(__file__).with_name("fault_child.py")
COMMAND = [str(Path(sys.executable).with_name("motcua"))]
if not Path(COMMAND[0]).exists():  # pragma: no cover - not installed as a console script
    COMMAND = [sys.executable, "-m", "app.cli"]


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1", **extra)
    return env


def run_fault_child(*args: str, env: dict[str, str] | None = None,
                    timeout: float = 120) -> tuple[subprocess.CompletedProcess[str], Confirmed, dict | None]:
    """Run ``fault_child.py``; returns the process, what it confirmed and its ``ERROR`` payload.
    An ``UNEXPECTED`` line fails the test at once."""
    result = subprocess.run([sys.executable, str(FAULT_CHILD), *args], capture_output=True, text=True,
                            encoding="utf-8", env=env or child_env(), timeout=timeout, check=False)
    confirmed, error = Confirmed(), None
    for line in result.stdout.splitlines():
        parts = line.split()
        if line.startswith("UNEXPECTED"):
            pytest.fail(f"an unexpected exception reached the user: {line}\n{result.stderr}")
        elif line.startswith("ERROR "):
            error = json.loads(line[len("ERROR "):])
        elif parts[:2] == ["CONFIRMED", "dossier"]:
            confirmed.dossiers[int(parts[2])] = parts[3]
        elif parts[:2] == ["CONFIRMED", "page"]:
            confirmed.pages.add((parts[3], parts[4]))
    assert "Traceback" not in result.stderr, result.stderr
    return result, confirmed, error


def motcua(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, "--data-dir", str(data_dir), *args], capture_output=True, text=True,
                          encoding="utf-8", env=child_env(), timeout=120, check=False)


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[bool]:
    """A size-limited tmpfs at ``path``; yields False (nothing mounted) when mounting is not allowed."""
    path.mkdir(parents=True, exist_ok=True)
    mounted = _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path))
    try:
        yield mounted
    finally:
        if mounted:
            _umount(path)


@contextmanager
def read_only_view(source: Path, view: Path) -> Iterator[bool]:
    """``view`` shows ``source`` through a read-only bind mount (a real read-only file system for
    every process, root included); yields False when mounting is not allowed."""
    view.mkdir(parents=True, exist_ok=True)
    mounted = _mount("--bind", str(source), str(view))
    if mounted and not _mount("-o", "remount,bind,ro", str(view)):
        _umount(view)
        mounted = False
    try:
        yield mounted
    finally:
        if mounted:
            _umount(view)
