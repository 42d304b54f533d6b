"""One PDF per dossier component: the stored page images, embedded as they are, with metadata.

img2pdf places each image (JPEG as DCTDecode, G4 TIFF as CCITTFaxDecode: no re-encoding) on a
page of its own size at its resolution; pikepdf then adds the document information, XMP metadata
and, for PDF/A-2b, an sRGB output intent. The file is written atomically and its SHA-256 returned.
PDF/A-2b is claimed only when the ICC profile is available (Pillow built with LittleCMS).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from app.core.clock import vn_aware, vn_now_aware
from app.core.fileio import atomic_write_bytes
from app.scanning.encode import EncodedPage
from app.scanning.errors import ScanError

MIN_PDF_DPI = 200.0


@dataclass(frozen=True)
class PdfMetadata:
    title: str
    dossier_code: str = ""
    component: str = ""
    officer: str = ""
    created_at: datetime = field(default_factory=lambda: vn_now_aware())
    producer: str = "MotCua Desk"

    def subject(self) -> str:
        parts = [p for p in (f"Hồ sơ {self.dossier_code}" if self.dossier_code else "", self.component) if p]
        return " — ".join(parts)

    def keywords(self) -> str:
        pairs = (("dossier", self.dossier_code), ("component", self.component), ("officer", self.officer))
        return "; ".join(f"{k}: {v}" for k, v in pairs if v)


@dataclass(frozen=True)
class AssembledPdf:
    path: Path
    sha256: str
    pages: int
    size: int
    pdfa: bool


def _srgb_icc() -> bytes | None:
    try:
        from PIL import ImageCms

        return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    except (ImportError, OSError, AttributeError):
        return None


def _pdf_date(moment: datetime) -> str:
    moment = moment if moment.tzinfo else vn_aware(moment)
    offset = moment.strftime("%z") or "+0000"
    return moment.strftime("D:%Y%m%d%H%M%S") + f"{offset[:3]}'{offset[3:]}'"


PDF_MIN_UNITS, PDF_MAX_UNITS = 3.0, 14400.0  # the page sizes PDF readers accept (1/72 inch)


def page_problem(page: EncodedPage, min_dpi: float = MIN_PDF_DPI) -> tuple[str, str] | None:
    """Why ``page`` cannot be a page of a PDF (English, Vietnamese), or None: checked per page before
    the PDF is built, so that one bad page is set aside instead of failing the whole document."""
    if page.dpi <= 0 or page.width <= 0 or page.height <= 0:
        return "the page has no size", "trang không có kích thước"
    if page.dpi + 0.5 < min_dpi:
        return (f"the page is {page.dpi:.0f} dpi, below the {min_dpi:.0f} dpi minimum",
                f"trang chỉ có {page.dpi:.0f} dpi, thấp hơn mức tối thiểu {min_dpi:.0f} dpi")
    width, height = page.width * 72.0 / page.dpi, page.height * 72.0 / page.dpi
    if not (PDF_MIN_UNITS <= width <= PDF_MAX_UNITS and PDF_MIN_UNITS <= height <= PDF_MAX_UNITS):
        return (f"a {page.width}x{page.height} pixel page at {page.dpi:.0f} dpi is too small or too large "
                "for a PDF page",
                f"trang {page.width}×{page.height} điểm ảnh ở {page.dpi:.0f} dpi quá nhỏ hoặc quá lớn để làm "
                "một trang PDF")
    return None


def build_pdf(pages: Sequence[EncodedPage], meta: PdfMetadata, *, pdfa: bool = True,
              min_dpi: float = MIN_PDF_DPI) -> tuple[bytes, bool]:
    """The PDF as bytes, and whether it claims PDF/A-2b."""
    import img2pdf
    import pikepdf

    if not pages:
        raise ScanError("cannot make a PDF without pages", "không thể tạo PDF khi không có trang nào")
    for number, page in enumerate(pages, start=1):
        if page.dpi + 0.5 < min_dpi:
            raise ScanError(f"page {number} is {page.dpi:.0f} dpi, below the {min_dpi:.0f} dpi minimum",
                            f"trang {number} chỉ có {page.dpi:.0f} dpi, "
                            f"thấp hơn mức tối thiểu {min_dpi:.0f} dpi")
    resolutions = iter([p.dpi for p in pages])

    def layout(width_px: int, height_px: int, _dpi: object) -> tuple[float, float, float, float]:
        dpi = next(resolutions)
        width, height = width_px * 72.0 / dpi, height_px * 72.0 / dpi
        return width, height, width, height

    raw = img2pdf.convert([p.data for p in pages], layout_fun=layout, engine=img2pdf.Engine.pikepdf)
    icc = _srgb_icc() if pdfa else None
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        info = {
            "/Title": meta.title, "/Author": meta.officer, "/Subject": meta.subject(),
            "/Keywords": meta.keywords(), "/Creator": meta.producer, "/Producer": meta.producer,
            "/CreationDate": _pdf_date(meta.created_at), "/ModDate": _pdf_date(meta.created_at),
        }
        for key, value in info.items():
            if value:
                pdf.docinfo[key] = pikepdf.String(value)
        if icc is not None:
            profile = pdf.make_stream(icc)
            profile["/N"] = 3
            pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1,
                OutputConditionIdentifier=pikepdf.String("sRGB IEC61966-2.1"),
                Info=pikepdf.String("sRGB IEC61966-2.1"), DestOutputProfile=profile))])
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            xmp.load_from_docinfo(pdf.docinfo)
            if icc is not None:
                xmp["pdfaid:part"] = "2"
                xmp["pdfaid:conformance"] = "B"
        # machine-readable copies; set after the XMP sync, which has no place for them
        for key, value in (("/MotCuaDossierCode", meta.dossier_code), ("/MotCuaComponent", meta.component)):
            if value:
                pdf.docinfo[key] = pikepdf.String(value)
        out = io.BytesIO()
        pdf.save(out, fix_metadata_version=True)
    return out.getvalue(), icc is not None


def assemble_pdf(pages: Sequence[EncodedPage], path: Path, meta: PdfMetadata, *,
                 pdfa: bool = True) -> AssembledPdf:
    """Write the PDF of ``pages`` to ``path`` (atomically) and return its SHA-256."""
    data, is_pdfa = build_pdf(pages, meta, pdfa=pdfa)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data, prefix=".motcua-", suffix=".pdf.part")
    return AssembledPdf(path, hashlib.sha256(data).hexdigest(), len(pages), len(data), is_pdfa)
