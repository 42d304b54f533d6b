"""Trạm quét: pages from image files arrive as thumbnails, are turned, deleted, reordered and
assigned with the keyboard, and are stored as one PDF per component in the demo dossier."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from app.services.admin.auth import Officer, Role
from app.services.context import AppContext
from app.services.reception import dossiers as dossier_service
from app.services.scanning import station
from app.ui import main_window
from app.ui.main_window import MainWindow
from app.ui.scanning.page_delegate import CELL, DOCUMENT_ROLE, PAGE_ROLE, PageDelegate
from app.ui.scanning.pages import MIME_TYPE, PageModel, PageView
from app.ui.scanning.station import ScanStationDialog
from tests.scanning.scan_helpers import blank_page, save, seal_page, text_page

ROOT = Path(__file__).resolve().parents[2]
CLERK = Officer("mai", "Phạm Thị Mai", Role.CLERK)
BADGE = QColor("#fff3e0")  # the "Trang trắng?" badge


@pytest.fixture(scope="session")
def page_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Six scanned pages as JPEG files: Vietnamese text, a blank sheet with dust (3rd), a red seal (4th)."""
    folder = tmp_path_factory.mktemp("scans")
    images = [text_page(lines=14, seed=1), text_page(lines=9, seed=2), blank_page(seed=3),
              seal_page(seed=4), text_page(lines=20, seed=5), text_page(lines=6, seed=6)]
    return [save(image, folder / f"trang-{n:02d}.jpg", quality=85, dpi=(200, 200))
            for n, image in enumerate(images, start=1)]


@pytest.fixture
def code(demo_ctx: AppContext) -> str:
    """A demo dossier with at least two received components among the first nine (keys 1-9 pick them)."""
    for summary in dossier_service.list_dossiers(demo_ctx, limit=50):
        dossier = dossier_service.get_dossier(demo_ctx, summary.code)
        if sum(1 for c in dossier.components if c.received and c.index < 9) >= 2:
            return dossier.code
    raise AssertionError("no demo dossier with two components")


@pytest.fixture
def dialog(qtbot, demo_ctx: AppContext, runner, code: str) -> ScanStationDialog:  # type: ignore[no-untyped-def]
    d = ScanStationDialog(demo_ctx, runner, CLERK, code)
    d.confirm_discard = lambda _pages: True
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.dossier_loaded, timeout=10_000):
        d.show()
    d.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is d.view)
    return d


def scan(qtbot, d: ScanStationDialog, files: list[Path]) -> object:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(d.scan_finished, timeout=60_000) as finished:
        assert d.start_scan(files)
    return finished.args[0]


def ids(d: ScanStationDialog) -> list[int]:
    return d.model.deck.ids()


def select(qtbot, d: ScanStationDialog, *rows: int) -> None:  # type: ignore[no-untyped-def]
    """Click the first row, Ctrl+click the others, like the officer."""
    for n, row in enumerate(rows):
        rect = d.view.visualRect(d.model.index(row))
        modifier = Qt.KeyboardModifier.ControlModifier if n else Qt.KeyboardModifier.NoModifier
        QTest.mouseClick(d.view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())
    assert sorted(i.row() for i in d.view.selectionModel().selectedIndexes()) == sorted(rows)


