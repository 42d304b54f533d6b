"""Hostile text in every free-text field is cleaned at the door, then round-trips into the store
and onto Mẫu 01.

Control characters, terminal escapes and bidirectional overrides are removed when the text arrives
(``app.core.text.clean_text``: NFC kept); SQL and HTML meta-characters are stored as typed (on SQLite
and PostgreSQL alike) and printed on the slip. Text longer than the sync protocol allows is refused
with a Vietnamese message, as is a lone surrogate, which no database can store.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from app.core.dossier import Delivery
from app.core.errors import ValidationError
from app.core.text import clean_text
from app.documents.formatting import TEXT_LIMIT, clean
from app.services.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.dossiers import get_dossier
from app.services.printing import render_slip
from app.services.reception import ComponentInput, ReceiveRequest, receive_dossier
from tests.services.test_reception import BIRTH, applicant

VIETNAMESE = "ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĂÂĐÊÔƠƯỄ"
HOSTILE = ["'; DROP TABLE dossiers;--", "<b>in đậm</b>", "&amp; &lt;", "<script>alert('x')</script>",
           "\u202eđảo chiều\u202c", "\u200fRLM", "\x1b[31mđỏ", "%s%n{0}", "\\\\server\\share", "\r\n\t",
           "\x07\x08\x7f", "Nguyễn\u0301 NFD", "a\u2028b"]
PRINTABLE = st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs", "Po", "Ps", "Pe", "Sm", "Sc"),
                          max_codepoint=0x7E) | st.sampled_from(VIETNAMESE + "\t\n\r\x07\x1b\x7f\u202e\u200f")
HOSTILE_TEXT = st.lists(st.sampled_from(HOSTILE) | st.text(PRINTABLE, max_size=40), max_size=6).map("".join)


def _pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    return "".join(unicodedata.normalize("NFC", text).split())


def _printed(value: str) -> str:
    """What the slip shows: cleaned, cut at the slip's limit, compared without white space."""
    return "".join(clean(value)[:TEXT_LIMIT - 1].split())


def _receive(ctx: AppContext, name: str, address: str, note: str) -> tuple[object, object]:
    person = replace(applicant(), full_name=name, address=address, qr_raw=note)
    request = ReceiveRequest(BIRTH, person, delivery=Delivery.POST, delivery_address=address,
                             components=[ComponentInput(index=3, originals=1, note=note)])
    dossier = receive_dossier(ctx, request, SYSTEM_OFFICER)
    return dossier, get_dossier(ctx, dossier.code)


def _check(ctx: AppContext, name: str, address: str, note: str) -> None:
    dossier, stored = _receive(ctx, name, address, note)
    name, address = clean_text(name), clean_text(address)
    assert stored.applicant == dossier.applicant  # type: ignore[attr-defined]
    assert stored.applicant.full_name == name and stored.applicant.address == address  # type: ignore[attr-defined]
    assert stored.applicant.qr_raw == clean_text(note)  # type: ignore[attr-defined]
    assert stored.delivery_address == address.strip()  # type: ignore[attr-defined]
    assert [c.note for c in stored.components if c.index == 3] == [  # type: ignore[attr-defined]
        clean_text(note, multiline=True).strip()]
    for value in (stored.applicant.full_name, stored.applicant.address, stored.delivery_address):  # type: ignore[attr-defined]
        assert "\x1b" not in value and "\x07" not in value and "\u202e" not in value
    pdf = _pdf_text(render_slip(ctx, "01", stored.code, SYSTEM_OFFICER))  # type: ignore[attr-defined]
    assert _printed(name) in pdf


def test_each_hostile_piece(app_ctx: AppContext) -> None:
    for piece in HOSTILE:
        _check(app_ctx, f"Trần {piece} Bình", f"{piece} số 1 Lê Lợi", f"ghi chú {piece}")
    _check(app_ctx, "".join(HOSTILE), "".join(reversed(HOSTILE)), "".join(HOSTILE))


def test_text_up_to_the_protocol_limits_is_received(app_ctx: AppContext) -> None:
    _check(app_ctx, ("Nguyễn " + "Văn " * 200)[:500], ("Đường " * 400)[:2000], "x" * 2000)


@pytest.mark.parametrize(("name", "address", "field"), [
    ("Nguyễn " + "Văn " * 3000 + "Dài", "Số 1", "full_name"),
    ("Trần Bình", "Đường " * 20000, "address"),
])
def test_text_longer_than_the_province_accepts_is_refused_at_the_counter(app_ctx: AppContext, name: str,
                                                                         address: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _receive(app_ctx, name, address, "ghi chú")
    assert caught.value.field == field and "vượt giới hạn" in caught.value.message_vi


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=HOSTILE_TEXT, address=HOSTILE_TEXT, note=HOSTILE_TEXT)
def test_random_hostile_text_round_trips(app_ctx: AppContext, name: str, address: str, note: str) -> None:
    _check(app_ctx, "A" + name, "Số 1 " + address, note)


@pytest.mark.parametrize("bad", ["lone\ud800surrogate"])
def test_unstorable_characters_are_refused_the_same_way_everywhere(app_ctx: AppContext, bad: str) -> None:
    for name, address, note in ((bad, "x", "x"), ("Tên", bad, "x"), ("Tên", "x", bad)):
        with pytest.raises(ValidationError) as caught:
            _receive(app_ctx, name, address, note)
        assert "ký tự không hợp lệ" in caught.value.message_vi
