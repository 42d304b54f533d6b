"""Pages of a PDF as images: a scanned page's own image when the page is just that, else pdftoppm."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import numpy as np

from app.core import limits
from app.scanning.errors import ImageTooLargeError, ScanError, UnreadableImageError
from app.scanning.loading import MIN_PLAUSIBLE_DPI, LoadedPage, decode_bytes, run_pdftoppm, to_array
from app.scanning.profile import ScanProfile

# Operators of a page that only paints one image (a scanned page): save, transform, paint, restore.
_IMAGE_ONLY_OPERATORS = {"q", "Q", "cm", "Do", "gs", "w", "i"}


def _label(source: Path | bytes, name: str | None) -> str:
    return name or (Path(source).name if not isinstance(source, bytes) else "embedded PDF")


def _open(source: Path | bytes, name: str):  # type: ignore[no-untyped-def]
    import pikepdf

    try:
        return pikepdf.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (pikepdf.PdfError, pikepdf.PasswordError, OSError, ValueError) as exc:
        raise UnreadableImageError(f"cannot open PDF {name}: {type(exc).__name__}",
                                   f"không mở được tệp PDF {name}") from None


def pdf_page_count(source: Path | bytes, *, name: str | None = None) -> int:
    """Pages of a PDF file, or of a PDF's content in memory."""
    label = _label(source, name)
    with _open(source, label) as pdf:
        count = len(pdf.pages)
    if count > limits.PDF_MAX_PAGES:
        raise ScanError(f"{label} has {count} pages, the limit is {limits.PDF_MAX_PAGES} per file",
                        f"tệp {label} có {count} trang, vượt giới hạn {limits.PDF_MAX_PAGES} trang mỗi tệp: "
                        "hãy tách thành nhiều tệp")
    return count


def _page_size_in(page) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    box = [float(Decimal(str(v))) for v in page.mediabox]
    return abs(box[2] - box[0]) / 72.0, abs(box[3] - box[1]) / 72.0


def _single_image(page):  # type: ignore[no-untyped-def]
    """The page's only image when the page paints nothing else, else ``None``."""
    import pikepdf

    finder = getattr(page, "get_images", None)  # pikepdf >= 10; ``images`` before
    images = list((finder(recursive=False) if finder else page.images).values())
    if len(images) != 1:
        return None
    try:
        operators = {str(op) for _operands, op in pikepdf.parse_content_stream(page)}
    except pikepdf.PdfError:
        return None
    return images[0] if operators <= _IMAGE_ONLY_OPERATORS else None


def load_pdf_page(source: Path | bytes, index: int, profile: ScanProfile, *,
                  name: str | None = None) -> LoadedPage:
    """Page ``index`` of a PDF file, or of a PDF's content in memory."""
    import pikepdf

    label = _label(source, name)
    with _open(source, label) as pdf:
        if not 0 <= index < len(pdf.pages):
            raise UnreadableImageError(f"{label} has no page {index}",
                                       f"{label} không có trang {index + 1}")
        page = pdf.pages[index]
        width_in, height_in = _page_size_in(page)
        if width_in <= 0 or height_in <= 0:
            raise UnreadableImageError(f"page {index} of {label} has no size",
                                       f"trang {index + 1} của {label} không có kích thước")
        stream = _single_image(page)
        if stream is not None:
            image = pikepdf.PdfImage(stream)
            if image.width * image.height > profile.max_pixels:
                raise ImageTooLargeError(image.width, image.height, profile.max_pixels)
            dpi = image.width / width_in
            jpeg = None
            try:
                if image.filters == ["/DCTDecode"] and image.colorspace in ("/DeviceRGB", "/DeviceGray"):
                    jpeg = bytes(stream.read_raw_bytes())
                    array = decode_bytes(jpeg, profile)
                else:
                    array = to_array(image.as_pil_image())
            except (pikepdf.PdfError, NotImplementedError, ValueError, OSError) as exc:
                raise UnreadableImageError(
                    f"cannot decode the image of page {index} of {label}: {exc}",
                    f"không giải mã được ảnh trang {index + 1} của {label}") from None
            turn = int(page.obj.get("/Rotate", 0)) % 360 // 90  # /Rotate turns the page clockwise
            if turn:
                array, jpeg = np.ascontiguousarray(np.rot90(array, k=-turn)), None
            return LoadedPage(array, dpi if dpi >= MIN_PLAUSIBLE_DPI else None, jpeg)
    width_px, height_px = round(width_in * profile.dpi), round(height_in * profile.dpi)
    if width_px * height_px > profile.max_pixels:
        raise ImageTooLargeError(width_px, height_px, profile.max_pixels)
    return LoadedPage(run_pdftoppm(source, index, profile.dpi, name=label), float(profile.dpi))
