"""A realistic sample dossier for previews, screenshots and the slip gallery (scripts/render_slips.py)."""

from __future__ import annotations

from datetime import date, datetime

from app.core.applicant import Applicant, Sex
from app.core.dossier import (
    Delivery,
    Dossier,
    DossierStatus,
    ReceivedComponent,
    StatusChange,
    SupplementRequest,
)
from app.core.procedure import ComponentSpec, Fee, Procedure, ProcessingTime, ProcessingUnit
from app.documents.profile import OfficeProfile


def sample_profile() -> OfficeProfile:
    return OfficeProfile(
        parent_agency="UBND PHƯỜNG BẾN NGHÉ",
        unit_name="BỘ PHẬN MỘT CỬA",
        place_name="Bến Nghé",
        phone="028 3829 1234",
        website="dichvucong.hochiminhcity.gov.vn",
        register_book_no="01/2026",
        display_name="Bộ phận Một cửa UBND phường Bến Nghé",
        address="29 Hồ Tùng Mậu, phường Bến Nghé, Thành phố Hồ Chí Minh",
        head_title="CHỦ TỊCH",
        head_name="Phạm Minh Tuấn",
    )


def sample_procedure() -> Procedure:
    return Procedure(
        code="1.001193",
        name="Đăng ký khai sinh",
        field="Hộ tịch",
        level="Cấp xã",
        processing=ProcessingTime(3, ProcessingUnit.WORKING_DAYS),
        components=(
            ComponentSpec("Tờ khai đăng ký khai sinh theo mẫu"),
            ComponentSpec("Giấy chứng sinh hoặc văn bản của người làm chứng xác nhận về việc sinh"),
            ComponentSpec("Giấy tờ chứng minh nơi cư trú", originals=0, certified_copies=1),
            ComponentSpec("Giấy chứng nhận kết hôn của cha, mẹ trẻ", originals=0, certified_copies=0,
                          photocopies=1, mandatory=False),
        ),
        fees=(Fee("Lệ phí đăng ký khai sinh (đăng ký quá hạn)", 8000),),
    )


def sample_dossier() -> Dossier:
    applicant = Applicant(
        full_name="Nguyễn Thị Thu Hà",
        id_number="079186001234",
        birth_date=date(1986, 4, 12),
        sex=Sex.FEMALE,
        address="12 Lê Lợi, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",
        phone="0903 123 456",
        email="thuha.nguyen@example.vn",
    )
    received = datetime(2026, 3, 5, 9, 30)
    return Dossier(
        code="000.00.22.H29-260305-0007",
        procedure_code="1.001193",
        procedure_name="Đăng ký khai sinh",
        applicant=applicant,
        received_at=received,
        due_at=datetime(2026, 3, 10, 9, 30),
        officer="Trần Văn Bình",
        components=[
            ReceivedComponent(0, "Tờ khai đăng ký khai sinh theo mẫu", originals=1),
            ReceivedComponent(1, "Giấy chứng sinh hoặc văn bản của người làm chứng xác nhận về việc sinh",
                              originals=1),
            ReceivedComponent(2, "Giấy tờ chứng minh nơi cư trú", reused_record_id="KHO-0791-000123",
                              digitised=True),
            ReceivedComponent(3, "Giấy chứng nhận kết hôn của cha, mẹ trẻ", photocopies=1),
        ],
        supplements=[SupplementRequest(
            requested_at=datetime(2026, 3, 6, 14, 15),
            reason="Giấy chứng sinh bị tẩy xóa ngày sinh; cần nộp bản chính do cơ sở y tế cấp lại.",
            items=["Giấy chứng sinh hoặc văn bản của người làm chứng xác nhận về việc sinh"],
            officer="Lê Thị Cúc",
        )],
        history=[StatusChange(received, DossierStatus.RECEIVED, "Trần Văn Bình"),
                 StatusChange(datetime(2026, 3, 9, 16, 0), DossierStatus.PROCESSING, "Lê Thị Cúc",
                              "Chờ kết quả xác minh nơi cư trú từ Công an phường.")],
        delivery=Delivery.COUNTER,
        fee_vnd=8000,
    )


def sample_extra(form_no: str = "", form_title: str = "") -> dict:
    """``extra`` values that make form ``form_no`` (title ``form_title``) of the sample complete."""
    title = form_title.upper()
    if form_no == "01":
        return {"register_seq": "0007"}
    if "TỪ CHỐI" in title:
        return {"reason": "Thủ tục không thuộc thẩm quyền giải quyết của UBND phường (trẻ sinh ra ở "
                          "nước ngoài); đề nghị nộp hồ sơ tại Sở Tư pháp."}
    if "XIN LỖI" in title:
        return {"issued_at": date(2026, 3, 9), "new_due_at": datetime(2026, 3, 13, 9, 30),
                "reason": "Chờ kết quả xác minh nơi cư trú từ Công an phường."}
    if "DỪNG" in title:
        return {"issued_at": date(2026, 3, 9),
                "reason": "Người nộp hồ sơ có văn bản đề nghị dừng giải quyết hồ sơ ngày 08/3/2026."}
    if "KIỂM SOÁT" in title:
        return {"solving_agency": "Công chức Tư pháp - Hộ tịch",
                "coordinating_agencies": ["Công an phường Bến Nghé"]}
    return {}
