"""Specimen past results rendered as scanned pages, with the fields printed on them known.

A past result (kết quả đã cấp) as the digitisation clerk holds it: national-emblem header, "Số"
and "Quyển số", place and date line, title, the owner's particulars, a signature block with a red
seal over a handwritten-looking signature, then the scanner's or the years' damage: skew, uneven
off-white paper, noise, a blur, JPEG compression. The seven kinds cover the catalogue's civil
status and residence results and the certified copy. Each :class:`Specimen` carries the truth
(:class:`SpecimenFields`) and the exact text printed, so OCR can be scored (field accuracy,
character error rate). Deterministic for a given seed. Used by tests, benchmarks and the demo.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import numpy as np

from app.documents.fonts import fonts_dir

DPI = 200
A4_PX = (round(8.27 * DPI), round(11.69 * DPI))  # 1654 x 2338 at 200 dpi

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Gia", "Bảo", "Khánh")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hòa", "Hùng", "Khoa",
         "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang",
         "Tuấn", "Uyên", "Việt", "Yến")
WARDS = (("PHƯỜNG TÂN ĐỊNH", "Tân Định", "QUẬN 1"), ("XÃ PHONG PHÚ", "Phong Phú", "HUYỆN BÌNH CHÁNH"),
         ("PHƯỜNG HÀNG BẠC", "Hàng Bạc", "QUẬN HOÀN KIẾM"), ("XÃ HÒA TIẾN", "Hòa Tiến", "HUYỆN HÒA VANG"),
         ("PHƯỜNG AN CỰU", "An Cựu", "THÀNH PHỐ HUẾ"), ("THỊ TRẤN CẦN THẠNH", "Cần Thạnh", "HUYỆN CẦN GIỜ"))
PROVINCE_CODES = ("079", "001", "048", "046", "092", "031")


@dataclass(frozen=True)
class SpecimenKind:
    type_code: str  # the catalogue's result code
    title: str  # as printed
    symbol_style: str  # "book": Quyển số; "symbol": Số .../KÝ-HIỆU


KINDS = (
    SpecimenKind("KQ.G15.000031", "GIẤY KHAI SINH", "book"),
    SpecimenKind("KQ.1.000894", "GIẤY CHỨNG NHẬN KẾT HÔN", "book"),
    SpecimenKind("KQ.1.000656", "TRÍCH LỤC KHAI TỬ", "book"),
    SpecimenKind("KQ.1.004873", "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN", "symbol"),
    SpecimenKind("KQ.2.000635", "TRÍCH LỤC KHAI SINH", "symbol"),
    SpecimenKind("KQ.1.010028.03", "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC VỀ CƯ TRÚ", "symbol"),
    SpecimenKind("KQ.2.000815", "BẢN SAO ĐƯỢC CHỨNG THỰC TỪ BẢN CHÍNH", "book"),
)
_SYMBOLS = {"KQ.1.004873": "XNTTHN", "KQ.2.000635": "TLKS-BS", "KQ.1.010028.03": "TB-CAX"}


@dataclass(frozen=True)
class SpecimenFields:
    """What a clerk would type: the same names as ``motcua ocr``'s ``fields``."""

    type: str
    number: str
    symbol: str
    issued: str  # ISO date
    issuer: str
    signer: str
    owner_name: str
    owner_id: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Specimen:
    fields: SpecimenFields
    text: str  # the page's text as printed, line by line
    jpeg: bytes  # the damaged scan, 200 dpi

    def image(self) -> np.ndarray:
        from PIL import Image

        return np.asarray(Image.open(io.BytesIO(self.jpeg)).convert("L"))


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def specimen_fields(seed: int) -> tuple[SpecimenFields, SpecimenKind, tuple[str, str, str]]:
    rng = random.Random(seed)
    kind = KINDS[seed % len(KINDS)]
    ward = rng.choice(WARDS)
    issued = date(rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28))
    number = str(rng.randint(1, 480))
    if kind.symbol_style == "book":
        symbol = f"{rng.randint(1, 3):02d}/{issued.year}"
    else:
        symbol = _SYMBOLS[kind.type_code]
    owner_id = rng.choice(PROVINCE_CODES) + str(rng.randint(0, 3)) + f"{rng.randint(60, 99):02d}" \
        + f"{rng.randint(0, 999999):06d}"
    signer = _name(rng)
    owner = _name(rng)
    fields = SpecimenFields(kind.type_code, number, symbol, issued.isoformat(), f"UBND {ward[0]}", signer,
                            owner, owner_id)
    return fields, kind, ward


