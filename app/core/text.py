"""Vietnamese-aware text folding for diacritic- and case-insensitive search."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# "Đ"/"đ" are letters of their own in Unicode, not D plus a combining mark, so NFD keeps them.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def fold(text: str) -> str:
    """Lower-case ``text``, strip diacritics (``Đ`` becomes ``d``) and collapse white space.

    >>> fold("  Nguyễn   Văn ĐỨC ")
    'nguyen van duc'
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def search_tokens(text: str) -> list[str]:
    """Folded words of ``text`` (letters and digits), the unit both search indexes work on."""
    return re.findall(r"[0-9a-z]+", fold(text))
