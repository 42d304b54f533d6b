"""Cleaning the text of catalogue components as it is imported, and telling which components exist
only for online submission.

The national catalogue crawl glues the file name of a downloadable template to the component text,
with its Vietnamese letters dropped: "… Thông tư số 53/2025/TT-BCA).1.MuCT01banhnhkmtheoThngts53 (3)"
is "… Thông tư số 53/2025/TT-BCA)." followed by the file "1. Mẫu CT01 ban hành kèm theo Thông tư 53
(3).docx". Such a tail is removed at import (:func:`clean_component_name`), whatever the source
(the packaged catalogue, a file, or the province's catalogue).

The interactive e-forms of the national portal ("Mẫu hộ tịch điện tử tương tác …", "… nếu người có
yêu cầu lựa chọn nộp hồ sơ theo hình thức trực tuyến") are filled in online only: an in-person
dossier neither ticks nor lists them (:func:`is_online_only`).
"""

from __future__ import annotations

import re
import unicodedata

from app.core.text import fold

# A template's file name glued after the end of a sentence: "<n>.<ASCII letters and digits>" with no
# spaces (the crawl dropped every non-ASCII letter), optionally " (3)", at the end of the text.
_FILE_TAIL = re.compile(r"(?<=[.;,:)])\s*[0-9]{1,2}\.[A-Za-z][A-Za-z0-9_\-]{5,}(?:\s*\([0-9]{1,3}\))?\s*$")
_SPACES = re.compile(r"\s+")

_ONLINE_PREFIXES = ("mau ho tich dien tu tuong tac", "mau dien tu tuong tac", "bieu mau dien tu tuong tac")
_ONLINE_PHRASES = ("lua chon nop ho so theo hinh thuc truc tuyen", "chi ap dung doi voi ho so nop truc tuyen",
                   "truong hop nop ho so truc tuyen thi")


def clean_component_name(text: str) -> str:
    """The component text in NFC with single spaces and without a glued template file name."""
    cleaned = _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()
    while True:
        stripped = _FILE_TAIL.sub("", cleaned).rstrip()
        if stripped == cleaned:
            break
        cleaned = stripped
    if cleaned.endswith(";"):
        cleaned = cleaned[:-1].rstrip() + "."
    return cleaned


def has_file_name_residue(text: str) -> bool:
    """True when ``text`` still ends with a glued template file name (for checks and tests)."""
    return _FILE_TAIL.search(text or "") is not None


def is_online_only(name: str, case: str = "") -> bool:
    """True for a component meant only for an online submission (an interactive e-form)."""
    folded = fold(name)
    if folded.startswith(_ONLINE_PREFIXES):
        return True
    return any(phrase in folded for phrase in _ONLINE_PHRASES) or (
        bool(case) and any(phrase in fold(case) for phrase in _ONLINE_PHRASES))
