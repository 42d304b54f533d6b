"""The page pipeline: an ordered list of small steps, each a function of a page and the profile.

Contract of a step (after Paperless-ngx's consume plugins):

* ``able_to_run(page, profile)`` says whether the step applies (a disabled setting, a blank page);
* ``run(page, profile)`` returns a new :class:`PageState` (pages are frozen; steps never mutate);
* a step that raises fails only its page: :func:`process_page` returns a :class:`PageFailure`
  for it and the batch goes on with the next page.

Steps in order: camera (find the page in a photo, straighten, flatten the light), deskew, crop
the scanner border, blank detection, barcodes (on the page as it arrived, then on the straightened
page if needed), colour choice, compression.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from app.scanning import analysis, barcodes, camera, geometry
from app.scanning.encode import EncodedPage, encode_page, reuse_jpeg
from app.scanning.profile import ColorMode, ScanProfile

logger = logging.getLogger(__name__)

_MIN_ROTATION = 0.1  # degrees; a smaller tilt is not worth resampling the page


Reduced = tuple[np.ndarray, float, float]  # analysis copy, its dpi, its size over the page's size


@dataclass(frozen=True, eq=False)
class PageState:
    """A page on its way through the steps. ``original`` is the image as it arrived.

    Geometry is applied lazily: deskew and crop only record a rotation and a window on ``base``
    (and turn and cut the small analysis copy, which is what the following steps look at); the
    full-size pixels are made once, in the colour they are stored in, by :meth:`render` (``image``
    renders in colour). A grey or black-and-white page is thus turned as one channel, not three,
    and the page is reduced once, not after each change.
    """

    base: np.ndarray
    original: np.ndarray
    dpi: float
    source: str = ""
    index: int = 0
    jpeg: bytes | None = None  # the original JPEG while the pixels are unchanged
    skew_deg: float = 0.0
    corners: camera.Corners | None = None
    crop_box: tuple[int, int, int, int] | None = None
    analysis: analysis.PageAnalysis | None = None
    barcodes: tuple[barcodes.Barcode, ...] = ()
    color: ColorMode | None = None
    encoded: EncodedPage | None = None
    notes: tuple[str, ...] = ()
    rotation: float = 0.0  # degrees counter-clockwise still to apply to ``base``
    fill: tuple[int, ...] | int | None = None  # colour of the areas the rotation uncovers
    window: tuple[int, int, int, int] | None = None  # crop box on the rotated ``base``
    small: Reduced | None = None  # the analysis copy, once made (carried along by ``replace``)
    gray_original: np.ndarray | None = None  # ``original`` in grey, once made

    @property
    def reduced(self) -> Reduced:
        """The analysis copy (100-150 dpi), its dpi, and its size over the page's size; made once
        per page and then turned and cropped with it."""
        if self.small is None:
            image = self.image if self.geometry_pending else self.base
            small, dpi = geometry.reduce(image, self.dpi)
            object.__setattr__(self, "small", (small, dpi, small.shape[1] / image.shape[1]))
        assert self.small is not None
        return self.small

    @property
    def geometry_pending(self) -> bool:
        return bool(self.rotation) or self.window is not None

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of the page's pixels (after the pending rotation and crop)."""
        if self.window is not None:
            return self.window[2] - self.window[0], self.window[3] - self.window[1]
        h, w = self.base.shape[:2]
        return geometry.rotated_size(w, h, self.rotation) if self.rotation else (w, h)

    @property
    def is_color(self) -> bool:
        return self.base.ndim == 3

    @property
    def original_gray(self) -> np.ndarray:
        """The page as it arrived, in grey: read for barcodes and, unchanged, stored grey or B/W
        (made once, carried along by ``replace`` like ``small``)."""
        if self.gray_original is None:
            object.__setattr__(self, "gray_original", geometry.to_gray(self.original))
        assert self.gray_original is not None
        return self.gray_original

    @cached_property
    def image(self) -> np.ndarray:
        """The page's pixels in colour (rendered on first use)."""
        return self.render(gray=False)

    def render(self, *, gray: bool) -> np.ndarray:
        """The full-size page with its rotation and crop applied, in grey when ``gray``."""
        if not gray and "image" in self.__dict__:
            return self.__dict__["image"]  # type: ignore[no-any-return]
        if gray:
            pixels = self.original_gray if self.base is self.original else geometry.to_gray(self.base)
        else:
            pixels = self.base
        if self.rotation:
            fill = self.fill
            if gray and isinstance(fill, tuple):
                fill = _gray_of(fill)
            return geometry.rotate(pixels, self.rotation, fill, self.window)
        if self.window is not None:
            x0, y0, x1, y1 = self.window
            return np.ascontiguousarray(pixels[y0:y1, x0:x1])
        return pixels

    @property
    def blank(self) -> bool:
        return self.analysis is not None and self.analysis.blank

    def changed(self, image: np.ndarray, **values: object) -> PageState:
        """The page with new pixels (the original JPEG no longer matches them)."""
        return replace(self, base=image, jpeg=None, rotation=0.0, fill=None, window=None,  # type: ignore[arg-type]
                       small=None, **values)


