"""Hostile input at the command line: how many cases, how many clear errors, crashes, data lost,
and the peak memory of one pipeline worker on the largest page the limits allow.

Every case runs the real ``motcua`` command on one throwaway data folder: applicant JSON that is
nested, huge, endless (``/dev/zero``), not UTF-8 or too long for the province; CCCD QR payloads
with escapes or garbage; images no page can be (1x1, 2x2, 60000x2, an 8x8 multi-page TIFF, 144
megapixels, truncated, random bytes), a 2,000-page PDF; file names that are not UTF-8; a receipt
that cannot be written; a folder scan mixing good and bad pages.

* a **clear error** is an expected refusal with exit code 1 (or 2 for a usage error) and a
  message, never "unexpected error";
* a **crash** is a traceback, an "unexpected error" or another exit code;
* **data lost**: dossiers stored against dossiers answered as received, and ``motcua verify``
  finding anything but the quarantined scans it is meant to list.

Peak memory per worker: ``motcua pipeline --workers 2`` on four pages of 63 MP (just under the
page limit), the largest child process's peak RSS. Goals: 0 crashes, 0 data lost, every refusal
clear, a worker under the memory the budget counts on per page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.common import Report

QR = "079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|12 Lê Lợi, Phường Sài Gòn, TP Hồ Chí Minh|01072021"
PERSON = {"full_name": "Nguyễn Thị Thu Hà", "id_number": "079190001234", "birth_date": "1990-03-12",
          "sex": "Nữ", "address": "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh"}
BIRTH = "1.001193"


@dataclass
class Case:
    name: str
    args: list[str]
    accept: bool  # True: the command should succeed (exit 0), storing a dossier when it receives one


def _motcua(data: Path, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env["PYTHONIOENCODING"] = "utf-8"
    command = [str(Path(sys.executable).with_name("motcua")), "--data-dir", str(data), *args]
    return subprocess.run(command, capture_output=True, env=env, timeout=900, check=False)


def _images(folder: Path) -> dict[str, Path]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, size in (("1x1", (1, 1)), ("2x2", (2, 2)), ("60000x2", (60000, 2))):
        out[name] = folder / f"{name}.png"
        Image.new("L", size, 200).save(out[name], dpi=(300, 300))
    frames = [Image.new("L", (8, 8), v) for v in (0, 128, 255)]
    out["8x8 multi-page TIFF"] = folder / "8x8.tif"
    frames[0].save(out["8x8 multi-page TIFF"], save_all=True, append_images=frames[1:])
    out["144 MP TIFF"] = folder / "144mp.tif"
    Image.fromarray(np.full((12000, 12000), 255, np.uint8)).save(out["144 MP TIFF"], compression="tiff_lzw")
    good = folder / "good.png"
    image = np.full((1100, 800), 245, np.uint8)
    image[200:900:40, 100:700] = 30
    Image.fromarray(image).save(good, dpi=(300, 300))
    out["truncated PNG"] = folder / "truncated.png"
    out["truncated PNG"].write_bytes(good.read_bytes()[:300])
    out["random bytes as JPEG"] = folder / "random.jpg"
    noise = np.random.default_rng(7).integers(0, 256, 50_000, np.uint8)
    out["random bytes as JPEG"].write_bytes(noise.tobytes())
    out["empty file"] = folder / "empty.png"
    out["empty file"].write_bytes(b"")
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(2000):
        pdf.add_blank_page(page_size=(595, 842))
    out["2,000-page PDF"] = folder / "many.pdf"
    pdf.save(out["2,000-page PDF"])
    out["good"] = good
    return out


def _cases(root: Path, images: dict[str, Path]) -> list[Case]:
    def person_file(name: str, content: str | bytes) -> str:
        path = root / f"{name}.json"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        return str(path)

    def receive(json_path: str, *extra: str) -> list[str]:
        return ["receive", "--procedure", BIRTH, "--applicant-json", json_path, "--json", *extra]

    def qr(payload: str) -> list[str]:
        return ["receive", "--procedure", BIRTH, "--applicant-qr", payload, "--json"]

    dump = json.dumps
    cases = [
        Case("applicant JSON nested 100,000 deep",
             receive(person_file("deep", "[" * 100_000 + "]" * 100_000)), False),
        Case("applicant JSON 5,000-digit number",
             receive(person_file("digits", '{"full_name": ' + "9" * 5000 + "}")), False),
        Case("applicant JSON NaN", receive(person_file("nan", '{"full_name": NaN}')), False),
        Case("applicant JSON of 2 MB", receive(person_file("big", "x" * 2_000_000)), False),
        Case("applicant JSON from /dev/zero", receive("/dev/zero"), False),
        Case("applicant JSON not UTF-8",
             receive(person_file("latin1", b'{"full_name": "Nguy\xe1n"}')), False),
        Case("applicant JSON a list", receive(person_file("list", "[1, 2, 3]")), False),
        Case("applicant JSON empty", receive(person_file("empty", "")), False),
        Case("applicant name of 10,000 characters",
             receive(person_file("longname", dump({**PERSON, "full_name": "A" * 10_000}))), False),
        Case("applicant address of 100,000 characters",
             receive(person_file("longaddr", dump({**PERSON, "address": "Đường " * 17_000}))), False),
        Case("applicant name with ANSI escapes (cleaned, received)",
             receive(person_file("ansi", dump({**PERSON, "full_name": "Nguyễn \x1b[31mThị\x1b[0m Hà\x07"}))),
             True),
        Case("applicant name with NUL (cleaned, received)",
             receive(person_file("nul", dump({**PERSON, "full_name": "Nguyễn\x00 Hà"}))), True),
        Case("applicant name with a lone surrogate",
             receive(person_file("surrogate", '{"full_name": "Nguy\\ud800n", "id_number": "079190001234", '
                                              '"birth_date": "1990-03-12", "sex": "Nữ", "address": "x"}')),
             False),
        Case("QR with escapes in the name (cleaned, received)",
             qr(QR.replace("Nguyễn", "\x1b[2JNguyễn")), True),
        Case("QR of 10,000 characters", qr("0" * 10_000), False),
        Case("QR with 40 fields", qr("|".join(["1"] * 40)), False),
        Case("QR empty", qr(""), False),
        Case("receipt to an unwritable path (received, warned)",
             receive(person_file("ok", dump(PERSON)), "--receipt", "/proc/none/receipt.pdf"), True),
        Case("--out name not UTF-8", ["print", "01", "000.00.12.H29-261118-0001", "--out",
                                      os.fsdecode(bytes(root) + b"/\xff.pdf"), "--json"], False),
    ]
    for name, path in images.items():
        if name != "good":
            cases.append(Case(f"pipeline: {name}", ["pipeline", str(path), "--json"], False))
    mixed = root / "mixed"
    mixed.mkdir()
    for name in ("good", "1x1", "2x2", "8x8 multi-page TIFF"):
        target = mixed / images[name].name
        target.write_bytes(images[name].read_bytes())
    cases.append(Case("scan of a folder mixing good and bad pages (good one attached)",
                      ["scan", "--source", f"folder:{mixed}", "--to", "{code}", "--json"], True))
    return cases


def _classify(case: Case, result: subprocess.CompletedProcess[bytes]) -> str:
    out = result.stdout.decode("utf-8", "replace") + result.stderr.decode("utf-8", "replace")
    if "Traceback" in out or "unexpected" in out.lower() or "không mong đợi" in out:
        return "crash"
    if case.accept:
        return "accepted" if result.returncode == 0 else "wrongly refused"
    if result.returncode in (1, 2) and ("error" in out.lower() or "lỗi" in out.lower()):
        return "clear error"
    return "crash" if result.returncode not in (0, 1, 2) else "wrongly accepted"


def _worker_peak_mb(root: Path) -> float:
    from PIL import Image

    files = []
    for n in range(4):
        path = root / f"huge-{n}.png"
        image = np.full((9000, 7000), 250, np.uint8)
        image[1000:8000:200, 500:6500] = 20
        Image.fromarray(image).save(path, dpi=(600, 600), compress_level=1)
        files.append(str(path))
    probe = ("import json, resource, sys\nfrom app.cli.runner import main\nmain(sys.argv[1:])\n"
             "print(json.dumps({'child_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")
    result = subprocess.run([sys.executable, "-c", probe, "pipeline", "--workers", "2", *files, "--json"],
                            capture_output=True, text=True, timeout=1800, check=False)
    return float(json.loads(result.stdout.strip().splitlines()[-1])["child_mb"])


def run(quick: bool) -> Report:
    from app.core import limits

    report = Report("hostile input")
    with tempfile.TemporaryDirectory(prefix="motcua-hostile-") as tmp:
        root = Path(tmp)
        data = root / "data"
        assert _motcua(data, ["init", "--json"]).returncode == 0
        first = _motcua(data, ["receive", "--procedure", BIRTH, "--applicant-qr", QR, "--json"])
        code = json.loads(first.stdout)["code"]
        received = 1
        counts: dict[str, int] = {}
        for case in _cases(root, _images(root / "images")):
            case.args = [a.replace("{code}", code) for a in case.args]
            result = _motcua(data, case.args)
            kind = _classify(case, result)
            counts[kind] = counts.get(kind, 0) + 1
            received += kind == "accepted" and case.args[0] == "receive"
            if kind not in ("accepted", "clear error"):
                report.add(f"  {kind}: {case.name}: exit {result.returncode} "
                           f"{result.stderr.decode('utf-8', 'replace')[-300:]}")
        listed = json.loads(_motcua(data, ["dossier", "list", "--json", "--limit", "1000"]).stdout or "[]")
        checked = json.loads(_motcua(data, ["verify", "--json"]).stdout or "{}")
        problems = [p for p in checked.get("problems", []) if p["kind"] not in ("quarantine",)]
        lost = abs(len(listed) - received) + len(problems)
        cases = sum(counts.values())
        report.add(f"{cases} cases: {counts.get('clear error', 0)} clear errors, {counts.get('accepted', 0)} "
                   f"accepted as meant, {counts.get('crash', 0)} crashes, "
                   f"{counts.get('wrongly accepted', 0) + counts.get('wrongly refused', 0)} wrong answers; "
                   f"dossiers stored {len(listed)} of {received} received; data lost {lost}")
        worker_mb = 0.0 if quick else _worker_peak_mb(root)
    budget_mb = 63_000_000 * limits.WORKER_BYTES_PER_PIXEL / 2**20
    if not quick:
        report.add(f"peak memory of one pipeline worker on 63 MP pages: {worker_mb:.0f} MB "
                   f"(the budget counts {budget_mb:.0f} MB per worker)")
        report.goal(f"worker peak under the budgeted {budget_mb:.0f} MB", worker_mb <= budget_mb)
    report.goal("0 crashes", counts.get("crash", 0) == 0)
    report.goal("0 data lost", lost == 0)
    report.goal("every refusal clear, every valid input accepted",
                counts.get("wrongly accepted", 0) + counts.get("wrongly refused", 0) == 0)
    return report
