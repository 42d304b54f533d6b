"""Generated stacks for the batch tests: varied Vietnamese text pages (Pillow, 200 dpi A4), separator
sheets rendered by the application and rasterised with ``pdftoppm``, Patch T sheets, blank pages.

A stack is described by a string of page kinds, one letter per page:

* ``T`` a text page (each one different), ``B`` a blank page (punch holes, dust),
* ``S`` our separator sheet (no type), ``K`` our separator sheet for result type ``KQ.1.000894``,
* ``P`` a Patch T sheet (bars only, no QR code), ``X`` an unreadable file (a text file named .png).

:func:`expected_documents` gives what the batch must make of it (see the splitting rules in
``app/services/batch/``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from app.core.separator import PATCH_T
from app.documents.separator import render_separator_pdf
from tests.scanning.scan_helpers import LINES, blank_page, font, paper

ROOT = Path(__file__).resolve().parents[2]
MM = 200 / 25.4
TYPE = "KQ.1.000894"
PAYLOADS = {"S": "MOTCUA-SEP:1", "K": f"MOTCUA-SEP:1;type={TYPE}", "P": PATCH_T}
WORDS = ("hộ tịch", "khai sinh", "kết hôn", "đất đai", "Quyết định số", "Ủy ban nhân dân", "ngày cấp",
         "Giấy chứng nhận", "căn cước", "thường trú", "chứng thực", "bản sao", "trích lục", "hộ kinh doanh")


def text_doc_page(seed: int) -> np.ndarray:
    """A text page whose lines (words, lengths, count) depend on ``seed``: no two look alike."""
    rng = np.random.default_rng(seed)
    im = Image.fromarray(paper(seed))
    draw = ImageDraw.Draw(im)
    face = font(30)
    y = int(150 + rng.integers(0, 200))
    draw.text((165, y), f"Văn bản lưu trữ số {seed:04d}/UBND", font=font(40), fill=(15, 15, 15))
    y += 90
    for _ in range(int(rng.integers(12, 36))):
        if rng.random() < 0.5:
            line = LINES[int(rng.integers(0, len(LINES)))]
        else:
            line = " ".join(WORDS[int(i)] for i in rng.integers(0, len(WORDS), int(rng.integers(2, 9))))
        x = int(165 + rng.integers(0, 300))
        draw.text((x, y), line[: int(rng.integers(12, len(line) + 1))], font=face, fill=(20, 20, 20))
        y += int(rng.integers(42, 70))
        if y > 2150:
            break
    return np.asarray(im).copy()


@cache
def separator_sheet(result_type: str | None = None) -> np.ndarray:
    """Our separator PDF, rasterised at 200 dpi like a scanner would deliver it."""
    pdf = render_separator_pdf(result_type, "Giấy chứng nhận kết hôn" if result_type else "")
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"motcua-sep-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"sep-{result_type or 'none'}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(source), str(source.with_suffix(""))],
                   check=True, capture_output=True)
    with Image.open(source.with_suffix(".png")) as im:
        return np.asarray(im.convert("RGB")).copy()


def patch_sheet(pattern: str = "0101", angle: float = 0.0, vertical: bool = False,
                seed: int = 0) -> np.ndarray:
    """A sheet with only a patch code (``1`` = wide bar), e.g. ``0101`` = Patch T, ``1100`` = Patch 1."""
    im = Image.fromarray(paper(seed))
    draw = ImageDraw.Draw(im)
    narrow, wide, length = 2.03 * MM, 5.08 * MM, 63.5 * MM
    pos = 900.0
    for i, bit in enumerate(pattern):
        if i:
            pos += narrow
        thick = wide if bit == "1" else narrow
        if vertical:
            draw.rectangle((round(pos), 800, round(pos + thick) - 1, round(800 + length)), fill=(10, 10, 10))
        else:
            draw.rectangle((495, round(pos), round(495 + length), round(pos + thick) - 1), fill=(10, 10, 10))
        pos += thick
    draw.text((600, 1500), "Tờ mã Patch", font=font(40), fill=(20, 20, 20))
    out = np.asarray(im).copy()
    if angle:
        import cv2

        h, w = out.shape[:2]
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        out = cv2.warpAffine(out, matrix, (w, h), borderValue=(246, 246, 246))
    return out


def page_image(kind: str, seed: int) -> np.ndarray:
    if kind == "T":
        return text_doc_page(seed)
    if kind == "B":
        return blank_page(seed)
    if kind == "S":
        return separator_sheet(None)
    if kind == "K":
        return separator_sheet(TYPE)
    if kind == "P":
        return patch_sheet(seed=seed)
    raise ValueError(kind)


def make_stack(folder: Path, kinds: str, *, start: int = 1) -> list[str]:
    """Write the stack ``kinds`` into ``folder`` as ``p001.png``...; return the file names in order."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i, kind in enumerate(kinds):
        name = f"p{start + i:03d}.png"
        path = folder / name
        if kind == "X":
            path.write_text("not an image", encoding="utf-8")
        else:
            Image.fromarray(page_image(kind, start + i)).save(path, dpi=(200, 200), compress_level=1)
        names.append(name)
    return names


def expected_documents(kinds: str, names: list[str]) -> list[dict[str, object]]:
    """The ``--json`` documents the batch must make of the stack."""
    docs: list[dict[str, object]] = []
    current: dict[str, object] | None = None
    for kind, name in zip(kinds, names, strict=True):
        if kind in PAYLOADS:
            if current is not None and not current["pages"]:
                current["separator"] = PAYLOADS[kind]
            else:
                current = {"pages": [], "separator": PAYLOADS[kind], "blank_pages": []}
                docs.append(current)
            continue
        if current is None:
            current = {"pages": [], "separator": None, "blank_pages": []}
            docs.append(current)
        current["pages"].append(name)  # type: ignore[union-attr]
        if kind == "B":
            current["blank_pages"].append(name)  # type: ignore[union-attr]
    return [d for d in docs if d["pages"]]


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1", **extra)
    return env


MOTCUA = [str(Path(sys.executable).with_name("motcua"))]
if not Path(MOTCUA[0]).exists():  # pragma: no cover - not installed as a console script
    MOTCUA = [sys.executable, "-m", "app.cli"]


def motcua(*args: str, data_dir: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MOTCUA, "--data-dir", str(data_dir), *args], capture_output=True, text=True,
                          encoding="utf-8", env=env or child_env(), timeout=180, check=False, cwd=ROOT)
