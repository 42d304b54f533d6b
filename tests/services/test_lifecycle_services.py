"""The dossier's life through the services: every action from every status (SQLite and PostgreSQL),
what one step writes (dossier, history, audit, outbox), supplements, postponement and the slips."""

from __future__ import annotations

import unicodedata
from datetime import datetime, time, timedelta
from io import BytesIO
from itertools import product

import pytest
from pypdf import PdfReader

from app.core.applicant import Applicant
from app.core.clock import vn_now
from app.core.deadlines import working_time_between
from app.core.dossier import Channel, DossierStatus, StatusChange, SupplementRequest
from app.core.errors import InvalidTransitionError, ValidationError
from app.core.lifecycle import ACTIONS, Action, Slip
from app.services import lifecycle
from app.services.admin.audit import entries, verify_chain
from app.services.admin.auth import SYSTEM_OFFICER, Officer, PermissionDeniedError, Role
from app.services.online.fees import pay
from app.services.reception import handover
from app.services.reception import receive as reception
from app.services.reception.calendar import work_calendar
from app.services.reception.dossiers import get_dossier
from app.services.reception.printing import SlipRefusedError, render_slip, render_slip_of
from app.services.reception.receive import ReceiveRequest
from app.store.repositories import DossierRepository, OutboxRepository, SettingsRepository

OFFICER = Officer("hung", "Lê Văn Hùng", Role.OFFICER)
CLERK = Officer("mai", "Phạm Thị Mai", Role.CLERK)
RESIDENCE = "1.004222"  # thường trú: 7 working days
RECEIVED = datetime(2025, 3, 18, 9, 0)
S = DossierStatus
#: How a dossier got to each status (after its receipt), as (status, action) steps.
PATHS: dict[S, list[tuple[S, str]]] = {
    S.REGISTERED: [], S.RECEIVED: [], S.REJECTED: [(S.REJECTED, "refuse")],
    S.PROCESSING: [(S.PROCESSING, "handover")],
    S.SUPPLEMENT_REQUESTED: [(S.PROCESSING, "handover"), (S.SUPPLEMENT_REQUESTED, "supplement_request")],
    S.PAYMENT_REQUESTED: [(S.PROCESSING, "handover"), (S.PAYMENT_REQUESTED, "")],
    S.WITHDRAWN: [(S.WITHDRAWN, "withdraw")], S.STOPPED: [(S.STOPPED, "stop")],
    S.DONE: [(S.PROCESSING, "handover"), (S.DONE, "done")],
    S.RETURNED: [(S.PROCESSING, "handover"), (S.DONE, "done"), (S.RETURNED, "return")],
}


def _applicant() -> Applicant:
    return Applicant(full_name="Nguyễn Thị Thu Hà", id_number="079190001234", address="12 Lê Lợi, Sài Gòn")


def dossier_in(ctx, status: S) -> str:  # type: ignore[no-untyped-def]
    """A dossier received on RECEIVED (so it is late now) and brought to ``status``."""
    code = reception.receive_dossier(ctx, ReceiveRequest(RESIDENCE, _applicant(), received_at=RECEIVED),
                                     OFFICER).code
    with ctx.session(write=True) as session:
        repo = DossierRepository(session)
        d = repo.get(code)
        if status is S.REGISTERED:  # an online dossier waiting to be taken in
            d.channel = Channel.ONLINE
            d.history = [StatusChange(RECEIVED, S.REGISTERED, "", "Nộp trực tuyến")]
        for hour, (step, action) in enumerate(PATHS[status], start=1):
            d.history.append(StatusChange(RECEIVED + timedelta(hours=hour), step, "Trần Văn Bình",
                                          action=action))
        if status is S.SUPPLEMENT_REQUESTED:
            d.supplements.append(SupplementRequest(d.history[-1].at, "Thiếu giấy", ["Giấy tờ"],
                                                   "Trần Văn Bình", id="yc-1", previous_due_at=d.due_at))
        d.status = status
        repo.update(d)
    return code


def _next_working_morning(ctx) -> datetime:  # type: ignore[no-untyped-def]
    calendar = work_calendar(ctx)
    return datetime.combine(calendar.next_working_day(vn_now().date()), time(10, 0))


