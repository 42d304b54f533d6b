"""The warehouse service on a real SQLite file: adding, duplicates, search, reuse at reception."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from PIL import Image

from app.core.applicant import Applicant
from app.core.errors import ValidationError
from app.core.warehouse import SourceKind, Validity
from app.services.admin.auth import Officer, Role
from app.services.reception import receive as reception
from app.services.reception.receive import ComponentInput, ReceiveRequest
from app.services.warehouse import records as warehouse
from app.services.warehouse import results
from app.services.warehouse.records import DuplicateRecordError
from app.store.repositories import AuditRepository, BlobRepository, OutboxRepository
from tests.warehouse.conftest import (
    BIRTH_CERT,
    CCCD,
    CMND,
    ID_CARD,
    OWNER,
    REBIRTH,
    TODAY,
    birth_cert,
    make_pdf,
)

CLERK = Officer("mai", "Phạm Thị Mai", Role.CLERK)
OFFICER = Officer("hung", "Lê Văn Hùng", Role.OFFICER)


def test_add_stores_the_pdf_once_with_metadata_and_audit(ctx):
    data = make_pdf("khai sinh 12/2019", pages=2)
    record = warehouse.add_result(ctx, birth_cert(type_name=""), CLERK, pdf_bytes=data, today=TODAY)

    assert record.record_id.startswith("KHO-") and len(record.record_id) == 16
    assert record.metadata.type_name == "Giấy khai sinh"  # filled from the catalogue
    assert record.pages == 2 and record.size == len(data)
    assert ctx.db.blobs.read_bytes(record.sha256) == data
    assert warehouse.get_record(ctx, record.record_id) == record
    with ctx.session() as s:
        assert BlobRepository(s).get(record.sha256) is not None  # checked by `motcua verify`
        entry = AuditRepository(s).entries(action="warehouse_add")[0]
    assert entry.details["record_id"] == record.record_id and entry.officer == "mai"


def test_duplicates_by_file_and_by_owner_type_number(ctx):
    data = make_pdf("one")
    first = warehouse.add_result(ctx, birth_cert(), CLERK, pdf_bytes=data, today=TODAY)

    # the same bytes again, even under other metadata: refused, nothing stored twice
    with pytest.raises(DuplicateRecordError) as same_file:
        warehouse.add_result(ctx, birth_cert(number="99", owner_name="Khác"), CLERK, pdf_bytes=data,
                             today=TODAY)
    assert same_file.value.duplicates[0].reason == "file"
    assert same_file.value.duplicates[0].record.record_id == first.record_id
    assert first.record_id in same_file.value.message_vi and "đã có trong kho" in same_file.value.message_vi

    # another scan of the same document (same owner, type, number typed differently)
    with pytest.raises(DuplicateRecordError) as same_number:
        warehouse.add_result(ctx, birth_cert(number=" 12 ", symbol="2019 "), CLERK,
                             pdf_bytes=make_pdf("rescan"), today=TODAY)
    assert same_number.value.duplicates[0].reason == "number"
    assert same_number.value.field == "number"
    assert not ctx.db.blobs.exists(hashlib.sha256(make_pdf("rescan")).hexdigest())  # nothing written

    # the same number for another owner, or another type, is not a duplicate
    warehouse.add_result(ctx, birth_cert(owner_id_number="001190012345", owner_old_id_number=""), CLERK,
                         pdf_bytes=make_pdf("other owner"), today=TODAY)
    warehouse.add_result(ctx, birth_cert(type_code=ID_CARD), CLERK, pdf_bytes=make_pdf("id"), today=TODAY)
    assert len(warehouse.search(ctx, CLERK, owner_id=CCCD)) == 2
    assert [d.reason for d in warehouse.find_duplicates(ctx, birth_cert(), first.sha256)] == ["file"]


def test_validation_messages_are_vietnamese(ctx):
    bad = birth_cert(owner_name=" ", owner_id_number="12345", owner_old_id_number="",
                     issued_on=date(2030, 1, 1), validity=Validity.UNTIL, valid_until=None)
    with pytest.raises(ValidationError) as caught:
        warehouse.add_result(ctx, bad, CLERK, pdf_bytes=make_pdf("x"), today=TODAY)
    fields = {e.field: e.message_vi for e in caught.value.errors}
    assert set(fields) == {"owner_name", "owner_id_number", "issued_on", "valid_until"}
    assert fields["owner_id_number"] == "Số CCCD phải gồm 12 chữ số (đang là “12345”)."
    assert "tương lai" in fields["issued_on"]

    with pytest.raises(ValidationError, match="unknown result code") as unknown:
        warehouse.add_result(ctx, birth_cert(type_code="KQ.KHONG.CO"), CLERK, pdf_bytes=make_pdf("y"),
                             today=TODAY)
    assert unknown.value.message_vi == "Mã kết quả “KQ.KHONG.CO” không có trong danh mục thủ tục."
    with pytest.raises(ValidationError) as not_pdf:
        warehouse.add_result(ctx, birth_cert(), CLERK, pdf_bytes=b"hello", today=TODAY)
    assert not_pdf.value.message_vi == "Tệp không phải là tệp PDF."
    assert warehouse.search(ctx, CLERK, owner_id=CCCD) == []


def test_page_images_become_one_pdf(ctx, tmp_path: Path):
    paths = []
    for n in range(3):
        path = tmp_path / f"page{n}.jpg"
        Image.new("L", (400, 560), 255 - n).save(path, dpi=(100, 100))
        paths.append(path)
    record = warehouse.add_result(ctx, birth_cert(), CLERK, page_images=paths, today=TODAY)
    assert record.pages == 3
    assert ctx.db.blobs.read_bytes(record.sha256).startswith(b"%PDF")


def test_search_by_any_owner_id_and_by_text_without_accents(ctx):
    warehouse.add_result(ctx, birth_cert(), CLERK, pdf_bytes=make_pdf("a"), today=TODAY)
    warehouse.add_result(ctx, birth_cert(type_code=ID_CARD, number="079190001234", symbol="",
                                         owner_old_id_number=""), CLERK, pdf_bytes=make_pdf("b"), today=TODAY)
    warehouse.add_result(ctx, birth_cert(owner_name="Đỗ Văn Đức", owner_id_number="", owner_old_id_number="",
                                         owner_tax_code="0312345678", number="7"), CLERK,
                         pdf_bytes=make_pdf("c"), today=TODAY)

    assert len(warehouse.search(ctx, CLERK, owner_id=CCCD)) == 2
    assert len(warehouse.search(ctx, CLERK, owner_id=f" {CMND} ")) == 1  # the CMND is only on one
    by_tax_code = warehouse.search(ctx, CLERK, owner_id="0312345678")
    assert [r.metadata.owner_name for r in by_tax_code] == ["Đỗ Văn Đức"]
    assert len(warehouse.search(ctx, CLERK, text="nguyen thi thu ha")) == 2
    assert len(warehouse.search(ctx, CLERK, text="NGUYỄN hà khai sinh")) == 1
    assert [r.metadata.owner_name for r in warehouse.search(ctx, CLERK, text="do duc")] == ["Đỗ Văn Đức"]
    assert len(warehouse.search(ctx, CLERK, text="giay kh")) == 2  # prefixes
    assert len(warehouse.search(ctx, CLERK, owner_id=CCCD, text="the can")) == 1
    assert warehouse.search(ctx, CLERK, text="nguyen van") == []
    with pytest.raises(ValidationError):
        warehouse.search(ctx, CLERK)


def test_reuse_candidates_match_owner_type_and_validity(ctx):
    valid = warehouse.add_result(ctx, birth_cert(), CLERK, pdf_bytes=make_pdf("valid"), today=TODAY)
    warehouse.add_result(ctx, birth_cert(number="13", validity=Validity.EXPIRED), CLERK,
                         pdf_bytes=make_pdf("expired"), today=TODAY)
    warehouse.add_result(ctx, birth_cert(number="14", validity=Validity.UNTIL, valid_until=date(2025, 1, 1)),
                         CLERK, pdf_bytes=make_pdf("ended"), today=TODAY)
    card = warehouse.add_result(ctx, birth_cert(type_code=ID_CARD, number="C1", validity=Validity.UNTIL,
                                                valid_until=date(2040, 1, 1)),
                                CLERK, pdf_bytes=make_pdf("card"), today=TODAY)
    warehouse.add_result(ctx, birth_cert(owner_id_number="001190099999", owner_old_id_number="", number="15"),
                         CLERK, pdf_bytes=make_pdf("someone else"), today=TODAY)

    offers = warehouse.reuse_candidates(ctx, REBIRTH, [CCCD], today=TODAY)
    birth = [o for o in offers if "Giấy khai sinh" in o.component_name]
    assert len(birth) == 1 and [r.record_id for r in birth[0].records] == [valid.record_id]
    assert birth[0].result_codes[0] == BIRTH_CERT
    ids = [o for o in offers if o.best.record_id == card.record_id]
    assert ids and all("căn cước" in o.component_name.lower() for o in ids)
    # by the old CMND as well; nobody else's records; nothing without an id
    assert [r.record_id for r in next(o for o in warehouse.reuse_candidates(ctx, REBIRTH, [CMND], today=TODAY)
                                      if o.index == birth[0].index).records] == [valid.record_id]
    assert warehouse.reuse_candidates(ctx, REBIRTH, ["001190012399"], today=TODAY) == []
    assert warehouse.reuse_candidates(ctx, REBIRTH, [], today=TODAY) == []
    # a card valid until 2040 is not offered in 2041
    later = warehouse.reuse_candidates(ctx, REBIRTH, [CCCD], today=date(2041, 1, 1))
    assert all(o.best.record_id != card.record_id for o in later)


def test_receiving_a_reused_component_stores_the_flags_and_sends_them(ctx):
    record = warehouse.add_result(ctx, birth_cert(), CLERK, pdf_bytes=make_pdf("reused"), today=TODAY)
    offer = next(o for o in warehouse.reuse_candidates(ctx, REBIRTH, [CCCD], today=TODAY)
                 if o.best.metadata.type_code == BIRTH_CERT)
    applicant = Applicant(full_name=OWNER, id_number=CCCD, old_id_number=CMND, birth_date=date(1990, 3, 12))
    components = [ComponentInput(offer.index, originals=0, reused_record_id=record.record_id),
                  ComponentInput(0, originals=1), ComponentInput(1, reused_record_id="KHAC-123")]
    dossier = reception.receive_dossier(ctx, ReceiveRequest(REBIRTH, applicant, components=components,
                                                            received_at=datetime(2025, 3, 18, 9, 0)), OFFICER)

    reused = dossier.components[offer.index]
    flags = (reused.digitised, reused.reused_record_id, reused.from_warehouse, reused.replaced_result_code)
    assert flags == (True, record.record_id, True, BIRTH_CERT)
    plain = dossier.components[0]
    assert (plain.digitised, plain.from_warehouse, plain.replaced_result_code) == (False, False, None)
    foreign = dossier.components[1]  # an id the warehouse does not know: reused, not from the warehouse
    assert (foreign.digitised, foreign.from_warehouse, foreign.replaced_result_code) == (True, False, None)

    with ctx.session() as s:
        item = next(i for i in OutboxRepository(s).for_dossier(dossier.code) if "TaiLieuNop" in i.payload)
    documents = {d["MaThanhPhanHoSo"]: d for d in item.payload["TaiLieuNop"]}
    sent = documents[f"TP{offer.index + 1:02d}"]
    assert (sent["DuocSoHoa"], sent["DuocTaiSuDung"], sent["DuocLayTuKhoDMQG"], sent["MaKetQuaThayThe"]) == \
        (1, 1, 1, BIRTH_CERT)
    assert (documents["TP01"]["DuocTaiSuDung"], documents["TP01"]["DuocLayTuKhoDMQG"]) == (0, 0)
    assert item.payload["HoSoCoThanhPhanSoHoa"] == 1


def test_scanned_component_is_indexed_under_the_applicant(ctx, tmp_path: Path):
    from app.services.scanning import dossier_scan as scanning

    applicant = Applicant(full_name=OWNER, id_number=CCCD, old_id_number=CMND, birth_date=date(1990, 3, 12))
    dossier = reception.receive_dossier(ctx, ReceiveRequest(REBIRTH, applicant,
                                                            received_at=datetime(2025, 3, 18, 9, 0)), OFFICER)
    index = next(i for i, c in enumerate(dossier.components) if "Bản sao Giấy khai sinh" in c.name)
    page = tmp_path / "page.png"
    Image.new("L", (1654, 2339), 250).save(page, dpi=(200, 200))
    outcome = scanning.scan_into_dossier(ctx, f"file:{page}", dossier.code, index, OFFICER)

    found = warehouse.search(ctx, OFFICER, owner_id=CCCD)
    assert len(found) == 1
    record = found[0]
    assert record.sha256 == outcome.attachment.sha256
    assert record.source_kind is SourceKind.DOSSIER
    assert record.source_ref == f"{dossier.code}#TP{index + 1:02d}"
    assert record.metadata.type_code == BIRTH_CERT and record.metadata.owner_old_id_number == CMND
    # ... and offered for the next dossier of the same person
    offers = warehouse.reuse_candidates(ctx, REBIRTH, [CCCD], today=date.today())
    assert any(o.best.record_id == record.record_id for o in offers)


def test_result_of_a_dossier_is_added_for_its_applicant(ctx, tmp_path: Path):
    applicant = Applicant(full_name=OWNER, id_number=CCCD, birth_date=date(1990, 3, 12))
    dossier = reception.receive_dossier(ctx, ReceiveRequest("1.001193", applicant,
                                                            received_at=datetime(2025, 3, 18, 9, 0)), OFFICER)
    pdf = tmp_path / "ket-qua.pdf"
    pdf.write_bytes(make_pdf("result"))
    record = results.add_dossier_result(ctx, dossier.code, OFFICER, pdf_path=pdf, number="55")
    assert record.metadata.type_code == BIRTH_CERT and record.metadata.owner_id_number == CCCD
    assert record.source_kind is SourceKind.RESULT and record.source_ref == f"{dossier.code}#KQ"
    assert replace(record.metadata, number="55") == record.metadata