def _gray_of(rgb: tuple[int, ...]) -> int:
    """The grey level OpenCV gives an RGB colour (ITU-R BT.601 weights)."""
    r, g, b = rgb[:3]
    return round(0.299 * r + 0.587 * g + 0.114 * b)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[PageState, ScanProfile], PageState]
    able_to_run: Callable[[PageState, ScanProfile], bool] = lambda _page, _profile: True


@dataclass(frozen=True)
class PageResult:
    """A page that went through every step."""

    source: str
    index: int
    skew_deg: float
    blank: bool
    barcodes: tuple[barcodes.Barcode, ...]
    corners: camera.Corners | None
    color: ColorMode
    encoded: EncodedPage
    notes: tuple[str, ...] = ()
    # (step, milliseconds) in the order run, "load" first when the page was read from a file; for
    # benchmarks and logs, not part of the JSON contract
    timings: tuple[tuple[str, float], ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.source,
            "page": self.index,
            "skew_deg": round(self.skew_deg, 2),
            "blank": self.blank,
            "barcodes": [b.to_json() for b in self.barcodes],
            "corners": None if self.corners is None else [[x, y] for x, y in self.corners],
            "color": self.color.value,
            "bytes": len(self.encoded.data),
        }


@dataclass(frozen=True)
class PageFailure:
    """A page (or a whole file) that could not be processed; the batch continues without it."""

    source: str
    index: int
    error: str
    error_vi: str = ""
    step: str = ""

    def to_json(self) -> dict[str, object]:
        return {"file": self.source, "page": self.index, "error": self.error}


PageOutcome = PageResult | PageFailure


# --------------------------------------------------------------------------- steps


def _resample(page: PageState, profile: ScanProfile) -> PageState:
    """Bring the page to the profile's resolution: down from a finer scan (smaller, faster), up from
    a coarser file (so that every stored page, and the PDF, has at least the profile's dpi)."""
    import cv2

    scale = profile.dpi / page.dpi
    h, w = page.image.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    method = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return page.changed(cv2.resize(page.image, size, interpolation=method), dpi=float(profile.dpi))


def _straighten_photo(page: PageState, _profile: ScanProfile) -> PageState:
    small, _dpi, factor = page.reduced
    found = camera.find_page_corners(small)
    if found is None:
        return page
    corners: camera.Corners = tuple((round(x / factor, 1), round(y / factor, 1)) for x, y in found)  # type: ignore[assignment]
    warped = camera.flatten_light(camera.warp_page(page.image, corners))
    dpi = camera.guess_dpi(warped.shape[1], warped.shape[0]) or page.dpi
    return page.changed(warped, corners=corners, dpi=dpi, skew_deg=camera.corners_angle(corners))


def _deskew(page: PageState, profile: ScanProfile) -> PageState:
    estimate = geometry.estimate_skew(page.reduced[0], profile.max_skew_deg)
    if not estimate.confident or abs(estimate.angle) < _MIN_ROTATION:
        return page
    if page.geometry_pending:  # steps in another order: make the earlier turn or crop real first
        page = page.changed(page.image)
    small, dpi, _factor = page.reduced
    fill = geometry.edge_color(page.base)
    turned = geometry.rotate(small, estimate.angle, fill)
    width, _height = geometry.rotated_size(page.base.shape[1], page.base.shape[0], estimate.angle)
    return replace(page, rotation=estimate.angle, fill=fill, jpeg=None,
                   small=(turned, dpi, turned.shape[1] / width),
                   skew_deg=round(page.skew_deg + estimate.angle, 2))


def _crop(page: PageState, _profile: ScanProfile) -> PageState:
    small, dpi, factor = page.reduced
    box = geometry.find_border_crop(small)
    if box is None:
        return page
    w, h = page.size
    x0, y0 = max(0, math.floor(box[0] / factor)), max(0, math.floor(box[1] / factor))
    x1, y1 = min(w, math.ceil(box[2] / factor)), min(h, math.ceil(box[3] / factor))
    if page.window is not None:  # the window is on the rotated base: shift into its frame
        x0, y0, x1, y1 = (x0 + page.window[0], y0 + page.window[1], x1 + page.window[0],
                          y1 + page.window[1])
    cut = np.ascontiguousarray(small[box[1]:box[3], box[0]:box[2]])
    return replace(page, window=(x0, y0, x1, y1), crop_box=box, jpeg=None,
                   small=(cut, dpi, cut.shape[1] / max(1, x1 - x0)))


