"""Start-up recovery of interrupted scans: pages a crash left in the spool are attached once, when
the application (or ``motcua scan``) starts again; a batch a scanner error stopped is left to the
officer (``motcua scan --resume`` or scanning again)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from app.core.cccd import applicant_from_qr, parse_cccd_qr
from app.scanning.errors import ScanError
from app.services import reception
from app.services import scanning as service
from app.services.auth import Officer, Role
from tests.scanning.escl_fake_server import EsclServer, FakeScanner
from tests.scanning.scan_helpers import save, text_page

QR = ("079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|"
      "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh|01072021")
OFFICER = Officer("mai", "Phạm Thị Mai", Role.CLERK)


class Crash(BaseException):
    """The process dying at a chosen line."""


@pytest.fixture
def code(app_ctx) -> str:  # type: ignore[no-untyped-def]
    request = reception.ReceiveRequest("1.001193", applicant_from_qr(parse_cccd_qr(QR)),
                                       received_at=datetime(2025, 3, 18, 10, 30))
    return reception.receive_dossier(app_ctx, request, Officer("hung", "Lê Văn Hùng", Role.OFFICER)).code


def crash_after_spooling(app_ctx, code: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def die(*_args: object, **_kwargs: object) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(service, "build_pdf", die)
        with pytest.raises(Crash):
            service.scan_into_dossier(app_ctx, f"folder:{folder}", code, 2, OFFICER)


def test_startup_recovery_attaches_crashed_pages_exactly_once(app_ctx, code: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN two pages spooled by a scan whose process died before storing anything
    WHEN the application starts (twice) THEN the pages are attached once, with a Vietnamese notice."""
    for n in (1, 2):
        save(text_page(lines=8, seed=n), tmp_path / f"trang{n}.png", dpi=(200, 200))
    crash_after_spooling(app_ctx, code, tmp_path, monkeypatch)
    assert service.attachments_of(app_ctx, code) == []
    spooled = sorted(p for p in (app_ctx.data_dir / "spool").rglob("*") if p.is_file())
    assert [p.name for p in spooled] == [".batch.json", "00001.png", "00002.png"]  # no original name
    assert all(p.read_bytes().startswith(b"MCB1") for p in spooled)  # sealed: pages and what they are for

    outcomes, notice = service.recover_at_startup(app_ctx)
    assert [(o.code, o.component_index, o.pages) for o in outcomes] == [(code, 2, 2)]
    assert notice.startswith("Đã khôi phục 2 trang quét") and code in notice
    [attachment] = service.attachments_of(app_ctx, code)
    assert attachment.pages == 2 and attachment.component_index == 2

    assert service.recover_at_startup(app_ctx) == ([], "")  # the next start finds nothing
    assert len(service.attachments_of(app_ctx, code)) == 1


def test_startup_recovery_leaves_a_batch_stopped_by_a_jam(app_ctx, code: str) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a feeder that jammed after two sheets (the officer was told to resume or rescan)
    WHEN the application starts THEN nothing is attached automatically; --resume still attaches."""
    with EsclServer(FakeScanner(feeder_pages=5, jam_after=2)) as server, pytest.raises(ScanError):
        service.scan_into_dossier(app_ctx, f"escl:{server.url}?source=adf", code, 6, OFFICER)
    assert service.recover_at_startup(app_ctx) == ([], "")
    assert service.attachments_of(app_ctx, code) == []
    [outcome] = service.resume_pending_scans(app_ctx)
    assert outcome.pages == 2


def test_station_batch_left_by_a_crash_is_offered_without_saved_pages(app_ctx, code: str) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a station spool batch with three scanned pages, one of them already saved, and no
    .done mark (the station ended abruptly) WHEN the station looks for unfinished batches THEN it
    gets the two unsaved pages of that dossier's batch only; a finished batch is not offered."""
    from app.services import scan_station as station
    from app.services.scan_deck import StationPage

    batch = station.new_spool_batch(app_ctx, code, OFFICER)
    files = [batch.put(text_page(lines=4, seed=n), dpi=200) for n in (1, 2, 3)]
    other = station.new_spool_batch(app_ctx, "000.00.00.H00-000000-0000", OFFICER)
    other.put(text_page(lines=4, seed=9), dpi=200)
    saved = StationPage(1, None, None, spooled=str(files[0]))  # type: ignore[arg-type]
    station.mark_saved(batch, [saved])

    [found] = station.unfinished_batches(app_ctx, code)
    assert found.batch.path == batch.path and found.pages == tuple(files[1:])
    station.finish_spool(batch)
    assert station.unfinished_batches(app_ctx, code) == []


def test_startup_recovery_reads_the_plain_spool_of_an_older_version(app_ctx, code: str) -> None:  # type: ignore[no-untyped-def]
    """GIVEN a spool batch an older version left (plain PNG pages and plain .batch.json, no seal)
    WHEN the application starts THEN its pages are attached as before."""
    import json
    import os
    import socket

    from app.scanning.profile import get_profile

    folder = app_ctx.data_dir / "spool" / "20250101-080000-0ld0ld00"
    folder.mkdir(parents=True)
    for n in (1, 2):
        save(text_page(lines=6, seed=n), folder / f"{n:05d}.png", dpi=(200, 200))
    job = {"kind": service.JOB_KIND, "code": code, "component_index": 1, "component_name": "",
           "officer": {"username": OFFICER.username, "full_name": OFFICER.full_name,
                       "role": str(OFFICER.role)},
           "profile": get_profile("default").to_dict(), "source": "sane:old", "pid": os.getpid() + 10**7,
           "host": socket.gethostname(), "started_at": "2025-01-01T08:00:00"}
    (folder / ".batch.json").write_text(json.dumps(job), encoding="utf-8")
    outcomes, _notice = service.recover_at_startup(app_ctx)
    assert [(o.code, o.pages) for o in outcomes] == [(code, 2)]
