"""The office profile printed on every slip: who issues it and where."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_FORM_SET = "TT01-2018"


@dataclass(frozen=True)
class OfficeProfile:
    """Identity of the counter that issues the slips.

    ``parent_agency`` is the TÊN CƠ QUAN CHỦ QUẢN line of the header (e.g. "UBND PHƯỜNG BẾN NGHÉ"),
    ``unit_name`` the bold line under it (e.g. "BỘ PHẬN MỘT CỬA"), ``place_name`` the địa danh of the
    date line ("Bến Nghé, ngày … tháng … năm …"). ``display_name`` is how the unit is named in running
    text; when empty it is built from the two header lines. ``form_set`` is the legal form set new
    dossiers are received under (see :data:`app.documents.registry.FORM_SETS`).
    """

    parent_agency: str
    unit_name: str
    place_name: str
    phone: str = ""
    website: str = ""
    register_book_no: str = ""
    form_set: str = DEFAULT_FORM_SET
    display_name: str = ""
    address: str = ""
    head_title: str = "THỦ TRƯỞNG CƠ QUAN"  # who signs Mẫu 04 (e.g. "CHỦ TỊCH", "KT. GIÁM ĐỐC")
    head_name: str = ""

    @property
    def counter_name(self) -> str:
        """The unit's name for running text, e.g. "Bộ phận Một cửa UBND phường Bến Nghé"."""
        if self.display_name:
            return self.display_name
        return f"{_sentence_case(self.unit_name)} {self.parent_agency}".strip()


def _sentence_case(text: str) -> str:
    """"BỘ PHẬN MỘT CỬA" -> "Bộ phận một cửa" (only when the text is all upper case)."""
    if not text.isupper():
        return text
    lowered = text.lower()
    return lowered[:1].upper() + lowered[1:]
