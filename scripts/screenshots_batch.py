"""Screenshots of batch scanning and of the signature badges, called by ``scripts/screenshots.py``:

* ``19_batch_screen.png``: the batch screen after a generated stack went through (documents grouped
  at the separator sheets, the blank page greyed, thumbnails);
* ``20_signature_badge.png``: the main window on a dossier with two scanned PDFs, one signed (a
  throwaway PKCS#12 certificate of a test CA stands for the officer's token), one not;
* ``21_batch_metadata.png``: the batch screen recording the second document with the metadata form.

The stacks are generated like the batch tests' (``tests/batch/batch_helpers.py``), in a temporary
folder; nothing is written outside ``--out`` of the calling script.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

STACK = "TTKTBTST"  # 3 documents: a separator with a result type, a blank page, a plain separator
METADATA_STACK = "KTTKTBTST"  # doc 1: 2 pages; doc 2: 3 pages, the middle one blank; doc 3: 1 page


def _batch_screen(s, ctx, officer, runner, stack: Path):  # type: ignore[no-untyped-def]
    from app.ui.batch_screen import BatchScreen

    screen = BatchScreen(ctx, runner, officer)
    screen.resize(1280, 800)
    screen.show()
    screen.activateWindow()
    s.wait(lambda: bool(screen.form.types))
    outcomes: list[object] = []
    screen.finished.connect(outcomes.append)
    screen.source.setText(f"folder:{stack}")
    screen.start()
    s.wait(lambda: bool(outcomes), timeout=240)
    return screen


def shoot_batch(s, ctx, officer, folder: Path, cccd_payload: str) -> None:  # type: ignore[no-untyped-def]
    """19 and 21 (two batches of generated pages in ``folder``)."""
    from app.ui.ops import TaskRunner
    from tests.batch.batch_helpers import make_stack

    runner = TaskRunner()
    try:
        make_stack(folder / "stack", STACK)
        screen = _batch_screen(s, ctx, officer, runner, folder / "stack")
        s.wait(lambda: screen.tree.topLevelItemCount() > 0
               and not screen.tree.topLevelItem(0).child(0).icon(0).isNull(), timeout=60)
        s.shoot(screen, "19_batch_screen")
        screen.close()
        s.wait(lambda: runner.pending == 0, timeout=60)

        make_stack(folder / "stack-2", METADATA_STACK)
        screen = _batch_screen(s, ctx, officer, runner, folder / "stack-2")
        s.wait(lambda: screen.doc_number == 0 and len(screen.form.pages) == 2, timeout=60)
        form = screen.form
        for name, text in (("number", "12"), ("symbol", "2019"), ("issued_on", "05/03/2019"),
                           ("issuer", "UBND phường Bến Nghé"), ("signer", "Trần Văn Bình")):
            form.edits[name].setText(text)
        _type_qr(form, cccd_payload)
        recorded: list[object] = []
        screen.recorded.connect(recorded.append)
        form.save()
        s.wait(lambda: bool(recorded) and screen.doc_number == 1 and len(form.pages) == 3, timeout=60)
        form.edits["number"].setText("13")
        form.edits["owner_name"].setFocus()
        _type_qr(form, cccd_payload)
        s.wait(lambda: not screen.tree.topLevelItem(1).child(0).icon(0).isNull(), timeout=60)
        form.edits["number"].setFocus()
        s.shoot(screen, "21_batch_metadata")
        screen.close()
        s.wait(lambda: runner.pending == 0, timeout=60)
    finally:
        runner.shutdown()


def _type_qr(form, payload: str) -> None:  # type: ignore[no-untyped-def]
    """What a keyboard-wedge QR reader does in the owner's name field: the payload, then Enter."""
    from PySide6.QtCore import Qt

    from scripts.screenshots import press, type_text

    widget = form.edits["owner_name"]
    widget.setFocus()
    type_text(widget, payload)
    press(widget, Qt.Key.Key_Return)


def shoot_signatures(s, ctx, officer, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """20: a dossier with two scanned PDFs, the first signed by the officer, shown in the main window."""
    from app.core.cccd import applicant_from_qr, parse_cccd_qr
    from app.services import reception, signing
    from app.services.scanning import scan_into_dossier
    from app.ui.main_window import MainWindow
    from tests.scanning.scan_helpers import save, text_page
    from tests.signing.pki import OFFICER_CN, TestCa, make_pkcs12

    ca = TestCa.create()
    ca.write_pem(folder / "trust-20")
    make_pkcs12(folder / "can-bo-20.p12", ca, "mat-khau", cn=OFFICER_CN)
    signing.save_signing_settings(ctx, officer, mode="pkcs12", pkcs12_path=str(folder / "can-bo-20.p12"),
                                  trust_roots_dir=str(folder / "trust-20"))
    qr = ("079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|"
          "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")
    request = reception.ReceiveRequest("1.001193", applicant_from_qr(parse_cccd_qr(qr)),
                                       received_at=datetime(2026, 11, 20, 9, 30))
    code = reception.receive_dossier(ctx, request, officer).code
    outcomes = []
    for index in (0, 1):
        pages = folder / f"pages-20-{index}"
        pages.mkdir(parents=True, exist_ok=True)
        save(text_page(lines=10 + 6 * index, seed=20 + index), pages / "trang1.png", dpi=(200, 200))
        outcomes.append(scan_into_dossier(ctx, f"folder:{pages}", code, index, officer))
    key = signing.signing_settings(ctx).key("mat-khau")
    signing.sign_attachment(ctx, code, outcomes[0].attachment.sha256, officer, key)

    window = MainWindow(ctx, officer=officer)
    window.resize(1280, 780)
    window.show()
    s.wait(lambda: window.model.total is not None and not window.model.loading)
    window.search_box.setText(code)
    window.apply_filters()
    s.wait(lambda: window.model.total == 1 and not window.model.loading)
    window.table.selectRow(0)
    s.wait(lambda: code in window.detail.toPlainText() and len(window.signatures.badges) == 2
           and all(b.status is not None for b in window.signatures.badges), timeout=60)
    window.signatures.table.selectRow(1)
    s.shoot(window, "20_signature_badge")
    window.close()
