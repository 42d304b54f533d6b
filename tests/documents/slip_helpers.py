"""PDF helpers for the slip tests: text (NFC), fonts, rasterising with pdftoppm."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

CODE = "000.00.22.H29-260305-0007"
STANDARD_14 = {
    "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique", "Helvetica", "Helvetica-Bold",
    "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman", "Times-Bold", "Times-Italic",
    "Times-BoldItalic", "Symbol", "ZapfDingbats",
}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def flat(text: str) -> str:
    """NFC with every run of white space (line breaks of wrapped text included) made one space."""
    return re.sub(r"\s+", " ", nfc(text)).strip()


def missing_in_order(text: str, items: list[str]) -> list[str]:
    """The items not found in ``text`` one after the other (empty when all are there, in order)."""
    missing, pos = [], 0
    for item in items:
        found = text.find(nfc(item), pos)
        if found < 0:
            missing.append(item)
        else:
            pos = found + len(nfc(item))
    return missing


def pdf_pages_text(data: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(BytesIO(data)).pages]


def pdf_fonts(data: bytes) -> list[dict]:
    fonts = []
    for page in PdfReader(BytesIO(data)).pages:
        for ref in page["/Resources"]["/Font"].values():
            fonts.append(ref.get_object())
    return fonts


def rasterise(data: bytes, folder: Path, page: int = 1, dpi: int = 200) -> Path:
    """Page ``page`` of the PDF as a PNG made by pdftoppm."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pdf = folder / "slip.pdf"
    pdf.write_bytes(data)
    subprocess.run([exe, "-r", str(dpi), "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(folder / f"page{page}")], check=True)
    return folder / f"page{page}.png"


