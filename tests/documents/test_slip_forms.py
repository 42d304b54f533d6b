"""Mẫu 02–05, the 2025 set and the registry."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from io import BytesIO

import pytest
from pypdf import PdfReader
from slip_helpers import CODE, STANDARD_14, missing_in_order, nfc, pdf_fonts, pdf_pages_text

from app.core.dossier import DossierStatus, StatusChange
from app.core.errors import NotFoundError, ValidationError
from app.documents import FORM_SETS, SlipStateError, form_spec, render_form, render_form_to_file


def one_page_text(data: bytes) -> str:
    pages = pdf_pages_text(data)
    assert len(pages) == 1
    return pages[0]


def in_order(text: str, items: list[str]) -> bool:
    missing = missing_in_order(text, items)
    assert not missing, (missing, text)
    return True


def assert_common(data: bytes, title: str) -> str:
    text = one_page_text(data)
    assert in_order(text, ["UBND PHƯỜNG BẾN NGHÉ", "BỘ PHẬN MỘT CỬA", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                           "Độc lập - Tự do - Hạnh phúc", title])
    assert "Nguyễn Thị Thu Hà" in text
    assert CODE in text
    meta = PdfReader(BytesIO(data)).metadata
    assert nfc(meta.title) == title and meta.subject == CODE and meta.creator == "MotCua Desk"
    for font in pdf_fonts(data):
        assert str(font["/BaseFont"]).split("+")[-1] not in STANDARD_14
        assert "/FontFile2" in font["/FontDescriptor"].get_object()
    return text


def test_supplement_request_from_last_request(dossier, procedure, profile):
    text = assert_common(render_form("02", dossier, procedure, profile),
                         "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ")
    assert f"Số: {CODE}/HDHS" in text
    assert "Bến Nghé, ngày 06 tháng 3 năm 2026" in text  # the request's date
    assert in_order(text, [
        "Tiếp nhận hồ sơ của Ông/Bà: Nguyễn Thị Thu Hà", "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
        "Địa chỉ:", "Số điện thoại: 0903123456",
        "Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung như sau:",
        "TT", "Thành phần hồ sơ", "Số lượng", "Bản chính", "Bản chứng thực", "Bản photo",
        "1 Giấy chứng sinh 1 1", "Lý do: Giấy chứng sinh bị tẩy xóa",
        "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc", "dichvucong.hochiminhcity.gov.vn",
        "công chức Lê Thị Cúc, số điện thoại 028 3829 1234 để được hướng dẫn./.",
        "NGƯỜI HƯỚNG DẪN", "Lê Thị Cúc",
    ])


def test_supplement_request_from_extra(dossier, procedure, profile):
    extra = {"items": ["Giấy tờ chứng minh nơi cư trú",
                       {"name": "Ảnh 4x6", "originals": 2}], "reason": "Thiếu ảnh"}
    text = one_page_text(render_form("02", dossier, procedure, profile, extra=extra))
    assert "1 Giấy tờ chứng minh nơi cư trú 1" in text
    assert "2 Ảnh 4x6 2" in text
    assert "Lý do: Thiếu ảnh" in text


def test_rejection_reason_from_history_and_extra(dossier, procedure, profile):
    rejected = replace(dossier, history=[*dossier.history, StatusChange(
        datetime(2026, 3, 5, 10, 0), DossierStatus.REJECTED, "Trần Văn Bình", "Không thuộc thẩm quyền")])
    text = assert_common(render_form("03", rejected, procedure, profile),
                         "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ")
    assert in_order(text, [
        "Tiếp nhận hồ sơ của: Nguyễn Thị Thu Hà", "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
        "Qua xem xét, Bộ phận Một cửa UBND phường Bến Nghé thông báo không tiếp nhận, giải quyết hồ sơ",
        "Không thuộc thẩm quyền", "Xin thông báo cho Ông/Bà được biết và thực hiện.",
        "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ",
    ])
    text = one_page_text(render_form("03", rejected, procedure, profile, extra={"reason": "Sai mẫu tờ khai"}))
    assert "Sai mẫu tờ khai" in text and "Không thuộc thẩm quyền" not in text


def test_apology_needs_a_postponement(dossier, procedure, profile):
    with pytest.raises(SlipStateError) as refused:  # never the last history note as a reason
        render_form("04", dossier, procedure, profile)
    assert "không in được" in refused.value.message_vi


def test_apology_from_the_postponement(dossier, procedure, profile):
    postponed = replace(dossier, due_at=datetime(2026, 3, 13, 9, 30), history=[*dossier.history, StatusChange(
        datetime(2026, 3, 10, 15, 0), DossierStatus.PROCESSING, "Lê Thị Cúc", "Hẹn lại", action="postpone",
        reason="Chờ xác minh nơi cư trú", due_at=datetime(2026, 3, 13, 9, 30),
        previous_due_at=datetime(2026, 3, 10, 16, 45))])
    text = one_page_text(render_form("04", postponed, procedure, profile))
    assert in_order(text, [
        "ngày 10 tháng 3 năm 2026", "Ngày hẹn trả kết quả giải quyết hồ sơ: 16 giờ 45 phút, ngày 10 tháng 03",
        "Lý do: Chờ xác minh nơi cư trú",
        "Thời gian hẹn trả kết quả lại: 09 giờ 30 phút, ngày 13 tháng 03 năm 2026"])


def test_apology(dossier, procedure, profile):
    extra = {"new_due_at": date(2026, 3, 13), "issued_at": date(2026, 3, 9),
             "reason": "Chờ xác minh nơi cư trú"}
    text = assert_common(render_form("04", dossier, procedure, profile, extra=extra),
                         "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")
    assert f"Số: {CODE}/PXL" in text
    assert in_order(text, [
        "Bến Nghé, ngày 09 tháng 3 năm 2026", "Kính gửi: Nguyễn Thị Thu Hà",
        "Ngày 05/03/2026, Bộ phận Một cửa UBND phường Bến Nghé tiếp nhận hồ sơ Đăng ký khai sinh",
        f"Số biên nhận hồ sơ: {CODE}",
        "Ngày hẹn trả kết quả giải quyết hồ sơ: 16 giờ 45 phút, ngày 10 tháng 03 năm 2026",
        "Lý do: Chờ xác minh nơi cư trú", "xin lỗi",
        "Thời gian hẹn trả kết quả lại: ngày 13 tháng 03 năm 2026", "Nơi nhận:", "CHỦ TỊCH", "Phạm Minh Tuấn",
    ])
    signed = one_page_text(render_form("04", dossier, procedure, profile,
                                       extra={**extra, "signer_title": "kt. chủ tịch",
                                              "signer_name": "Đỗ Văn An"}))
    assert "KT. CHỦ TỊCH" in signed and "Đỗ Văn An" in signed


def test_control_sheet(dossier, procedure, profile):
    extra = {"solving_agency": "Công chức Tư pháp - Hộ tịch", "coordinating_agencies": ["Công an phường"]}
    text = assert_common(render_form("05", dossier, procedure, profile, extra=extra),
                         "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ")
    assert in_order(text, [
        "Kèm theo hồ sơ của: Nguyễn Thị Thu Hà", f"Mã hồ sơ: {CODE}",
        "Ngày nhận: 09 giờ 30 phút, ngày 05 tháng 03 năm 2026",
        "Ngày, giờ hẹn trả kết quả: 16 giờ 45 phút, ngày 10 tháng 03 năm 2026",
        "Cơ quan (bộ phận) giải quyết hồ sơ: Công chức Tư pháp - Hộ tịch",
        "Cơ quan phối hợp giải quyết hồ sơ: Công an phường",
        "TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ",
        "(Trước hạn/đúng hạn/quá hạn)", "GHI CHÚ",
        "1. Giao: Bộ phận TN&TKQ", "2. Nhận: Công chức Tư pháp - Hộ tịch",
        "08 giờ 00 phút, ngày 09 tháng 03 năm 2026",  # the real hand-over, not the receipt time
    ])
    assert text.count("Người giao") == 4 and text.count("Người nhận") == 4
    assert text.count("…giờ…phút, ngày … tháng … năm ……") == 3


def test_control_sheet_hand_overs_from_history(dossier, procedure, profile):
    received = dossier.history[0]
    life = replace(dossier, history=[
        received,
        StatusChange(datetime(2026, 3, 5, 14, 10), DossierStatus.PROCESSING, "Trần Văn Bình",
                     action="handover", details={"unit": "Phòng Tư pháp"}),
        StatusChange(datetime(2026, 3, 6, 9, 0), DossierStatus.SUPPLEMENT_REQUESTED, "Lê Thị Cúc",
                     action="supplement_request", reason="Thiếu giấy"),
        StatusChange(datetime(2026, 3, 9, 8, 5), DossierStatus.PROCESSING, "Trần Văn Bình",
                     action="supplement_receive"),
        StatusChange(datetime(2026, 3, 10, 16, 0), DossierStatus.DONE, "Trần Văn Bình", action="done",
                     details={"timeliness": "Đúng hạn"}),
    ])
    text = one_page_text(render_form("05", life, procedure, profile))
    assert in_order(text, [
        "Cơ quan (bộ phận) giải quyết hồ sơ: Phòng Tư pháp",
        "1. Giao: Bộ phận TN&TKQ", "2. Nhận: Phòng Tư pháp", "14 giờ 10 phút, ngày 05 tháng 03 năm 2026",
        "1. Giao: Bộ phận TN&TKQ", "2. Nhận: Phòng Tư pháp", "08 giờ 05 phút, ngày 09 tháng 03 năm 2026",
        "Hồ sơ bổ sung",
        "1. Giao: Phòng Tư pháp", "2. Nhận: Bộ phận TN&TKQ", "16 giờ 00 phút, ngày 10 tháng 03 năm 2026",
        "Đúng hạn",
    ])
    assert "09 giờ 30 phút, ngày 05 tháng 03 năm 2026" not in text.split("GHI CHÚ")[1]  # no invented time
    assert text.count("…giờ…phút, ngày … tháng … năm ……") == 1


def test_rejection_needs_a_reason(dossier, procedure, profile):
    with pytest.raises(SlipStateError):
        render_form("03", dossier, procedure, profile)


def test_2025_set(dossier, procedure, profile):
    d2025 = replace(dossier, form_set="TT03-2025")
    assert sorted(FORM_SETS["TT03-2025"]) == ["01", "02", "03", "04", "05", "06", "07"]
    receipt = pdf_pages_text(render_form("01", d2025, procedure, profile))
    assert len(receipt) == 2 and "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt[0]
    text = one_page_text(render_form("04", d2025, procedure, profile,
                                     extra={"reason": "Chờ xác minh", "new_due_at": date(2026, 3, 13)}))
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    stopped = replace(d2025, history=[*d2025.history, StatusChange(
        datetime(2026, 3, 8, 9, 0), DossierStatus.STOPPED, "Lê Thị Cúc", "Công dân đề nghị dừng")])
    text = assert_common(render_form("05", stopped, procedure, profile), "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ")
    assert "Lý do: Công dân đề nghị dừng" in text and "Bến Nghé, ngày 08 tháng 3 năm 2026" in text
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in one_page_text(
        render_form("06", d2025, procedure, profile))


def test_registry_errors_and_file_output(dossier, procedure, profile, tmp_path):
    with pytest.raises(ValidationError):
        render_form("06", dossier, procedure, profile)  # Sổ theo dõi is a report, not a slip
    with pytest.raises(NotFoundError):
        render_form("08", dossier, procedure, profile)
    with pytest.raises(NotFoundError):
        render_form("01", replace(dossier, form_set="TT99-2030"), procedure, profile)
    assert form_spec("1").title == form_spec("01").title
    target = render_form_to_file(tmp_path / "out" / "mau02.pdf", "02", dossier, procedure, profile)
    assert target.read_bytes().startswith(b"%PDF")


def test_header_number_override_and_missing_contact(dossier, procedure, profile, applicant):
    bare = replace(dossier, applicant=replace(applicant, address="", phone="", email=""))
    text = one_page_text(render_form("02", bare, procedure, profile, extra={"number": "15/HDHS"}))
    assert "Số: 15/HDHS" in text
    assert "Địa chỉ: …………" in text and "Số điện thoại: …………" in text
