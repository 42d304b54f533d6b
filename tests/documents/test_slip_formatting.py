"""Formatting helpers of the slips and the office profile."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from reportlab.platypus import Paragraph

from app.core.errors import MotCuaError
from app.core.resources import resources_dir
from app.documents import OfficeProfile, fonts
from app.documents.formatting import (
    TEXT_LIMIT,
    as_datetime,
    clean,
    esc,
    header_date,
    money_vnd,
    or_dots,
    short_date,
    slip_datetime,
)
from app.documents.layout import Styles


def test_slip_datetime_and_dates():
    assert slip_datetime(datetime(2026, 1, 5, 7, 5)) == "07 giờ 05 phút, ngày 05 tháng 01 năm 2026"
    assert slip_datetime(None) == "…giờ…phút, ngày … tháng … năm ……"
    assert short_date(date(2026, 3, 9)) == "09/03/2026"
    assert header_date("Bến Nghé", date(2026, 2, 1)) == "Bến Nghé, ngày 01 tháng 02 năm 2026"
    assert header_date("Bến Nghé", date(2026, 11, 20)) == "Bến Nghé, ngày 20 tháng 11 năm 2026"
    assert header_date("Hà Nội", date(2026, 3, 5)) == "Hà Nội, ngày 05 tháng 3 năm 2026"


def test_money():
    assert money_vnd(50000) == "50.000 đồng"
    assert money_vnd(1250000) == "1.250.000 đồng"
    assert money_vnd(0) == "Không"
    assert money_vnd(None) == "Không"


def test_clean_and_escape():
    assert clean("Be\u0302\u0301n\x00 Nghé\r\nQ1\x1b") == "Bến Nghé Q1"
    assert esc("<b>&amp;</b> \"x\"") == "&lt;b&gt;&amp;amp;&lt;/b&gt; &quot;x&quot;"
    assert or_dots("  ") == "…………"
    long = esc("a" * (TEXT_LIMIT + 50))
    assert len(long) == TEXT_LIMIT and long.endswith("…")
    # Whatever comes in, the escaped text parses as Paragraph markup.
    for nasty in ("<para>", "</para><b>", "&#xd800;", "<img src=x>", "&nbsp", "<<>>&&", "\ud800"):
        Paragraph(esc(nasty), Styles().body)


def test_as_datetime():
    assert as_datetime(date(2026, 3, 9)) == datetime(2026, 3, 9)
    assert as_datetime("2026-03-09T10:15") == datetime(2026, 3, 9, 10, 15)
    assert as_datetime(None) is None and as_datetime("") is None


def test_profile_counter_name():
    plain = OfficeProfile("UBND PHƯỜNG BẾN NGHÉ", "BỘ PHẬN MỘT CỬA", "Bến Nghé")
    assert plain.counter_name == "Bộ phận một cửa UBND PHƯỜNG BẾN NGHÉ"
    named = OfficeProfile("UBND XÃ AN PHÚ", "BỘ PHẬN MỘT CỬA", "An Phú",
                          display_name="Bộ phận Một cửa xã An Phú")
    assert named.counter_name == "Bộ phận Một cửa xã An Phú"
    assert plain.form_set == "TT01-2018"


def test_missing_bundled_fonts_give_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "_registered", False)
    monkeypatch.setattr(fonts, "fonts_dir", lambda: tmp_path)
    with pytest.raises(MotCuaError) as caught:
        fonts.ensure_fonts()
    assert "Liberation Serif" in caught.value.message_vi


def test_fonts_come_from_the_resources_folder():
    assert fonts.fonts_dir() == resources_dir() / "fonts"
    assert (fonts.fonts_dir() / "LiberationSerif-Regular.ttf").is_file()
