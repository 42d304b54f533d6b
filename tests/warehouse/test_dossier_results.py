"""Digitising a dossier's result into the e-data warehouse, alone or while handing it back."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from app.core.applicant import Applicant
from app.core.dossier import DossierStatus
from app.core.errors import InvalidTransitionError, ValidationError
from app.core.outbox import OutboxKind
from app.core.warehouse import SourceKind
from app.services import dossiers, reception, results, warehouse
from app.services.auth import Officer, PermissionDeniedError, Role
from app.services.reception import ReceiveRequest
from app.services.results import DossierResult
from app.services.warehouse import DuplicateRecordError
from app.store.repositories import AuditRepository, OutboxRepository
from tests.warehouse.conftest import BIRTH_CERT, CCCD, CMND, OWNER, REBIRTH, make_pdf

OFFICER = Officer("hung", "Lê Văn Hùng", Role.OFFICER)
CLERK = Officer("mai", "Phạm Thị Mai", Role.CLERK)
BIRTH = "1.001193"  # đăng ký khai sinh: issues KQ.G15.000031 Giấy khai sinh


def _receive(ctx, procedure: str = BIRTH):  # type: ignore[no-untyped-def]
    applicant = Applicant(full_name=OWNER, id_number=CCCD, old_id_number=CMND, birth_date=date(1990, 3, 12))
    return reception.receive_dossier(ctx, ReceiveRequest(procedure, applicant,
                                                         received_at=datetime(2025, 3, 18, 9, 0)), OFFICER)


def _done(ctx, procedure: str = BIRTH):  # type: ignore[no-untyped-def]
    """A dossier whose result is ready (only such a dossier can be returned)."""
    return reception.mark_done(ctx, _receive(ctx, procedure).code, OFFICER)


def _pdf(tmp_path: Path, label: str, pages: int = 1) -> Path:
    path = tmp_path / f"{label}.pdf"
    path.write_bytes(make_pdf(label, pages=pages))
    return path


def test_digitised_result_is_found_by_the_applicants_cccd(ctx, tmp_path: Path):
    dossier = _receive(ctx)
    record = results.digitise_dossier_result(ctx, dossier.code, OFFICER, DossierResult(
        pdf_path=_pdf(tmp_path, "giay-khai-sinh", pages=2), number="123", symbol="2025/KS",
        issued_on=date(2025, 3, 18), signer="Trần Văn Bình"))
    found = warehouse.search(ctx, OFFICER, owner_id=CCCD)
    assert [r.record_id for r in found] == [record.record_id]
    stored = found[0]
    assert stored.metadata.type_code == BIRTH_CERT and stored.metadata.type_name == "Giấy khai sinh"
    assert stored.metadata.owner_name == OWNER and stored.metadata.owner_old_id_number == CMND
    assert stored.metadata.number_text == "123/2025/KS" and stored.metadata.signer == "Trần Văn Bình"
    assert stored.metadata.issuer == ctx.settings().agency_name != ""  # no issuer typed: this office
    assert (stored.source_kind, stored.source_ref) == (SourceKind.RESULT, f"{dossier.code}#KQ")
    with pikepdf.open(io.BytesIO(warehouse.open_record_pdf(ctx, stored))) as pdf:
        assert len(pdf.pages) == stored.pages == 2
    assert results.dossier_results(ctx, dossier.code) == [stored]
    with ctx.session() as s:
        audit = AuditRepository(s).entries(dossier_code=dossier.code, action=results.AUDIT_DIGITISE)
    assert [e.details["record_id"] for e in audit] == [record.record_id]
    # no outbox kind carries warehouse records or results: nothing queued for them
    with ctx.session() as s:
        kinds = {i.kind for i in OutboxRepository(s).for_dossier(dossier.code)}
    assert kinds == {OutboxKind.DOSSIER_UPSERT}


def test_same_file_twice_returns_the_same_record(ctx, tmp_path: Path):
    dossier = _receive(ctx)
    pdf = _pdf(tmp_path, "kq")
    first = results.digitise_dossier_result(ctx, dossier.code, OFFICER,
                                            DossierResult(pdf_path=pdf, number="7"))
    again = results.digitise_dossier_result(ctx, dossier.code, CLERK,
                                            DossierResult(pdf_bytes=pdf.read_bytes(), number="7"))
    assert again.record_id == first.record_id
    assert len(warehouse.search(ctx, OFFICER, owner_id=CCCD)) == 1


def test_different_file_with_the_same_number_is_a_duplicate(ctx, tmp_path: Path):
    dossier = _receive(ctx)
    results.digitise_dossier_result(ctx, dossier.code, OFFICER, DossierResult(pdf_path=_pdf(tmp_path, "a"),
                                                                              number="7"))
    with pytest.raises(DuplicateRecordError) as caught:
        results.digitise_dossier_result(ctx, dossier.code, OFFICER,
                                        DossierResult(pdf_path=_pdf(tmp_path, "b"), number=" 7 "))
    assert "Giấy tờ đã có trong kho" in caught.value.message_vi
    assert len(warehouse.search(ctx, OFFICER, owner_id=CCCD)) == 1


def test_return_and_digitise_in_one_call(ctx, tmp_path: Path):
    dossier = _done(ctx)
    outcome = reception.hand_over(ctx, dossier.code, OWNER, OFFICER, result=DossierResult(
        page_images=[_image(tmp_path, "p1"), _image(tmp_path, "p2")], number="9"))
    assert outcome.dossier.status is DossierStatus.RETURNED
    assert outcome.record is not None and outcome.record.pages == 2
    assert results.dossier_results(ctx, dossier.code) == [outcome.record]
    with ctx.session() as s:
        audit = AuditRepository(s).entries(dossier_code=dossier.code, action="return")
    assert audit[0].details["result_record"] == outcome.record.record_id
    # the plain API gives the dossier
    other = _done(ctx)
    returned = reception.return_result(ctx, other.code, OWNER, OFFICER,
                                       result=DossierResult(pdf_path=_pdf(tmp_path, "c"), number="10"))
    assert returned.status is DossierStatus.RETURNED
    assert len(results.dossier_results(ctx, other.code)) == 1


@pytest.mark.parametrize("content", [b"not a pdf at all", b"%PDF-1.7\n broken"])
def test_bad_file_returns_nothing(ctx, tmp_path: Path, content: bytes):
    dossier = _done(ctx)
    bad = tmp_path / "ket-qua.pdf"
    bad.write_bytes(content)
    with pytest.raises(ValidationError) as caught:
        reception.return_result(ctx, dossier.code, OWNER, OFFICER, result=DossierResult(pdf_path=bad))
    assert caught.value.message_vi in ("Tệp không phải là tệp PDF.",
                                       "Không đọc được tệp PDF (tệp hỏng hoặc có mật khẩu).")
    assert dossiers.get_dossier(ctx, dossier.code).status is DossierStatus.DONE
    assert results.dossier_results(ctx, dossier.code) == []
    missing = tmp_path / "khong-co.pdf"
    with pytest.raises(ValidationError, match="file not found") as caught:
        reception.return_result(ctx, dossier.code, OWNER, OFFICER, result=DossierResult(pdf_path=missing))
    assert "Không tìm thấy tệp" in caught.value.message_vi


def test_a_failing_hand_over_keeps_no_record(ctx, tmp_path: Path):
    dossier = _done(ctx)

    def refuse(_session, _record):  # type: ignore[no-untyped-def]
        raise InvalidTransitionError("refused", "Không trả được.")

    with pytest.raises(InvalidTransitionError):
        results.digitise_dossier_result(ctx, dossier.code, OFFICER,
                                        DossierResult(pdf_path=_pdf(tmp_path, "x")), within=refuse)
    assert results.dossier_results(ctx, dossier.code) == []
    reception.return_result(ctx, dossier.code, OWNER, OFFICER)
    with pytest.raises(InvalidTransitionError):  # returned already: the result is not stored either
        reception.return_result(ctx, dossier.code, OWNER, OFFICER,
                                result=DossierResult(pdf_path=_pdf(tmp_path, "y")))
    assert results.dossier_results(ctx, dossier.code) == []


def test_returned_without_result_can_be_digitised_later(ctx, tmp_path: Path):
    dossier = _done(ctx)
    reception.return_result(ctx, dossier.code, OWNER, OFFICER)
    assert results.dossier_results(ctx, dossier.code) == []  # "Kết quả chưa số hoá"
    record = results.digitise_dossier_result(ctx, dossier.code, CLERK, DossierResult(
        pdf_path=_pdf(tmp_path, "later"), type_code=BIRTH_CERT))
    assert results.dossier_results(ctx, dossier.code) == [record]


def test_result_types_and_permissions(ctx, tmp_path: Path):
    dossier = _receive(ctx)
    assert [t.code for t in results.result_choices(ctx, dossier.code)] == [BIRTH_CERT]
    with pytest.raises(ValidationError) as caught:
        results.digitise_dossier_result(ctx, dossier.code, OFFICER,
                                        DossierResult(pdf_path=_pdf(tmp_path, "t"), type_code="KQ.KHONG.CO"))
    assert caught.value.field == "type_code" and "không có trong danh mục" in caught.value.message_vi
    with pytest.raises(PermissionDeniedError):  # a clerk digitises but does not hand results over
        reception.return_result(ctx, dossier.code, OWNER, CLERK,
                                result=DossierResult(pdf_path=_pdf(tmp_path, "u")))
    assert results.dossier_results(ctx, dossier.code) == []


def test_the_result_is_offered_to_the_applicants_next_dossier(ctx, tmp_path: Path):
    dossier = _done(ctx)
    outcome = reception.hand_over(ctx, dossier.code, OWNER, OFFICER,
                                  result=DossierResult(pdf_path=_pdf(tmp_path, "ks"), number="55"))
    assert outcome.record is not None
    # đăng ký lại khai sinh asks for "Bản sao Giấy khai sinh": the record stands in for it
    offers = warehouse.reuse_candidates(ctx, REBIRTH, [CCCD])
    offer = next(o for o in offers if "Giấy khai sinh" in o.component_name)
    assert offer.best.record_id == outcome.record.record_id


def _image(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.png"
    Image.new("L", (827, 1169), 250).save(path, dpi=(100, 100))
    return path
