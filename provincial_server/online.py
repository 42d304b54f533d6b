"""Dossiers a citizen submits online (channel 2, status 1 "Mới đăng ký"), as the province's portal
creates them: the record, its files and the feed entry that tells the agency's stations."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime
from typing import Any

from provincial_server.store import Store, dumps

#: Online dossiers are numbered down from here each day, away from the stations' blocks (upwards).
FIRST_NUMBER = 9999
SUBMITTED = "TrucTuyen"  # the feed's kind for a new online dossier



def _next_code(db: sqlite3.Connection, agency: str, now: datetime) -> str:
    day = now.strftime("%y%m%d")
    key = f"online.{agency}.{day}"
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    number = int(row["value"]) - 1 if row else FIRST_NUMBER
    db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(number)))
    return f"{agency}-{day}-{number:04d}"


def _name(applicant: dict[str, Any]) -> str:
    return " ".join(str(applicant.get("full_name") or "").split())


def submit(
    store: Store,
    now: datetime,
    agency: str,
    procedure: str,
    applicant: dict[str, Any],
    files: list[tuple[str, bytes, str | None]],
    *,
    vneid: bool = False,
) -> str:
    """Create an online dossier of ``agency`` with ``files`` (name, bytes, component code or None)
    as its components; returns its code. ``now`` is the server's clock (Vietnam time, naive)."""
    if not _name(applicant):
        raise ValueError("the applicant has no full_name")
    stamp = now.strftime("%Y%m%d%H%M%S")
    procedure_name = procedure
    with store.read() as db:
        row = db.execute("SELECT record FROM catalogue WHERE ma_tthc = ?", (procedure,)).fetchone()
    if row is not None:
        procedure_name = json.loads(row["record"]).get("TenTTHC") or procedure
    with store.write() as db:
        code = _next_code(db, agency, now)
        id_number = str(applicant.get("id_number") or "")
        record = {
            "MaHoSo": code,
            "MaTTHC": procedure,
            "TenTTHC": procedure_name,
            "KenhThucHien": 2,
            "ChuHoSo": _name(applicant),
            "LoaiDoiTuong": 2 if applicant.get("kind") == "organisation" else 1,
            "SoGiayToChuHoSo": id_number,
            "SoDienThoai": str(applicant.get("phone") or ""),
            "Email": str(applicant.get("email") or ""),
            "DiaChiChuHoSo": str(applicant.get("address") or ""),
            "NgayNopHoSo": stamp,
            "NgayTiepNhan": stamp,
            "NgayHenTra": stamp,  # no appointment until the counter accepts the dossier
            "TrangThaiHoSo": 1,
            "TaiKhoanDuocXacThucVoiVNeID": 1 if vneid else 0,
            "DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": id_number}] if id_number else [],
            "TaiLieuNop": [],
        }
        province = {"NgayCapNhat": stamp}
        db.execute(
            "INSERT INTO dossiers (ma_ho_so, agency, station_id, record, status, province, version, "
            "created_at, updated_at) VALUES (?, ?, 0, ?, 1, ?, 1, ?, ?)",
            (code, agency, dumps(record), dumps(province), now.isoformat(), now.isoformat()),
        )
        for index, (name, data, component) in enumerate(files, start=1):
            sha = hashlib.sha256(data).hexdigest()
            target = store.files_dir / sha
            if not target.exists():
                partial = target.with_suffix(".part")
                partial.write_bytes(data)
                partial.replace(target)
            info = {"TenTep": name, "MaThanhPhanHoSo": component or f"TP{index:02d}"}
            db.execute(
                "INSERT OR IGNORE INTO files (ma_ho_so, sha256, size, info, upload_id, created_at) "
                "VALUES (?, ?, ?, ?, 'online', ?)",
                (code, sha, len(data), dumps(info), now.isoformat()),
            )
        db.execute(
            "INSERT INTO online (ma_ho_so, applicant, vneid, submitted_at) VALUES (?, ?, ?, ?)",
            (code, dumps(applicant), 1 if vneid else 0, now.isoformat()),
        )
        db.execute(
            "INSERT INTO status_log (ma_ho_so, from_status, to_status, source, record, at) "
            "VALUES (?, NULL, 1, 'citizen', ?, ?)",
            (code, dumps(record), stamp),
        )
        Store.add_change(
            db,
            agency,
            code,
            {
                "MaHoSo": code,
                "Loai": SUBMITTED,
                "ThoiDiem": stamp,
                "NguoiXuLy": "",
                "NoiDung": "Hồ sơ nộp trực tuyến",
                "TrangThaiHoSo": 1,
            },
        )
    return code


def applicant_of(store: Store, code: str) -> tuple[dict[str, Any], int] | None:
    """The applicant as the citizen entered it and whether VNeID vouched for them."""
    with store.read() as db:
        row = db.execute("SELECT applicant, vneid FROM online WHERE ma_ho_so = ?", (code,)).fetchone()
    return None if row is None else (json.loads(row["applicant"]), int(row["vneid"]))
