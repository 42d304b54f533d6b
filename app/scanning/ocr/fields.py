"""The metadata of a Vietnamese administrative result, read from its OCR lines.

Decree 30/2020/NĐ-CP fixes where things stand on an administrative document, and civil-status
books follow the same pattern: the issuing body at the top left ("UBND PHƯỜNG ..."), under it
"Số: 12/QĐ-UBND" (or "Số: 45" and "Quyển số: 01/2024" for the civil-status books), the place and
date line "..., ngày 09 tháng 02 năm 2024", the title in capitals, the particulars ("Họ, chữ đệm,
tên: ...", "Số định danh cá nhân: ..."), and the signer's name as the last line of the signature
block. Each field gets a confidence in 0..1: the OCR confidence of the line it came from, lowered
when the value does not validate (an impossible date, an ID that is not 9 or 12 digits). Unknown
fields are None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from app.core.text import fold
from app.scanning.ocr.engine import OcrLine

FIELD_NAMES = ("type", "number", "symbol", "issued", "issuer", "signer", "owner_name", "owner_id")
LOW_CONFIDENCE = 0.80  # below this a form highlights the field and focuses it first

#: Printed titles of the catalogue's results (folded) and the result code they are filed under.
TITLES: tuple[tuple[str, str], ...] = (
    ("giay chung nhan ket hon", "KQ.1.000894"),
    ("giay xac nhan tinh trang hon nhan", "KQ.1.004873"),
    ("trich luc khai tu", "KQ.1.000656"),
    ("giay bao tu", "KQ.1.000656"),
    ("trich luc khai sinh", "KQ.2.000635"),
    ("ban sao giay khai sinh", "KQ.2.000635"),
    ("giay khai sinh", "KQ.G15.000031"),
    ("trich luc dang ky nhan cha, me, con", "KQ.1.001022"),
    ("trich luc dang ky giam ho", "KQ.1.004837"),
    ("thong bao ket qua giai quyet thu tuc ve cu tru", "KQ.1.010028.03"),
    ("xac nhan thong tin ve cu tru", "KQ.1.010028.03"),
    ("phieu khai bao tam vang", "KQ.1.003677.03"),
    ("ban sao duoc chung thuc tu ban chinh", "KQ.2.000815"),
    ("giay chung nhan dang ky ho kinh doanh", "KQ.2.000720"),
    ("quyet dinh ho tro chi phi mai tang", "KQ.1.001731"),
)

_NUMBER_LABEL_RE = re.compile(r"^\s*s[o6]\s*[:;.]")
_NUMBER_RE = re.compile(r"^\s*([0-9OoIl]{1,6})\s*(?:/\s*([0-9A-Za-zĐđ][0-9A-Za-zĐđ\-/.]*))?")
#: The commonest family names (about nine Vietnamese in ten): a one-letter OCR slip in the first word
#: of a signer's name is put right against them.
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đoàn", "Vương", "Trương", "Lâm", "Mai", "Trịnh", "Cao")
_BOOK_RE = re.compile(r"quyen\s*s[o6]\s*[:;.]?\s*([0-9]{1,3}\s*/\s*[0-9]{4}[0-9A-Za-z\-/]*|[0-9]{1,3})")
_DATE_RE = re.compile(r"ngay\s+([0-9]{1,2})\s+thang\s+([0-9]{1,2})\s+nam\s+([0-9]{4})")
_NAME_LABEL_RE = re.compile(r"^\s*(?:ho,?\s*chu\s*dem,?\s*(?:va\s*)?ten|ho\s*va\s*ten|ho\s*ten)\s*"
                            r"(?:nguoi\s+(?:duoc\s+)?[a-z ]+)?\s*[:;.]")
_ID_LABEL_RE = re.compile(r"(?:so\s*dinh\s*danh(?:\s*ca\s*nhan)?|can\s*cuoc(?:\s*cong\s*dan)?|cccd|cmnd)"
                          r"[^0-9:]{0,12}:?")
_ISSUER_RE = re.compile(r"^\s*(ubnd|uy\s*ban\s*nhan\s*dan|cong\s*an|so\s+tu\s+phap|phong\s+tu\s+phap)\b")
_LOCAL_LEVEL = re.compile(r"\b(phuong|xa|thi\s*tran|dac\s*khu)\b")
_HEADER_RIGHT = re.compile(r"\s*(cong\s*hoa|doc\s*lap|ngay\s+[0-9]).*$")
_SIGN_TITLES = re.compile(r"(^\W*(tm|kt|tl|tuq)\b|uy\s*ban\s*nhan\s*dan\s*$|\b[cg]hu\s*tich|pho\s*chu\s*tich"
                          r"|truong\s*phong|cong\s*chuc|can\s*bo|giam\s*doc|nguoi\s*ky|truong\s*cong\s*an|ky\s*ten)\b")
_DIGIT_FIXES = str.maketrans({"O": "0", "o": "0", "I": "1", "i": "1", "l": "1", "S": "5", "s": "5",
                              "B": "8", "b": "8"})
_DIGIT_LIKE = frozenset("0123456789oOiIlsSbB")


@dataclass(frozen=True)
class FieldValue:
    value: str
    confidence: float


@dataclass(frozen=True)
class ExtractedFields:
    """The fields found on a page (absent ones are missing from ``values``)."""

    values: dict[str, FieldValue]

    def get(self, name: str) -> str | None:
        field = self.values.get(name)
        return field.value if field else None

    def confidence(self, name: str) -> float | None:
        field = self.values.get(name)
        return round(field.confidence, 2) if field else None

    def as_json(self) -> dict[str, str | None]:
        return {name: self.get(name) for name in FIELD_NAMES}

    def confidences_json(self) -> dict[str, float | None]:
        return {name: self.confidence(name) for name in FIELD_NAMES}

    def low_confidence(self) -> tuple[str, ...]:
        """The fields found with a confidence below :data:`LOW_CONFIDENCE`, in form order."""
        values = self.values
        return tuple(n for n in FIELD_NAMES if n in values and values[n].confidence < LOW_CONFIDENCE)


def _title_case(text: str) -> str:
    """``NGUYỄN VĂN ĐỨC`` → ``Nguyễn Văn Đức`` (names are typed in title case)."""
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())


def _clean(text: str) -> str:
    return " ".join(text.strip(" .,:;-_|'\"`~").split())


def extract_fields(lines: Sequence[OcrLine],
                   extra_titles: Iterable[tuple[str, str]] = ()) -> ExtractedFields:
    """Fields of a page from its OCR lines; ``extra_titles`` adds (folded name, result code) pairs,
    such as the catalogue's result names, tried after the known titles."""
    found: dict[str, FieldValue] = {}
    folded = [fold(line.text) for line in lines]
    titles = list(TITLES) + [(fold(name), code) for name, code in extra_titles if len(name) >= 8]

    def put(name: str, value: str, confidence: float) -> None:
        if value and name not in found:
            found[name] = FieldValue(value, max(0.0, min(1.0, confidence)))

    for line, text in zip(lines, folded, strict=True):
        conf = line.confidence
        for title, code in titles:
            if title in text and len(text) <= len(title) + 12:  # the title line itself, not a mention
                put("type", code, conf if text.strip() == title else conf * 0.9)
                break
        label = _NUMBER_LABEL_RE.match(text)
        rest = line.text.split(":", 1)[1] if ":" in line.text else line.text.strip()[3:]
        match = _NUMBER_RE.match(rest) if label else None
        if match and "number" not in found:
            number = match.group(1).translate(_DIGIT_FIXES)
            put("number", number, conf if match.group(1).isdigit() else conf * 0.7)
            if match.group(2):
                put("symbol", _clean(match.group(2)), conf)
        book = _BOOK_RE.search(text)
        if book:
            put("symbol", re.sub(r"\s+", "", book.group(1)), conf)
        when = _DATE_RE.search(text)
        if when and "issued" not in found and "sinh" not in text:
            try:
                day = date(int(when.group(3)), int(when.group(2)), int(when.group(1)))
                put("issued", day.isoformat(), conf)
            except ValueError:
                pass
        if _NAME_LABEL_RE.match(text) and "kia" not in text.split(":")[0]:
            raw = line.text.split(":", 1)[-1] if ":" in line.text else line.text
            name = _clean(re.sub(r"[0-9]", "", raw))
            if 2 <= len(name.split()) <= 6:
                put("owner_name", _title_case(name), conf)
        ident = _ID_LABEL_RE.search(text)
        if ident:
            read = text[ident.end():]
            digits = _digits_after(read)
            if len(digits) in (9, 12):
                exact = read.split()[0].isdigit() if len(digits) == len(read.split()[0]) else False
                put("owner_id", digits, conf if exact else conf * 0.7)
    issuer = _issuer(lines, folded)
    if issuer:
        put("issuer", *issuer)
    signer = _signer(lines, folded)
    if signer:
        put("signer", *signer)
    return ExtractedFields(found)


