"""Reading page images from files: JPEG, PNG, TIFF (every page), WebP, BMP and PDF.

Every check that can be made from the header is made before any pixel is decoded: the pixel count
against ``ScanProfile.max_pixels`` (a 20,000 x 20,000 image is refused, not decoded), an empty
file, a file that is not an image. Pages come back as numpy arrays: ``(H, W)`` grey or
``(H, W, 3)`` RGB, ``uint8``.

:func:`count_pages` and :func:`load_page` take a file's path or its content (``bytes``, with a
``name`` for messages): the spools keep pages sealed, and a page read from one is decrypted in
memory and decoded from there, never written out in clear.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import struct
import subprocess
import tempfile
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core import limits
from app.core.errors import MotCuaError
from app.scanning.errors import ImageTooLargeError, ScanError, UnreadableImageError
from app.scanning.profile import DEFAULT_PROFILE, ScanProfile

_PIL_LIMIT = threading.Lock()
MIN_PLAUSIBLE_DPI = 100.0  # 72 and 96 are what software writes when it does not know
# What Pillow raises on damaged files, besides its own errors (found by tests/fuzz).
_DAMAGED = (OSError, ValueError, SyntaxError, EOFError, TypeError, KeyError, IndexError, struct.error)


@dataclass(frozen=True, eq=False)
class LoadedPage:
    """One page read from a file.

    ``jpeg`` holds the file's own JPEG bytes when the page is exactly that JPEG (not rotated by
    EXIF, not CMYK), so the page can be stored without re-encoding if nothing changes it.
    """

    image: np.ndarray
    dpi: float | None
    jpeg: bytes | None = None


def _pil():  # type: ignore[no-untyped-def]
    from PIL import Image

    return Image


#: A page file: its path, or its content in memory.
PageInput = Path | str | bytes | bytearray | memoryview


def is_pdf(path: Path | bytes) -> bool:
    if isinstance(path, bytes | bytearray | memoryview):
        return bytes(path[:1024]).lstrip().startswith(b"%PDF")
    with Path(path).open("rb") as fh:
        return fh.read(1024).lstrip().startswith(b"%PDF")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise UnreadableImageError(f"file not found: {path}", f"không tìm thấy tệp: {path}")
    if path.is_dir():
        raise UnreadableImageError(f"not a file: {path}", f"không phải là tệp: {path}")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableImageError(f"empty file: {path}", f"tệp rỗng: {path}")
    _check_bytes(size, str(path))


def _check_bytes(size: int, label: str) -> None:
    if size > limits.INPUT_FILE_MAX_BYTES:
        limit_mb = limits.INPUT_FILE_MAX_BYTES // (1024 * 1024)
        raise UnreadableImageError(f"{label} is {size / 1048576:.0f} MB, the limit is {limit_mb} MB",
                                   f"tệp {label} có {size / 1048576:.0f} MB, vượt giới hạn {limit_mb} MB")


def page_input(source: PageInput, name: str | None = None) -> tuple[Path | bytes, str]:
    """``(path or bytes, name for messages)``, checked like a file: it exists and is not empty."""
    if isinstance(source, bytes | bytearray | memoryview):
        label = name or "embedded image"
        if not len(source):
            raise UnreadableImageError(f"empty file: {label}", f"tệp rỗng: {label}")
        _check_bytes(len(source), label)
        return bytes(source), label
    path = Path(source)
    _check_file(path)
    return path, name or path.name


@contextlib.contextmanager
def _pil_limit(profile: ScanProfile) -> Iterator[None]:
    """Pillow's own bomb check (at open; it fires above twice the limit) follows the profile for the
    duration of one open only: the limit is process-wide and other code keeps Pillow's default."""
    image_mod = _pil()
    with _PIL_LIMIT, warnings.catch_warnings():
        warnings.simplefilter("ignore", image_mod.DecompressionBombWarning)
        saved, image_mod.MAX_IMAGE_PIXELS = image_mod.MAX_IMAGE_PIXELS, profile.max_pixels
        try:
            yield
        finally:
            image_mod.MAX_IMAGE_PIXELS = saved


def _open(source: Path | io.BytesIO, name: str, profile: ScanProfile):  # type: ignore[no-untyped-def]
    image_mod = _pil()
    try:
        with _pil_limit(profile):
            im = image_mod.open(source)
    except image_mod.DecompressionBombError as exc:  # far above the limit: Pillow refuses at open
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = int(found.group(1)) if found else None
        raise ImageTooLargeError(None, None, profile.max_pixels, pixels) from None
    except (image_mod.UnidentifiedImageError, *_DAMAGED) as exc:
        raise UnreadableImageError(
            f"not an image or unsupported format: {name} ({type(exc).__name__})",
            f"không phải tệp ảnh hoặc định dạng không hỗ trợ: {name}",
        ) from None
    _check_size(im.size, profile)  # before any pixel is decoded
    return im


def _open_image(source: Path | bytes, name: str, profile: ScanProfile):  # type: ignore[no-untyped-def]
    return _open(io.BytesIO(source) if isinstance(source, bytes) else source, name, profile)


