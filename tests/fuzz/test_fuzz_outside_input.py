"""The hostile-input campaign: properties of every parser that takes outside input, and the kept
corpus and crashes replayed through the coverage-guided targets.

Applicant JSON (bounded parse, applicant, cleaning, protocol limits), text cleaning at the door
(NFC kept, no escapes nor control characters left, idempotent), CCCD QR payloads cleaned, separator
sheet texts, barcode payload bytes and the province's change feed (the sync protocol's answers).
Whatever the input, the result is a value or the application's own :class:`MotCuaError`.
"""

from __future__ import annotations

import contextlib
import json
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import limits
from app.core.applicant import Applicant
from app.core.cccd import applicant_from_qr, parse_cccd_qr
from app.core.dossier import Dossier, DossierStatus
from app.core.errors import MotCuaError
from app.core.input_rules import applicant_limit_errors, clean_applicant
from app.core.json_input import parse_bounded
from app.core.separator import SeparatorPayload, format_separator, parse_separator
from app.core.text import clean_text, terminal_safe
from app.scanning.barcodes import payload_text
from app.services.reception.payloads import applicant_from_dict
from app.sync.errors import UnreadableAnswerError
from app.sync.merge import apply_change
from tests.fuzz.atheris_targets import TARGETS

FUZZ = settings(max_examples=150, deadline=None, derandomize=True)  # the same examples every CI run
HERE = Path(__file__).parent
CONTROL = "".join(chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)))
CONTROL += "\u202e\u2066"
PIECES = st.sampled_from(["\x1b[31m", "\x1b]0;x\x07", "Nguye\u0302\u0303n", "\r\n", *CONTROL])
HOSTILE_TEXT = st.lists(st.text(st.characters(codec="utf-8"), max_size=8) | PIECES, max_size=8).map("".join)
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | HOSTILE_TEXT,
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(HOSTILE_TEXT, inner, max_size=5), max_leaves=15)
APPLICANT_KEYS = ["full_name", "id_number", "birth_date", "sex", "address", "phone", "email", "kind",
                  "qr_raw"]


@FUZZ
@given(HOSTILE_TEXT, st.booleans())
def test_clean_text_leaves_no_control_and_keeps_nfc(text: str, multiline: bool) -> None:
    cleaned = clean_text(text, multiline=multiline)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert not any(c in CONTROL for c in cleaned) and "\x1b" not in cleaned
    assert clean_text(cleaned, multiline=multiline) == cleaned
    assert multiline or ("\n" not in cleaned and "\t" not in cleaned)


@FUZZ
@given(HOSTILE_TEXT)
def test_the_terminal_gets_no_raw_control(text: str) -> None:
    shown = terminal_safe(text)
    assert not any(c in CONTROL and c not in "\t\n" for c in shown)


@FUZZ
@given(st.binary(max_size=3000))
def test_applicant_json_bytes(raw: bytes) -> None:
    with contextlib.suppress(MotCuaError):
        parse_bounded(raw, "x.json", "applicant_json")


@FUZZ
@given(st.dictionaries(st.sampled_from(APPLICANT_KEYS), JSON, max_size=9) | JSON)
def test_applicant_json_documents(document: object) -> None:
    raw = json.dumps(document).encode()
    try:
        applicant = clean_applicant(applicant_from_dict(parse_bounded(raw, "x.json", "applicant_json")))
    except MotCuaError:
        return
    for error in applicant_limit_errors(applicant):
        assert error.field and "giới hạn" in error.message_vi
    for value in (applicant.full_name, applicant.address, applicant.phone, applicant.qr_raw):
        assert clean_text(value) == value


@FUZZ
@given(st.integers(1, limits.JSON_MAX_DEPTH * 3))
def test_applicant_json_depth_is_bounded(depth: int) -> None:
    raw = ("[" * depth + "]" * depth).encode()
    try:
        parse_bounded(raw, "x.json", "applicant_json")
    except MotCuaError as exc:
        assert depth > limits.JSON_MAX_DEPTH and "lồng nhau" in exc.message_vi


@FUZZ
@given(st.lists(HOSTILE_TEXT, min_size=7, max_size=7))
def test_cccd_payloads_are_cleaned_at_the_door(fields: list[str]) -> None:
    fields[0], fields[3], fields[6] = "079190001234", "12031990", "01072021"
    try:
        applicant = clean_applicant(applicant_from_qr(parse_cccd_qr("|".join(fields))))
    except MotCuaError:
        return
    assert "\x1b" not in applicant.full_name and "\x1b" not in applicant.address


@FUZZ
@given(HOSTILE_TEXT, st.text(max_size=20), st.text(max_size=20))
def test_separator_texts(text: str, code: str, record: str) -> None:
    with contextlib.suppress(MotCuaError):
        parse_separator(text)
    payload = SeparatorPayload(result_code=code.strip() or None, record=record.strip() or None)
    try:
        written = format_separator(payload)
    except MotCuaError:
        return
    parsed = parse_separator(written)
    assert parsed is not None
    assert (parsed.result_code, parsed.record) == (payload.result_code, payload.record)


@FUZZ
@given(st.binary(max_size=300))
def test_barcode_payload_bytes(raw: bytes) -> None:
    assert isinstance(payload_text(raw, "fallback"), str)


def _dossier() -> Dossier:
    at = datetime(2026, 11, 18, 9, 15)
    return Dossier(code="000.00.12.H29-261118-0001", procedure_code="1.001193", procedure_name="Khai sinh",
                   applicant=Applicant(full_name="Nguyễn Văn An"), received_at=at, due_at=at)


CHANGE_VALUES = st.none() | st.integers(-5, 20) | st.text(max_size=16) | st.sampled_from(
    ["20261120170000", "2", "10", "99", "", "2026-11-20"]) | JSON
CHANGE = st.dictionaries(st.sampled_from(["TrangThaiHoSo", "NgayHenTra", "ThoiDiem", "NgayTra", "NoiDung",
                                          "HoSoBoSung", "ThongTinTra", "NguoiXuLy"]),
                         CHANGE_VALUES | st.dictionaries(st.sampled_from(
                             ["NgayBoSung", "NoiDungBoSung", "DanhSachGiayToBoSung", "NgayTiepNhanBoSung"]),
                             CHANGE_VALUES, max_size=4), max_size=6)


@FUZZ
@given(CHANGE | JSON)
def test_province_changes_apply_or_are_refused_whole(change: object) -> None:
    dossier = _dossier()
    before = (dossier.status, dossier.due_at, len(dossier.supplements), len(dossier.history))
    try:
        apply_change(dossier, change, local_status_pending=False)  # type: ignore[arg-type]
    except UnreadableAnswerError:
        assert (dossier.status, dossier.due_at, len(dossier.supplements), len(dossier.history)) == before
        return
    assert isinstance(dossier.status, DossierStatus)


def _kept_inputs() -> list[tuple[str, Path]]:
    out = [(folder.name, path) for folder in sorted((HERE / "corpus").iterdir()) if folder.is_dir()
           for path in sorted(folder.iterdir())]
    out += [(path.name.split("-", 1)[0], path) for path in sorted((HERE / "crashes").iterdir())
            if path.name != "README.md"]
    return out


@pytest.mark.parametrize(("target", "path"), _kept_inputs(), ids=lambda v: getattr(v, "name", v))
def test_kept_corpus_and_crashes_replay_clean(target: str, path: Path) -> None:
    TARGETS[target](path.read_bytes())