def _digits_after(text: str) -> str:
    """The number that follows a label: digit-like words read as digits (O as 0, l as 1...)."""
    taken = []
    for word in text.split():
        if not set(word) <= _DIGIT_LIKE or not any(ch.isdigit() for ch in word):
            break
        taken.append(word.translate(_DIGIT_FIXES))
    return "".join(taken)


def _issuer(lines: Sequence[OcrLine], folded: Sequence[str]) -> tuple[str, float] | None:
    """The lowest body of the header: the commune-level line if there is one, else the first."""
    candidates: list[tuple[str, float, bool]] = []
    for line, text in zip(lines[:12], folded[:12], strict=False):
        if not _ISSUER_RE.match(text):
            continue
        cut = _HEADER_RIGHT.search(text)
        raw = line.text
        if cut:  # the right-hand header read on the same line: keep the left part
            words = len(text[: cut.start()].split())
            raw = " ".join(line.text.split()[:words])
        value = _clean(raw).upper()
        if len(value.split()) >= 2:
            candidates.append((value, line.confidence, bool(_LOCAL_LEVEL.search(fold(value)))))
    if not candidates:
        return None
    local = [c for c in candidates if c[2]]
    value, conf, _ = (local or candidates)[-1]
    if value.startswith(("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN")):
        value = "UBND" + value.split("DÂN", 1)[1]
    return value, conf


