"""``python -m app``: start the desktop application (the GUI lives in ``app.ui.main_window``)."""

from __future__ import annotations

import importlib
import importlib.util
import sys


def main() -> int:
    if importlib.util.find_spec("app.ui.main_window") is None:
        sys.stderr.write(
            "Giao diện MotCua Desk (app/ui/main_window.py) chưa có trong bản cài đặt này; "
            "hãy dùng lệnh “motcua” (xem “motcua --help”).\n"
            "The MotCua Desk window (app/ui/main_window.py) is not part of this build yet; "
            "use the `motcua` command line instead.\n"
        )
        return 1
    module = importlib.import_module("app.ui.main_window")
    result = module.main()
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
