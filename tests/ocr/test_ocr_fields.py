"""Field extraction from OCR lines, without Tesseract: the rules on text a scan really produces."""

from __future__ import annotations

from app.scanning.ocr.engine import OcrLine, OcrWord
from app.scanning.ocr.fields import FIELD_NAMES, LOW_CONFIDENCE, extract_fields


def lines(*texts: str, conf: float = 0.95) -> list[OcrLine]:
    out = []
    for i, text in enumerate(texts):
        words = tuple(OcrWord(w, conf, (0, i * 50, 10, i * 50 + 40)) for w in text.split())
        out.append(OcrLine(text, conf, (0, i * 50, 1000, i * 50 + 40), words))
    return out


def test_civil_status_book_result_with_the_header_columns_read_on_one_line() -> None:
    fields = extract_fields(lines(
        "UBND HUYỆN CẦN GIỜ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "UBND THỊ TRẤN CẦN THẠNH Độc lập - Tự do - Hạnh phúc",
        "Số: 1O7",  # the OCR read the zero as a capital O
        "Quyển số: 02/2019",
        "Cần Thạnh, ngày 3 tháng 11 năm 2019",
        "GIẤY KHAI SINH",
        "Họ, chữ đệm, tên: TRƯƠNG GIA BẢO",
        "Ngày, tháng, năm sinh: 01/02/2019 Giới tính: Nam",
        "Số định danh cá nhân: 07921900l234",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "~ ,",
        "Iuỳnh Thanh Tâm",
    ))
    assert fields.as_json() == {
        "type": "KQ.G15.000031", "number": "107", "symbol": "02/2019", "issued": "2019-11-03",
        "issuer": "UBND THỊ TRẤN CẦN THẠNH", "signer": "Huỳnh Thanh Tâm", "owner_name": "Trương Gia Bảo",
        "owner_id": "079219001234"}
    assert fields.confidence("number") < LOW_CONFIDENCE  # a letter had to be read as a digit
    assert fields.confidence("signer") < LOW_CONFIDENCE  # the surname was put right
    assert "number" in fields.low_confidence() and "owner_name" not in fields.low_confidence()


def test_number_with_symbol_and_the_catalogue_name_as_title() -> None:
    fields = extract_fields(lines(
        "ỦY BAN NHÂN DÂN PHƯỜNG HÀNG BẠC",
        "Số: 88/QĐ-UBND",
        "Hàng Bạc, ngày 15 tháng 06 năm 2023",
        "QUYẾT ĐỊNH HƯỞNG/ĐIỀU CHỈNH/THÔI HƯỞNG TRỢ CẤP XÃ HỘI HÀNG THÁNG",
        "Họ và tên: Đỗ Thị Lan",
        "Số CCCD: 001186012345",
    ), [("Quyết định hưởng/điều chỉnh/thôi hưởng trợ cấp xã hội hàng tháng", "KQ.1.001776")])
    assert fields.get("type") == "KQ.1.001776"
    assert (fields.get("number"), fields.get("symbol")) == ("88", "QĐ-UBND")
    assert fields.get("issuer") == "UBND PHƯỜNG HÀNG BẠC"
    assert fields.get("owner_name") == "Đỗ Thị Lan" and fields.get("owner_id") == "001186012345"
    assert fields.get("signer") is None  # no signature block: unknown, not a guess


def test_nothing_known_on_a_page_of_prose_gives_only_nulls() -> None:
    fields = extract_fields(lines("Kính gửi: Ủy ban nhân dân phường", "Tôi tên là ... xin trình bày",
                                  "Ngày sinh: 12/03/1990", "Nội dung giấy khai sinh của tôi bị sai"))
    assert fields.as_json() == dict.fromkeys(FIELD_NAMES)
