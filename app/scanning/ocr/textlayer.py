"""An invisible text layer on a scanned PDF, as OCRmyPDF's output has: a PDF reader can search it
and copy from it, and the page looks exactly the same.

Each word read is written at its place with text render mode 3 (neither filled nor stroked), in
the bundled Liberation Sans (embedded as a subset, so every Vietnamese letter is there), its size
taken from the word's box height and stretched horizontally to the box width so a selection covers
the word on the image. The layer is one overlay page per page (ReportLab), laid over the original
pages with pikepdf; nothing else of the PDF changes. Never used on a signed PDF: a signature covers
the bytes it was made on, so the text layer must come before signing.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence

from app.core.resources import resource_path
from app.scanning.ocr.engine import OcrText

FONT_NAME = "MotCuaOcrSans"
_font_lock = threading.Lock()
_font_registered = False


def _register_font() -> None:
    global _font_registered
    with _font_lock:
        if _font_registered:
            return
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont(FONT_NAME, str(resource_path("fonts", "LiberationSans-Regular.ttf"))))
        _font_registered = True


def is_signed(pdf: bytes) -> bool:
    """A PDF with a digital signature (its bytes must not change)."""
    return b"/ByteRange" in pdf


def _overlay(sizes: Sequence[tuple[float, float]], texts: Sequence[OcrText | None]) -> bytes:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    _register_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=sizes[0] if sizes else (595, 842))
    for (width, height), text in zip(sizes, texts, strict=True):
        pdf.setPageSize((width, height))
        if text is not None and text.width and text.height:
            sx, sy = width / text.width, height / text.height
            for word in text.words:
                x0, y0, x1, y1 = word.box
                size = max(1.0, (y1 - y0) * sy * 0.85)
                natural = stringWidth(word.text, FONT_NAME, size)
                target = (x1 - x0) * sx
                obj = pdf.beginText()
                obj.setTextRenderMode(3)
                obj.setFont(FONT_NAME, size)
                if natural > 0:
                    obj.setHorizScale(max(10.0, min(1000.0, 100.0 * target / natural)))
                obj.setTextOrigin(x0 * sx, height - y1 * sy + (y1 - y0) * sy * 0.2)
                obj.textOut(word.text)
                pdf.drawText(obj)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def add_text_layer(pdf: bytes, texts: Sequence[OcrText | None]) -> bytes:
    """``pdf`` with the words of ``texts`` (one per page, None for a page not read) laid invisibly
    over its pages. Raises ``ValueError`` for a signed PDF or a page count that does not match."""
    import pikepdf

    if is_signed(pdf):
        raise ValueError("a signed PDF is never rewritten")
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        if len(doc.pages) != len(texts):
            raise ValueError(f"{len(texts)} page texts for {len(doc.pages)} pages")
        sizes = []
        for page in doc.pages:
            box = [float(v) for v in page.mediabox]
            sizes.append((box[2] - box[0], box[3] - box[1]))
        with pikepdf.open(io.BytesIO(_overlay(sizes, texts))) as layer:
            for page, overlay in zip(doc.pages, layer.pages, strict=True):
                page.add_overlay(overlay)
        out = io.BytesIO()
        doc.save(out)
    return out.getvalue()
