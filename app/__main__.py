"""``python -m app`` (and the frozen ``motcua-desk``): start the desktop application.

``--version`` prints the version; ``--self-test`` checks the build headless (``app.ui.self_test``)
and exits 0 when it works. Any other arguments go to the window (``app.ui.main_window.main``).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--version" in args:
        from app import __version__

        print(f"MotCua Desk {__version__}")
        return 0
    if importlib.util.find_spec("app.ui.main_window") is None:
        sys.stderr.write(
            "Giao diện MotCua Desk (app/ui/main_window.py) chưa có trong bản cài đặt này; "
            "hãy dùng lệnh “motcua” (xem “motcua --help”).\n"
            "The MotCua Desk window (app/ui/main_window.py) is not part of this build yet; "
            "use the `motcua` command line instead.\n"
        )
        return 1
    if "--self-test" in args:
        from app.ui.self_test import run_self_test

        return run_self_test()
    module = importlib.import_module("app.ui.main_window")
    result = module.main(args)
    return int(result or 0)


if __name__ == "__main__":
    raise SystemExit(main())