def _analyse(page: PageState, profile: ScanProfile) -> PageState:
    small, dpi, _factor = page.reduced
    return replace(page, analysis=analysis.analyse(small, dpi, profile.blank_threshold))


def _read_codes(page: PageState, profile: ScanProfile) -> PageState:
    def read(image: np.ndarray) -> tuple[barcodes.Barcode, ...]:
        return barcodes.read_barcodes(image, reader=profile.barcode_reader, formats=profile.barcode_formats)

    found = read(page.original_gray)
    if not found and page.corners is not None:  # a photo: read the straightened page too
        found = read(page.image)
    return replace(page, barcodes=found)


def _choose_color(page: PageState, profile: ScanProfile) -> PageState:
    if profile.color_mode is not ColorMode.AUTO:
        color = profile.color_mode
    elif page.analysis is None:
        color = ColorMode.COLOR if page.is_color else ColorMode.GRAY
    else:
        color = analysis.choose_color(page.analysis, profile.color_threshold)
    if color is ColorMode.COLOR and not page.is_color:
        color = ColorMode.GRAY
    return replace(page, color=color)


def _compress(page: PageState, profile: ScanProfile) -> PageState:
    color = page.color or ColorMode.COLOR
    encoded = None
    if page.jpeg is not None and not page.geometry_pending:
        encoded = reuse_jpeg(page.jpeg, page.base, color, page.dpi, profile.jpeg_quality)
    if encoded is None:
        pixels = page.render(gray=color is not ColorMode.COLOR)
        encoded = encode_page(pixels, color, page.dpi, profile.jpeg_quality)
    return replace(page, encoded=encoded)


STEPS: tuple[Step, ...] = (
    Step("resample", _resample, lambda p, s: p.dpi > s.dpi * 1.25 or p.dpi < s.dpi * 0.99),
    Step("camera", _straighten_photo, lambda _p, s: s.detect_camera_page),
    Step("deskew", _deskew, lambda _p, s: s.deskew),
    Step("crop", _crop, lambda _p, s: s.crop_border),
    Step("blank", _analyse),
    Step("barcodes", _read_codes, lambda _p, s: s.read_barcodes),
    Step("color", _choose_color),
    Step("compress", _compress),
)


# --------------------------------------------------------------------------- running


@dataclass(frozen=True, eq=False)
class Pipeline:
    profile: ScanProfile
    steps: Sequence[Step] = field(default=STEPS)

    def process(self, image: np.ndarray, *, dpi: float | None = None, source: str = "", index: int = 0,
                jpeg: bytes | None = None) -> PageOutcome:
        return process_page(image, self.profile, dpi=dpi, source=source, index=index, jpeg=jpeg,
                            steps=self.steps)


def process_page(image: np.ndarray, profile: ScanProfile, *, dpi: float | None = None, source: str = "",
                 index: int = 0, jpeg: bytes | None = None, steps: Sequence[Step] = STEPS) -> PageOutcome:
    """Run every step on one page. Never raises for a bad page: returns a :class:`PageFailure`."""
    from app.core.errors import MotCuaError

    page = PageState(base=image, original=image, dpi=float(dpi or profile.dpi), source=source,
                     index=index, jpeg=jpeg)
    timings: list[tuple[str, float]] = []
    for step in steps:
        started = time.perf_counter()
        try:
            if step.able_to_run(page, profile):
                page = step.run(page, profile)
        except MotCuaError as exc:
            return PageFailure(source, index, exc.message_en, exc.message_vi, step.name)
        except Exception as exc:  # one bad page must not end the batch
            logger.exception("step %s failed on %s page %d", step.name, source, index)
            return PageFailure(source, index, f"{step.name} failed: {type(exc).__name__}: {exc}",
                               f"lỗi ở bước {step.name}", step.name)
        timings.append((step.name, round((time.perf_counter() - started) * 1000.0, 3)))
    if page.encoded is None or page.color is None:
        return PageFailure(source, index, "page was not compressed (no compress step)", step="compress")
    return PageResult(source, index, page.skew_deg, page.blank, page.barcodes, page.corners, page.color,
                      page.encoded, page.notes, tuple(timings))
