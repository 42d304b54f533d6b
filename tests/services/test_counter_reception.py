"""Reception at the counter: the acting officer, the register line, the form set in force on the
receipt date, and the warnings (same person with an open dossier, outside office hours)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from app.core.cccd import applicant_from_qr, parse_cccd_qr
from app.core.dossier import DossierStatus
from app.core.errors import ValidationError
from app.services.admin.auth import SYSTEM_OFFICER, Officer, PermissionDeniedError, Role, create_user
from app.services.admin.counter_officer import acting_officer, default_officer, set_default_officer
from app.services.admin.register_book import TT03_2025_FROM, form_set_in_force, set_tt03_2025_from
from app.services.context import FORM_SET, REGISTER_BOOK
from app.services.online.fees import fee_state, pay
from app.services.reception import counter_warnings, handover
from app.services.reception import receive as reception
from app.services.reception.dossiers import get_dossier
from app.services.reception.printing import render_slip
from app.services.reception.receive import ReceiveRequest
from app.store.repositories import DossierRepository, SettingsRepository
from tests.services.test_reception import pdf_text

QR = ("079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|"
      "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")
OTHER = "001085012345||Trần Văn Bình|01061985|Nam|3 Tràng Tiền, Hà Nội|01072021"
BIRTH, RESIDENCE = "1.001193", "1.004222"
OFFICER = Officer("hung", "Lê Văn Hùng", Role.OFFICER)


def receive(ctx, at: datetime, qr: str = QR, code: str = RESIDENCE):
    request = ReceiveRequest(code, applicant_from_qr(parse_cccd_qr(qr)), received_at=at)
    return reception.receive_dossier(ctx, request, OFFICER)


def test_acting_officer_is_a_real_active_account(app_ctx):
    with pytest.raises(ValidationError) as none:
        acting_officer(app_ctx)
    assert "--officer" in none.value.message_vi and "motcua user default" in none.value.message_vi
    with pytest.raises(ValidationError):
        acting_officer(app_ctx, "lan")
    create_user(app_ctx, "lan", "Trần Thị Lan", "mat khau 12345", "officer", by=SYSTEM_OFFICER)
    assert acting_officer(app_ctx, " LAN ") == Officer("lan", "Trần Thị Lan", Role.OFFICER)
    with pytest.raises(PermissionDeniedError):
        set_default_officer(app_ctx, "lan", OFFICER)
    set_default_officer(app_ctx, "lan", SYSTEM_OFFICER)
    assert default_officer(app_ctx) == "lan" and acting_officer(app_ctx).full_name == "Trần Thị Lan"


def test_register_line_on_the_dossier_and_the_receipt(app_ctx):
    first = receive(app_ctx, datetime(2025, 12, 30, 9, 0))
    second = receive(app_ctx, datetime(2025, 12, 31, 9, 0), OTHER)
    third = receive(app_ctx, datetime(2026, 1, 5, 9, 0), OTHER)
    assert [(d.register.book, d.register.seq) for d in (first, second, third)] == [
        ("01/2025", 1), ("01/2025", 2), ("01/2026", 1)]
    assert get_dossier(app_ctx, third.code).register == third.register
    text = pdf_text(render_slip(app_ctx, "01", second.code, OFFICER))
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: 01/2025 Số thứ tự: 2" in text
    assert "Lê Văn Hùng" in text
    with app_ctx.session(write=True) as session:
        SettingsRepository(session).set(REGISTER_BOOK, "TN-{year}")
    assert receive(app_ctx, datetime(2026, 1, 5, 10, 0)).register.book == "TN-2026"


def test_a_dossier_without_a_register_line_gets_one_when_its_receipt_is_printed(app_ctx):
    dossier = receive(app_ctx, datetime(2026, 1, 5, 9, 0))
    with app_ctx.session(write=True) as session:  # e.g. a dossier that came from another system
        repo = DossierRepository(session)
        repo.update(replace(repo.get(dossier.code), register=None))
    assert get_dossier(app_ctx, dossier.code).register is None
    text = pdf_text(render_slip(app_ctx, "01", dossier.code, OFFICER))
    assert "Số thứ tự: 2" in text and "Số thứ tự: …" not in text
    assert get_dossier(app_ctx, dossier.code).register.seq == 2


def test_form_set_follows_the_receipt_date_and_the_office_setting(app_ctx):
    assert receive(app_ctx, datetime(2025, 10, 30, 9, 0)).form_set == "TT01-2018"
    kept = receive(app_ctx, datetime(2025, 10, 31, 9, 0))
    assert kept.form_set == "TT03-2025"
    set_tt03_2025_from(app_ctx, date(2026, 1, 1))
    with app_ctx.session() as session:
        assert SettingsRepository(session).get(TT03_2025_FROM) == "2026-01-01"
    assert receive(app_ctx, datetime(2025, 12, 1, 9, 0)).form_set == "TT01-2018"
    assert get_dossier(app_ctx, kept.code).form_set == "TT03-2025"  # a dossier keeps its set
    assert form_set_in_force(app_ctx, datetime(2026, 1, 2)) == "TT03-2025"
    with app_ctx.session(write=True) as session:
        SettingsRepository(session).set(FORM_SET, "TT01-2018")  # an office told to keep the old set
    assert receive(app_ctx, datetime(2026, 3, 2, 9, 0)).form_set == "TT01-2018"
    with app_ctx.session(write=True) as session:
        SettingsRepository(session).set(FORM_SET, "TT99")
    with pytest.raises(ValidationError):
        receive(app_ctx, datetime(2026, 3, 2, 9, 0))


def test_warning_for_the_same_person_with_an_open_dossier(app_ctx):
    earlier = receive(app_ctx, datetime(2026, 3, 2, 9, 0))
    ids = [earlier.applicant.id_number]
    found = counter_warnings.reception_warnings(app_ctx, ids, RESIDENCE, datetime(2026, 3, 3, 9, 0))
    assert [(w.kind, w.dossier_code) for w in found] == [("open_dossier", earlier.code)]
    assert earlier.code in found[0].message_vi and "Được tiếp nhận" in found[0].message_vi
    assert counter_warnings.reception_warnings(app_ctx, ids, BIRTH, datetime(2026, 3, 3, 9, 0)) == []
    assert counter_warnings.reception_warnings(app_ctx, ["001085012345"], RESIDENCE,
                                               datetime(2026, 3, 3, 9, 0)) == []
    handover.mark_done(app_ctx, earlier.code, OFFICER, at=datetime(2026, 3, 3, 7, 30))
    pay(app_ctx, earlier.code, fee_state(app_ctx, earlier.code).due_amount, "cash", OFFICER)
    handover.return_result(app_ctx, earlier.code, "Nguyễn Thị Thu Hà", OFFICER,
                            at=datetime(2026, 3, 3, 8, 0))
    assert get_dossier(app_ctx, earlier.code).status is DossierStatus.RETURNED
    assert counter_warnings.reception_warnings(app_ctx, ids, RESIDENCE, datetime(2026, 3, 3, 9, 0)) == []


@pytest.mark.parametrize(("at", "warned", "words"), [
    (datetime(2026, 3, 3, 9, 0), False, ""),
    (datetime(2026, 3, 3, 6, 45), True, "ngoài giờ làm việc"),
    (datetime(2026, 3, 3, 12, 0), True, "ngoài giờ làm việc"),
    (datetime(2026, 3, 3, 17, 0), True, "ngoài giờ làm việc"),
    (datetime(2026, 3, 7, 9, 0), True, "không phải ngày làm việc"),  # a Saturday
    (datetime(2026, 1, 2, 9, 0), True, "12729/VPCP-KGVX"),  # the New Year swap
    (datetime(2026, 1, 10, 9, 0), False, ""),  # the worked Saturday
])
def test_warning_outside_office_hours(app_ctx, at, warned, words):
    found = counter_warnings.reception_warnings(app_ctx, [], RESIDENCE, at)
    assert [w.kind for w in found] == (["outside_hours"] if warned else [])
    if warned:
        assert words in found[0].message_vi
