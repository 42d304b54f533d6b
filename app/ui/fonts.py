"""Bundled fonts: a machine without Vietnamese fonts would otherwise show boxes."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

UI_FAMILY_FALLBACK = "Liberation Sans"


def fonts_dir() -> Path:
    from app.core.resources import resources_dir

    return resources_dir() / "fonts"


def install_bundled_fonts(app: QApplication, point_size: int = 10) -> str:
    """Register every bundled TTF and make the sans face the application font; return its family."""
    family = ""
    for ttf in sorted(fonts_dir().glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(ttf))
        if font_id < 0:
            log.warning("could not load font %s", ttf)
            continue
        families = QFontDatabase.applicationFontFamilies(font_id)
        if families and "Sans" in families[0] and not family:
            family = families[0]
    family = family or UI_FAMILY_FALLBACK
    app.setFont(QFont(family, point_size))
    return family
