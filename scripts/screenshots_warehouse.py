"""Screenshots of the e-data warehouse screens (issue 5): the reuse offer at reception, the
metadata form of a digitised result and the warehouse browser with digital signatures. Called by
``scripts/screenshots.py``; also runs on its own:

    .venv/bin/python scripts/screenshots_warehouse.py [--out docs/screenshots]

(offscreen Qt platform, a fresh demo database in a temporary folder; writes only its own pictures).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
# Throwaway demo folders are encrypted at rest: their keys go to the test suite's file keyring
# (tests/keyring_backend.py), never to this machine's keyring (and it works without one, e.g. Xvfb).
from tests.keyring_backend import install_for_session  # noqa: E402

install_for_session()


def _page_images(folder: Path, *, title: str = "GIẤY KHAI SINH", doc_number: str = "12/2019",
                 name: str = "NGUYỄN THỊ HOA", stem: str = "giay-khai-sinh") -> list[Path]:
    """Two page images that look like a birth certificate (Giấy khai sinh) and its back (or another
    document with ``title``, ``doc_number`` and ``name``)."""
    from PIL import Image, ImageDraw, ImageFont

    from app.core.resources import resource_path

    font_path = resource_path("fonts", "LiberationSerif-Regular.ttf")
    bold_path = resource_path("fonts", "LiberationSerif-Bold.ttf")
    pages = []
    for number in (1, 2):
        image = Image.new("RGB", (1240, 1754), (250, 248, 240))
        draw = ImageDraw.Draw(image)
        font = ImageFont.truetype(str(font_path), 34)
        bold = ImageFont.truetype(str(bold_path), 40)
        big = ImageFont.truetype(str(bold_path), 64)
        draw.rectangle((50, 50, 1190, 1704), outline=(120, 60, 40), width=6)
        if number == 1:
            draw.text((620, 130), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=bold, fill=(20, 20, 20),
                      anchor="mm")
            draw.text((620, 185), "Độc lập - Tự do - Hạnh phúc", font=font, fill=(20, 20, 20), anchor="mm")
            draw.text((620, 330), title, font=big, fill=(150, 20, 20), anchor="mm")
            lines = [f"Số: {doc_number}", f"Họ, chữ đệm, tên: {name}", "Ngày, tháng, năm sinh: 15/03/1990",
                     "Giới tính: Nữ    Dân tộc: Kinh    Quốc tịch: Việt Nam",
                     "Nơi sinh: Bệnh viện Từ Dũ, Thành phố Hồ Chí Minh",
                     "Số định danh cá nhân: 001190012345", "Nơi đăng ký: UBND phường Bến Nghé",
                     "Ngày đăng ký: 05/03/2019"]
        else:
            draw.text((620, 200), "(mặt sau)", font=font, fill=(60, 60, 60), anchor="mm")
            lines = ["Ghi chú thay đổi, cải chính hộ tịch:", "— không có —"]
        y = 470
        for line in lines:
            draw.text((130, y), line, font=font, fill=(25, 25, 25))
            y += 90
        draw.text((820, 1420), "TM. UBND PHƯỜNG", font=bold, fill=(20, 20, 20), anchor="mm")
        draw.ellipse((700, 1470, 940, 1650), outline=(200, 30, 30), width=6)
        path = folder / f"{stem}-{number}.jpg"
        image.save(path, quality=85, dpi=(150, 150))
        pages.append(path)
    return pages


def shoot_warehouse(s, ctx, officer, folder: Path, cccd_payload: str) -> None:  # type: ignore[no-untyped-def]
    """17_reuse_offer.png and 18_result_form.png."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from app.core.warehouse import ResultMetadata
    from app.services.warehouse import records as warehouse
    from app.ui.ops import TaskRunner
    from app.ui.reception.receive_dialog import ReceiveDialog
    from app.ui.warehouse.result_form import ResultForm

    def type_text(widget, text: str) -> None:  # type: ignore[no-untyped-def]
        for char in text:
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char,
                               Qt.KeyboardModifier.NoModifier)

    pages = _page_images(folder)
    runner = TaskRunner()
    try:
        # the metadata form, half filled in by a clerk (the QR code filled the owner)
        form = ResultForm(ctx, runner, officer, pages)
        form.resize(1100, 760)
        form.show()
        s.wait(lambda: form.types and not form.preview.pixmap().isNull())
        form.type_edit.setFocus()
        type_text(form.type_edit, "khai sinh")
        s.wait(form.type_list.isVisible)
        QTest.keyClick(form.type_edit, Qt.Key.Key_Return)
        for name, text in (("number", "12"), ("symbol", "2019"), ("issued_on", "05/03/2019"),
                           ("issuer", "UBND phường Bến Nghé"), ("signer", "Trần Văn Bình")):
            form.edits[name].setText(text)
        form.edits["owner_name"].setFocus()
        type_text(form.edits["owner_name"], cccd_payload)
        QTest.keyClick(form.edits["owner_name"], Qt.Key.Key_Return)
        s.wait(lambda: form.edits["owner_id_number"].text() != "")
        s.shoot(form, "18_result_form")
        form.close()

        # one record in the warehouse, offered when the same person comes for a new dossier
        warehouse.add_result(ctx, ResultMetadata(
            type_code="KQ.G15.000031", number="12", symbol="2019", issued_on=date(2019, 3, 5),
            issuer="UBND phường Bến Nghé", signer="Trần Văn Bình", owner_name="Nguyễn Thị Hoa",
            owner_id_number="001190012345", owner_old_id_number="012345678"), officer, page_images=pages)
        from app.services.reception import drafts

        for draft in drafts.open_drafts(ctx, officer):  # drafts left by the screens shot before
            drafts.discard_draft(ctx, draft.id)
        dialog = ReceiveDialog(ctx, runner, officer)
        dialog.show()
        s.wait(lambda: dialog.picker.loaded)
        type_text(dialog.picker, "4884")
        QTest.keyClick(dialog.picker, Qt.Key.Key_Return)
        s.wait(lambda: dialog.picker.procedure is not None)
        shown: list[int] = []
        dialog.offers_shown.connect(shown.append)
        type_text(dialog.applicant.edits["id_number"], cccd_payload)
        QTest.keyClick(dialog.applicant.edits["id_number"], Qt.Key.Key_Return)
        s.wait(lambda: shown)
        [row] = dialog.components.offered_rows()
        dialog.components.setCurrentCell(row, 1)
        s.shoot(dialog, "17_reuse_offer")
        dialog.reject()
        s.wait(lambda: not dialog.busy)
    finally:
        runner.shutdown()
    shoot_warehouse_screen(s, ctx, officer, folder)