def call(ctx, action: Action, code: str, officer: Officer = OFFICER):  # type: ignore[no-untyped-def]
    """Run ``action`` on ``code`` with valid input."""
    if action is Action.ACCEPT:
        return lifecycle.accept(ctx, code, officer)
    if action is Action.HANDOVER:
        return lifecycle.handover(ctx, code, "Phòng Tư pháp", officer)
    if action is Action.DONE:
        return lifecycle.mark_done(ctx, code, officer)
    if action is Action.SUPPLEMENT_REQUEST:
        return lifecycle.request_supplement(ctx, code, ["Bản sao CCCD"], "Thiếu bản sao CCCD", officer)
    if action is Action.SUPPLEMENT_RECEIVE:
        return lifecycle.receive_supplement(ctx, code, officer)
    if action is Action.REFUSE:
        return lifecycle.refuse(ctx, code, "Không thuộc thẩm quyền", officer)
    if action is Action.POSTPONE:
        return lifecycle.postpone(ctx, code, _next_working_morning(ctx), "Chờ xác minh", officer)
    if action is Action.STOP:
        return lifecycle.stop(ctx, code, "Công dân đề nghị dừng", officer)
    if action is Action.WITHDRAW:
        return lifecycle.withdraw(ctx, code, "Công dân xin rút", officer)
    if action is Action.RETURN:
        return handover.return_result(ctx, code, "Nguyễn Thị Thu Hà", officer, collector_id="079190001234")
    raise AssertionError(action)


def _outbox(ctx, code: str) -> list:  # type: ignore[no-untyped-def]
    with ctx.session() as session:
        return OutboxRepository(session).for_dossier(code)


def test_every_action_from_every_status(app_ctx):
    """Each (action, status) pair: allowed by the table -> the step is recorded everywhere;
    otherwise InvalidTransitionError (Vietnamese and English) and nothing changes."""
    checked = 0
    for action, status in product([a for a in Action if a is not Action.RECEIVE], S):
        code = dossier_in(app_ctx, status)
        if action is Action.RETURN and status in ACTIONS[action].sources:  # the fee settled first
            pay(app_ctx, code, 0, "exempt", SYSTEM_OFFICER, reason="Miễn theo quy định")
        before = get_dossier(app_ctx, code)
        queued = len(_outbox(app_ctx, code))
        audited = len(entries(app_ctx, dossier_code=code, limit=1000))
        rule = ACTIONS[action]
        if status not in rule.sources:
            with pytest.raises(InvalidTransitionError) as refused:
                call(app_ctx, action, code)
            assert status.label_vi in refused.value.message_vi, (action, status)
            assert f"status {int(status)}" in str(refused.value)
            after = get_dossier(app_ctx, code)
            assert (after.status, after.due_at) == (before.status, before.due_at)
            assert after.history == before.history
            assert len(_outbox(app_ctx, code)) == queued, (action, status)
            assert len(entries(app_ctx, dossier_code=code, limit=1000)) == audited
            continue
        after = call(app_ctx, action, code)
        expected = rule.target if rule.target is not None else S.PROCESSING  # the status before the request
        assert after.status is expected, (action, status)
        stored = get_dossier(app_ctx, code)
        assert stored.status is expected and stored.history == after.history
        step = stored.history[-1]
        assert (step.action, step.officer, step.station) == (action.value, OFFICER.full_name, "1")
        assert len(stored.history) == len(before.history) + 1
        items = _outbox(app_ctx, code)
        assert len(items) == queued + 1
        assert (items[-1].payload["TrangThaiTruoc"], items[-1].payload["TrangThaiHoSo"]) == (int(status),
                                                                                              int(expected))
        assert items[-1].payload["HanhDong"] == action.value
        audit = entries(app_ctx, dossier_code=code, limit=1000)
        assert len(audit) == audited + 1 and audit[0].action == action.value and audit[0].officer == "hung"
        checked += 1
    assert checked == sum(len(r.sources) for r in ACTIONS.values())
    assert verify_chain(app_ctx).ok


def test_permissions(app_ctx):
    for action in (Action.HANDOVER, Action.SUPPLEMENT_REQUEST, Action.REFUSE, Action.STOP, Action.WITHDRAW):
        code = dossier_in(app_ctx, S.RECEIVED)
        with pytest.raises(PermissionDeniedError):
            call(app_ctx, action, code, CLERK)
        assert get_dossier(app_ctx, code).status is S.RECEIVED


