"""Child process of the first-paint benchmark: open the main window on a data folder, report JSON.

Run alone: ``QT_QPA_PLATFORM=offscreen python -m benchmarks.ui_probe DATA_DIR``.
"""

from __future__ import annotations

import json
import sys
import time


def main(data_dir: str) -> None:
    started = time.perf_counter()
    from PySide6.QtWidgets import QApplication

    from app.services.context import AppContext
    from app.ui.fonts import install_bundled_fonts
    from app.ui.main_window import MainWindow
    from benchmarks.common import peak_rss_mb

    app = QApplication([])
    install_bundled_fonts(app)
    ctx = AppContext.open(data_dir)
    window = MainWindow(ctx)
    window.show()
    while window.model.loading:  # set_source starts the first page fetch in the constructor
        app.processEvents()
    window.repaint()  # paint the first page now, synchronously
    first_paint = time.perf_counter() - started
    while window.model.total is None:
        app.processEvents()
    counted = time.perf_counter() - started
    print(json.dumps({"first_paint_s": first_paint, "count_s": counted,
                      "rows_loaded": window.model.rowCount(),
                      "total": window.model.total, "peak_rss_mb": peak_rss_mb()}))
    window.close()
    ctx.close()


if __name__ == "__main__":
    main(sys.argv[1])
