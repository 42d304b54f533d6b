"""OCR: pages per second beside plain ``tesseract``, character error rate, field accuracy, keystrokes.

Generated past results (``app.documents.specimens``: seven kinds of civil-status and residence
results and certified copies, 200 dpi A4, skewed, noisy, yellowed, a red seal over a blue
signature, pen marks, JPEG) are written once under the benchmarks data folder. Then:

* pages per second of ``app.scanning.ocr.reader.read_files`` (load, red-channel pre-processing,
  Tesseract ``vie`` through tesserocr, word boxes, field extraction) with 1 and 2 worker processes,
  beside the ``tesseract`` command on the same files in the same run (``-l vie``, one process per
  page, 1 and 2 at a time, ``OMP_THREAD_LIMIT=1`` for both);
* character error rate: edit distance between the text read and the text printed (white space
  collapsed), over the printed text's length;
* field accuracy: the eight fields of ``motcua ocr`` against the truth, per field and overall;
* keystrokes per archived document in the metadata form, typing everything (a few letters of the
  type and Enter, each field's characters and Tab, Enter to save) against confirming the pre-filled
  form (Enter) after retyping each field that was read wrong or not at all.
"""

from __future__ import annotations

import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.common import DATA_ROOT, Report

TYPE_KEYS = 7  # a few letters of the type's name, then Enter on the match


def _pages(count: int) -> list[tuple[Path, object]]:
    from app.documents.specimens import render_specimen

    folder = DATA_ROOT / "ocr-specimens"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for seed in range(1000, 1000 + count):
        specimen = render_specimen(seed)
        path = folder / f"{seed}.jpg"
        if not path.exists():
            path.write_bytes(specimen.jpeg)
        out.append((path, specimen))
    return out


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _tesseract(paths: list[Path], workers: int) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> None:
        subprocess.run(["tesseract", str(path), "-", "-l", "vie"], capture_output=True, env=env, check=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, paths))
    return len(paths) / (time.perf_counter() - started)


def keystrokes(truth: dict[str, str], read: dict[str, str | None] | None) -> int:
    """Keys to archive one document: all typed (``read`` None) or the pre-filled form corrected."""
    keys = 1  # Enter saves
    for name, value in truth.items():
        typed = TYPE_KEYS if name == "type" else len(value) + 1  # the characters, then Tab
        if read is None or read.get(name) != value:
            keys += typed
    return keys


def run(quick: bool) -> Report:
    from app.scanning.ocr.fields import FIELD_NAMES
    from app.scanning.ocr.reader import OcrPage, read_files
    from app.services.ocr.reading import catalogue_titles

    report = Report("ocr")
    pages = _pages(7 if quick else 21)
    paths = [p for p, _ in pages]
    titles = catalogue_titles()
    report.add(f"{len(pages)} generated past results, 200 dpi A4 (uptime: {os.getloadavg()[0]:.2f} load)")
    rates = {}
    results: list[OcrPage] = []
    for workers in (1, 2):
        started = time.perf_counter()
        outcomes = list(read_files([str(p) for p in paths], workers=workers, titles=titles))
        rates[workers] = len(paths) / (time.perf_counter() - started)
        results = [o for o in outcomes if isinstance(o, OcrPage)]
        report.add(f"motcua OCR, {workers} worker(s): {rates[workers]:.2f} pages/s")
    plain_rates = {}
    for workers in (1, 2):
        plain = plain_rates[workers] = _tesseract(paths, workers)
        report.add(f"plain tesseract -l vie, {workers} at a time: {plain:.2f} pages/s "
                   f"(ours: {rates[workers] / plain:.2f}x)")
    errors = total = 0
    right = dict.fromkeys(FIELD_NAMES, 0)
    typed_all = typed_prefilled = 0
    for (_path, specimen), page in zip(pages, results, strict=True):
        printed = " ".join(specimen.text.split())
        errors += edit_distance(" ".join(page.ocr.text.split()), printed)
        total += len(printed)
        truth = specimen.fields.as_dict()
        found = page.fields.as_json()
        for name in FIELD_NAMES:
            right[name] += found[name] == truth[name]
        typed_all += keystrokes(truth, None)
        typed_prefilled += keystrokes(truth, found)
    cer = errors / total
    accuracy = sum(right.values()) / (len(FIELD_NAMES) * len(results))
    report.add(f"character error rate: {cer:.2%}")
    report.add("field accuracy: " + ", ".join(f"{n} {right[n] / len(results):.0%}" for n in FIELD_NAMES)
               + f"; overall {accuracy:.1%}")
    report.add(f"keystrokes per archived document: {typed_all / len(results):.0f} typed, "
               f"{typed_prefilled / len(results):.1f} with pre-fill")
    report.goal("character error rate below 3 % on the generated results", cer < 0.03)
    report.goal("field accuracy at least 95 %", accuracy >= 0.95)
    report.goal("OCR in-process at least as fast as plain tesseract (1 worker)", rates[1] >= plain_rates[1])
    return report
