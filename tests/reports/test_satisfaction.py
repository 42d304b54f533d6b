"""Citizens' ratings: one per dossier and event, stored, audited, queued for the province (and accepted
by its schema), feeding the ``satisfied`` figure."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.core.errors import NotFoundError, ValidationError
from app.core.outbox import OutboxKind
from app.services.auth import SYSTEM_OFFICER, Officer, PermissionDeniedError, Role
from app.services.reports import indicators, satisfaction
from app.services.reports.indicators import Period
from app.store.repositories import AuditRepository, OutboxRepository
from provincial_server.schemas import DossierIn
from tests.reports.crafted import load_crafted

APRIL = Period(date(2026, 4, 1), date(2026, 4, 30))


def test_rating_is_stored_queued_audited_and_counted(app_ctx):
    load_crafted(app_ctx)
    served = satisfaction.served(app_ctx, SYSTEM_OFFICER, "X-K11")
    assert (served.code, served.event) == ("X-K11", "receive")
    assert not hasattr(served, "applicant_name")  # the citizen's screen gets nothing personal
    rating = satisfaction.rate(app_ctx, SYSTEM_OFFICER, "X-K11", 1, "  Thời gian chờ   lâu ",
                               now=datetime(2026, 4, 2, 9, 30))
    assert (rating.event, rating.level, rating.reason) == ("receive", 1, "Thời gian chờ lâu")
    with pytest.raises(ValidationError) as caught:
        satisfaction.rate(app_ctx, SYSTEM_OFFICER, "X-K11", 3, now=datetime(2026, 4, 2, 9, 31))
    assert "đã được đánh giá" in caught.value.message_vi
    figures = indicators.compute(app_ctx, SYSTEM_OFFICER, APRIL)
    # April: D's rating of 01/04 (level 1) and K's (level 1)
    assert figures.ratios["satisfied"].to_json() == {"num": 0, "den": 2}
    with app_ctx.session() as session:
        audit = AuditRepository(session).entries(action=satisfaction.AUDIT_RATE, limit=5)
        queued = OutboxRepository(session).for_dossier("X-K11")
    assert audit[0].dossier_code == "X-K11" and audit[0].details["level"] == 1
    upserts = [i for i in queued if i.kind is OutboxKind.DOSSIER_UPSERT]
    assert len(upserts) == 1
    payload = upserts[0].payload
    assert payload["DanhGiaHaiLong"] == [{"SuKien": "receive", "MucDo": 1, "LyDo": "Thời gian chờ lâu",
                                          "ThoiDiem": "20260402093000"}]
    DossierIn.model_validate(payload)  # the province's schema accepts the record with its ratings


def test_each_event_is_rated_once_and_bad_input_is_refused(app_ctx):
    load_crafted(app_ctx)
    assert satisfaction.rate(app_ctx, SYSTEM_OFFICER, "X-I09", 3).event == "return"
    with pytest.raises(ValidationError):
        satisfaction.rate(app_ctx, SYSTEM_OFFICER, "X-I09", 2)
    for level in (0, 4):
        with pytest.raises(ValidationError):
            satisfaction.rate(app_ctx, SYSTEM_OFFICER, "X-H08", level)
    with pytest.raises(ValidationError):
        satisfaction.rate(app_ctx, SYSTEM_OFFICER, "X-H08", 2, "x" * 501)
    with pytest.raises(NotFoundError):
        satisfaction.rate(app_ctx, SYSTEM_OFFICER, "X-NONE", 2)
    with pytest.raises(PermissionDeniedError):
        satisfaction.rate(app_ctx, Officer("hoa", "Nguyễn Thị Hoa", Role.CLERK), "X-H08", 2)
