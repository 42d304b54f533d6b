"""Scanning into a dossier (``app.services.scanning.dossier_scan``) on SQLite and PostgreSQL: one PDF per
component in the blob store, blank pages kept and reported, permissions, cancel, and finishing the
scans a crash interrupted exactly once."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pikepdf
import pytest

from app.core.cccd import applicant_from_qr, parse_cccd_qr
from app.core.errors import NotFoundError, ValidationError
from app.core.outbox import OutboxKind
from app.core.progress import CancelledError, CancelToken, ProgressUpdate
from app.scanning.errors import ScanError
from app.scanning.spool import SpoolBatch
from app.services.admin.auth import Officer, Permission, PermissionDeniedError, Role
from app.services.reception import receive as reception
from app.services.reception.dossiers import get_dossier
from app.services.scanning import dossier_scan as service
from app.store.blobs import BlobCorruptedError
from app.store.repositories import AuditRepository, BlobRepository
from app.store.repositories.sync import OutboxRepository
from tests.scanning.escl_fake_server import EsclServer, FakeScanner
from tests.scanning.scan_helpers import blank_page, save, seal_page, text_page

QR = ("079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|"
      "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")
OFFICER = Officer("mai", "Phạm Thị Mai", Role.CLERK)


class NoScanOfficer(Officer):
    """An officer whose role was configured without the SCAN permission."""

    def can(self, p: Permission) -> bool:
        return Permission(p) is not Permission.SCAN


class Crash(BaseException):
    """The process dying at a chosen line (not an error the code may catch)."""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three files named so that only a natural sort gives the right order."""
    folder = tmp_path_factory.mktemp("pages")
    save(text_page(lines=10, seed=1), folder / "trang1.png", dpi=(200, 200))
    save(blank_page(seed=2), folder / "trang2.png", dpi=(200, 200))
    save(seal_page(seed=3), folder / "trang10.jpg", quality=80, dpi=(200, 200))
    return folder


@pytest.fixture
def code(app_ctx) -> str:  # type: ignore[no-untyped-def]
    request = reception.ReceiveRequest("1.001193", applicant_from_qr(parse_cccd_qr(QR)),
                                       received_at=datetime(2025, 3, 18, 10, 30))
    return reception.receive_dossier(app_ctx, request, Officer("hung", "Lê Văn Hùng", Role.OFFICER)).code


def pdf_of(app_ctx, sha256: str) -> pikepdf.Pdf:  # type: ignore[no-untyped-def]
    return pikepdf.open(io.BytesIO(service.open_attachment(app_ctx, sha256)))


def spool_batches(app_ctx) -> list[Path]:  # type: ignore[no-untyped-def]
    root = app_ctx.data_dir / "spool"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.exists() else []


