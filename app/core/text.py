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


# Terminal escape sequences (CSI ``ESC [ … final``, OSC ``ESC ] … BEL|ST``, two-character ``ESC x``)
# and the characters that steer a terminal or reorder what a reader sees (C0/C1 controls, DEL,
# bidirectional overrides and isolates). Tab and new line are kept where a field may hold lines.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?"
                      r"|\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def clean_text(text: str, *, multiline: bool = False) -> str:
    """``text`` as the station stores it: Unicode NFC, terminal escape sequences and control
    characters removed (tab and new line become a space, unless ``multiline``).

    >>> clean_text("Nguye\\u0302\\u0303n \\x1b[31mĐỏ\\x1b[0m\\x07")
    'Nguyễn Đỏ'
    """
    if not text:
        return text
    text = unicodedata.normalize("NFC", text)
    text = _ESCAPES.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n") if multiline else _LINE_BREAKS.sub(" ", text)
    return _CONTROLS.sub("", text)


def terminal_safe(text: str) -> str:
    """``text`` with every control character shown as ``\\xNN`` (new lines and tabs kept): nothing
    stored, however old, can move the cursor or recolour the officer's terminal."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\x1b", "\\x1b"))