def test_bad_input_is_refused_and_loses_nothing(app_ctx):
    code = dossier_in(app_ctx, S.RECEIVED)
    with pytest.raises(ValidationError) as no_reason:
        lifecycle.refuse(app_ctx, code, "   ", OFFICER)
    assert no_reason.value.field == "reason" and "lý do" in no_reason.value.message_vi.lower()
    with pytest.raises(ValidationError) as no_items:
        lifecycle.request_supplement(app_ctx, code, [" ", ""], "Thiếu", OFFICER)
    assert no_items.value.field == "items"
    with pytest.raises(ValidationError) as no_unit:
        lifecycle.handover(app_ctx, code, "", OFFICER)
    assert no_unit.value.field == "to"
    with pytest.raises(ValidationError) as before_receipt:
        lifecycle.handover(app_ctx, code, "Phòng Tư pháp", OFFICER, at=RECEIVED - timedelta(days=1))
    assert before_receipt.value.field == "at"
    with pytest.raises(ValidationError) as future:
        lifecycle.handover(app_ctx, code, "Phòng Tư pháp", OFFICER, at=vn_now() + timedelta(days=2))
    assert future.value.field == "at"
    assert get_dossier(app_ctx, code).history == get_dossier(app_ctx, code).history[:1]


def _pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_supplements_pause_the_clock_and_resume_it(app_ctx):
    code = dossier_in(app_ctx, S.RECEIVED)
    due_before = get_dossier(app_ctx, code).due_at
    lifecycle.handover(app_ctx, code, "Công chức Tư pháp - Hộ tịch", OFFICER, at=datetime(2025, 3, 18, 10, 0))
    asked_at = datetime(2025, 3, 19, 9, 0)
    d = lifecycle.request_supplement(app_ctx, code, ["Bản sao sổ hộ khẩu", "Giấy xác nhận nơi ở"],
                                     "Thiếu giấy tờ chứng minh chỗ ở", OFFICER, at=asked_at)
    assert d.status is S.SUPPLEMENT_REQUESTED and d.due_at == due_before  # paused, not moved
    request = d.supplements[-1]
    assert (request.items, request.sequence, request.previous_due_at) == (
        ["Bản sao sổ hộ khẩu", "Giấy xác nhận nơi ở"], 1, due_before)
    item = _outbox(app_ctx, code)[-1].payload
    assert item["HoSoBoSung"]["DanhSachGiayToBoSung"] == request.items
    assert item["HoSoBoSung"]["TrangThaiBoSung"] == 0 and item["HoSoBoSung"]["HoSoBoSungId"] == request.id
    text = _pdf_text(render_slip_of(app_ctx, Slip.SUPPLEMENT_REQUEST, code, OFFICER))
    assert "Bản sao sổ hộ khẩu" in text and "Giấy xác nhận nơi ở" in text
    assert "Lý do: Thiếu giấy tờ chứng minh chỗ ở" in text and "Lê Văn Hùng" in text

    back_at = datetime(2025, 3, 24, 14, 0)
    d = lifecycle.receive_supplement(app_ctx, code, OFFICER, at=back_at)
    assert d.status is S.PROCESSING  # the status before the request
    step = d.history[-1]
    assert step.previous_due_at == due_before and step.due_at == d.due_at > due_before
    calendar = work_calendar(app_ctx)
    assert working_time_between(calendar, back_at, d.due_at) == working_time_between(calendar, asked_at,
                                                                                      due_before)
    item = _outbox(app_ctx, code)[-1].payload
    entry = item["HoSoBoSung"]
    assert (entry["NgayHenTraTruoc"], entry["NgayHenTraMoi"], entry["TrangThaiBoSung"]) == (
        due_before.strftime("%Y%m%d%H%M%S"), d.due_at.strftime("%Y%m%d%H%M%S"), 1)
    assert item["NgayHenTra"] == entry["NgayHenTraMoi"]

    # a second request is allowed but marked
    d = lifecycle.request_supplement(app_ctx, code, ["Ảnh 4x6"], "Ảnh mờ", OFFICER)
    assert d.supplements[-1].sequence == 2 and d.history[-1].details["repeated"] is True
    assert "lần 2" in d.history[-1].note


