"""Scans are all-or-nothing per page: a page no PDF can hold is set aside with its reason (the others
are attached), shown once, never retried; a scan reported as not saved (a full disk) is never attached
later; ``scan --resume`` and ``verify`` tell the truth about what is left."""

from __future__ import annotations

import errno
import io
import json
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.core.errors import MotCuaError
from app.scanning.quarantine import quarantined, take_unseen
from app.services import scanning
from app.services.auth import SYSTEM_OFFICER
from app.services.context import AppContext
from app.services.verify import verify
from app.store.repositories import DossierRepository
from tests.security.test_encryption_at_rest import populate, run


@pytest.fixture
def office(tmp_path: Path, small_catalogue: Path) -> tuple[Path, str]:
    data = tmp_path / "data"
    with AppContext.open(data) as ctx:
        code = populate(ctx, small_catalogue)
    return data, code


def good_page(path: Path) -> Path:
    rng = np.random.default_rng(1)
    image = np.full((1100, 800), 245, np.uint8)
    image[200:900:40, 100:700] = rng.integers(0, 60, (18, 600), dtype=np.uint8)
    Image.fromarray(image).save(path, dpi=(300, 300))
    return path


def bad_pages(folder: Path) -> list[Path]:
    """The shapes that used to fail a whole scan with a ValueError from the PDF writer."""
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("L", (2, 2), 255).save(folder / "b-2x2.png", dpi=(300, 300))
    Image.new("L", (1, 1), 0).save(folder / "c-1x1.png", dpi=(300, 300))
    Image.new("L", (60000, 2), 128).save(folder / "d-60000x2.png", dpi=(300, 300))
    frames = [Image.new("L", (8, 8), v) for v in (0, 128, 255)]
    frames[0].save(folder / "e-8x8.tif", save_all=True, append_images=frames[1:], dpi=(300, 300))
    return sorted(folder.glob("[b-e]-*"))


def attachments(data: Path, code: str) -> int:
    with AppContext.open(data) as ctx, ctx.session() as session:
        return len(DossierRepository(session).get(code).attachments)


def test_bad_pages_are_set_aside_and_the_good_one_attached(office: tuple[Path, str], tmp_path: Path) -> None:
    data, code = office
    folder = tmp_path / "in"
    bad = bad_pages(folder)
    good_page(folder / "a-good.png")
    before = attachments(data, code)
    with AppContext.open(data) as ctx:
        outcome = scanning.scan_into_dossier(ctx, f"folder:{folder}", code, None, SYSTEM_OFFICER)
        assert outcome.pages == 1
        assert len(outcome.failures) == len(bad)
        assert all("cannot be a page" in f.error and "trang" in f.error_vi for f in outcome.failures)
        assert next(f["file"] for f in outcome.to_json()["failures"]).endswith("b-2x2.png")
        spool_root = scanning.spool_of(ctx).root
        aside = quarantined(spool_root)
        assert [q.batch for q in aside] == [outcome.batch] and len(aside[0].pages) == len(bad)
        _outcomes, notice = scanning.recover_at_startup(ctx)
        assert "để riêng" in notice  # told once
        assert scanning.recover_at_startup(ctx) == ([], "")  # and not again
        assert scanning.resume_pending_scans(ctx) == []  # never retried
    assert attachments(data, code) == before + 1


def test_a_scan_of_bad_pages_only_is_a_clear_error_and_never_retried(office: tuple[Path, str],
                                                                      tmp_path: Path) -> None:
    data, code = office
    folder = tmp_path / "in"
    bad_pages(folder)
    before = attachments(data, code)
    result = run("scan", "--source", f"folder:{folder}", "--to", code, "--json", data_dir=data)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    error = json.loads(result.stdout)["error"]
    assert "unexpected" not in error and "ValueError" not in error
    started = time.perf_counter()
    resumed = run("scan", "--resume", "--json", data_dir=data)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert json.loads(resumed.stdout) == []  # nothing pending: it was set aside, not left to retry
    assert time.perf_counter() - started < 60
    checked = run("verify", "--json", data_dir=data)
    kinds = [p["kind"] for p in json.loads(checked.stdout)["problems"]]
    assert kinds == ["quarantine"] and checked.returncode == 1
    assert attachments(data, code) == before


def test_a_scan_reported_as_not_saved_is_never_attached_later(office: tuple[Path, str], tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    data, code = office
    page = good_page(tmp_path / "page.png")
    before = attachments(data, code)
    with AppContext.open(data) as ctx:
        def full_disk(_data: bytes) -> str:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(ctx.db.blobs, "put_bytes", full_disk)
        with pytest.raises(MotCuaError):
            scanning.scan_into_dossier(ctx, f"file:{page}", code, None, SYSTEM_OFFICER)
        monkeypatch.undo()  # space was freed
        recovered, notice = scanning.recover_at_startup(ctx)
        assert recovered == [] and "để riêng" in notice  # told once, not attached
        assert scanning.resume_pending_scans(ctx) == []
        assert take_unseen(scanning.spool_of(ctx).root) == []
    assert attachments(data, code) == before


def test_resume_and_verify_tell_the_truth_about_the_spool(office: tuple[Path, str]) -> None:
    data, code = office
    with AppContext.open(data) as ctx:
        spool = scanning.spool_of(ctx)
        crashed = spool.new_batch()  # what a crash leaves: a page, its record, no .done
        crashed.write_meta({"kind": scanning.JOB_KIND, "code": code, "component_index": None,
                            "component_name": "", "officer": {"username": "system", "full_name": "Hệ thống",
                                                              "role": "admin"},
                            "profile": {}, "source": "file:x", "pid": 0, "host": "elsewhere"})
        out = io.BytesIO()
        Image.new("L", (2, 2)).save(out, "PNG")
        crashed.put_bytes(out.getvalue(), ".png")
        unknown = spool.new_batch()  # a page with no readable record
        unknown.put_bytes(out.getvalue(), ".png")
        kinds = [p.kind for p in verify(ctx).problems]
        assert kinds.count("spool_left") == 2
    resumed = run("scan", "--resume", "--json", data_dir=data)
    assert resumed.returncode == 1
    entries = json.loads(resumed.stdout)
    assert sorted(e["batch"] for e in entries) == sorted([crashed.name, unknown.name])
    assert all(e["quarantined"] and e["error"] for e in entries)
    with AppContext.open(data) as ctx:
        kinds = [p.kind for p in verify(ctx).problems]
        assert kinds == ["quarantine", "quarantine"]
