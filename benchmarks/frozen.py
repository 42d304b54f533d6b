"""The frozen one-folder app (``dist/MotCuaDesk``, made by ``./installer/build.sh``): its installed
size, and how long it takes to start, as an officer waits for it.

* size: the folder on disk (what the .deb installs under /opt and Inno Setup under Program Files),
  the largest parts, and the .deb when one was built;
* start: ``motcua-desk --version`` (the interpreter and the bundle unpacked, nothing imported),
  ``motcua --help`` (the CLI's imports), and the time to the main window drawn offscreen with a
  dossier listed (the ``main window open`` line of ``motcua-desk --self-test``), each the median of
  a few runs after one warm-up (the page cache warm, as on a PC started before the counter opens).

Builds the app first when ``dist/MotCuaDesk`` is missing (minutes). Goals: under 500 MiB installed,
the window in under 10 s on a 2-core PC.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import Report, median

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dist" / "MotCuaDesk"
SIZE_GOAL_MIB = 500
WINDOW_GOAL_S = 10.0


def _mib(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


def _env(folder: Path) -> dict[str, str]:
    return {"HOME": str(folder), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TMPDIR": str(folder),
            "QT_QPA_PLATFORM": "offscreen", "MOTCUA_DATA_DIR": str(folder / "data"),
            "MOTCUA_SECRET_DIR": str(folder / "config")}


def _seconds(command: list[str], env: dict[str, str], until: str | None = None) -> float:
    """Seconds from the start of ``command`` to its exit, or to its first line containing ``until``."""
    started = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                          text=True) as proc:
        assert proc.stdout is not None
        seen = None
        for line in proc.stdout:
            if until and seen is None and until in line:
                seen = time.perf_counter() - started
        code = proc.wait()
    if code != 0:
        raise RuntimeError(f"{command[0]} exited with {code}")
    if until and seen is None:
        raise RuntimeError(f"{command[0]} never said {until!r}")
    return seen if seen is not None else time.perf_counter() - started


def run(quick: bool) -> Report:
    report = Report("frozen")
    if not (APP / "motcua-desk").exists():
        started = time.perf_counter()
        subprocess.run([str(ROOT / "installer" / "build.sh")], check=True, cwd=ROOT)
        report.add(f"built dist/MotCuaDesk in {time.perf_counter() - started:.0f} s")
    size = _mib(APP)
    parts = sorted(((_mib(p), p.name) for p in (APP / "_internal").iterdir()), reverse=True)[:6]
    report.add(f"installed size: {size:.0f} MiB ({sum(1 for p in APP.rglob('*') if p.is_file())} files); "
               "largest: " + ", ".join(f"{name} {mib:.0f}" for mib, name in parts))
    for deb in sorted((ROOT / "dist").glob("motcua-desk_*.deb")):
        report.add(f"{deb.name}: {_mib(deb):.0f} MiB")
    runs = 2 if quick else 5
    with tempfile.TemporaryDirectory(prefix="motcua-bench-frozen-") as folder:
        env = _env(Path(folder))
        desk, cli = str(APP / "motcua-desk"), str(APP / "motcua")
        timings = {}
        cases = (("motcua-desk --version", [desk, "--version"], None),
                 ("motcua --help", [cli, "--help"], None),
                 ("window drawn (self-test)", [desk, "--self-test"], "main window open"))
        for label, command, until in cases:
            _seconds(command, env, until)  # warm-up
            timings[label] = [_seconds(command, env, until) for _ in range(runs)]
            report.add(f"{label}: median {median(timings[label]):.2f} s over {runs} runs")
    report.add(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    report.goal(f"installed size < {SIZE_GOAL_MIB} MiB", size < SIZE_GOAL_MIB)
    report.goal(f"main window in < {WINDOW_GOAL_S:.0f} s",
                median(timings["window drawn (self-test)"]) < WINDOW_GOAL_S)
    return report
