"""Reading the CCCD QR with a camera: a recorded clip stands in for the webcam (same OpenCV capture)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import qrcode

from app.core.progress import CancelToken
from app.services import camera as camera_service
from app.services.context import AppContext
from app.ui.receive_dialog import ReceiveDialog
from tests.timing import budget

PAYLOAD = ("079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|"
           "12 Lê Lợi, Phường Sài Gòn, TP. Hồ Chí Minh|01072021")


def _clip(path: Path, payload: str | None, frames: int = 12) -> Path:
    """An MJPG clip: a few empty desk frames, then a card with the QR code held up to the camera."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    assert writer.isOpened()
    card = None
    if payload is not None:
        qr = qrcode.QRCode(border=4, box_size=5)
        qr.add_data(payload.encode("utf-8"))
        card = np.array(qr.make_image().convert("RGB"))[:, :, ::-1]
    for index in range(frames):
        frame = np.full((480, 640, 3), 90, np.uint8)
        if card is not None and index >= frames // 2:
            h, w = card.shape[:2]
            top, left = (480 - h) // 2, (640 - w) // 2
            frame[top:top + h, left:left + w] = card
        writer.write(frame)
    writer.release()
    return path


def test_service_reads_the_payload_from_the_clip(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "cam.avi", PAYLOAD)
    frames: list[np.ndarray] = []
    text = camera_service.read_cccd_qr(str(clip), CancelToken(), timeout_s=budget(20), on_frame=frames.append)
    assert text == PAYLOAD
    assert frames and frames[0].shape[2] == 3 and frames[0].shape[1] <= 480


def test_no_qr_times_out_and_cancel_stops(tmp_path: Path) -> None:
    clip = _clip(tmp_path / "empty.avi", None)
    assert camera_service.read_cccd_qr(str(clip), CancelToken(), timeout_s=0.5) is None
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Exception, match="cancel"):
        camera_service.read_cccd_qr(str(clip), cancel, timeout_s=5)


def test_missing_camera_gives_a_vietnamese_error(tmp_path: Path) -> None:
    from app.scanning.camera_qr import CameraError

    with pytest.raises(CameraError) as caught:
        camera_service.read_cccd_qr(str(tmp_path / "none.avi"), CancelToken(), timeout_s=1)
    assert "camera" in caught.value.message_vi.lower()


def test_f7_fills_the_applicant_from_the_camera(qtbot, demo_ctx: AppContext, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """GIVEN the station's camera set to a clip showing a CCCD QR WHEN the officer presses F7 in the
    reception form THEN the applicant fields are filled exactly as with a handheld scanner."""
    from PySide6.QtCore import Qt

    from app.services.auth import SYSTEM_OFFICER

    camera_service.set_camera_source(demo_ctx, str(_clip(tmp_path / "cam.avi", PAYLOAD)))
    dialog = ReceiveDialog(demo_ctx, runner, SYSTEM_OFFICER)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5_000)
    qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: dialog.camera_dialog is not None, timeout=5_000)
    qtbot.waitUntil(lambda: dialog.applicant.edits["full_name"].text() == "Nguyễn Thị Thu Hà", timeout=20_000)
    assert dialog.applicant.edits["id_number"].text() == "079190001234"
    assert dialog.camera_dialog.result_text == PAYLOAD
    assert not dialog.camera_dialog.isVisible()