def shoot_warehouse_screen(s, ctx, officer, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """22_warehouse_screen.png: the warehouse browser, some records signed (a throwaway PKCS#12
    certificate of a test CA stands for the officer's token), one selected with its badge."""
    from datetime import date

    from app.core.warehouse import ResultMetadata, Validity
    from app.services.warehouse import pdf_signing as signing
    from app.services.warehouse import record_signing as warehouse_signing
    from app.services.warehouse import records as warehouse
    from app.ui.ops import TaskRunner
    from app.ui.warehouse.screen import WarehouseScreen
    from tests.signing.pki import OFFICER_CN, TestCa, make_pkcs12

    ca = TestCa.create()
    ca.write_pem(folder / "trust")
    make_pkcs12(folder / "can-bo.p12", ca, "mat-khau", cn=OFFICER_CN)
    signing.save_signing_settings(ctx, officer, mode="pkcs12", pkcs12_path=str(folder / "can-bo.p12"),
                                  trust_roots_dir=str(folder / "trust"))
    documents = (
        ("KQ.G15.000031", "GIẤY KHAI SINH", "31", "2021", date(2021, 6, 2), "TRẦN MINH KHÔI",
         "Trần Minh Khôi", "079221004567", Validity.VALID, True),
        ("KQ.1.000894", "GIẤY CHỨNG NHẬN KẾT HÔN", "08", "2016", date(2016, 9, 15), "NGUYỄN THỊ HOA",
         "Nguyễn Thị Hoa", "001190012345", Validity.VALID, True),
        ("KQ.1.000656", "TRÍCH LỤC KHAI TỬ", "05", "2020", date(2020, 2, 11), "LÊ VĂN PHÚC", "Lê Văn Phúc",
         "079150001122", Validity.VALID, False),
        ("KQ.1.014061", "THẺ CĂN CƯỚC", "079190001234", "", date(2015, 4, 20), "PHẠM THỊ LAN", "Phạm Thị Lan",
         "079190001234", Validity.EXPIRED, False),
        ("KQ.G15.000031", "GIẤY KHAI SINH", "112", "2023", date(2023, 11, 3), "ĐỖ GIA BẢO", "Đỗ Gia Bảo",
         "079223009876", Validity.VALID, True),
    )
    to_sign = []
    for n, (code, title, number, symbol, issued, upper, owner, cccd, validity, sign) in enumerate(documents):
        pages = _page_images(folder, title=title, doc_number=f"{number}/{symbol}" if symbol else number,
                             name=upper, stem=f"kho-{n}")
        record = warehouse.add_result(ctx, ResultMetadata(
            type_code=code, number=number, symbol=symbol, issued_on=issued, issuer="UBND phường Bến Nghé",
            signer="Trần Văn Bình", owner_name=owner, owner_id_number=cccd, validity=validity), officer,
            page_images=pages)
        if sign:
            to_sign.append(record.record_id)
    key = signing.signing_settings(ctx).key("mat-khau")
    warehouse_signing.sign_records(ctx, to_sign, officer, key)
    runner = TaskRunner()
    try:
        screen = WarehouseScreen(ctx, runner, officer)
        screen.resize(1280, 760)
        screen.show()
        s.wait(lambda: screen.views and screen.count_label.text() != "Đang tìm…")
        chosen = next(r for r, v in enumerate(screen.views) if v.record.record_id == to_sign[1])
        screen.table.selectRow(chosen)
        s.wait(lambda: screen.badge.status is not None and not screen.preview.pixmap().isNull())
        screen.notice.setText(f"Đã ký số {len(to_sign)} giấy tờ.")
        s.shoot(screen, "22_warehouse_screen")
        screen.close()
        s.wait(lambda: runner.pending == 0)
    finally:
        runner.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("MOTCUA_DATA_KEY", "5a" * 32)  # a throwaway folder: no OS keyring needed
    from PySide6.QtWidgets import QApplication

    from app.services.admin import auth
    from app.services.admin.setup import init
    from app.services.context import AppContext
    from app.ui.fonts import install_bundled_fonts
    from scripts.screenshots import CCCD_PAYLOAD, DEMO_NOW, Shooter

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    install_bundled_fonts(app)
    shooter = Shooter(app, out)
    with tempfile.TemporaryDirectory(prefix="motcua-wh-shots-") as folder:
        ctx = AppContext.open(Path(folder) / "data")
        try:
            init(ctx, demo=True, now=DEMO_NOW, demo_count=20)
            shoot_warehouse(shooter, ctx, auth.SYSTEM_OFFICER, Path(folder), CCCD_PAYLOAD)
        finally:
            ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
