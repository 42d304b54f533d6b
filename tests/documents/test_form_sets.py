"""The form set follows the legal basis on the receipt date; every form of both sets is present."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.errors import NotFoundError
from app.documents.registry import (
    CONTROL,
    DEFAULT_TT03_2025_FROM,
    FORM_SETS,
    RECEIPT,
    REGISTER,
    STOP_NOTICE,
    form_number_of,
    form_numbers,
    form_set_on,
)


def test_both_sets_are_complete_and_numbered_as_the_circulars():
    assert form_numbers("TT01-2018") == {
        "01": RECEIPT, "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "04": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "05": CONTROL, "06": REGISTER}
    assert form_numbers("TT03-2025") == {
        "01": RECEIPT, "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        "04": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "05": STOP_NOTICE, "06": CONTROL,
        "07": REGISTER}
    assert [form_number_of(s, CONTROL) for s in ("TT01-2018", "TT03-2025")] == ["05", "06"]
    assert [form_number_of(s, REGISTER) for s in ("TT01-2018", "TT03-2025")] == ["06", "07"]
    assert form_number_of("TT03-2025", STOP_NOTICE) == "05"
    with pytest.raises(NotFoundError):
        form_number_of("TT01-2018", STOP_NOTICE)  # Circular 01/2018 has no stop notice
    registers = [spec for forms in FORM_SETS.values() for spec in forms.values() if not spec.per_dossier]
    assert len(registers) == 2 and all(spec.title == REGISTER for spec in registers)


def test_the_set_in_force_on_the_receipt_date():
    assert date(2025, 10, 31) == DEFAULT_TT03_2025_FROM
    assert form_set_on(date(2025, 10, 30)) == "TT01-2018"
    assert form_set_on(date(2025, 10, 31)) == "TT03-2025"
    assert form_set_on(date(2026, 1, 2)) == "TT03-2025"
    assert form_set_on(date(2025, 12, 1), date(2026, 1, 1)) == "TT01-2018"  # an office's own date
