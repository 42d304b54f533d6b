"""The payload of a separator sheet's QR code (batch archive scanning).

Format, version 1 (ASCII only, so that any reader decodes it the same way)::

    MOTCUA-SEP:1
    MOTCUA-SEP:1;type=KQ.1.000894
    MOTCUA-SEP:1;type=KQ.1.000894;rec=2025-000123

* ``MOTCUA-SEP:`` (exactly, upper case) then the version, a decimal number without leading zeros;
* then ``;key=value`` fields: ``key`` is ``[a-z][a-z0-9_]*`` and appears at most once; ``value`` is
  non-empty and percent-encoded (RFC 3986 unreserved characters ``A-Z a-z 0-9 - . _ ~`` and ``/ :``
  are written as they are, every other UTF-8 byte as ``%XX`` with upper-case hex);
* known keys: ``type`` (the result code, MaKetQua, of the documents that follow) and ``rec``
  (a pre-assigned record id). Unknown keys are kept in ``extra`` (a later version may add some);
* a sheet of a higher version still means "new document": readers keep the fields they know.

Anything else (another prefix, a space, a bad escape, a field without ``=``, an empty value, a
repeated key) is not a separator payload: :func:`parse_separator` returns ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PREFIX = "MOTCUA-SEP:"
VERSION = 1
#: What a Patch-T sheet (no QR payload) is reported as.
PATCH_T = "PATCH-T"

_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
_VERSION = re.compile(r"0|[1-9][0-9]{0,5}")
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/:")
_ESCAPE = re.compile(r"%[0-9A-F]{2}")
_MAX_LENGTH = 1000


@dataclass(frozen=True)
class SeparatorPayload:
    """What a separator sheet says: a new document starts, optionally of a type or for a record."""

    result_code: str | None = None
    record: str | None = None
    version: int = VERSION
    extra: tuple[tuple[str, str], ...] = field(default=())

    def fields(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.result_code:
            out.append(("type", self.result_code))
        if self.record:
            out.append(("rec", self.record))
        out.extend(self.extra)
        return out


def _quote(value: str) -> str:
    return "".join(ch if ch in _SAFE else "".join(f"%{b:02X}" for b in ch.encode("utf-8")) for ch in value)


def _unquote(text: str) -> str | None:
    out = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%":
            if not _ESCAPE.fullmatch(text[i:i + 3]):
                return None
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
        elif ch in _SAFE:
            out.append(ord(ch))
            i += 1
        else:
            return None
    try:
        value = out.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _quote(value) != text:  # one spelling per value (no needless escapes)
        return None
    return value


def format_separator(payload: SeparatorPayload) -> str:
    """The QR text of ``payload``. Raises ``ValueError`` for a field that cannot be written."""
    if payload.version < 0:
        raise ValueError("version must be >= 0")
    seen: set[str] = set()
    parts = [f"{PREFIX}{payload.version}"]
    for key, value in payload.fields():
        if not _KEY.fullmatch(key) or key in seen:
            raise ValueError(f"invalid or repeated field name {key!r}")
        if not value:
            raise ValueError(f"empty value for {key!r}")
        seen.add(key)
        parts.append(f"{key}={_quote(value)}")
    text = ";".join(parts)
    if len(text) > _MAX_LENGTH:
        raise ValueError("separator payload too long")
    return text


def parse_separator(text: str | None) -> SeparatorPayload | None:
    """The payload of a separator QR code, or ``None`` when ``text`` is not one."""
    if not text or not text.startswith(PREFIX) or len(text) > _MAX_LENGTH:
        return None
    head, *fields = text[len(PREFIX):].split(";")
    if not _VERSION.fullmatch(head):
        return None
    version = int(head)
    values: dict[str, str] = {}
    order: list[str] = []
    for item in fields:
        key, eq, raw = item.partition("=")
        if not eq or not _KEY.fullmatch(key) or key in values or not raw:
            return None
        value = _unquote(raw)
        if value is None or value == "":
            return None
        values[key] = value
        order.append(key)
    extra = tuple((k, values[k]) for k in order if k not in ("type", "rec"))
    return SeparatorPayload(values.get("type"), values.get("rec"), version, extra)


def is_separator_text(text: str | None) -> bool:
    return parse_separator(text) is not None