def key(d: ScanStationDialog, sequence: str | Qt.Key,  # type: ignore[no-untyped-def]
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(d.view, sequence, modifier)


def painted(d: ScanStationDialog, row: int) -> QImage:
    """The page cell as the delegate draws it."""
    image = QImage(CELL, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    option = QStyleOptionViewItem()
    option.rect = image.rect()
    option.palette = d.view.palette()
    PageDelegate().paint(painter, option, d.model.index(row))
    painter.end()
    return image


def has_color(image: QImage, color: QColor) -> bool:
    return any(image.pixelColor(x, y) == color for x in range(0, image.width(), 2)
               for y in range(0, image.height(), 2))


def drop(d: ScanStationDialog, page_ids: list[int], row: int) -> None:
    """What Qt delivers to the view while a drag of ``page_ids`` ends before page ``row`` (a real
    QDrag cannot run on the offscreen platform, so the events are sent as Qt would send them)."""
    data = QMimeData()
    data.setData(MIME_TYPE, QByteArray(json.dumps(page_ids).encode()))
    rect = d.view.visualRect(d.model.index(row))
    at = QPointF(rect.left() + 10, rect.center().y())
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    move = Qt.DropAction.MoveAction
    for event in (QDragEnterEvent(at.toPoint(), move, data, buttons, mods),
                  QDragMoveEvent(at.toPoint(), move, data, buttons, mods)):
        QApplication.sendEvent(d.view.viewport(), event)
        assert event.isAccepted()
    dropped = QDropEvent(at, move, data, buttons, mods)
    QApplication.sendEvent(d.view.viewport(), dropped)
    assert dropped.isAccepted()


def test_scan_check_assign_and_save(qtbot, dialog: ScanStationDialog, demo_ctx: AppContext,  # type: ignore[no-untyped-def]
                                    page_files: list[Path], code: str) -> None:
    """GIVEN six page files WHEN they are scanned THEN thumbnails appear one by one, the blank page
    greyed and badged; turning, deleting + undo, reordering (model and drag and drop), keys 1 and 2
    and Ctrl+S store two PDFs whose page counts match, leaving the undecided blank page out."""
    d = dialog
    arrivals: list[tuple[int, bool]] = []
    d.model.rowsInserted.connect(lambda *_a: arrivals.append((d.model.rowCount(), d.acquiring)))
    summary = scan(qtbot, d, page_files)
    assert isinstance(summary, station.AcquireSummary) and summary.pages == 6
    assert [n for n, _running in arrivals] == [1, 2, 3, 4, 5, 6]
    assert all(running for _n, running in arrivals)  # each page shown while the scan still ran
    pages = [d.model.index(r).data(PAGE_ROLE) for r in range(6)]
    assert [p.needs_decision for p in pages] == [False, False, True, False, False, False]
    assert pages[3].result.color.value == "color"  # the red seal keeps its colour
    assert has_color(painted(d, 2), BADGE) and not has_color(painted(d, 0), BADGE)
    assert "1 trang trắng cần xem lại" in d.status.text()
    a, b, blank, seal, e, f = ids(d)

    select(qtbot, d, 0)
    key(d, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    key(d, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    key(d, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert d.model.deck.page(a).rotation == 90
    view = d.model.index(0).data(Qt.ItemDataRole.DecorationRole)
    assert view.width() > view.height()  # the thumbnail shows the page turned

    select(qtbot, d, 1)
    key(d, Qt.Key.Key_Delete)
    assert ids(d) == [a, blank, seal, e, f]
    key(d, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ids(d) == [a, b, blank, seal, e, f]

    assert d.model.moveRows(QModelIndex(), 5, 1, QModelIndex(), 4)  # f before e
    assert ids(d) == [a, b, blank, seal, f, e]
    select(qtbot, d, 3)
    drop(d, [seal], 5)  # the sealed page dragged before e
    assert ids(d) == [a, b, blank, f, seal, e]
    assert d.view.selected_ids() == [seal]  # the moved page stays selected

    # the station numbers a component as the dossier does (index + 1), as its file name says
    components = d.model.components
    assert all(n == index + 1 for index, (n, _name) in components.items())
    (first, (n1, _)), (second, (n2, _)) = sorted(components.items())[:2]
    select(qtbot, d, 0, 1, 2)
    key(d, getattr(Qt.Key, f"Key_{n1}"))
    select(qtbot, d, 3, 4, 5)
    key(d, getattr(Qt.Key, f"Key_{n2}"))
    assert [d.model.deck.page(i).component for i in (a, b, blank, f, seal, e)] == [first] * 3 + [second] * 3
    before = len(dossier_service.get_dossier(demo_ctx, code).attachments)

    with qtbot.waitSignal(d.saved, timeout=60_000) as saved:
        key(d, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    stored = dossier_service.get_dossier(demo_ctx, code).attachments[before:]
    assert stored == saved.args[0]
    assert [(x.component_index, x.pages) for x in stored] == [(first, 2), (second, 3)]
    assert [x.file_name for x in stored] == [f"{code}_TP{n1}.pdf", f"{code}_TP{n2}.pdf"]
    assert [station.pdf_page_count(demo_ctx, x.sha256) for x in stored] == [2, 3]
    assert "Đã lưu 2 tệp PDF" in d.message.text()
    assert ids(d) == [blank]  # stored pages leave the table; the undecided blank page stays
    assert not d.model.deck.can_undo


def test_escape_cancels_a_running_scan_cleanly(qtbot, dialog: ScanStationDialog, runner,  # type: ignore[no-untyped-def]
                                               page_files: list[Path]) -> None:
    """GIVEN a long scan WHEN Esc is pressed after the first page THEN the scan stops between pages,
    the station stays open with the pages received, and no worker thread is left after shutdown."""
    d = dialog
    d.model.rowsInserted.connect(lambda *_a: key(d, Qt.Key.Key_Escape) if d.model.rowCount() == 1 else None)
    summary = scan(qtbot, d, page_files * 3)
    assert isinstance(summary, station.AcquireSummary) and summary.cancelled
    assert 1 <= summary.pages == len(d.model.deck) < 18
    assert "Đã dừng quét" in d.status.text()
    assert d.isVisible() and not d.acquiring and d.cancel_button.isHidden()
    runner.shutdown(wait=True)
    assert not [t for t in threading.enumerate() if t.name.startswith("motcua-")]
    key(d, Qt.Key.Key_Escape)  # idle now: Esc closes the station
    assert not d.isVisible()


def test_rescan_split_and_blank_decision(qtbot, dialog: ScanStationDialog,  # type: ignore[no-untyped-def]
                                         page_files: list[Path]) -> None:
    d = dialog
    scan(qtbot, d, page_files[:3])
    a, b, blank = ids(d)
    select(qtbot, d, 1)
    key(d, getattr(Qt.Key, f"Key_{min(n for n, _name in d.model.components.values())}"))
    with qtbot.waitSignal(d.scan_finished, timeout=60_000):
        assert d.start_scan([page_files[3]], replace_id=b)
    new = ids(d)[1]
    assert new not in (a, b, blank) and d.model.deck.page(new).component is not None
    key(d, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)  # a new document from the re-scanned page
    assert d.model.index(1).data(DOCUMENT_ROLE) == 2
    key(d, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert d.model.index(1).data(DOCUMENT_ROLE) == 0
    select(qtbot, d, 2)
    key(d, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)  # keep the blank page after all
    assert not d.model.deck.page(blank).needs_decision and not has_color(painted(d, 2), BADGE)


def test_ctrl_shift_s_opens_the_station_for_the_selected_dossier(qtbot, demo_ctx: AppContext,  # type: ignore[no-untyped-def]
                                                                 monkeypatch) -> None:
    monkeypatch.setattr(main_window, "list_scanners", lambda: [("sane:test:0", "Máy quét thử")])
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.model.total is not None and not window.model.loading, timeout=10_000)
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window.table, Qt.Key.Key_S, ctrl_shift)
    assert window.scan_station is None  # nothing selected yet
    window.table.selectRow(0)
    QTest.keyClick(window.table, Qt.Key.Key_S, ctrl_shift)
    station_dialog = window.scan_station
    assert station_dialog is not None and station_dialog.isVisible()
    assert station_dialog.code == window.model.summary_at(0).code
    qtbot.waitUntil(lambda: station_dialog.source.findData("sane:test:0") >= 0, timeout=10_000)
    assert station_dialog.source.currentData() == "sane:test:0"
    qtbot.waitUntil(lambda: station_dialog.code in station_dialog.header.text(), timeout=10_000)


def real_drag() -> None:
    """Run in a child process on a real X display: drag page 1 with the mouse and release it on the
    right half of page 4; print the order of the pages (their 1-based arrival numbers)."""
    import numpy as np

    from app.scanning.encode import encode_page
    from app.scanning.pipeline import PageResult
    from app.scanning.profile import ColorMode
    from app.services.scanning.deck import StationPage, new_page_id

    app = QApplication.instance() or QApplication([])
    model, view = PageModel(), PageView()
    view.setModel(model)
    view.resize(900, 600)
    view.show()
    for n in range(4):
        pixels = np.full((60, 40), 240 - 40 * n, np.uint8)
        result = PageResult("test", n, 0.0, False, (), None, ColorMode.GRAY,
                            encode_page(pixels, ColorMode.GRAY, 200.0))
        model.append(StationPage(new_page_id(), result, np.repeat(pixels[:, :, None], 3, axis=2)))
    QTest.qWaitForWindowExposed(view)
    first_id = model.deck.ids()[0]
    start, target = view.visualRect(model.index(0)), view.visualRect(model.index(3))
    end = QPoint(target.right() - 5, target.center().y())
    viewport = view.viewport()

    def release() -> None:  # runs inside QDrag.exec's event loop
        QTest.mouseMove(viewport, end)
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)

    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start.center())
    QTimer.singleShot(200, release)
    for dx in (20, 40, 60):  # past the drag distance: QListView starts the drag
        QTest.mouseMove(viewport, start.center() + QPoint(dx, 0))
    QTest.qWait(300)
    print(json.dumps([page_id - first_id + 1 for page_id in model.deck.ids()]))
    app.processEvents()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="a real drag needs an X display (Xvfb)")
def test_mouse_drag_and_drop_on_a_real_display() -> None:
    """GIVEN four pages on an X display (Xvfb) WHEN page 1 is dragged with the mouse onto the right
    half of page 4 THEN it is moved after page 4 and no page is lost. (The offscreen platform runs no
    drag loop, so this one test runs in a child process under Xvfb.)"""
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    env.pop("DISPLAY", None)
    child = subprocess.run([shutil.which("xvfb-run") or "xvfb-run", "-a", sys.executable, "-c",
                            "from tests.ui.test_scan_station import real_drag; real_drag()"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert child.returncode == 0, child.stderr
    assert json.loads(child.stdout.splitlines()[-1]) == [2, 3, 4, 1]


def test_unfinished_spool_batch_is_offered_again_on_open(qtbot, demo_ctx: AppContext, runner,  # type: ignore[no-untyped-def]
                                                         code: str) -> None:
    """GIVEN three pages a scanner spooled for the dossier in a station that then crashed
    WHEN the station is opened again and the officer accepts THEN the three pages are shown again
    (from the spool, not copied again); after one page is saved and the station crashes again, the
    next opening shows the two others only; once all are saved nothing is offered any more."""
    batch = station.new_spool_batch(demo_ctx, code, CLERK)
    files = [batch.put(text_page(lines=5, seed=n), dpi=200) for n in (1, 2, 3)]
    asked: list[int] = []

    def open_station(accept: bool = True) -> ScanStationDialog:
        d = ScanStationDialog(demo_ctx, runner, CLERK, code)
        d.confirm_discard = lambda _pages: True
        d.confirm_resume = lambda pages: asked.append(pages) or accept
        qtbot.addWidget(d)
        d.show()
        return d

    d = open_station()
    qtbot.waitUntil(lambda: len(d.model.deck) == 3 and not d.acquiring, timeout=60_000)
    assert asked == [3] and d.resumed_pages == 3
    assert [p.spooled for p in d.model.deck.pages] == [str(f) for f in files]
    assert batch.pages() == files  # nothing copied into the spool again
    number = min(n for n, _name in d.model.components.values())
    select(qtbot, d, 0)
    key(d, getattr(Qt.Key, f"Key_{number}"))
    with qtbot.waitSignal(d.saved, timeout=60_000):
        key(d, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: (batch.read_meta() or {}).get("saved") == [files[0].name], timeout=10_000)
    assert not batch.done  # two pages are still only on the table: a crash now must not lose them

    d2 = open_station()  # the first window "crashed": never closed
    qtbot.waitUntil(lambda: len(d2.model.deck) == 2 and not d2.acquiring, timeout=60_000)
    assert asked == [3, 2]
    assert [p.spooled for p in d2.model.deck.pages] == [str(f) for f in files[1:]]
    select(qtbot, d2, 0, 1)
    key(d2, getattr(Qt.Key, f"Key_{number}"))
    with qtbot.waitSignal(d2.saved, timeout=60_000):
        key(d2, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: batch.done, timeout=10_000)

    d3 = open_station()
    qtbot.waitUntil(lambda: d3.dossier is not None and not d3.busy, timeout=10_000)
    assert asked == [3, 2] and len(d3.model.deck) == 0
