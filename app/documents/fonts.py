"""Liberation Serif (Times metrics, full Vietnamese) registered with ReportLab as embedded subsets;
Liberation Mono Bold (:data:`MONO_BOLD`) for codes that are read aloud or typed back (the recovery secret)."""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.core.errors import MotCuaError

FAMILY = "LiberationSerif"
REGULAR = FAMILY
BOLD = f"{FAMILY}-Bold"
ITALIC = f"{FAMILY}-Italic"
BOLD_ITALIC = f"{FAMILY}-BoldItalic"
MONO_BOLD = "LiberationMono-Bold"

_FILES = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
    MONO_BOLD: "LiberationMono-Bold.ttf",
}
_lock = threading.Lock()
_registered = False


def _resources_dir() -> Path:
    try:
        from app.core.resources import resources_dir
    except ImportError:  # pragma: no cover - the core helper is optional for this layer
        return Path(__file__).resolve().parents[2] / "resources"
    return resources_dir()


def fonts_dir() -> Path:
    """Folder of the bundled TTF files (``resources/fonts``)."""
    return _resources_dir() / "fonts"


def ensure_fonts() -> str:
    """Register the faces and the serif family once (so ``<b>``/``<i>`` work); return the family."""
    global _registered
    with _lock:
        if _registered:
            return FAMILY
        folder = fonts_dir()
        missing = [name for name in _FILES.values() if not (folder / name).is_file()]
        if missing:
            raise MotCuaError(
                f"bundled fonts missing in {folder}: {', '.join(missing)}",
                "Thiếu phông chữ Liberation Serif trong thư mục tài nguyên của ứng dụng; "
                "không thể in phiếu tiếng Việt.",
            )
        for face, file_name in _FILES.items():
            pdfmetrics.registerFont(TTFont(face, str(folder / file_name)))
        pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC,
                                      boldItalic=BOLD_ITALIC)
        _registered = True
        return FAMILY
