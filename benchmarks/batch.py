"""Batch digitising throughput: pages per hour of ``motcua batch`` against the bare page pipeline.

A folder of 1,000 generated A4 pages at 200 dpi (``--quick``: 100) with a separator sheet before
every 5th-12th page (the application's own separator PDF, rasterised with ``pdftoppm`` like a
scan) is read in file-name order. Scanning is excluded: the pages are JPEG files (quality 90, as
scanners deliver them), the text pages are those of the ``pipeline`` entry (cached).

Measured in the same run, on the same files, one process each:

* the pipeline alone: every file loaded and put through ``process_page`` (deskew, crop, blank,
  barcodes, colour, compression), nothing stored: its pages per second;
* the batch: ``app.services.batch.engine.scan_batch`` into a fresh data folder: the same pipeline plus the
  batch checks (separator QR / Patch T, quality flags, perceptual hash), duplicate look-ups, each
  stored page written durably, rows committed in groups, one PDF per document in the blob store:
  its pages per hour, documents, and the share it costs on top of the pipeline.

The pipeline pass runs before and after the batch and the two are averaged (the machine is shared;
the load changes within a run). Goal (issue 5): splitting and indexing cost under 10 % on top.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import DATA_ROOT, Report


def _separator_jpeg(folder: Path) -> Path:
    from PIL import Image

    from app.documents.separator import render_separator_pdf

    target = folder / "separator.jpg"
    if target.exists():
        return target
    pdf = folder / "separator.pdf"
    pdf.write_bytes(render_separator_pdf("KQ.1.000894", "Giấy chứng nhận kết hôn"))
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(folder / "separator")],
                   check=True, capture_output=True)
    with Image.open(folder / "separator.png") as im:
        im.convert("RGB").save(target, "JPEG", quality=90, dpi=(200, 200))
    return target


def stack(count: int) -> tuple[Path, int]:
    """The folder of ``count`` files (text pages and separators) and how many are separators."""
    from benchmarks.pipeline import pages

    root = DATA_ROOT / "batch-stack"
    folder = root / str(count)
    marker = folder / ".complete"
    root.mkdir(parents=True, exist_ok=True)
    separator = _separator_jpeg(root)
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        rng = random.Random(count)
        plan: list[str] = []
        while len(plan) < count:
            plan.append("S")
            plan.extend("T" * rng.randint(4, 11))
        plan = plan[:count]
        texts = pages(200, plan.count("T"))
        text_iter = iter(texts)
        for number, kind in enumerate(plan, start=1):
            source = separator if kind == "S" else next(text_iter)
            target = folder / f"p{number:04d}.jpg"
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
        marker.write_text(",".join(plan), encoding="ascii")
    plan_text = marker.read_text(encoding="ascii")
    return folder, plan_text.count("S")


def pipeline_pass(folder: Path) -> float:
    """Seconds for every file of ``folder`` through the bare pipeline (1 process)."""
    from app.scanning.parallel_pages import process_files
    from app.scanning.pipeline import PageResult
    from app.scanning.profile import DEFAULT_PROFILE
    from app.scanning.source_uri import folder_files

    files = [str(p) for p in folder_files(folder)]
    started = time.perf_counter()
    outcomes = process_files(files, DEFAULT_PROFILE, workers=1)
    seconds = time.perf_counter() - started
    if sum(isinstance(o, PageResult) for o in outcomes) != len(files):
        raise RuntimeError("a page failed in the pipeline")
    return seconds


def batch_pass(folder: Path) -> tuple[float, object]:
    from app.services.batch.engine import scan_batch
    from app.services.context import AppContext

    data = Path(tempfile.mkdtemp(prefix="motcua-bench-batch-"))
    try:
        with AppContext.open(data) as ctx:
            started = time.perf_counter()
            outcome = scan_batch(ctx, f"folder:{folder}")
            seconds = time.perf_counter() - started
        return seconds, outcome
    finally:
        shutil.rmtree(data, ignore_errors=True)


def run(quick: bool) -> Report:
    from app.store.data_key import keyring_usable

    report = Report("batch digitising throughput")
    if not keyring_usable() and not os.environ.get("MOTCUA_DATA_KEY"):
        os.environ["MOTCUA_DATA_KEY"] = os.urandom(32).hex()  # the temporary data folder's key
    count = 100 if quick else 1000
    folder, separators = stack(count)
    report.add(f"{count} files at 200 dpi A4 (JPEG q90): {count - separators} text pages, "
               f"{separators} separator sheets; load average {os.getloadavg()[0]:.2f} "
               f"on {os.cpu_count()} cores")
    before = pipeline_pass(folder)
    seconds, outcome = batch_pass(folder)
    after = pipeline_pass(folder)
    bare = (before + after) / 2
    docs = len(outcome.documents)  # type: ignore[attr-defined]
    accounting = outcome.accounting  # type: ignore[attr-defined]
    report.add(f"pipeline alone: {count / bare:6.2f} pages/s ({bare / count * 1000:.0f} ms/page; before "
               f"{before / count * 1000:.0f}, after {after / count * 1000:.0f})")
    report.add(f"batch: {count / seconds:6.2f} pages/s = {count / seconds * 3600:,.0f} pages/hour "
               f"({seconds / count * 1000:.0f} ms/page), {docs} documents, accounting "
               f"{'ok' if accounting.ok else 'WRONG'} ({accounting.stored} stored + {accounting.separators} "
               f"separators)")
    overhead = seconds / bare - 1
    report.add(f"splitting + indexing on top of the pipeline: {overhead * 100:+.1f} %")
    report.goal("every page accounted for, one document per separator",
                accounting.ok and docs == separators)  # the stack starts with a separator
    report.goal(f"splitting and indexing cost < 10 % on top of the pipeline ({overhead * 100:+.1f} %)",
                overhead < 0.10)
    return report
