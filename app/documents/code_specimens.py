"""Pages with a hard-to-read QR code, the payload known: photocopied CCCD cards, separator sheets and
dossier-code stickers as an office's scanner or phone really delivers them.

Each degradation is one a counter meets: a code printed small (2-3 pixels a module at 200 dpi), a
soft focus, a faded photocopy (low contrast), noise and heavy JPEG compression, a skewed sheet, a
code printed light-on-dark (inverted), a pen stroke across a corner. Deterministic for a seed.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np

from app.documents.specimens import A4_PX, DPI, GIVEN, MIDDLE, SURNAMES, specimen_fields

DEGRADATIONS = ("small", "blur", "faded", "jpeg", "skew", "inverted", "stroke", "all")


@dataclass(frozen=True)
class CodePage:
    payload: str
    degradation: str
    jpeg: bytes


def cccd_payload(seed: int) -> str:
    rng = random.Random(seed)
    fields, _kind, ward = specimen_fields(seed)
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    born = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(1950, 2005)}"
    issued = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(2021, 2025)}"
    old_id = f"{rng.randint(0, 999_999_999):09d}" if rng.random() < 0.5 else ""
    sex = rng.choice(("Nam", "Nữ"))
    address = f"Số {rng.randint(1, 200)} đường {rng.choice(GIVEN)}, {ward[1]}"
    return f"{fields.owner_id}|{old_id}|{name}|{born}|{sex}|{address}|{issued}"


def render_code_page(seed: int, payload: str | None = None, degradation: str | None = None) -> CodePage:
    """A 200 dpi A4 page holding one QR code of ``payload`` (a CCCD payload by default)."""
    import cv2
    import qrcode
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(seed)
    payload = payload or cccd_payload(seed)
    degradation = degradation or DEGRADATIONS[seed % len(DEGRADATIONS)]
    heavy = degradation == "all"
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=1)
    qr.add_data(payload.encode("utf-8"))
    qr.make(fit=True)
    matrix = np.array(qr.get_matrix(), dtype=bool)
    module = 2 if degradation == "small" else rng.choice((3, 4))
    code = np.where(np.kron(matrix, np.ones((module, module), dtype=bool)), 0, 255).astype(np.uint8)
    if degradation in ("inverted",):
        code = 255 - code
    w, h = A4_PX
    page = Image.new("L", (w, h), 248)
    draw = ImageDraw.Draw(page)
    for i in range(14):  # the rest of a photocopied card's page: lines of "text"
        y = 1100 + i * 60
        draw.rectangle((170, y, 170 + rng.randint(600, 1300), y + 22), fill=rng.randint(60, 120))
    x, y = rng.randint(200, 900), rng.randint(200, 600)
    page.paste(Image.fromarray(code), (x, y))
    if degradation in ("stroke", "all"):
        side = code.shape[0]
        draw.line([(x - 20, y + side * 0.8), (x + side * 0.35, y + side + 30)], fill=30, width=5)
    arr = np.asarray(page).astype(np.float32)
    if degradation in ("faded", "all"):
        arr = 150 + arr * 0.4  # a pale photocopy: ink at ~150, paper at ~250
    if degradation in ("skew", "all"):
        angle = rng.uniform(4, 12) * rng.choice((-1, 1))
        matrix_rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        arr = cv2.warpAffine(arr, matrix_rot, (w, h), borderValue=248, flags=cv2.INTER_LINEAR)
    image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if degradation in ("blur", "all"):
        image = image.filter(ImageFilter.GaussianBlur(1.0 if heavy else 1.5))
    noise = np.random.default_rng(seed).normal(0, 9 if heavy else 7, (h, w))
    noisy = np.asarray(image).astype(np.float32) + noise
    image = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).convert("RGB")
    quality = 25 if degradation == "jpeg" else 40 if heavy else 75
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, dpi=(DPI, DPI))
    return CodePage(payload, degradation, out.getvalue())
