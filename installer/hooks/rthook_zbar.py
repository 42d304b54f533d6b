"""Runtime hook of the frozen build: pyzbar finds zbar with ``ctypes.util.find_library``, which
looks only at the system's library paths; point it at the copy bundled beside the executables
(Linux), so the pyzbar reader works on a machine without the libzbar0 package."""

import ctypes.util
import sys
from pathlib import Path

_bundled = Path(getattr(sys, "_MEIPASS", "")) / "libzbar.so.0"
if sys.platform.startswith("linux") and _bundled.exists():
    _find_library = ctypes.util.find_library

    def _find_with_bundled_zbar(name: str) -> str | None:
        return str(_bundled) if name == "zbar" else _find_library(name)

    ctypes.util.find_library = _find_with_bundled_zbar
