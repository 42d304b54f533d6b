"""Faults of the machine, tried for real: a full disk, a read-only data folder, a locked database.

Each time the officer gets a clear Vietnamese message (never an unexpected exception), nothing
that was confirmed is lost, and ``verify`` is clean once the fault is gone.

* Full disk: the data folder lives on a 3 MB tmpfs; receiving goes on until the disk is full. As a
  fallback where mounting is not allowed, the child runs under ``RLIMIT_FSIZE`` (files cannot grow
  past a limit; Python ignores SIGXFSZ so writes fail with EFBIG).
* Read-only: the data folder is seen through a read-only bind mount (``mount -o remount,bind,ro``),
  a real read-only file system that root cannot write either (``chmod`` does not stop root). As a
  fallback for a non-root user, the folder is made read-only with ``chmod``.
* Locked: another process holds ``BEGIN EXCLUSIVE`` on the SQLite file beyond the busy timeout,
  shortened to 300 ms with ``MOTCUA_DB_BUSY_TIMEOUT_MS``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.services.admin.auth import SYSTEM_OFFICER, create_user
from app.services.admin.counter_officer import set_default_officer
from app.services.admin.verify import verify
from app.services.context import AppContext
from app.services.reception.receive import ReceiveRequest, receive_dossier
from app.store.database import BUSY_TIMEOUT_MS, ENV_BUSY_TIMEOUT
from app.store.storage_errors import DatabaseLockedError
from tests.crash.conftest import FAULT_CHILD, child_env, motcua, read_only_view, run_fault_child, tmpfs
from tests.crash.driver import PROCEDURE, RECEIVED_AT, applicant
from tests.crash.harness import CrashReport, check, prepare

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="uses Linux mounts and signals")


def _assert_sound(data_dir: Path, confirmed) -> None:  # type: ignore[no-untyped-def]
    report = check(data_dir, CrashReport(), confirmed)
    assert report.ok, (report.losses, report.duplicates, report.verify_problems)


def _count(data_dir: Path) -> int:
    with AppContext.open(data_dir, create=False) as ctx:
        return verify(ctx).checked["dossiers"]


def test_full_disk_gives_a_clear_message_and_loses_nothing(tmp_path: Path) -> None:
    mount = tmp_path / "small-disk"
    with tmpfs(mount, "3m") as mounted:
        data_dir = mount / "data"
        prepare(data_dir)
        env = child_env()
        filler = mount / "filler.bin"
        if mounted:
            filler.write_bytes(b"\0" * 512 * 1024)
            result, confirmed, error = run_fault_child("fill", str(data_dir), "0", env=env)
        else:  # no mount allowed: files may not grow past 1.5 MB instead
            limit = 1_500_000
            result = subprocess.run(
                [sys.executable, str(FAULT_CHILD), "fill", str(data_dir), "0"], capture_output=True,
                text=True, env=env, timeout=120, check=False,
                preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
            pytest.fail(f"tmpfs could not be mounted (RLIMIT_FSIZE fallback ran: {result.stdout[-500:]})"
                        " — run the tests as root to try a real full disk")
        assert error is not None, result.stdout[-2000:]
        assert error["class"] == "DiskFullError", error
        assert "hết dung lượng" in error["message_vi"]
        assert len(confirmed.dossiers) >= 3  # it did work until the disk was full
        filler.unlink()  # the officer frees some space
        _assert_sound(data_dir, confirmed)
        before = _count(data_dir)
        result, again, error = run_fault_child("receive", str(data_dir), "10000")
        assert error is None and len(again.dossiers) == 1, result.stdout
        assert _count(data_dir) == before + 1
        confirmed.dossiers.update(again.dossiers)
        confirmed.pages |= again.pages
        _assert_sound(data_dir, confirmed)


def test_read_only_data_folder_gives_a_clear_message(tmp_path: Path) -> None:
    data_dir = tmp_path / "real" / "data"
    prepare(data_dir)
    with AppContext.open(data_dir) as ctx:  # `motcua receive` acts as a real officer
        create_user(ctx, "lan", "Trần Thị Lan", "mat khau 12345", "officer", by=SYSTEM_OFFICER)
        set_default_officer(ctx, "lan", SYSTEM_OFFICER)
    _result, confirmed, error = run_fault_child("receive", str(data_dir), "0")
    assert error is None
    view = tmp_path / "view"
    with read_only_view(data_dir.parent, view) as mounted:
        if not mounted:
            if os.geteuid() == 0:
                pytest.fail("cannot bind-mount read-only as root; chmod would not stop root")
            for path in [data_dir, *data_dir.rglob("*")]:
                path.chmod(path.stat().st_mode & ~0o222)
            view = data_dir.parent
        ro_data = view / "data"
        with pytest.raises(OSError):  # really read-only, for root too
            (ro_data / "probe").write_bytes(b"x")
        _result, none, error = run_fault_child("receive", str(ro_data), "1")
        assert not none.dossiers
        assert error is not None and error["class"] == "ReadOnlyStorageError", error
        assert "chỉ đọc" in error["message_vi"]
        qr = "079090000001||Người Thử|12031990|Nam|12 Lê Lợi|01072021"
        result = motcua("receive", "--procedure", PROCEDURE, "--applicant-qr", qr, data_dir=ro_data)
        assert result.returncode == 1 and "chỉ đọc" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        if not mounted:
            for path in [data_dir, *data_dir.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)
    _assert_sound(data_dir, confirmed)
    assert _count(data_dir) == 1


def test_locked_database_gives_a_clear_message_and_loses_nothing(tmp_path: Path, monkeypatch) -> None:
    data_dir = tmp_path / "data"
    prepare(data_dir)
    holder = subprocess.Popen([sys.executable, str(FAULT_CHILD), "hold", str(data_dir / "motcua.db")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=child_env())
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "LOCKED"
        monkeypatch.setenv(ENV_BUSY_TIMEOUT, "300")
        with AppContext.open(data_dir, create=False) as ctx:
            request = ReceiveRequest(PROCEDURE, applicant(1), received_at=RECEIVED_AT, note="crash-op 1")
            started = time.perf_counter()
            with pytest.raises(DatabaseLockedError) as caught:
                receive_dossier(ctx, request, SYSTEM_OFFICER)
            # the short busy timeout (300 ms) applied, not the default ten seconds
            assert time.perf_counter() - started < BUSY_TIMEOUT_MS / 1000
            assert "cơ sở dữ liệu đang bị khóa" in caught.value.message_vi.lower()
            _result, none, error = run_fault_child(
                "receive", str(data_dir), "2", env=child_env(**{ENV_BUSY_TIMEOUT: "300"}))
            assert error is not None and error["class"] == "DatabaseLockedError" and not none.dossiers
            assert holder.stdin is not None
            holder.stdin.close()  # the other program lets go
            assert holder.stdout.readline().strip() == "RELEASED"
            code = receive_dossier(ctx, request, SYSTEM_OFFICER).code
    finally:
        holder.kill()
        holder.wait(timeout=30)
    from tests.crash.harness import Confirmed

    _assert_sound(data_dir, Confirmed(dossiers={1: code}))
    assert _count(data_dir) == 1