def _check_size(size: tuple[int, int], profile: ScanProfile) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise UnreadableImageError(f"image has no pixels ({width} x {height})", "ảnh không có điểm ảnh")
    if min(width, height) < limits.PAGE_MIN_SIDE_PX or max(width, height) > limits.PAGE_MAX_SIDE_PX:
        raise UnreadableImageError(
            f"a {width} x {height} pixel image cannot be a page (each side must be "
            f"{limits.PAGE_MIN_SIDE_PX}-{limits.PAGE_MAX_SIDE_PX} pixels)",
            f"ảnh {width}×{height} điểm ảnh không thể là một trang tài liệu (mỗi cạnh phải từ "
            f"{limits.PAGE_MIN_SIDE_PX} đến {limits.PAGE_MAX_SIDE_PX} điểm ảnh)")
    if width * height > profile.max_pixels:
        raise ImageTooLargeError(width, height, profile.max_pixels)


def _dpi_of(info: dict[str, object]) -> float | None:
    dpi = info.get("dpi")
    if isinstance(dpi, tuple) and dpi and isinstance(dpi[0], int | float):
        value = float(dpi[0])
        return value if value >= MIN_PLAUSIBLE_DPI else None
    return None


def to_array(im) -> np.ndarray:  # type: ignore[no-untyped-def]
    """A decoded PIL image as a grey ``(H, W)`` or RGB ``(H, W, 3)`` uint8 array."""
    mode = im.mode
    if mode in ("1", "L"):
        return np.asarray(im.convert("L"))
    if mode == "P":
        im = im.convert("RGBA") if "transparency" in im.info else im.convert("RGB")
        mode = im.mode
    if mode in ("RGBA", "LA", "PA"):
        background = _pil().new("RGBA", im.size, (255, 255, 255, 255))
        im = _pil().alpha_composite(background, im.convert("RGBA"))
        return np.ascontiguousarray(np.asarray(im)[:, :, :3])
    if mode.startswith("I;16") or mode == "I":
        data = np.asarray(im, dtype=np.float64)
        peak = 65535.0 if data.max() > 255 else 255.0
        return np.clip(data * (255.0 / peak), 0, 255).astype(np.uint8)
    if mode == "F":
        return np.clip(np.asarray(im), 0, 255).astype(np.uint8)
    if mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im)


