"""JSON from outside (a file or standard input given on the command line): bounded in size, depth
and number length before it is trusted, with a clear error for each. ``json.loads`` alone would
read ``/dev/zero`` until memory runs out, recurse until ``RecursionError`` on ``[[[[…`` and raise a
bare ``ValueError`` on a 5,000-digit number."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from app.core import limits
from app.core.errors import ValidationError


def _error(label: str, en: str, vi: str, field: str) -> ValidationError:
    return ValidationError(f"{label}: {en}", f"Tệp {label}: {vi}.", field=field)


def read_bounded(path: str, field: str, max_bytes: int = limits.JSON_INPUT_MAX_BYTES) -> bytes:
    """At most ``max_bytes`` of the file ``path`` (``-``: standard input); larger is refused."""
    try:
        if path == "-":
            raw = sys.stdin.buffer.read(max_bytes + 1)
        else:
            with open(Path(path), "rb") as f:
                raw = f.read(max_bytes + 1)
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror or exc}",
                              f"Không đọc được tệp {path}: {exc.strerror or exc}.", field=field) from None
    if len(raw) > max_bytes:
        raise _error(path, f"larger than {max_bytes // 1024} KB", f"lớn hơn {max_bytes // 1024} KB", field)
    return raw


def _depth(text: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_bounded(raw: bytes, label: str, field: str) -> Any:
    """The JSON value in ``raw`` (UTF-8, a BOM allowed), within :mod:`app.core.limits`."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _error(label, "not UTF-8 text", "không phải văn bản UTF-8", field) from None
    if _depth(text) > limits.JSON_MAX_DEPTH:
        raise _error(label, f"nested deeper than {limits.JSON_MAX_DEPTH} levels",
                     f"lồng nhau quá {limits.JSON_MAX_DEPTH} cấp", field)

    def number(digits: str) -> Any:
        if len(digits) > limits.JSON_MAX_NUMBER_DIGITS:
            raise _error(label, f"a number longer than {limits.JSON_MAX_NUMBER_DIGITS} characters",
                         f"có số dài quá {limits.JSON_MAX_NUMBER_DIGITS} ký tự", field)
        return float(digits) if any(c in digits for c in ".eE") else int(digits)

    def not_a_number(word: str) -> Any:
        raise _error(label, f"{word} is not a number JSON allows", f"có giá trị {word} không hợp lệ", field)

    try:
        return json.loads(text, parse_int=number, parse_float=number, parse_constant=not_a_number)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{label} is not valid JSON: {exc}",
                              f"Tệp {label} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}).",
                              field=field) from None
    except (RecursionError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise _error(label, f"not usable JSON ({type(exc).__name__})", "không phải JSON dùng được",
                     field) from None


def load_json_input(path: str, field: str) -> Any:
    return parse_bounded(read_bounded(path, field), path, field)
