"""Receiving dossiers, returning results and printing slips, on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.core.applicant import Applicant, Sex
from app.core.cccd import applicant_from_qr, parse_cccd_qr
from app.core.codes import parse_dossier_code
from app.core.dossier import Channel, Delivery, DossierStatus
from app.core.errors import InvalidTransitionError, NotFoundError, ValidationError
from app.services import context as keys
from app.services.admin.audit import entries, verify_chain
from app.services.admin.auth import SYSTEM_OFFICER, Officer, PermissionDeniedError, Role
from app.services.admin.office import date_place, office_profile
from app.services.reception import handover, payloads
from app.services.reception import receive as reception
from app.services.reception.calendar import due
from app.services.reception.catalogue import get_procedure
from app.services.reception.dossiers import count_dossiers, get_dossier
from app.services.reception.printing import SlipRefusedError, export_slip, render_slip
from app.services.reception.receive import ComponentInput, ReceiveRequest
from app.store.repositories import AuditRepository, SettingsRepository

QR = ("079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|"
      "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")
BIRTH = "1.001193"  # khai sinh: same day, cutoff 15:00, components 3, 5, 6 mandatory; 7 the online e-form
RESIDENCE = "1.004222"  # thường trú: 7 working days
AT = datetime(2025, 3, 18, 10, 30)  # a Tuesday
OFFICER = Officer("hung", "Lê Văn Hùng", Role.OFFICER)
CLERK = Officer("mai", "Phạm Thị Mai", Role.CLERK)


def applicant() -> Applicant:
    return applicant_from_qr(parse_cccd_qr(QR))


def request(**kwargs) -> ReceiveRequest:
    values = {"procedure_code": BIRTH, "applicant": applicant(), "received_at": AT}
    values.update(kwargs)
    return ReceiveRequest(**values)


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_receive_with_defaults(app_ctx):
    procedure = get_procedure(app_ctx, BIRTH)
    dossier = reception.receive_dossier(app_ctx, request(), OFFICER)

    agency, day, number = parse_dossier_code(dossier.code)
    assert (agency, day, number) == (app_ctx.settings().agency_code, AT.date(), 1)
    assert dossier.status is DossierStatus.RECEIVED
    assert dossier.received_at == AT
    assert dossier.due_at == due(app_ctx, AT, BIRTH) == reception.preview_due(app_ctx, BIRTH, AT)
    assert dossier.officer == "Lê Văn Hùng"
    assert dossier.fee_vnd == procedure.fee_for_channel(1)
    assert dossier.form_set == "TT01-2018"
    assert dossier.channel is Channel.DIRECT and dossier.delivery is Delivery.COUNTER
    assert [(h.status, h.officer) for h in dossier.history] == [(DossierStatus.RECEIVED, "Lê Văn Hùng")]
    in_person = [i for i, spec in enumerate(procedure.components) if not spec.online_only]
    assert procedure.components[7].online_only and 7 not in in_person  # the portal's e-form
    mandatory = [i for i in in_person if procedure.components[i].mandatory]
    assert [c.index for c in dossier.components] == in_person
    assert [c.index for c in dossier.components if c.received] == mandatory == [3, 5, 6]
    assert dossier.register is not None and (dossier.register.book, dossier.register.seq) == ("01/2025", 1)
    for c in dossier.components:
        spec = procedure.components[c.index]
        assert c.name == spec.name
        expected = (spec.originals, spec.certified_copies, spec.photocopies) if c.received else (0, 0, 0)
        assert (c.originals, c.certified_copies, c.photocopies) == expected

    stored = get_dossier(app_ctx, dossier.code)
    assert stored.applicant == dossier.applicant and stored.applicant.qr_raw == QR
    assert stored.components == dossier.components and stored.history == dossier.history
    assert stored.due_at == dossier.due_at

    [row] = entries(app_ctx, dossier_code=dossier.code)
    assert (row.action, row.officer) == ("receive", "hung")
    assert row.details["procedure_code"] == BIRTH and row.details["applicant"] == "079190001234"
    assert verify_chain(app_ctx).ok


def test_receive_gives_consecutive_codes_from_the_station_block(app_ctx):
    first = reception.receive_dossier(app_ctx, request(), OFFICER)
    second = reception.receive_dossier(app_ctx, request(received_at=AT.replace(hour=11)), OFFICER)
    assert parse_dossier_code(first.code)[2] == 1 and parse_dossier_code(second.code)[2] == 2
    with app_ctx.session(write=True) as session:
        SettingsRepository(session).set(keys.STATION_BLOCK, "5000-9999")
    third = reception.receive_dossier(app_ctx, request(), OFFICER)
    assert parse_dossier_code(third.code)[2] == 5000


def test_receive_chosen_components_channel_and_fee(app_ctx):
    procedure = get_procedure(app_ctx, RESIDENCE)
    components = [ComponentInput(0, originals=2, note="bản gốc"),
                  ComponentInput(2, originals=0, reused_record_id="KHO-079-1")]
    dossier = reception.receive_dossier(
        app_ctx, request(procedure_code=RESIDENCE, components=components, channel=Channel.POSTAL,
                         delivery=Delivery.POST, delivery_address="5 Hai Bà Trưng, Phường Sài Gòn"), OFFICER)
    assert [c.index for c in dossier.components if c.received] == [0, 2]
    assert dossier.components[0].originals == 2 and dossier.components[0].note == "bản gốc"
    assert dossier.components[2].reused_record_id == "KHO-079-1" and dossier.components[2].digitised
    assert dossier.fee_vnd == procedure.fee_for_channel(3)
    assert dossier.delivery_address == "5 Hai Bà Trưng, Phường Sài Gòn"
    assert dossier.due_at == due(app_ctx, AT, RESIDENCE, channel=3)
    free = reception.receive_dossier(app_ctx, request(procedure_code=RESIDENCE, fee_vnd=0), OFFICER)
    assert free.fee_vnd == 0


def test_component_inputs_take_the_catalogue_counts(app_ctx):
    procedure = get_procedure(app_ctx, BIRTH)
    [chosen, missing] = reception.component_inputs(procedure, [3, 42])
    spec = procedure.components[3]
    assert (chosen.index, chosen.originals, chosen.certified_copies, chosen.photocopies) == (
        3, spec.originals, spec.certified_copies, spec.photocopies)
    assert missing == ComponentInput(42)
    assert [c.index for c in reception.default_components(procedure)] == [
        i for i, s in enumerate(procedure.components) if s.mandatory and not s.online_only]
    online = reception.default_components(procedure, Channel.ONLINE)
    assert [c.index for c in online] == [i for i, s in enumerate(procedure.components) if s.mandatory]


def test_an_online_e_form_is_refused_in_an_in_person_dossier(app_ctx):
    with pytest.raises(ValidationError) as caught:
        reception.receive_dossier(app_ctx, request(components=[ComponentInput(3), ComponentInput(7)]),
                                  OFFICER)
    assert caught.value.field == "components[1].index"
    assert "Thành phần hồ sơ số 8" in caught.value.message_vi and "trực tuyến" in caught.value.message_vi
    online = reception.receive_dossier(app_ctx, request(channel=Channel.ONLINE), OFFICER)
    assert 7 in [c.index for c in online.components if c.received]


def test_invalid_requests_name_their_fields_and_store_nothing(app_ctx):
    bad = request(components=[ComponentInput(99), ComponentInput(3, originals=-1), ComponentInput(3)],
                  delivery=Delivery.POST, fee_vnd=-5)
    fields = [e.field for e in reception.validate_request(app_ctx, bad)]
    assert fields == ["components[0].index", "components[1].originals", "components[2].index",
                      "delivery_address", "fee_vnd"]
    with pytest.raises(ValidationError) as caught:
        reception.receive_dossier(app_ctx, bad, OFFICER)
    assert caught.value.field == "components[0].index"
    assert [e.field for e in caught.value.errors] == fields
    assert "Thành phần hồ sơ số 100" in caught.value.message_vi  # numbered from 1 as in the catalogue
    assert count_dossiers(app_ctx) == 0
    # Nothing was allocated either: the next dossier still gets number 1.
    assert parse_dossier_code(reception.receive_dossier(app_ctx, request(), OFFICER).code)[2] == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"applicant": replace(applicant(), sex=Sex.MALE)}, "id_number"),  # 4th digit 1 = female
    ({"applicant": replace(applicant(), full_name="")}, "full_name"),
    ({"applicant": replace(applicant(), phone="12345")}, "phone"),
    ({"procedure_code": "9.999999"}, "procedure_code"),
    ({"received_at": datetime(2099, 1, 1, 8, 0)}, "received_at"),
])
def test_validation_errors(app_ctx, change, field):
    errors = reception.validate_request(app_ctx, request(**change))
    assert field in [e.field for e in errors]
    with pytest.raises(ValidationError):
        reception.receive_dossier(app_ctx, request(**change), OFFICER)


def test_valid_request_has_no_errors(app_ctx):
    assert reception.validate_request(app_ctx, request()) == []
    assert reception.validate_request(app_ctx, request(received_at=None)) == []


def test_clerk_may_not_receive(app_ctx):
    with pytest.raises(PermissionDeniedError) as caught:
        reception.receive_dossier(app_ctx, request(), CLERK)
    assert "không có quyền tiếp nhận hồ sơ" in caught.value.message_vi
    assert count_dossiers(app_ctx) == 0


def test_receive_is_one_transaction(app_ctx, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AuditRepository, "append", broken)
    with pytest.raises(RuntimeError):
        reception.receive_dossier(app_ctx, request(), OFFICER)
    monkeypatch.undo()
    assert count_dossiers(app_ctx) == 0
    assert parse_dossier_code(reception.receive_dossier(app_ctx, request(), OFFICER).code)[2] == 1


def test_return_result_only_when_done(app_ctx):
    dossier = reception.receive_dossier(app_ctx, request(), OFFICER)
    returned_at = datetime(2025, 3, 18, 16, 45)
    with pytest.raises(InvalidTransitionError) as early:  # no "Đã xử lý xong" step is invented
        handover.return_result(app_ctx, dossier.code, "Nguyễn Thị Thu Hà", OFFICER, at=returned_at)
    assert "Được tiếp nhận" in early.value.message_vi and "đã có kết quả" in early.value.message_vi
    assert get_dossier(app_ctx, dossier.code).history == dossier.history
    handover.mark_done(app_ctx, dossier.code, OFFICER, at=datetime(2025, 3, 18, 16, 0))
    result = handover.return_result(app_ctx, dossier.code, "  Nguyễn Thị Thu Hà ", OFFICER, at=returned_at,
                                     collector_id="079190001234")
    assert result.status is DossierStatus.RETURNED
    assert [h.status for h in result.history] == [DossierStatus.RECEIVED, DossierStatus.DONE,
                                                   DossierStatus.RETURNED]
    assert result.history[-1].details == {"collected_by": "Nguyễn Thị Thu Hà", "collector_id": "079190001234"}
    assert result.history[-1].action == "return" and result.history[-1].officer == OFFICER.full_name
    stored = get_dossier(app_ctx, dossier.code)
    assert stored.status is DossierStatus.RETURNED
    assert stored.returned_at == returned_at and stored.returned_to == "Nguyễn Thị Thu Hà"
    assert stored.history == result.history
    with pytest.raises(InvalidTransitionError) as caught:
        handover.return_result(app_ctx, dossier.code, "Ai đó", OFFICER)
    assert "đã được trả kết quả" in caught.value.message_vi
    assert [e.action for e in entries(app_ctx, dossier_code=dossier.code)] == ["return", "done", "receive"]


def test_return_after_done_and_invalid_returns(app_ctx):
    dossier = reception.receive_dossier(app_ctx, request(), OFFICER)
    handover.mark_done(app_ctx, dossier.code, OFFICER, at=datetime(2025, 3, 18, 15, 0))
    with pytest.raises(ValidationError) as before:
        handover.return_result(app_ctx, dossier.code, "Hà", OFFICER, at=datetime(2025, 3, 17, 9, 0))
    assert before.value.field == "at"
    with pytest.raises(ValidationError) as nobody:
        handover.return_result(app_ctx, dossier.code, "   ", OFFICER)
    assert nobody.value.field == "collected_by"
    with pytest.raises(PermissionDeniedError):
        handover.return_result(app_ctx, dossier.code, "Hà", CLERK)
    with pytest.raises(ValidationError) as bad_id:
        handover.return_result(app_ctx, dossier.code, "Hà", OFFICER, collector_id="12ab")
    assert bad_id.value.field == "collector_id"
    result = handover.return_result(app_ctx, dossier.code, "Hà", OFFICER, at=datetime(2025, 3, 19, 8, 0))
    assert [h.status for h in result.history][-2:] == [DossierStatus.DONE, DossierStatus.RETURNED]
    with pytest.raises(NotFoundError):
        handover.return_result(app_ctx, "000.00.12.H29-990101-0001", "Hà", OFFICER)


def test_find_by_scanned_code(app_ctx):
    dossier = reception.receive_dossier(app_ctx, request(), OFFICER)
    for text in (dossier.code, f"\ufeff{dossier.code}\r\n", f"https://dichvucong.gov.vn/tra-cuu?code={dossier.code}",
                 f"Mã hồ sơ: {dossier.code}"):
        assert handover.find_by_scanned_code(app_ctx, text).code == dossier.code
    with pytest.raises(NotFoundError):
        handover.find_by_scanned_code(app_ctx, "000.00.12.H29-990101-0009")
    with pytest.raises(NotFoundError):
        handover.find_by_scanned_code(app_ctx, "not a code")


def test_request_payload_round_trip(app_ctx):
    original = request(components=[ComponentInput(3, originals=1, note="ghi chú")], channel=Channel.ONLINE,
                       delivery=Delivery.POST, delivery_address="1 Lê Lợi", fee_vnd=1000, note="Nộp hộ")
    payload = payloads.request_to_payload(original)
    assert payloads.request_from_payload(payload) == original
    empty = payloads.request_from_payload({})
    assert empty.procedure_code == "" and empty.components is None and empty.applicant.full_name == ""


def test_applicant_from_dict():
    data = {"id_number": "079190001234", "old_id_number": "", "full_name": "Nguyễn Thị Thu Hà",
            "birth_date": "1990-03-12", "sex": "Nữ", "address": "12 Lê Lợi", "id_issue_date": None,
            "phone": "0903 123 456"}
    a = payloads.applicant_from_dict(data)
    assert (a.sex, a.birth_date.isoformat(), a.id_issue_date, a.phone) == (Sex.FEMALE, "1990-03-12", None,
                                                                           "0903 123 456")
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thu Hà")
    nfd = payloads.applicant_from_dict({**data, "full_name": decomposed})
    assert nfd.full_name == "Nguyễn Thị Thu Hà"
    for broken, field in (({"birth_date": "12/03/1990"}, "birth_date"), ({"sex": "F"}, "sex"),
                          ({"nmae": "x"}, "nmae"), ({"kind": "robot"}, "kind")):
        with pytest.raises(ValidationError) as caught:
            payloads.applicant_from_dict({**data, **broken})
        assert caught.value.field == field


def test_office_profile_from_settings(app_ctx):
    profile = office_profile(app_ctx)
    assert profile.parent_agency == "UBND PHƯỜNG SÀI GÒN" and profile.unit_name == "BỘ PHẬN MỘT CỬA"
    assert profile.place_name == "Sài Gòn" and profile.form_set == "TT03-2025"  # in force today
    assert profile.counter_name == "Bộ phận Một cửa UBND phường Sài Gòn"
    assert profile.phone and profile.website
    with app_ctx.session(write=True) as session:
        settings = SettingsRepository(session)
        settings.set(keys.PARENT_AGENCY, "UBND XÃ TÂN PHÚ")
        settings.set(keys.DATE_PLACE, "Tân Phú")
        settings.set(keys.AGENCY_PHONE, "0251 3861 234")
        settings.set(keys.HEAD_NAME, "Trần Văn Bình")
    profile = office_profile(app_ctx)
    assert (profile.parent_agency, profile.place_name, profile.phone, profile.head_name) == (
        "UBND XÃ TÂN PHÚ", "Tân Phú", "0251 3861 234", "Trần Văn Bình")


def test_date_place():
    assert date_place("Phường Sài Gòn, Thành phố Hồ Chí Minh") == "Sài Gòn"
    assert date_place("Phường 12, Quận Gò Vấp") == "Phường 12"
    assert date_place("Xã Tân Phú, Tỉnh Đồng Nai") == "Tân Phú"
    assert date_place("Hà Nội") == "Hà Nội"


def test_print_slips(app_ctx, tmp_path):
    dossier = reception.receive_dossier(app_ctx, request(), OFFICER)
    receipt = render_slip(app_ctx, "01", dossier.code, OFFICER)
    text = pdf_text(receipt)
    assert dossier.code in text and "Nguyễn Thị Thu Hà" in text and "GIẤY TIẾP NHẬN HỒ SƠ" in text
    assert "UBND PHƯỜNG SÀI GÒN" in text and "Lê Văn Hùng" in text
    for form in ("02", "03", "04"):  # no supplement request, refusal or postponement happened
        with pytest.raises(SlipRefusedError) as refused:
            export_slip(app_ctx, form, dossier.code, tmp_path / "slips" / f"{form}.pdf", CLERK)
        assert "Được tiếp nhận" in refused.value.message_vi
    out = export_slip(app_ctx, "05", dossier.code, tmp_path / "slips" / "05.pdf", CLERK)
    assert out.read_bytes().startswith(b"%PDF") and dossier.code in pdf_text(out.read_bytes())
    assert sorted(p.name for p in (tmp_path / "slips").iterdir()) == ["05.pdf"]
    prints = entries(app_ctx, action="print")
    assert [e.details["form"] for e in prints] == ["05", "01"]
    assert prints[0].officer == "mai"
    with pytest.raises(NotFoundError):
        render_slip(app_ctx, "09", dossier.code, OFFICER)
    with pytest.raises(NotFoundError):
        render_slip(app_ctx, "01", "000.00.12.H29-990101-0001", SYSTEM_OFFICER)
    assert verify_chain(app_ctx).ok
