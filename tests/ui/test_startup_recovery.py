"""After sign-in the main window attaches the pages a crash left in the scan spool, off the UI
thread, and says in Vietnamese how many pages were recovered."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow

from app.services import dossiers as dossier_service
from app.services import scanning as service
from app.services.auth import Officer, Role
from app.services.context import AppContext
from app.ui.startup_recovery import start_scan_recovery
from tests.scanning.scan_helpers import save, text_page

CLERK = Officer("mai", "Phạm Thị Mai", Role.CLERK)


class Crash(BaseException):
    pass


def test_window_recovers_spooled_pages_once(qtbot, demo_ctx: AppContext, runner, tmp_path: Path,  # type: ignore[no-untyped-def]
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    code = dossier_service.list_dossiers(demo_ctx, limit=1)[0].code
    before = len(service.attachments_of(demo_ctx, code))
    for n in (1, 2, 3):
        save(text_page(lines=6, seed=n), tmp_path / f"p{n}.png", dpi=(200, 200))

    def die(*_args: object, **_kwargs: object) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(service, "build_pdf", die)
        with pytest.raises(Crash):
            service.scan_into_dossier(demo_ctx, f"folder:{tmp_path}", code, None, CLERK)
    pages = [p for p in (demo_ctx.data_dir / "spool").rglob("0000*") if p.is_file()]
    assert len(pages) == 3 and all(p.read_bytes().startswith(b"MCB1") for p in pages)  # sealed at rest

    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    results: list[tuple[list[service.ScanOutcome], str]] = []
    start_scan_recovery(demo_ctx, runner, window, lambda outcomes, notice: results.append((outcomes, notice)))
    qtbot.waitUntil(lambda: bool(results), timeout=60_000)
    [(outcomes, notice)] = results
    assert [o.pages for o in outcomes] == [3]
    assert "Đã khôi phục 3 trang quét" in notice
    assert window.statusBar().currentMessage() == notice
    assert len(service.attachments_of(demo_ctx, code)) == before + 1

    start_scan_recovery(demo_ctx, runner, window, lambda outcomes, notice: results.append((outcomes, notice)))
    qtbot.waitUntil(lambda: len(results) == 2, timeout=60_000)
    assert results[1] == ([], "")
    assert len(service.attachments_of(demo_ctx, code)) == before + 1


def test_window_tells_once_about_pages_set_aside(qtbot, demo_ctx: AppContext, runner, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan that failed to store (a full disk) is set aside, never attached at the next start; the
    window says so once."""
    import errno

    from app.core.errors import MotCuaError

    code = dossier_service.list_dossiers(demo_ctx, limit=1)[0].code
    before = len(service.attachments_of(demo_ctx, code))
    save(text_page(lines=6, seed=4), tmp_path / "p1.png", dpi=(200, 200))

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(service, "build_pdf", full)
        with pytest.raises(MotCuaError):
            service.scan_into_dossier(demo_ctx, f"folder:{tmp_path}", code, None, CLERK)
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    results: list[tuple[list[service.ScanOutcome], str]] = []
    start_scan_recovery(demo_ctx, runner, window, lambda outcomes, notice: results.append((outcomes, notice)))
    qtbot.waitUntil(lambda: bool(results), timeout=60_000)
    assert results[0][0] == [] and "để riêng" in results[0][1]
    assert window.statusBar().currentMessage() == results[0][1]
    start_scan_recovery(demo_ctx, runner, window, lambda outcomes, notice: results.append((outcomes, notice)))
    qtbot.waitUntil(lambda: len(results) == 2, timeout=60_000)
    assert results[1] == ([], "")
    assert len(service.attachments_of(demo_ctx, code)) == before