def _signer(lines: Sequence[OcrLine], folded: Sequence[str]) -> tuple[str, float] | None:
    """The name under the signature block's title (CHỦ TỊCH, ...): the last name-like line after it."""
    start = None
    for i, text in enumerate(folded):
        if _SIGN_TITLES.search(text) and len(text.split()) <= 8:
            start = i
    if start is None:
        return None
    for line in reversed(lines[start + 1:]):
        name = _trailing_name(line.text)
        if name is not None:
            value, noise = name
            return _snap_surname(_title_case(value), line.confidence * (1 - 0.05 * noise))
    return None


def _trailing_name(text: str) -> tuple[str, int] | None:
    """The capitalised words ending a line (seal and signature strokes often come before them on the
    same line), with the count of stray marks before them; the first word may have lost its capital."""
    tokens = list(re.finditer(r"[^\W\d_]+", text))
    run: list[re.Match[str]] = []
    while tokens and tokens[-1].group()[:1].isupper():
        run.insert(0, tokens.pop())
    if run and tokens and len(run) < 5 and not text[tokens[-1].end():run[0].start()].strip():
        run.insert(0, tokens.pop())  # "iguyễn Hữu Dũng": the surname lost its capital
    if not 2 <= len(run) <= 5 or re.search(r"[^\W_]", text[run[-1].end():]):
        return None
    if len(re.sub(r"[^\W\d_]|\s", "", text[run[0].start():])) > 1:
        return None
    before = len(re.sub(r"\s", "", text[:run[0].start()]))
    return " ".join(t.group() for t in run), before


def _snap_surname(name: str, confidence: float) -> tuple[str, float]:
    first, _, rest = name.partition(" ")
    if first in SURNAMES:
        return name, confidence
    close = [s for s in SURNAMES if _one_edit(s.lower(), first.lower())]
    if len(close) == 1:
        return f"{close[0]} {rest}", confidence * 0.8
    return name, confidence * 0.7


def _one_edit(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by exactly one inserted, deleted or replaced letter."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
