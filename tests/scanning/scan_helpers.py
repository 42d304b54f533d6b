"""Synthetic Vietnamese pages and corpus access for the scanning tests.

Pages are drawn with Pillow and the bundled Liberation Serif at 200 dpi A4 (1654 x 2339 pixels)
as RGB arrays; ``camera_shot`` pastes a page with perspective onto a darker, unevenly lit table.
The real images are in ``tests/data/corpus`` (their sources and licences: ``tests/data/README.md``).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
FONT = ROOT / "resources" / "fonts" / "LiberationSerif-Regular.ttf"
CORPUS = ROOT / "tests" / "data" / "corpus"
A4_200 = (1654, 2339)
MM = 200 / 25.4  # pixels per millimetre at 200 dpi

LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH",
    "Kính gửi: Ủy ban nhân dân phường Bến Nghé, Quận 1",
    "Họ và tên người yêu cầu: Nguyễn Văn Đức, sinh ngày 12/03/1985",
    "Nơi cư trú: số 15 đường Lê Lợi, phường Bến Nghé, Thành phố Hồ Chí Minh",
    "Số định danh cá nhân: 079085001234, cấp ngày 10/8/2021",
    "Tôi cam đoan những nội dung khai trên đây là đúng sự thật.",
]


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def paper(seed: int = 0, size: tuple[int, int] = A4_200) -> np.ndarray:
    """Slightly off-white paper with scanner noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    noise = rng.normal(0, 2, (h, w, 1))
    return np.clip(246 + noise, 0, 255).repeat(3, axis=2).astype(np.uint8)


def text_page(lines: int = 40, size: int = 30, seed: int = 0) -> np.ndarray:
    im = Image.fromarray(paper(seed))
    draw = ImageDraw.Draw(im)
    face = font(size)
    y = int(A4_200[1] * 0.07)
    for i in range(lines):
        draw.text((int(A4_200[0] * 0.1), y), LINES[i % len(LINES)], font=face, fill=(20, 20, 20))
        y += int(size * 1.5)
        if y > A4_200[1] * 0.9:
            break
    return np.asarray(im).copy()


def blank_page(seed: int = 0, *, holes: bool = True, dust: bool = True, backing: int = 30) -> np.ndarray:
    """An empty sheet with two 6 mm punch holes (dark scanner lid seen through) and dust."""
    rng = np.random.default_rng(seed)
    img = paper(seed)
    h, w = img.shape[:2]
    if holes:
        for cy in (h // 2 - int(40 * MM), h // 2 + int(40 * MM)):
            cv2.circle(img, (int(12 * MM), cy), int(3 * MM), (backing,) * 3, -1)
    if dust:
        for _ in range(150):
            x, y = int(rng.integers(50, w - 50)), int(rng.integers(50, h - 50))
            cv2.circle(img, (x, y), int(rng.integers(1, 3)), (int(rng.integers(40, 120)),) * 3, -1)
        for _ in range(5):  # a few specks of about a millimetre
            x, y = int(rng.integers(50, w - 50)), int(rng.integers(50, h - 50))
            cv2.ellipse(img, (x, y), (4, 3), int(rng.integers(0, 180)), 0, 360, (60, 60, 60), -1)
    return img


def short_line_page(text: str = "Trang này cố ý để trống.", size: int = 28, seed: int = 0) -> np.ndarray:
    im = Image.fromarray(blank_page(seed))
    ImageDraw.Draw(im).text((600, 1100), text, font=font(size), fill=(25, 25, 25))
    return np.asarray(im).copy()


def seal_page(seed: int = 0) -> np.ndarray:
    """Black text with a round red seal (two rings and its lettering)."""
    im = Image.fromarray(text_page(lines=20, seed=seed))
    draw = ImageDraw.Draw(im)
    cx, cy, r = 1150, 1700, 160
    red = (200, 35, 40)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=10)
    draw.ellipse((cx - r + 30, cy - r + 30, cx + r - 30, cy + r - 30), outline=red, width=4)
    draw.text((cx - 110, cy - 20), "ỦY BAN NHÂN DÂN", font=font(34), fill=red)
    return np.asarray(im).copy()


def signature_page(seed: int = 0) -> np.ndarray:
    """Black text signed in blue ballpoint."""
    img = text_page(lines=20, seed=seed)
    points = np.array([(1000 + 3 * t, 1750 + int(40 * np.sin(t / 9))) for t in range(150)], np.int32)
    cv2.polylines(img, [points], False, (30, 40, 160), 3, cv2.LINE_AA)
    return img


def rotate(image: np.ndarray, angle: float) -> np.ndarray:
    """Turn counter-clockwise by ``angle`` degrees on a white background, keeping the size."""
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), borderValue=(246, 246, 246))


def camera_shot(page: np.ndarray, corners: tuple[tuple[int, int], ...], size: tuple[int, int] = (1600, 1200),
                seed: int = 0) -> np.ndarray:
    """The page photographed: perspective, a brown table, light falling off to one side, noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    table = np.clip(np.array((70, 60, 50)) + rng.integers(-15, 15, (h, w, 1)), 0, 255).astype(np.uint8)
    ph, pw = page.shape[:2]
    outline = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    matrix = cv2.getPerspectiveTransform(outline, np.float32(corners))
    warped = cv2.warpPerspective(page, matrix, (w, h))
    mask = cv2.warpPerspective(np.full((ph, pw), 255, np.uint8), matrix, (w, h))
    shot = np.where(mask[:, :, None] > 127, warped, table).astype(np.float64)
    yy, xx = np.mgrid[0:h, 0:w]
    light = 0.55 + 0.45 * (xx / w) * (0.7 + 0.3 * yy / h)
    shot = shot * light[:, :, None] + rng.normal(0, 3, shot.shape)
    return np.clip(shot, 0, 255).astype(np.uint8)


def save(image: np.ndarray, path: Path, **options: object) -> Path:
    Image.fromarray(image).save(path, **options)
    return path


def corpus(*parts: str) -> Path:
    path = CORPUS.joinpath(*parts)
    assert path.exists(), f"test image missing from the repository: {path}"
    return path
