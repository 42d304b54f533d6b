"""Synthetic Vietnamese dossiers for the store tests and the search benchmark."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from app.core.applicant import Applicant, Sex
from app.core.dossier import Channel, Dossier, DossierStatus, ReceivedComponent, StatusChange

# Rough shares of Vietnamese family names (Nguyễn is about 38 %).
SURNAMES = (["Nguyễn"] * 38 + ["Trần"] * 11 + ["Lê"] * 9 + ["Phạm"] * 7 + ["Hoàng", "Huỳnh"] * 2
            + ["Phan"] * 4 + ["Vũ", "Võ"] * 2 + ["Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh",
                                                 "Trương", "Lâm", "Mai", "Tạ", "Đoàn", "Cao", "Lương"])
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang", "Xuân", "Thu", "Hoài", "Gia", "Bảo"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Đạt", "Giang", "Hà", "Hải", "Hằng", "Hiếu", "Hoa", "Hùng", "Hương",
         "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngân", "Nhung", "Phong", "Phúc", "Phương",
         "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Trang", "Trung", "Tú", "Tuấn", "Vân", "Việt", "Yến"]
PROCEDURES = [
    ("1.001612", "Đăng ký khai sinh"),
    ("1.001193", "Đăng ký kết hôn"),
    ("2.000986", "Chứng thực bản sao từ bản chính giấy tờ, văn bản"),
    ("1.000894", "Đăng ký khai tử"),
    ("1.004227", "Cấp giấy phép xây dựng nhà ở riêng lẻ"),
    ("2.001711", "Đăng ký thường trú"),
    ("1.003583", "Xác nhận tình trạng hôn nhân"),
    ("1.001022", "Đăng ký hộ kinh doanh"),
    ("1.010094", "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất"),
    ("2.000794", "Trợ cấp xã hội hằng tháng đối với người cao tuổi"),
]


def make_dossier(number: int, received_at: datetime, rng: random.Random, agency: str = "000.00.31.H29",
                 name: str | None = None) -> Dossier:
    pcode, pname = rng.choice(PROCEDURES)
    full_name = name or f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    day = received_at.date()
    applicant = Applicant(
        full_name=full_name,
        id_number=f"0{rng.randrange(1, 96):02d}{rng.randrange(0, 4)}{rng.randrange(10**8):08d}",
        old_id_number=f"{rng.randrange(10**9):09d}" if rng.random() < 0.2 else "",
        birth_date=date(rng.randrange(1940, 2006), rng.randrange(1, 13), rng.randrange(1, 29)),
        sex=rng.choice([Sex.MALE, Sex.FEMALE]),
        address="Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",
        phone=f"09{rng.randrange(10**8):08d}",
    )
    return Dossier(
        # Unique codes for any count: a suffix after the first 10 000 of a day.
        code=f"{agency}-{day:%y%m%d}-{number % 10000:04d}"
        + (f"-{number // 10000}" if number >= 10000 else ""),
        procedure_code=pcode,
        procedure_name=pname,
        applicant=applicant,
        received_at=received_at,
        due_at=received_at + timedelta(days=3),
        channel=rng.choice([Channel.DIRECT, Channel.DIRECT, Channel.ONLINE, Channel.POSTAL]),
        status=DossierStatus.RECEIVED,
        components=[ReceivedComponent(index=0, name="Tờ khai", originals=1)],
        officer="Lê Thị Cán Bộ",
        fee_vnd=rng.choice([0, 0, 8000, 50000]),
        history=[StatusChange(at=received_at, status=DossierStatus.RECEIVED, officer="Lê Thị Cán Bộ")],
    )


def dossier_stream(count: int, start: datetime = datetime(2024, 1, 2, 7, 30), seed: int = 1,
                   step: timedelta = timedelta(minutes=1)) -> Iterator[Dossier]:
    """``count`` dossiers in received order (one every ``step``), unique codes."""
    rng = random.Random(seed)
    for i in range(count):
        yield make_dossier(i, start + i * step, rng)
