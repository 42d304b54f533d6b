"""Repositories round-trip domain objects (Vietnamese text included) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from app.core.applicant import Applicant, ApplicantKind, Sex
from app.core.calendar import DayKind, DayOverride
from app.core.dossier import (
    Attachment,
    Channel,
    Delivery,
    Dossier,
    DossierStatus,
    ReceivedComponent,
    StatusChange,
    SupplementRequest,
)
from app.core.errors import NotFoundError, ValidationError
from app.core.procedure import ComponentSpec, Fee, Procedure, ProcessingTime, ProcessingUnit, ResultDocument
from app.store.database import Database
from app.store.models import StatusHistoryRow
from app.store.repositories import (
    CalendarRepository,
    DossierRepository,
    ProcedureRepository,
    SettingsRepository,
)
from tests.store.factories import dossier_stream

RECEIVED = datetime(2026, 11, 23, 8, 15, 30, 123456)


def make_procedure(code: str = "1.001612", name: str = "Đăng ký khai sinh") -> Procedure:
    return Procedure(
        code=code,
        name=name,
        field="Hộ tịch",
        level="Cấp xã",
        processing=ProcessingTime(amount=0.5, unit=ProcessingUnit.WORKING_DAYS, online_amount=0.25),
        cutoff=time(15, 0),
        components=(
            ComponentSpec("Tờ khai đăng ký khai sinh theo mẫu", originals=1),
            ComponentSpec("Giấy chứng sinh", originals=1, certified_copies=0, photocopies=1, mandatory=False,
                          case="Trường hợp sinh tại cơ sở y tế", accepted_result_codes=("KQ.01", "KQ.02")),
        ),
        fees=(Fee("Lệ phí đăng ký khai sinh", 0),
              Fee("Phí cấp bản sao trích lục", 8000, channel=2, note="mỗi bản")),
        results=(ResultDocument("KQ.01", "Giấy khai sinh (bản chính)"),),
        legal_basis=("Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP"),
        essential_service=True,
        extra={"nguon": "Cổng DVCQG"},
    )


def make_dossier(code: str = "000.00.31.H29-261123-0001", name: str = "Nguyễn Văn An") -> Dossier:
    return Dossier(
        code=code,
        procedure_code="1.001612",
        procedure_name="Đăng ký khai sinh",
        applicant=Applicant(
            full_name=name, id_number="079203001234", old_id_number="025123456",
            birth_date=date(2003, 2, 1), sex=Sex.MALE, address="12 Lê Lợi, Phường Bến Thành, TP. Hồ Chí Minh",
            phone="0912345678", email="an@example.vn", id_issue_date=date(2021, 7, 10),
            qr_raw="079203001234|025123456|Nguyễn Văn An|01022003|Nam|12 Lê Lợi|10072021",
        ),
        received_at=RECEIVED,
        due_at=RECEIVED + timedelta(hours=4),
        channel=Channel.POSTAL,
        status=DossierStatus.RECEIVED,
        components=[ReceivedComponent(0, "Tờ khai", originals=1, digitised=True),
                    ReceivedComponent(1, "Giấy chứng sinh", photocopies=2, note="bản photo có công chứng",
                                      reused_record_id="KHO-123", from_warehouse=True,
                                      replaced_result_code="KQ.02")],
        attachments=[Attachment("a" * 64, "tờ khai.pdf", "application/pdf", 1234, component_index=0, pages=2,
                                signed=True, created_at=RECEIVED)],
        officer="Trần Thị Bích",
        supplements=[SupplementRequest(RECEIVED, "Thiếu giấy chứng sinh", ["Giấy chứng sinh"],
                                       "Trần Thị Bích",
                                       completed_at=RECEIVED + timedelta(days=1))],
        delivery=Delivery.POST,
        delivery_address="Số 5 đường Đồng Khởi",
        fee_vnd=8000,
        sets_count=2,
        returned_at=None,
        history=[StatusChange(RECEIVED, DossierStatus.RECEIVED, "Trần Thị Bích", "Tiếp nhận tại quầy")],
    )


def test_procedure_round_trip_and_upsert(db: Database) -> None:
    p = make_procedure()
    with db.session() as s:
        repo = ProcedureRepository(s)
        repo.upsert(p)
        repo.upsert(make_procedure("2.000986", "Chứng thực bản sao từ bản chính"))
    with db.session() as s:
        repo = ProcedureRepository(s)
        got = repo.get("1.001612")
        assert got == p and got.extra == {"nguon": "Cổng DVCQG"}
        assert got.processing.label_vi() == "0,5 ngày làm việc"
        assert [x.code for x in repo.list_all()] == ["1.001612", "2.000986"]
        assert repo.count() == 2
        repo.upsert(make_procedure(name="Đăng ký khai sinh (sửa đổi)"))
    with db.session() as s:
        assert ProcedureRepository(s).get("1.001612").name == "Đăng ký khai sinh (sửa đổi)"
        assert ProcedureRepository(s).count() == 2
        with pytest.raises(NotFoundError) as info:
            ProcedureRepository(s).get("9.999999")
        assert "Không tìm thấy" in info.value.message_vi


def test_dossier_round_trip(db: Database) -> None:
    d = make_dossier()
    with db.session() as s:
        stored = DossierRepository(s).add(d)
        assert stored is d and d.id is not None
    with db.session() as s:
        got = DossierRepository(s).get(d.code)
    assert got == d
    assert got.applicant.full_name == "Nguyễn Văn An" and got.applicant.sex is Sex.MALE
    assert got.received_at == RECEIVED  # microseconds survive on both databases


def test_organisation_applicant_and_aware_datetimes(db: Database) -> None:
    vn = timezone(timedelta(hours=7))
    d = make_dossier()
    d.applicant = Applicant(full_name="Công ty TNHH Đại Phát", kind=ApplicantKind.ORGANISATION,
                            tax_code="0312345678")
    d.received_at = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    d.due_at = datetime(2026, 11, 24, 9, 0, tzinfo=vn)
    with db.session() as s:
        DossierRepository(s).add(d)
    with db.session() as s:
        got = DossierRepository(s).get(d.code)
        assert got.applicant.kind is ApplicantKind.ORGANISATION and got.applicant.sex is None
        assert got.received_at == datetime(2026, 11, 23, 8, 0)  # stored as naive Vietnam time
        assert got.due_at == datetime(2026, 11, 24, 9, 0)
        assert [x.code for x in DossierRepository(s).search("0312345")] == [d.code]


def test_duplicate_code_is_a_validation_error(db: Database) -> None:
    with db.session() as s:
        DossierRepository(s).add(make_dossier())
        with pytest.raises(ValidationError) as info:
            DossierRepository(s).add(make_dossier(name="Lê Thị Bé"))
        assert info.value.field == "code" and "đã tồn tại" in info.value.message_vi
    with db.session() as s:
        repo = DossierRepository(s)
        with pytest.raises(ValidationError):
            repo.add_many([make_dossier("X-1"), make_dossier("X-2", name="Lê Văn Hai"), make_dossier("X-1")])
        # The failed bulk insert left nothing behind and the session goes on.
        assert repo.search("le van hai") == [] and repo.count() == 1
        repo.add_many([make_dossier("X-3", name="Lê Văn Ba")])
    with db.session() as s:
        assert [x.code for x in DossierRepository(s).search("le van")] == ["X-3"]


def _history_count(s: object, dossier_id: int | None) -> int:
    return s.scalar(select(func.count()).select_from(StatusHistoryRow)  # type: ignore[attr-defined]
                    .where(StatusHistoryRow.dossier_id == dossier_id))


def test_update_rewrites_columns_search_words_and_history(db: Database) -> None:
    d = make_dossier()
    with db.session() as s:
        DossierRepository(s).add(d)
        assert _history_count(s, d.id) == 1
    d.move_to(DossierStatus.PROCESSING, RECEIVED + timedelta(hours=1), "Phạm Văn Cường")
    d.applicant = Applicant(full_name="Đỗ Thị Hồng Nhung", id_number="001305009999")
    with db.session() as s:
        DossierRepository(s).update(d)
    with db.session() as s:
        repo = DossierRepository(s)
        got = repo.get(d.code)
        assert got.status is DossierStatus.PROCESSING and got == d
        assert [h.status for h in got.history] == [DossierStatus.RECEIVED, DossierStatus.PROCESSING]
        assert _history_count(s, d.id) == 2
        assert [x.code for x in repo.search("do thi hong")] == [d.code]
        assert repo.search("nguyen van an") == []
        assert repo.search(status=DossierStatus.PROCESSING)[0].applicant_name == "Đỗ Thị Hồng Nhung"


def test_missing_dossier(db: Database) -> None:
    with db.session() as s:
        repo = DossierRepository(s)
        with pytest.raises(NotFoundError):
            repo.get("KHONG-CO")
        with pytest.raises(NotFoundError):
            repo.update(make_dossier("KHONG-CO"))
        with pytest.raises(NotFoundError):
            repo.delete("KHONG-CO")


def test_delete_removes_dossier_history_and_index_entry(db: Database) -> None:
    d = make_dossier()
    with db.session() as s:
        DossierRepository(s).add(d)
    with db.session() as s:
        DossierRepository(s).delete(d.code)
    with db.session() as s:
        assert DossierRepository(s).search("nguyen") == []
        assert DossierRepository(s).count("nguyen") == 0
        assert _history_count(s, d.id) == 0


def test_add_many_sets_ids_history_and_is_searchable(db: Database) -> None:
    dossiers = list(dossier_stream(1234))
    progress: list[int] = []
    with db.session() as s:
        assert DossierRepository(s).add_many(dossiers, chunk_size=500,
                                             progress=lambda u: progress.append(u.done)) == 1234
    assert progress == [500, 1000, 1234]
    assert len({d.id for d in dossiers}) == 1234
    with db.session() as s:
        repo = DossierRepository(s)
        for d in (dossiers[0], dossiers[777], dossiers[-1]):
            assert repo.get(d.code) == d
        assert repo.count() == 1234
        assert s.scalar(select(func.count()).select_from(StatusHistoryRow)) == 1234
        assert [x.code for x in repo.search(dossiers[777].applicant.id_number)] == [dossiers[777].code]
        # The insert trigger works again after a bulk load.
        late = make_dossier("LATE-1", name="Hứa Vĩ Văn")
        repo.add(late)
        assert [x.code for x in repo.search("hua vi van")] == ["LATE-1"]


def test_calendar_overrides(db: Database) -> None:
    with db.session() as s:
        cal = CalendarRepository(s)
        cal.set_day(date(2026, 11, 24), DayKind.OFF, "Nghỉ bù Ngày Văn hóa")
        cal.set_day(date(2026, 8, 22), DayKind.WORK, "Làm bù thứ Bảy")
        cal.set_day(date(2027, 1, 2), DayKind.OFF)
    with db.session() as s:
        cal = CalendarRepository(s)
        assert cal.overrides(2026) == [DayOverride(date(2026, 8, 22), DayKind.WORK, "Làm bù thứ Bảy"),
                                       DayOverride(date(2026, 11, 24), DayKind.OFF, "Nghỉ bù Ngày Văn hóa")]
        assert len(cal.overrides()) == 3
        cal.set_day(date(2026, 11, 24), DayKind.WORK, "Đổi lại")
        cal.clear_day(date(2027, 1, 2))
        cal.clear_day(date(2030, 1, 1))  # clearing an absent day is fine
    with db.session() as s:
        assert CalendarRepository(s).overrides() == [
            DayOverride(date(2026, 8, 22), DayKind.WORK, "Làm bù thứ Bảy"),
            DayOverride(date(2026, 11, 24), DayKind.WORK, "Đổi lại"),
        ]


def test_settings(db: Database) -> None:
    with db.session() as s:
        repo = SettingsRepository(s)
        assert repo.get("agency_name") is None
        assert repo.get("agency_name", "UBND") == "UBND"
        repo.set("agency_name", "UBND phường Bến Thành")
        repo.set("agency_name", "UBND phường Sài Gòn")
        repo.set("station_block", "5000-9999")
    with db.session() as s:
        repo = SettingsRepository(s)
        assert repo.get("agency_name") == "UBND phường Sài Gòn"
        assert repo.all() == {"agency_name": "UBND phường Sài Gòn", "station_block": "5000-9999"}
        repo.delete("station_block")
        assert repo.get("station_block") is None


def test_session_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as s:
        SettingsRepository(s).set("k", "v")
        raise RuntimeError("boom")
    with db.session(write=True) as s:
        assert SettingsRepository(s).get("k") is None