def _decode(im, name: str, frame: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    try:
        im.load()
        from PIL import ImageOps

        im = ImageOps.exif_transpose(im)
        array = to_array(im)
    except _DAMAGED as exc:
        raise UnreadableImageError(
            f"truncated or corrupt image: {name}{f' page {frame}' if frame else ''} ({exc})",
            f"ảnh bị hỏng hoặc không đầy đủ: {name} trang {frame + 1}",
        ) from None
    if array.ndim == 3 and _is_gray(array):
        array = np.ascontiguousarray(array[:, :, 1])
    return array


def _is_gray(rgb: np.ndarray) -> bool:
    """True when the three channels are (almost) equal, judged on a sample of rows."""
    sample = rgb[:: max(1, rgb.shape[0] // 64)].astype(np.int16)
    return bool(np.abs(sample[:, :, 0] - sample[:, :, 1]).max() <= 2
                and np.abs(sample[:, :, 2] - sample[:, :, 1]).max() <= 2)


def header_pixels(path: PageInput, profile: ScanProfile = DEFAULT_PROFILE) -> int:
    """The pixel count of a file's first page from its header (nothing decoded); a PDF page counts
    as A4 at the profile's resolution; 0 for a file that cannot be read (it will fail on its own)."""
    try:
        source, label = page_input(path)
        if is_pdf(source):
            return int(8.27 * 11.69 * profile.dpi * profile.dpi)
        with _open_image(source, label, profile) as im:
            return int(im.size[0] * im.size[1])
    except (MotCuaError, OSError):
        return 0


def count_pages(path: PageInput, profile: ScanProfile = DEFAULT_PROFILE, *, name: str | None = None) -> int:
    """How many pages a file (``path``, or its content as ``bytes``) holds, from its header;
    raises for files that cannot be read."""
    source, label = page_input(path, name)
    if is_pdf(source):
        from app.scanning.pdfpages import pdf_page_count

        return pdf_page_count(source, name=label)
    with _open_image(source, label, profile) as im:
        return _frames(im, label)


def _frames(im, name: str) -> int:  # type: ignore[no-untyped-def]
    try:
        return int(getattr(im, "n_frames", 1))
    except _DAMAGED:  # counting TIFF pages walks every page header
        raise UnreadableImageError(f"corrupt multi-page image: {name}",
                                   f"ảnh nhiều trang bị hỏng: {name}") from None


def load_page(path: PageInput, index: int = 0, profile: ScanProfile = DEFAULT_PROFILE, *,
              name: str | None = None) -> LoadedPage:
    """Decode page ``index`` of a file (``path``, or its content as ``bytes``)."""
    source, label = page_input(path, name)
    if is_pdf(source):
        from app.scanning.pdfpages import load_pdf_page

        return load_pdf_page(source, index, profile, name=label)
    with _open_image(source, label, profile) as im:
        frames = _frames(im, label)
        if not 0 <= index < frames:
            raise ScanError(f"{label} has no page {index}", f"{label} không có trang {index + 1}")
        if index:
            try:
                im.seek(index)
            except _DAMAGED as exc:
                raise UnreadableImageError(f"corrupt page {index} in {label}: {exc}",
                                           f"trang {index + 1} của {label} bị hỏng") from None
            _check_size(im.size, profile)
        dpi = _dpi_of(im.info)
        plain_jpeg = (im.format == "JPEG" and frames == 1 and im.mode in ("L", "RGB")
                      and _exif_orientation(im) in (0, 1))
        jpeg = (source if isinstance(source, bytes) else source.read_bytes()) if plain_jpeg else None
        array = _decode_jpeg(jpeg, im.size, gray=im.mode == "L") if jpeg is not None else None
        if array is None:
            array = _decode(im, label, index)
    return LoadedPage(array, dpi, jpeg)


def _decode_jpeg(data: bytes, size: tuple[int, int], *, gray: bool) -> np.ndarray | None:
    """A whole, plain JPEG (checked by Pillow from its header: size, mode, no EXIF turn) decoded by
    OpenCV's libjpeg-turbo straight into a numpy array: about twice as fast as Pillow's decode and
    copy. ``None`` when OpenCV cannot be used or the file does not end with its end-of-image marker
    (a truncated file then goes to Pillow, which refuses it, where OpenCV would fill in grey)."""
    if data.rstrip(b"\0\r\n ")[-2:] != b"\xff\xd9":
        return None
    try:
        import cv2
    except ImportError:  # pragma: no cover - OpenCV is a dependency
        return None
    flags = cv2.IMREAD_IGNORE_ORIENTATION | (
        cv2.IMREAD_GRAYSCALE if gray else getattr(cv2, "IMREAD_COLOR_RGB", cv2.IMREAD_COLOR))
    try:
        array = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    except cv2.error:
        return None
    if array is None or (array.shape[1], array.shape[0]) != size:
        return None
    if not gray and not hasattr(cv2, "IMREAD_COLOR_RGB"):  # pragma: no cover - OpenCV before 4.10
        array = cv2.cvtColor(array, cv2.COLOR_BGR2RGB)
    if array.ndim == 3 and _is_gray(array):
        array = np.ascontiguousarray(array[:, :, 1])
    return array


def iter_pages(path: PageInput, profile: ScanProfile = DEFAULT_PROFILE, *,
               name: str | None = None) -> Iterator[LoadedPage]:
    for index in range(count_pages(path, profile, name=name)):
        yield load_page(path, index, profile, name=name)


def _exif_orientation(im) -> int:  # type: ignore[no-untyped-def]
    try:
        return int(im.getexif().get(0x0112, 1))
    except Exception:  # a broken EXIF block must not make the page unreadable
        return 1


def decode_bytes(data: bytes, profile: ScanProfile = DEFAULT_PROFILE) -> np.ndarray:
    """Decode one in-memory image (e.g. a page extracted from a PDF) with the same checks."""
    with _open(io.BytesIO(data), "embedded image", profile) as im:
        return _decode(im, "embedded image", 0)


def run_pdftoppm(path: Path | bytes, index: int, dpi: int, *, gray: bool = False,
                 name: str | None = None) -> np.ndarray:
    """Rasterise one PDF page with poppler's ``pdftoppm`` (must be on PATH). A PDF given as bytes
    goes through pdftoppm's standard input and output: nothing is written to disk."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise ScanError("cannot rasterise PDF page: pdftoppm (poppler-utils) is not installed",
                        "không chuyển được trang PDF thành ảnh: thiếu chương trình pdftoppm")
    if isinstance(path, bytes):
        label = name or "embedded PDF"
        args = [exe, "-r", str(dpi), "-f", str(index + 1), "-l", str(index + 1), "-singlefile", "-png",
                *(["-gray"] if gray else []), "-"]
        done = subprocess.run(args, input=path, capture_output=True, timeout=300, check=False)
        if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
            raise UnreadableImageError(f"cannot rasterise page {index} of {label}: {message}",
                                       f"không đọc được trang {index + 1} của {label}")
        with _pil().open(io.BytesIO(done.stdout)) as im:
            return to_array(im)
    with tempfile.TemporaryDirectory(prefix="motcua-pdf-") as tmp:
        stem = Path(tmp) / "page"
        args = [exe, "-r", str(dpi), "-f", str(index + 1), "-l", str(index + 1), "-singlefile", "-png",
                *(["-gray"] if gray else []), str(path), str(stem)]
        done = subprocess.run(args, capture_output=True, timeout=300, check=False)
        out = stem.with_suffix(".png")
        if done.returncode != 0 or not out.exists():
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
            raise UnreadableImageError(f"cannot rasterise page {index} of {path.name}: {message}",
                                       f"không đọc được trang {index + 1} của {path.name}")
        with _pil().open(out) as im:
            return to_array(im)