def _lines(fields: SpecimenFields, kind: SpecimenKind, ward: tuple[str, str, str],
           rng: random.Random) -> tuple[list[tuple[str, str, str]], int]:
    """``(text, style, align)`` lines; style r/b/i; align l (left), c (centred), S (centred on the
    right-hand column), L and R (the header's two columns, side by side)."""
    day = date.fromisoformat(fields.issued)
    born = date(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
    number_line = (f"Số: {fields.number}" if kind.symbol_style == "book"
                   else f"Số: {fields.number}/{fields.symbol}")
    out = [(f"UBND {ward[2]}", "r", "L"), ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "b", "R"),
           (f"UBND {ward[0]}", "b", "L"), ("Độc lập - Tự do - Hạnh phúc", "b", "R"),
           (number_line, "r", "L")]
    if kind.symbol_style == "book":
        out.append((f"Quyển số: {fields.symbol}", "r", "L"))
    out += [("", "r", "l"), (f"{ward[1]}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}", "i", "S"),
            ("", "r", "l"), (kind.title, "b", "c"), ("", "r", "l")]
    body = [
        f"Họ, chữ đệm, tên: {fields.owner_name.upper()}",
        f"Ngày, tháng, năm sinh: {born:%d/%m/%Y}        Giới tính: {rng.choice(('Nam', 'Nữ'))}",
        f"Số định danh cá nhân: {fields.owner_id}",
        f"Nơi cư trú: số {rng.randint(1, 300)} đường {rng.choice(GIVEN)} {rng.choice(GIVEN)}, {ward[1]}",
        "Dân tộc: Kinh        Quốc tịch: Việt Nam",
    ]
    if kind.type_code == "KQ.1.000894":
        body.append(f"Họ, chữ đệm, tên người kia: {_name(rng).upper()}")
    if kind.type_code == "KQ.1.000656":
        died = f"{day.day - 1:02d}/{day.month:02d}/{day.year}"
        body.append(f"Đã chết vào lúc: {rng.randint(1, 23)} giờ, ngày {died}")
    body.append("Nội dung trên đây đúng với sổ đăng ký lưu tại cơ quan đăng ký.")
    out += [(line, "r", "l") for line in body]
    out += [("", "r", "l"), ("TM. ỦY BAN NHÂN DÂN", "b", "S"), ("CHỦ TỊCH", "b", "S"),
            ("", "r", "l"), ("", "r", "l"), ("", "r", "l"), (fields.signer, "b", "S")]
    return out, out.index(("TM. ỦY BAN NHÂN DÂN", "b", "S"))


def _font(style: str, size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    name = {"r": "LiberationSerif-Regular.ttf", "b": "LiberationSerif-Bold.ttf",
            "i": "LiberationSerif-Italic.ttf"}[style]
    return ImageFont.truetype(str(Path(fonts_dir()) / name), size)


def _stamp(draw, centre: tuple[int, int], radius: int, text: str, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """A red ward seal: two rings, a star and the authority's name around the edge."""
    red = (200 + rng.randint(0, 40), 30, 40)
    x, y = centre
    for r, w in ((radius, 6), (radius - 14, 3), (radius // 3, 3)):
        draw.ellipse((x - r, y - r, x + r, y + r), outline=red, width=w)
    font = _font("b", 22)
    letters = list(text)
    for i, ch in enumerate(letters):
        angle = math.pi + i * (math.pi * 1.6 / max(1, len(letters))) - 0.3
        px, py = x + (radius - 30) * math.cos(angle), y + (radius - 30) * math.sin(angle)
        draw.text((px, py), ch, font=font, fill=red, anchor="mm")


def _signature(draw, origin: tuple[int, int], rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """A handwritten-looking flourish in blue ink."""
    x, y = origin
    points = []
    for i in range(60):
        t = i / 59
        points.append((x + t * 300 + 25 * math.sin(t * 18 + rng.random()),
                       y + 30 * math.sin(t * 9 + rng.random()) - t * 40))
    draw.line(points, fill=(20, 40, 150), width=4, joint="curve")


def render_specimen(seed: int, *, damage: bool = True) -> Specimen:
    """The specimen of ``seed``: kind by ``seed % 7``, everything else from the seed."""
    from PIL import Image, ImageDraw, ImageFilter

    fields, kind, ward = specimen_fields(seed)
    rng = random.Random(seed * 7919 + 1)
    lines, sign_at = _lines(fields, kind, ward, rng)
    w, h = A4_PX
    page = Image.new("RGB", (w, h), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    margin, size = 170, 36
    header_y = {"L": 190, "R": 190}
    y = 190
    texts: list[str] = []
    sign_y = 0
    for i, (text, style, align) in enumerate(lines):
        if align in "LR":
            font = _font(style, 31)
            cx = margin + 260 if align == "L" else w - margin - 420
            draw.text((cx, header_y[align]), text, font=font, fill=(0, 0, 0), anchor="ma")
            header_y[align] += 48
            y = max(header_y.values()) + 10
        else:
            font = _font(style, size + (8 if align == "c" else 0))
            x, anchor = {"c": (w // 2, "ma"), "S": (w - margin - 400, "ma"), "l": (margin, "la")}[align]
            if i == sign_at:
                sign_y = y
            draw.text((x, y), text, font=font, fill=(0, 0, 0), anchor=anchor)
            y += 58 if text else 40
        if text:
            texts.append(text)
    if damage:
        _signature(draw, (w - margin - 560, sign_y + 190), rng)
        _stamp(draw, (w - margin - 640 + rng.randint(-30, 30), sign_y + 170), 150, fields.issuer.upper(), rng)
        for _ in range(rng.randint(1, 3)):  # a pen tick or underline someone added
            sx, sy = rng.randint(margin, w - margin - 200), rng.randint(900, 1500)
            draw.line([(sx, sy), (sx + rng.randint(60, 200), sy + rng.randint(-8, 8))], fill=(30, 30, 120),
                      width=3)
        page = page.rotate(rng.uniform(-1.5, 1.5), resample=Image.BICUBIC, fillcolor=(250, 250, 245))
        arr = np.asarray(page).astype(np.int16)
        yy = np.linspace(0, 1, h)[:, None, None]
        arr = arr - (yy * rng.uniform(0, 18)).astype(np.int16)  # uneven, yellowed paper
        arr[..., 2] -= 12
        noise = np.random.default_rng(seed).normal(0, 9, arr.shape[:2])[..., None]
        arr = np.clip(arr + noise, 0, 255).astype(np.uint8)
        page = Image.fromarray(arr).filter(ImageFilter.GaussianBlur(0.6))
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=80 if damage else 92, dpi=(DPI, DPI))
    return Specimen(fields, "\n".join(texts), buffer.getvalue())
