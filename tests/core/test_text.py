"""Vietnamese-aware folding used by search."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.text import fold, search_tokens


def test_name_without_diacritics_matches() -> None:
    assert fold("nguyen van an") == fold("Nguyễn Văn An")
    assert fold("Nguyễn Văn An") == "nguyen van an"
    assert fold("nguyen van an") in fold("Ông Nguyễn Văn An, Hà Nội")


@pytest.mark.parametrize(("text", "folded"), [("Đ", "d"), ("đ", "d"), ("Đặng Đình Đức", "dang dinh duc"),
                                              ("ĐẮK LẮK", "dak lak")])
def test_d_with_stroke(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_case_and_whitespace() -> None:
    assert fold("  Nguyễn   Văn\tĐỨC \n") == "nguyen van duc"
    assert fold("HỒ CHÍ MINH") == fold("hồ chí minh") == "ho chi minh"
    assert fold("") == ""


@pytest.mark.parametrize("text", ["Nguyễn Văn An", "Trần Thị Bích Ngọc", "Phường Bến Nghé", "Thừa Thiên Huế",
                                  "Đắk Nông", "ỨNG HÒA"])
def test_nfd_input_folds_like_nfc(text: str) -> None:
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != unicodedata.normalize("NFC", text)
    assert fold(nfd) == fold(text)


def test_all_vietnamese_vowels_fold_to_ascii() -> None:
    vowels = "aáàảãạăắằẳẵặâấầẩẫậeéèẻẽẹêếềểễệiíìỉĩịoóòỏõọôốồổỗộơớờởỡợuúùủũụưứừửữựyýỳỷỹỵ"
    assert set(fold(vowels)) == set("aeiouy")
    assert set(fold(vowels.upper())) == set("aeiouy")


def test_search_tokens() -> None:
    assert search_tokens("Nguyễn Văn An, 0912.345.678") == ["nguyen", "van", "an", "0912", "345", "678"]
    assert search_tokens("H12-230601-0001") == ["h12", "230601", "0001"]


def test_capital_eth_lookalike_folds_to_d() -> None:
    assert fold("\u00d0\u1eb6NG") == "dang"  # "ÐẶNG" typed with U+00D0 instead of U+0110


@given(st.text(alphabet=st.characters(exclude_categories=("Cs",))))
def test_fold_is_idempotent_and_normalisation_blind(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))
