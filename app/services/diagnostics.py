""""Collect diagnostics": one zip for support, without personal data.

The zip holds::

    README.txt       what is inside and what was removed
    versions.json    program, Python, SQLite, SQLAlchemy, Qt and OS versions; database kind, schema
                     revision, counts
    settings.json    the station's settings; only keys known to hold no personal data or secret keep
                     their value, every other key is listed with "<đã ẩn>"
    verify.json      the result of ``motcua verify`` (dossier codes and hashes, no personal data)
    logs/…           the log files, every line masked again on the way out

Logs are masked when written (:mod:`app.services.logging_setup`); masking again here also covers
lines written by an older version or by hand.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import sqlite3
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from app import __version__
from app.core.clock import vn_now
from app.core.privacy import mask_personal_data
from app.services import context as keys
from app.services.context import AppContext
from app.services.logging_setup import LOG_FILE_NAME, logs_dir
from app.store.repositories import SettingsRepository

HIDDEN = "<đã ẩn>"
#: Settings whose values say nothing about people and hold no secret.
SAFE_SETTINGS = frozenset({
    keys.AGENCY_CODE, keys.AGENCY_NAME, keys.PLACE_NAME, keys.STATION_ID, keys.STATION_BLOCK,
    keys.OFFICE_HOURS, keys.INITIALISED_AT, keys.DEMO_SEEDED_AT, keys.DEMO_COUNT, keys.FORM_SET,
    keys.PARENT_AGENCY, keys.UNIT_NAME, keys.DATE_PLACE, keys.DISPLAY_NAME, keys.HEAD_TITLE,
    "backup.keep", "backup.last_at", "blob_root",
})
PACKAGES = ("motcua-desk", "SQLAlchemy", "alembic", "PySide6-Essentials", "reportlab", "pillow", "numpy",
            "opencv-python-headless", "zxing-cpp", "pikepdf", "psycopg")
README = """Thông tin chẩn đoán MotCua Desk / MotCua Desk diagnostics
Tạo lúc / created: {created}

versions.json  phiên bản phần mềm và hệ thống / program and system versions
settings.json  cài đặt (giá trị có thể chứa dữ liệu cá nhân hoặc bí mật đã được ẩn)
verify.json    kết quả kiểm tra dữ liệu (motcua verify)
logs/          nhật ký; số CCCD/CMND, số điện thoại, thư điện tử đã được che

Không có hồ sơ, tên, địa chỉ hay tệp quét nào trong tệp này.
No dossier, name, address or scanned file is included.
"""


@dataclass(frozen=True)
class DiagnosticsResult:
    path: Path
    files: list[str]
    verify_ok: bool | None


def _versions(ctx: AppContext) -> dict[str, Any]:
    packages = {}
    for name in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            packages[name] = metadata.version(name)
    info: dict[str, Any] = {
        "app_version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
        "packages": packages,
        "database": ctx.db.dialect,
    }
    with contextlib.suppress(Exception):
        info["db_revision"] = ctx.db.current_revision()
    return info


def safe_settings(ctx: AppContext) -> dict[str, str]:
    with ctx.session() as session:
        values = SettingsRepository(session).all()
    return {key: (mask_personal_data(value) if key in SAFE_SETTINGS else HIDDEN)
            for key, value in values.items()}


def _log_files(data_dir: Path) -> list[Path]:
    folder = logs_dir(data_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.startswith(LOG_FILE_NAME))


def _masked_log(path: Path) -> bytes:
    with open(path, encoding="utf-8", errors="replace") as f:
        return "".join(mask_personal_data(line) for line in f).encode("utf-8")


def collect_diagnostics(ctx: AppContext, out: Path, *, run_verify: bool = True,
                        now: datetime | None = None) -> DiagnosticsResult:
    """Write the diagnostics zip to ``out`` (atomically); see the module documentation."""
    from app.services.verify import verify

    now = now or vn_now()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.part")
    names: list[str] = []
    verify_ok: bool | None = None
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            def add(name: str, data: bytes | str) -> None:
                zf.writestr(name, data)
                names.append(name)

            add("README.txt", README.format(created=now.isoformat(timespec="seconds")))
            add("versions.json", json.dumps(_versions(ctx), ensure_ascii=False, indent=2))
            add("settings.json", json.dumps(safe_settings(ctx), ensure_ascii=False, indent=2))
            if run_verify:
                try:
                    report = verify(ctx).to_json()
                    verify_ok = bool(report["ok"])
                except Exception as exc:  # a broken store is exactly when diagnostics are wanted
                    report = {"error": f"{type(exc).__name__}: {exc}"}
                add("verify.json", mask_personal_data(json.dumps(report, ensure_ascii=False, indent=2)))
            for path in _log_files(ctx.data_dir):
                add(f"logs/{path.name}", _masked_log(path))
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return DiagnosticsResult(out, names, verify_ok)
