"""``python -m app --version`` and ``--self-test`` (what the frozen ``motcua-desk`` runs in CI's
smoke test), here from the source tree in a subprocess with a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import __version__
from tests.timing import budget

ROOT = Path(__file__).resolve().parents[2]


def run_app(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(HOME=str(home), PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=home, timeout=budget(120), check=False)


def test_version(tmp_path: Path) -> None:
    result = run_app("--version", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"MotCua Desk {__version__}\n"


@pytest.mark.slow
def test_self_test_opens_the_window_prints_and_reads_back_and_leaves_nothing(tmp_path: Path) -> None:
    """GIVEN a user without any MotCua data WHEN ``--self-test`` runs THEN every step is reported,
    it exits 0, and nothing is left in the user's home (no data folder, no key, no config)."""
    result = run_app("--self-test", home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("self-test: ")]
    assert lines[-1] == "self-test: OK"
    text = "\n".join(lines)
    assert "dossier received: " in text and "main window open: " in text and "1 dossier listed" in text
    code = text.split("dossier received: ")[1].split()[0]
    assert "receipt exported and read back: " in text and f"shows {code}" in text
    assert "receipt printed through Qt to PDF and read back: " in text
    assert [p for p in tmp_path.rglob("*") if "MotCua" in str(p) or p.suffix == ".json"] == []
