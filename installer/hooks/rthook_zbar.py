"""Runtime hook of the frozen build: pyzbar finds zbar with ``ctypes.util.find_library``, which
looks only at the system's library paths; point it at the copy bundled beside the executables
(Linux), so the pyzbar reader works on a machine without the libzbar0 package."""

import ctypes.util
import os
import sys

_bundled = os.path.join(getattr(sys, "_MEIPASS", ""), "libzbar.so.0")
if sys.platform.startswith("linux") and os.path.exists(_bundled):
    _find_library = ctypes.util.find_library

    def _find_with_bundled_zbar(name: str) -> str | None:
        return _bundled if name == "zbar" else _find_library(name)

    ctypes.util.find_library = _find_with_bundled_zbar
