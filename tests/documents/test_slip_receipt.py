"""Mẫu 01: two copies, the fields, the bar codes (decoded for real) and one page per copy."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from io import BytesIO

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from slip_helpers import CODE, STANDARD_14, missing_in_order, nfc, pdf_fonts, pdf_pages_text, rasterise

from app.core.dossier import Channel, Delivery, ReceivedComponent
from app.core.procedure import ProcessingTime, ProcessingUnit
from app.documents import render_form


@pytest.fixture
def receipt(dossier, procedure, profile) -> bytes:
    return render_form("01", dossier, procedure, profile, extra={"register_seq": "0007"})


def test_two_pages_one_per_copy(receipt):
    pages = pdf_pages_text(receipt)
    assert len(pages) == 2
    assert "(Liên 1: Lưu)" in pages[0] and "Liên 2" not in pages[0]
    assert "(Liên 2: Giao khách hàng)" in pages[1] and "Liên 1" not in pages[1]


def test_fields_in_official_order(receipt):
    text = pdf_pages_text(receipt)[0]
    expected = [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        f"Mã hồ sơ: {CODE}",
        "Bộ phận tiếp nhận và trả kết quả: Bộ phận Một cửa UBND phường Bến Nghé",
        "Tiếp nhận hồ sơ của: Nguyễn Thị Thu Hà",
        "Địa chỉ: 12 Lê Lợi, Phường Bến Nghé, Quận 1",
        "Số điện thoại: 0903123456",
        "Email: thuha@example.vn",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
        "1. Thành phần hồ sơ nộp gồm:",
        "2. Số lượng hồ sơ: 01 (bộ)",
        "3. Thời gian giải quyết hồ sơ theo quy định là: 3 ngày làm việc",
        "4. Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 05 tháng 03 năm 2026",
        "5. Thời gian trả kết quả giải quyết hồ sơ: 16 giờ 45 phút, ngày 10 tháng 03 năm 2026",
        "6. Đăng ký nhận kết quả tại: Bộ phận Một cửa",
        "Phí, lệ phí: 50.000 đồng",
        "Vào Sổ theo dõi hồ sơ, Quyển số: 01/2026 Số thứ tự: 0007",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Ghi chú:",
        "Giấy tiếp nhận và hẹn trả kết quả được lập thành 2 liên",
        "qua dịch vụ bưu chính.",
    ]
    assert missing_in_order(text, expected) == []
    assert "Bến Nghé, ngày 05 tháng 3 năm 2026" in text  # Decree 30: no leading 0 for month 3
    assert "Trần Văn Bình" in text


def test_components_table_only_received_with_reuse_mark(receipt):
    text = pdf_pages_text(receipt)[0]
    for head in ("TT", "Tên giấy tờ", "Bản chính", "Bản sao chứng thực", "Bản photo"):
        assert head in text
    assert "Tờ khai đăng ký khai sinh" in text
    assert "Giấy tờ chứng minh nơi cư trú (*)" in text
    assert "Kho quản lý dữ liệu điện tử của tổ chức, cá nhân" in text
    assert "chưa nộp" not in text


def test_fonts_embedded_no_standard_14(receipt):
    fonts = pdf_fonts(receipt)
    assert fonts
    for font in fonts:
        base = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
        assert base not in STANDARD_14
        descriptor = font["/FontDescriptor"] if "/FontDescriptor" in font else \
            font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object()
        assert base.startswith("LiberationSerif")


def test_metadata(receipt):
    meta = PdfReader(BytesIO(receipt)).metadata
    assert nfc(meta.title) == "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    assert meta.subject == CODE
    assert nfc(meta.author) == "Trần Văn Bình"
    assert meta.creator == "MotCua Desk"


@pytest.mark.parametrize("page", [1, 2])
def test_qr_and_code128_decode_to_dossier_code(receipt, tmp_path, page):
    png = rasterise(receipt, tmp_path, page=page)
    found = {str(r.format): r.text for r in zxingcpp.read_barcodes(Image.open(png))}
    qr = [text for fmt, text in found.items() if "QR" in fmt]
    linear = [text for fmt, text in found.items() if "128" in fmt]
    assert qr == [CODE], found
    assert linear == [CODE], found


def test_long_components_still_one_page_per_copy(dossier, procedure, profile, tmp_path):
    components = [
        ReceivedComponent(i, f"GiấyTờSố{i} " + (("Bản sao giấy tờ chứng minh quan hệ nhân thân được cơ "
                                                 "quan có thẩm quyền cấp hợp lệ theo quy định ") * 3)[:188],
                          originals=1, certified_copies=i % 2, photocopies=2)
        for i in range(1, 9)
    ]
    assert all(len(c.name) >= 195 for c in components)
    long_dossier = replace(dossier, components=components, delivery=Delivery.POST,
                           delivery_address="Số 5, hẻm 12/34 Nguyễn Huệ, Phường Bến Nghé, Quận 1")
    data = render_form("01", long_dossier, procedure, profile)
    pages = pdf_pages_text(data)
    assert len(pages) == 2
    for page in pages:
        for i in range(1, 9):
            assert f"GiấyTờSố{i}" in page
        assert "Qua dịch vụ bưu chính, đến địa chỉ: Số 5, hẻm 12/34 Nguyễn Huệ" in page
    # Shrinking the text never shrinks the bar codes.
    decoded = sorted(r.text for r in zxingcpp.read_barcodes(Image.open(rasterise(data, tmp_path, page=2))))
    assert decoded == [CODE, CODE]


def test_online_time_fee_none_and_no_components(dossier, procedure, profile):
    online = replace(dossier, channel=Channel.ONLINE, fee_vnd=0, components=[], sets_count=2)
    proc = replace(procedure, processing=ProcessingTime(3, ProcessingUnit.WORKING_DAYS, online_amount=2.5))
    text = pdf_pages_text(render_form("1", online, proc, profile))[0]
    assert "3. Thời gian giải quyết hồ sơ theo quy định là: 2,5 ngày làm việc" in text
    assert "Phí, lệ phí: Không" in text
    assert "2. Số lượng hồ sơ: 02 (bộ)" in text
    assert "(Không có giấy tờ)" in text


def test_hostile_text_is_escaped_and_visible(dossier, procedure, profile, applicant):
    hostile = "<b>&amp; Lê\x00\x07 Văn <i>Tám</i> </para>" + "\u0301"
    name = nfc("Nguyễn") + " " + hostile + " " + "Trường" * 30
    # Decomposed (NFD) input must come out as NFC glyphs.
    address = "Phường Be\u0302\u0301n Nghé, Quận 1 & <script>alert(1)</script>\r\nTầng 3\u2028Phòng 7\x1b[0m"
    bad = replace(dossier, applicant=replace(applicant, full_name=name, address=address),
                  officer="O'Brien \"<officer>\"",
                  components=[ReceivedComponent(0, "Giấy <tờ> & \"ngoặc\" \x0c", originals=1)],
                  delivery_address="")
    for form_no in ("01", "02", "03", "04", "05"):
        extra = {"reason": "Lý do <b>đậm</b> & \x00 kiểm tra", "new_due_at": datetime(2026, 3, 20)}
        data = render_form(form_no, bad, procedure, profile, extra=extra)
        text = pdf_pages_text(data)[0]
        assert "<b>&amp; Lê Văn <i>Tám</i> </para>" in text, form_no
        assert "Phường Bến Nghé, Quận 1 & <script>alert(1)</script> Tầng 3 Phòng 7[0m" in text or \
            form_no == "05", form_no
        assert "\x00" not in text and "\x07" not in text
    receipt = render_form("01", bad, procedure, profile)
    assert len(PdfReader(BytesIO(receipt)).pages) == 2
    assert "Giấy <tờ> & \"ngoặc\"" in pdf_pages_text(receipt)[0]


def test_very_long_name_does_not_crash(dossier, procedure, profile, applicant):
    name = "Nguyễn" + "Ư" * 3000 + " " + "Hà " * 800
    giant = replace(dossier, applicant=replace(applicant, full_name=name))
    data = render_form("01", giant, procedure, profile)
    assert data.startswith(b"%PDF")
    assert len(PdfReader(BytesIO(data)).pages) >= 2
