"""Reading a citizen's CCCD QR code with a webcam (the same result as a handheld scanner)."""

from __future__ import annotations

from app.core import settings_registry as registry
from app.core.cccd import extract_cccd_qr
from app.core.codes import looks_like_dossier_code
from app.core.progress import CancelToken
from app.scanning.camera_qr import FrameCallback, watch_for_code
from app.services.context import AppContext
from app.store.repositories import SettingsRepository


def read_cccd_qr(source: str | int, cancel: CancelToken, *, timeout_s: float = 60.0,
                 on_frame: FrameCallback | None = None) -> str | None:
    """The CCCD QR payload seen by the camera, or ``None`` after ``timeout_s`` seconds."""
    text = watch_for_code(source, lambda t: extract_cccd_qr(t) is not None, cancel,
                          timeout_s=timeout_s, on_frame=on_frame)
    return extract_cccd_qr(text) if text else None


def read_dossier_code(source: str | int, cancel: CancelToken, *, timeout_s: float = 60.0,
                      on_frame: FrameCallback | None = None) -> str | None:
    """A dossier code from a receipt's QR code or Code 128 shown to the camera."""
    text = watch_for_code(source, looks_like_dossier_code, cancel, timeout_s=timeout_s, on_frame=on_frame)
    return text.strip() if text else None


CAMERA_SOURCE = registry.CAMERA_SOURCE.key  # "camera:0", another index, or a stream URL
DEFAULT_CAMERA_SOURCE = registry.CAMERA_SOURCE.default or "camera:0"


def camera_source(ctx: AppContext) -> str:
    """The camera this station reads QR codes with (set by the administrator)."""
    with ctx.session() as session:
        return SettingsRepository(session).get(CAMERA_SOURCE) or DEFAULT_CAMERA_SOURCE


def set_camera_source(ctx: AppContext, source: str) -> None:
    with ctx.session(write=True) as session:
        SettingsRepository(session).set(CAMERA_SOURCE, source.strip() or DEFAULT_CAMERA_SOURCE)