def test_folder_scan_attaches_one_pdf(app_ctx, code: str, pages: Path) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a folder of three pages, one blank WHEN scanned into component 5
    THEN one 3-page PDF in name order is stored and attached, the blank page is kept and reported,
    the component is digitised, the blob and the audit row are recorded, the batch is done."""
    updates: list[ProgressUpdate] = []
    outcome = service.scan_into_dossier(app_ctx, f"folder:{pages}", code, 5, OFFICER, progress=updates.append)
    assert outcome.pages == 3 and outcome.blank_pages == (1,) and outcome.failures == ()
    attachment = outcome.attachment
    assert attachment.file_name == f"{code}_TP6.pdf" and attachment.media_type == "application/pdf"
    assert attachment.component_index == 5 and attachment.pages == 3
    assert service.attachments_of(app_ctx, code) == [attachment]
    with pdf_of(app_ctx, attachment.sha256) as pdf:
        assert len(pdf.pages) == 3
        assert str(pdf.docinfo["/MotCuaDossierCode"]) == code
        assert str(pdf.docinfo["/Author"]) == OFFICER.full_name
        dossier = get_dossier(app_ctx, code)
        assert str(pdf.docinfo["/Title"]) == dossier.components[5].name
    assert dossier.components[5].digitised and not dossier.components[4].digitised
    with app_ctx.session() as session:
        blob = BlobRepository(session).get(attachment.sha256)
        entry = AuditRepository(session).entries(dossier_code=code, action="scan")[0]
        assert OutboxRepository(session).has_unsent(code, OutboxKind.FILE_UPLOAD)  # queued for the sync
    assert blob is not None and blob.size == attachment.size
    assert entry.officer == "mai" and entry.details["sha256"] == attachment.sha256
    assert entry.details["batch"] == outcome.batch and entry.details["blank_pages"] == [1]
    [batch] = spool_batches(app_ctx)
    assert SpoolBatch(batch).done and len(SpoolBatch(batch).pages()) == 3  # copies, originals untouched
    assert len(list(pages.iterdir())) == 3
    assert updates[-1].done == 3


def test_whole_dossier_from_one_file(app_ctx, code: str, pages: Path) -> None:  # type: ignore[no-untyped-def]
    outcome = service.scan_into_dossier(app_ctx, f"file:{pages / 'trang1.png'}", code, None, OFFICER)
    assert outcome.attachment.file_name == f"{code}.pdf" and outcome.component_index is None
    with pdf_of(app_ctx, outcome.attachment.sha256) as pdf:
        assert str(pdf.docinfo["/Title"]) == f"Hồ sơ {code}" and len(pdf.pages) == 1


def test_permission_and_targets_are_checked_first(app_ctx, code: str, pages: Path) -> None:  # type: ignore[no-untyped-def]
    uri = f"file:{pages / 'trang1.png'}"
    with pytest.raises(PermissionDeniedError) as denied:
        service.scan_into_dossier(app_ctx, uri, code, 0, NoScanOfficer("an", "Võ An", Role.CLERK))
    assert "quét tài liệu" in denied.value.message_vi
    with pytest.raises(NotFoundError):
        service.scan_into_dossier(app_ctx, uri, "KHONG-CO-250101-0001", 0, OFFICER)
    with pytest.raises(ValidationError, match="no component 43"):
        service.scan_into_dossier(app_ctx, uri, code, 42, OFFICER)
    with pytest.raises(ScanError):
        service.scan_into_dossier(app_ctx, "ftp://nope", code, 0, OFFICER)
    assert spool_batches(app_ctx) == []  # nothing was started
    assert service.attachments_of(app_ctx, code) == []


def test_resume_after_a_crash_before_the_commit(app_ctx, code: str, pages: Path,  # type: ignore[no-untyped-def]
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a scan whose process dies after the pages were spooled, before anything was stored
    WHEN the application starts again THEN the spooled pages are attached, exactly once."""
    def die(*_args: object, **_kwargs: object) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(service, "build_pdf", die)
        with pytest.raises(Crash):
            service.scan_into_dossier(app_ctx, f"folder:{pages}", code, 3, OFFICER)
    assert service.attachments_of(app_ctx, code) == []
    [outcome] = service.resume_pending_scans(app_ctx)
    assert outcome.code == code and outcome.component_index == 3 and outcome.pages == 3
    assert outcome.blank_pages == (1,)
    assert [a.sha256 for a in service.attachments_of(app_ctx, code)] == [outcome.attachment.sha256]
    assert service.resume_pending_scans(app_ctx) == []
    assert len(service.attachments_of(app_ctx, code)) == 1
    assert spool_batches(app_ctx) == []  # the finished batch was cleaned up


def test_resume_after_a_crash_between_commit_and_done(app_ctx, code: str, pages: Path,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def die(_self: SpoolBatch) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(SpoolBatch, "mark_done", die)
        with pytest.raises(Crash):
            service.scan_into_dossier(app_ctx, f"file:{pages / 'trang10.jpg'}", code, 6, OFFICER)
    assert len(service.attachments_of(app_ctx, code)) == 1  # committed
    assert service.resume_pending_scans(app_ctx) == []
    assert len(service.attachments_of(app_ctx, code)) == 1  # not attached twice
    assert all(SpoolBatch(b).done for b in spool_batches(app_ctx))


def test_cancel_attaches_nothing(app_ctx, code: str, pages: Path) -> None:  # type: ignore[no-untyped-def]
    cancel = CancelToken()

    def progress(update: ProgressUpdate) -> None:
        if update.done >= 1:
            cancel.cancel()

    with pytest.raises(CancelledError):
        service.scan_into_dossier(app_ctx, f"folder:{pages}", code, 5, OFFICER, cancel=cancel,
                                  progress=progress)
    assert service.attachments_of(app_ctx, code) == []
    assert service.resume_pending_scans(app_ctx) == []


def test_scanner_jam_keeps_pages_for_resume(app_ctx, code: str) -> None:  # type: ignore[no-untyped-def]
    """GIVEN an eSCL feeder that jams after two sheets WHEN scanning THEN a Vietnamese error says
    the pages were kept, and resuming attaches those two pages."""
    with EsclServer(FakeScanner(feeder_pages=5, jam_after=2)) as server, pytest.raises(ScanError) as caught:
        service.scan_into_dossier(app_ctx, f"escl:{server.url}?source=adf", code, 6, OFFICER)
    assert "kẹt giấy" in caught.value.message_vi and "giữ lại" in caught.value.message_vi
    [outcome] = service.resume_pending_scans(app_ctx)
    assert outcome.pages == 2 and outcome.component_index == 6


def test_corrupted_attachment_is_detected(app_ctx, code: str, pages: Path) -> None:  # type: ignore[no-untyped-def]
    outcome = service.scan_into_dossier(app_ctx, f"file:{pages / 'trang1.png'}", code, 0, OFFICER)
    path = app_ctx.db.blobs.path_of(outcome.attachment.sha256)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(BlobCorruptedError):
        service.open_attachment(app_ctx, outcome.attachment.sha256)
