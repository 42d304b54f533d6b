"""The protocol's length limits, enforced when the station builds a message.

The province's schema caps free text (names, addresses, notes) at the lengths below; a record that
goes over them is refused (422) and would stay parked for ever, since the text comes from the
catalogue or from what the officer typed. So the station shortens what it sends: at a word
boundary, ending with "…", never longer than the limit. The full text stays in the local database
(the dossier, the catalogue): only the wire copy is shortened.

One table per record type, field name -> maximum length in characters; a new message field gets its
limit here (``tests/sync/test_limits.py`` checks every table against the server's schema).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ELLIPSIS = "…"
TEXT = 2000  # the protocol's general cap on a free-text field

DOSSIER: dict[str, int] = {
    "TenTTHC": TEXT,
    "ChuHoSo": 500,
    "MaDoiTuong": 64,
    "SoGiayToChuHoSo": 64,
    "SoDienThoai": 64,
    "Email": 254,
    "DiaChiChuHoSo": TEXT,
    "TrichYeuHoSo": 1000,
    "ThongTinTra": TEXT,
    "DiaChiNhanKetQua": TEXT,
    "NguoiTiepNhan": TEXT,
}
DOCUMENT: dict[str, int] = {"TenTepDinhKem": TEXT, "MaKetQuaThayThe": 64}
FEE: dict[str, int] = {"TenPhiLePhi": TEXT, "MaPhiLePhi": 64}
STATUS: dict[str, int] = {
    "NguoiXuLy": TEXT,
    "NoiDungXuLy": TEXT,
    "ThongTinTra": TEXT,
    "PhongBanXuLy": TEXT,
    "HanhDong": 32,
}
SUPPLEMENT: dict[str, int] = {
    "HoSoBoSungId": 64,
    "NguoiYeuCauBoSung": TEXT,
    "NoiDungBoSung": TEXT,
    "NguoiTiepNhanBoSung": TEXT,
}
#: Lists of plain texts and the limit of each text.
TEXT_LISTS: dict[str, int] = {"DanhSachGiayToBoSung": TEXT}
FILE: dict[str, int] = {"TenTep": 255, "LoaiTep": 128}
#: Lists inside a dossier record and the table of their items.
DOSSIER_LISTS: dict[str, dict[str, int]] = {"TaiLieuNop": DOCUMENT, "DanhSachLePhi": FEE}


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, marked with "…"."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return text[:limit]
    head = text[: limit - len(ELLIPSIS)]
    cut = head.rstrip().rfind(" ")
    if cut >= limit // 2:  # a word boundary not too far back
        head = head[:cut]
    return head.rstrip(" ,;:.-–") + ELLIPSIS


def shorten_file_name(name: str, limit: int) -> str:
    """A file name shortened before its extension (``….pdf`` stays a PDF)."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > 10 or len(suffix) + 1 >= limit // 2:
        return shorten(name, limit)
    return shorten(stem, limit - len(suffix) - 1) + "." + suffix


#: Fields whose text is a file name (shortened before the extension).
FILE_NAMES = frozenset({"TenTep"})


def fit(record: dict[str, Any], limits: Mapping[str, int]) -> dict[str, Any]:
    """A copy of ``record`` with each text field of ``limits`` (and each text of a list of
    :data:`TEXT_LISTS`) shortened to its limit."""
    out = dict(record)
    for name, limit in TEXT_LISTS.items():
        if isinstance(out.get(name), list):
            out[name] = [shorten(x, limit) if isinstance(x, str) else x for x in out[name]]
    for name, limit in limits.items():
        value = out.get(name)
        if isinstance(value, str) and len(value) > limit:
            out[name] = shorten_file_name(value, limit) if name in FILE_NAMES else shorten(value, limit)
    return out


def fit_dossier(record: dict[str, Any]) -> dict[str, Any]:
    """A dossier record within the limits, its lists (documents, fees) included."""
    out = fit(record, DOSSIER)
    for name, limits in DOSSIER_LISTS.items():
        if isinstance(out.get(name), list):
            out[name] = [fit(item, limits) for item in out[name]]
    return out


def shortened_fields(record: dict[str, Any], limits: Mapping[str, int]) -> list[str]:
    """Names of the fields of ``record`` over their limit (what :func:`fit` would shorten)."""
    return [n for n, lim in limits.items() if isinstance(record.get(n), str) and len(record[n]) > lim]
