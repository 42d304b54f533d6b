"""Hand-built domain objects for the slip tests (Vietnamese names with diacritics)."""

from __future__ import annotations

from datetime import datetime

import pytest
from slip_helpers import CODE

from app.core.applicant import Applicant
from app.core.dossier import Dossier, DossierStatus, ReceivedComponent, StatusChange, SupplementRequest
from app.core.procedure import ComponentSpec, Procedure, ProcessingTime, ProcessingUnit
from app.documents import OfficeProfile


@pytest.fixture
def profile() -> OfficeProfile:
    return OfficeProfile(parent_agency="UBND PHƯỜNG BẾN NGHÉ", unit_name="BỘ PHẬN MỘT CỬA",
                         place_name="Bến Nghé", phone="028 3829 1234",
                         website="dichvucong.hochiminhcity.gov.vn", register_book_no="01/2026",
                         display_name="Bộ phận Một cửa UBND phường Bến Nghé", head_title="CHỦ TỊCH",
                         head_name="Phạm Minh Tuấn")


@pytest.fixture
def procedure() -> Procedure:
    return Procedure(
        code="1.001193", name="Đăng ký khai sinh", field="Hộ tịch", level="Cấp xã",
        processing=ProcessingTime(3, ProcessingUnit.WORKING_DAYS),
        components=(ComponentSpec("Tờ khai đăng ký khai sinh"),
                    ComponentSpec("Giấy chứng sinh", originals=1, photocopies=1),
                    ComponentSpec("Giấy tờ chứng minh nơi cư trú", originals=0, certified_copies=1)),
    )


@pytest.fixture
def applicant() -> Applicant:
    return Applicant(full_name="Nguyễn Thị Thu Hà", id_number="079186001234",
                     address="12 Lê Lợi, Phường Bến Nghé, Quận 1", phone="0903123456",
                     email="thuha@example.vn")


@pytest.fixture
def dossier(applicant: Applicant) -> Dossier:
    received = datetime(2026, 3, 5, 9, 30)
    return Dossier(
        code=CODE, procedure_code="1.001193", procedure_name="Đăng ký khai sinh", applicant=applicant,
        received_at=received, due_at=datetime(2026, 3, 10, 16, 45), officer="Trần Văn Bình",
        components=[
            ReceivedComponent(0, "Tờ khai đăng ký khai sinh", originals=1),
            ReceivedComponent(1, "Giấy chứng sinh", originals=1, photocopies=1),
            ReceivedComponent(2, "Giấy tờ chứng minh nơi cư trú", reused_record_id="KHO-1"),
            ReceivedComponent(3, "Giấy xác nhận chưa nộp (không nhận)", received=False),
        ],
        supplements=[SupplementRequest(datetime(2026, 3, 6, 14, 15), "Giấy chứng sinh bị tẩy xóa",
                                       ["Giấy chứng sinh"], "Lê Thị Cúc")],
        history=[StatusChange(received, DossierStatus.RECEIVED, "Trần Văn Bình"),
                 StatusChange(datetime(2026, 3, 9, 8, 0), DossierStatus.PROCESSING, "Lê Thị Cúc",
                              "Chờ xác minh nơi cư trú")],
        fee_vnd=50000,
    )