def test_restart_rule_gives_the_full_time_again(app_ctx):
    with app_ctx.session(write=True) as session:
        SettingsRepository(session).set(lifecycle.SUPPLEMENT_TIME_RULE, "restart")
    code = dossier_in(app_ctx, S.RECEIVED)
    lifecycle.request_supplement(app_ctx, code, ["Giấy tờ"], "Thiếu", OFFICER, at=datetime(2025, 3, 19, 9, 0))
    back = datetime(2025, 3, 24, 8, 0)  # Monday: 7 working days -> the next Wednesday 08:00
    d = lifecycle.receive_supplement(app_ctx, code, OFFICER, at=back)
    assert d.status is S.RECEIVED
    assert d.due_at == reception.preview_due(app_ctx, RESIDENCE, back)
    assert d.history[-1].details["time_rule"] == "restart"


def test_postponement_rules_and_apology(app_ctx):
    code = dossier_in(app_ctx, S.PROCESSING)  # received a year ago: late
    current = get_dossier(app_ctx, code).due_at
    new_due = _next_working_morning(app_ctx)
    with pytest.raises(ValidationError) as past:
        lifecycle.postpone(app_ctx, code, vn_now() - timedelta(hours=1), "Chờ xác minh", OFFICER)
    assert past.value.field == "new_due"
    with pytest.raises(ValidationError) as earlier:
        lifecycle.postpone(app_ctx, code, current - timedelta(days=1), "Chờ xác minh", OFFICER)
    assert "phải sau" in earlier.value.message_vi
    with pytest.raises(SlipRefusedError):  # nothing was postponed yet: no Mẫu 04
        render_slip(app_ctx, "04", code, OFFICER)
    d = lifecycle.postpone(app_ctx, code, new_due, "Chờ kết quả xác minh của Công an phường", OFFICER)
    assert d.due_at == new_due and d.status is S.PROCESSING
    assert get_dossier(app_ctx, code).due_at == new_due
    assert (d.history[-1].previous_due_at, d.history[-1].due_at) == (current, new_due)
    assert _outbox(app_ctx, code)[-1].payload["NgayHenTra"] == new_due.strftime("%Y%m%d%H%M%S")
    text = _pdf_text(render_slip(app_ctx, "04", code, OFFICER))
    assert f"ngày {new_due:%d} tháng {new_due:%m} năm {new_due:%Y}" in text
    assert "Lý do: Chờ kết quả xác minh của Công an phường" in text
    assert "Chuyển xử lý" not in text  # never the last history note
    # on time and not due within a working day: no postponement
    fresh = reception.receive_dossier(app_ctx, ReceiveRequest(RESIDENCE, _applicant()), OFFICER).code
    lifecycle.handover(app_ctx, fresh, "Phòng Tư pháp", OFFICER)
    with pytest.raises(ValidationError) as on_time:
        later = get_dossier(app_ctx, fresh).due_at + timedelta(days=3)
        lifecycle.postpone(app_ctx, fresh, later, "x", OFFICER)
    assert "quá hạn" in on_time.value.message_vi


def test_slips_follow_the_dossier(app_ctx):
    code = dossier_in(app_ctx, S.RECEIVED)
    for form in ("02", "03", "04"):
        with pytest.raises(SlipRefusedError):
            render_slip(app_ctx, form, code, OFFICER)
    with pytest.raises(SlipRefusedError):
        render_slip_of(app_ctx, Slip.STOP_NOTICE, code, OFFICER)
    lifecycle.refuse(app_ctx, code, "Hồ sơ không thuộc thẩm quyền của UBND phường", OFFICER)
    text = _pdf_text(render_slip_of(app_ctx, Slip.REFUSAL, code, OFFICER))
    assert "Hồ sơ không thuộc thẩm quyền của UBND phường" in text and "Lê Văn Hùng" in text
    stopped = dossier_in(app_ctx, S.PROCESSING)
    lifecycle.stop(app_ctx, stopped, "Cơ quan công an đề nghị dừng để xác minh", OFFICER)
    text = _pdf_text(render_slip_of(app_ctx, Slip.STOP_NOTICE, stopped, OFFICER))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "Cơ quan công an đề nghị dừng để xác minh" in text
