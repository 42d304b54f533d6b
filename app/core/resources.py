"""Where the application's bundled, read-only resources live (catalogue, fonts, templates).

``resources/`` sits at the top of the repository, next to ``app/``. A frozen PyInstaller build
unpacks it under ``sys._MEIPASS``; ``$MOTCUA_RESOURCES_DIR`` overrides both (tests, packagers).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ENV = "MOTCUA_RESOURCES_DIR"


def _candidates() -> list[Path]:
    found: list[Path] = []
    env = os.environ.get(_ENV)
    if env:
        found.append(Path(env))
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        found.append(Path(frozen) / "resources")
    here = Path(__file__).resolve()
    # app/core/resources.py -> <repo>/resources ; also tolerate resources shipped inside app/
    found.append(here.parents[2] / "resources")
    found.append(here.parents[1] / "resources")
    return found


def resources_dir() -> Path:
    """The directory holding the bundled resources (the first candidate that exists)."""
    for candidate in _candidates():
        if candidate.is_dir():
            return candidate
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    """A path inside :func:`resources_dir`, e.g. ``resource_path("catalogue", "procedures.json")``."""
    return resources_dir().joinpath(*parts)
