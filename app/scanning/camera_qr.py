"""Read a QR code (the CCCD card's, a receipt's) from a webcam or document camera.

Frames come from OpenCV capture; each is decoded with the same barcode reader as scanned pages. A
source is a device index (``0``), a ``camera:N`` URI, or a video file / stream URL, which is how the
tests drive it without a camera.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from app.core.errors import MotCuaError
from app.core.progress import CancelToken
from app.scanning.barcodes import read_barcodes

PREVIEW_WIDTH = 480
FrameCallback = Callable[[np.ndarray], None]


class CameraError(MotCuaError):
    """The camera cannot be opened or stopped delivering frames."""


def parse_camera_source(source: str | int) -> str | int:
    """``0`` / ``"0"`` / ``"camera:0"`` -> device 0; anything else is a file or stream URL."""
    if isinstance(source, int):
        return source
    text = source.removeprefix("camera:")
    return int(text) if text.isdigit() else text


def _open(source: str | int) -> Any:
    import cv2

    capture = cv2.VideoCapture(parse_camera_source(source))
    if not capture.isOpened():
        capture.release()
        raise CameraError(f"cannot open camera {source!r}",
                          "Không mở được camera. Hãy kiểm tra camera đã được cắm và không bị "
                          "chương trình khác sử dụng.")
    return capture


def _preview(frame: np.ndarray) -> np.ndarray:
    """A small RGB copy for the on-screen preview (the UI never sees full frames)."""
    import cv2

    height, width = frame.shape[:2]
    scale = min(1.0, PREVIEW_WIDTH / max(1, width))
    small = cv2.resize(frame, (round(width * scale), round(height * scale))) if scale < 1 else frame
    return np.ascontiguousarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))


def watch_for_code(source: str | int, accept: Callable[[str], bool], cancel: CancelToken, *,
                   timeout_s: float = 60.0, on_frame: FrameCallback | None = None,
                   rewind: bool = True) -> str | None:
    """Decode frames until one holds a code ``accept`` likes; return its text.

    Returns ``None`` on timeout; raises :class:`CancelledError` when cancelled. A video file that
    ends is rewound (``rewind``), so a recorded clip behaves like a live camera.
    """
    import cv2

    capture = _open(source)
    deadline = time.monotonic() + timeout_s
    failures = 0
    try:
        while time.monotonic() < deadline:
            cancel.raise_if_cancelled()
            ok, frame = capture.read()
            if not ok:
                failures += 1
                if rewind and isinstance(parse_camera_source(source), str) and failures < 3:
                    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    continue
                raise CameraError(f"camera {source!r} stopped delivering frames",
                                  "Camera ngừng gửi hình. Hãy kiểm tra kết nối camera.")
            failures = 0
            if on_frame is not None:
                on_frame(_preview(frame))
            # the next frame is the retry: no second pass on a live picture
            for barcode in read_barcodes(frame, retry=False, second_pass=False):
                if accept(barcode.text):
                    return barcode.text
        return None
    finally:
        capture.release()
