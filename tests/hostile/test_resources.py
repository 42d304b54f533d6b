"""Resources: a 144-megapixel TIFF is refused before it is decoded (no 2 GB per page), workers are
fewer when pages are huge, and a PDF of thousands of pages is refused at once with a clear error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image

from app.core import limits
from app.scanning.parallel_pages import workers_for
from app.scanning.profile import ScanProfile

# The peak is read from VmHWM (this process image's own high-water mark): ru_maxrss is carried over
# from the parent through fork and exec, so a large pytest process would be counted as the child's.
PEAK = """
import json, re, sys
from pathlib import Path
from app.cli.runner import main
code = main(sys.argv[1:])
hwm_kb = int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1))
print(json.dumps({"exit": code, "peak_mb": hwm_kb // 1024}))
"""


def pipeline(*args: str) -> tuple[dict, dict]:
    """``motcua pipeline ARGS --json`` in a fresh process: its answer and its peak memory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    result = subprocess.run([sys.executable, "-c", PEAK, "pipeline", *args, "--json"], capture_output=True,
                            text=True, env=env, timeout=600, check=False)
    lines = [line for line in result.stdout.strip().splitlines() if line.strip()]
    answer = json.loads("\n".join(lines[:-1]))
    return answer, json.loads(lines[-1])


def test_a_144_megapixel_tiff_is_refused_before_it_is_decoded(tmp_path: Path) -> None:
    big = tmp_path / "big.tif"
    Image.fromarray(np.full((12000, 12000), 255, np.uint8)).save(big, compression="tiff_lzw", dpi=(300, 300))
    answer, peak = pipeline(str(big))
    assert peak["exit"] == 1
    page = answer["pages"][0]
    assert "too large" in page["error"] and "144 MP" in page["error"]
    assert peak["peak_mb"] < 600, peak  # the whole process, Python and OpenCV included


def test_workers_are_fewer_when_pages_are_huge(tmp_path: Path) -> None:
    files = []
    for n in range(3):
        path = tmp_path / f"p{n}.png"
        Image.new("L", (7000, 9000), 255).save(path)  # 63 MP, under the page limit
        files.append(str(path))
    small = tmp_path / "small.png"
    Image.new("L", (2480, 3508), 255).save(small)
    profile = ScanProfile()
    assert workers_for(files, profile, 8) == limits.WORKER_MEMORY_BUDGET_BYTES // (63_000_000 * 14)
    assert workers_for(files, profile, 8) * 63_000_000 * limits.WORKER_BYTES_PER_PIXEL \
        <= limits.WORKER_MEMORY_BUDGET_BYTES
    assert workers_for([str(small)], profile, 8) == 8


def test_a_pdf_of_thousands_of_pages_is_refused_at_once(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    for _ in range(2000):
        pdf.add_blank_page(page_size=(595, 842))
    path = tmp_path / "many.pdf"
    pdf.save(path)
    started = time.perf_counter()
    answer, peak = pipeline(str(path))
    assert time.perf_counter() - started < 120
    assert peak["exit"] == 1 and len(answer["pages"]) == 1
    error = answer["pages"][0]["error"]
    assert "2000 pages" in error and str(limits.PDF_MAX_PAGES) in error
