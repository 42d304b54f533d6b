"""Running the real ``motcua`` for the scan CLI tests: a temporary data folder with one received
dossier, and a private SANE configuration that enables the ``test`` backend with room for A4."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).with_name("motcua.exe" if os.name == "nt" else "motcua")
QR = ("079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|"
      "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")
BIRTH = "1.001193"


def make_office(root: Path) -> dict[str, object]:
    """``{"data", "env", "code"}``: the data folder, the environment to run in, the dossier code."""
    sane = root / "sane.d"
    sane.mkdir()
    (sane / "dll.conf").write_text("test\n", encoding="utf-8")
    (sane / "test.conf").write_text("geometry_max 300.0\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(PYTHONIOENCODING="utf-8", SANE_CONFIG_DIR=str(sane))
    office: dict[str, object] = {"data": root / "data", "env": env}
    assert run(office, "init", "--json").returncode == 0
    added = subprocess.run([str(BIN), "--data-dir", str(office["data"]), "user", "add", "lan", "--role",
                            "officer", "--full-name", "Trần Thị Lan", "--password-stdin"],
                           input="mat khau 12345\n", capture_output=True, text=True, encoding="utf-8",
                           env=env,
                           timeout=120, check=False)
    assert added.returncode == 0, added.stderr
    assert run(office, "user", "default", "lan").returncode == 0
    received = run(office, "receive", "--procedure", BIRTH, "--applicant-qr", QR, "--json")
    assert received.returncode == 0, received.stderr
    office["code"] = json.loads(received.stdout)["code"]
    return office


def run(office: dict[str, object], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), "--data-dir", str(office["data"]), *args], capture_output=True,
                          text=True, encoding="utf-8", env=office["env"], timeout=120, check=False)
