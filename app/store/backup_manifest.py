"""The manifest of a backup folder: what it holds, each file's SHA-256 and size.

``manifest.json`` (UTF-8 JSON object)::

    {"format": "motcua-backup", "version": 1, "created_at": "2026-11-20T16:30:00",
     "app_version": "0.1.0", "dialect": "sqlite", "db_revision": "0002",
     "database": "motcua.db",            # or "dump.sql" (pg_dump, plain SQL) for PostgreSQL
     "encryption": {"db": "sqlcipher-4", "blobs": "aes-256-gcm-chunked", "key_id": "…",
                    "key_file": "motcua.key", "recovery": true},   # null: a plain (older) backup
     "counts": {"blobs": 12, "dossiers": 300},
     "files": [{"path": "motcua.db", "sha256": "…", "size": 1234},
               {"path": "blobs/ab/cd/abcd…", "sha256": "…", "size": 5678}, …]}

``sha256`` is the hash of the bytes *as stored in the backup*; a blob's name is the hash of its
plain content. With encryption at rest they differ, and the manifest verifies the stored
(encrypted) bytes without any key. An encrypted backup also lists ``motcua.key``.
``manifest.json.sha256`` (the SHA-256 of the
manifest's bytes, in hex) is written last, after everything else was flushed to disk: it is the
marker of a complete backup. :func:`parse_manifest` accepts only what this version wrote and raises
:class:`BackupError` for anything else (it is fuzzed).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.core.errors import MotCuaError

FORMAT = "motcua-backup"
VERSION = 1
MANIFEST_NAME = "manifest.json"
MARKER_NAME = "manifest.json.sha256"
SQLITE_FILE = "motcua.db"
KEY_FILE = "motcua.key"
PG_DUMP_FILE = "dump.sql"
BLOBS_PREFIX = "blobs/"
MAX_MANIFEST_BYTES = 512 * 1024 * 1024
_SHA = re.compile(r"[0-9a-f]{64}")
_BLOB_PATH = re.compile(r"blobs/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")
_DATABASE_FILES = {"sqlite": SQLITE_FILE, "postgresql": PG_DUMP_FILE}


class BackupError(MotCuaError):
    """A backup that cannot be made, read or trusted."""


class BackupIncompleteError(BackupError):
    """A backup folder whose writing did not finish, or whose files are missing."""


class BackupCorruptError(BackupError):
    """A backup whose content does not match its manifest."""


@dataclass(frozen=True)
class ManifestFile:
    path: str  # relative, with "/" separators
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    app_version: str
    dialect: str
    db_revision: str | None
    database: str
    files: tuple[ManifestFile, ...]
    counts: dict[str, int] = field(default_factory=dict)
    encryption: dict[str, Any] | None = None
    version: int = VERSION

    def file(self, path: str) -> ManifestFile | None:
        return next((f for f in self.files if f.path == path), None)

    @property
    def blob_files(self) -> list[ManifestFile]:
        return [f for f in self.files if f.path.startswith(BLOBS_PREFIX)]

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)


def manifest_bytes(manifest: Manifest) -> bytes:
    data = {
        "format": FORMAT,
        "version": manifest.version,
        "created_at": manifest.created_at.isoformat(timespec="seconds"),
        "app_version": manifest.app_version,
        "dialect": manifest.dialect,
        "db_revision": manifest.db_revision,
        "database": manifest.database,
        "encryption": manifest.encryption,
        "counts": dict(manifest.counts),
        "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in manifest.files],
    }
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _bad(reason_en: str, reason_vi: str) -> BackupCorruptError:
    return BackupCorruptError(f"invalid backup manifest: {reason_en}",
                              f"Tệp kê khai (manifest.json) của bản sao lưu không hợp lệ: {reason_vi}.")


def _text(data: dict[str, Any], key: str, *, optional: bool = False) -> str | None:
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > 200:
        raise _bad(f"{key!r} must be text", f"trường “{key}” phải là chuỗi ký tự")
    return value


def _file_entry(item: Any, database: str) -> ManifestFile:
    if not isinstance(item, dict) or set(item) != {"path", "sha256", "size"}:
        raise _bad("a file entry must be {path, sha256, size}", "mục tệp phải gồm path, sha256, size")
    path, sha, size = item["path"], item["sha256"], item["size"]
    if not isinstance(path, str) or not (path in (database, KEY_FILE) or _BLOB_PATH.fullmatch(path)):
        shown = repr(path)[:80]
        raise _bad(f"unexpected file path {shown}", f"đường dẫn tệp không hợp lệ {shown}")
    blob = _BLOB_PATH.fullmatch(path)
    if blob and not blob.group(3).startswith(blob.group(1) + blob.group(2)):
        raise _bad(f"blob path {path} is not under its hash", f"tệp {path} không nằm đúng thư mục")
    if not isinstance(sha, str) or not _SHA.fullmatch(sha):
        raise _bad(f"bad sha256 for {path}", f"mã băm của {path} không hợp lệ")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise _bad(f"bad size for {path}", f"kích thước của {path} không hợp lệ")
    return ManifestFile(path, sha, size)


_KEY_ID = re.compile(r"[0-9a-f]{16}")


def _encryption(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad("encryption must be an object", "trường encryption không hợp lệ")
    if value.get("blobs") != "aes-256-gcm-chunked" or value.get("db") not in ("sqlcipher-4", None):
        raise BackupError("this backup uses an encryption this version does not know",
                          "Bản sao lưu dùng kiểu mã hóa mà phiên bản này không biết. Hãy cập nhật phần mềm.")
    kid = value.get("key_id")
    if not isinstance(kid, str) or not _KEY_ID.fullmatch(kid) or value.get("key_file") != KEY_FILE:
        raise _bad("bad key id or key file", "mã khóa hoặc tệp khóa không hợp lệ")
    return {"db": value.get("db"), "blobs": value["blobs"], "key_id": kid, "key_file": KEY_FILE,
            "recovery": bool(value.get("recovery"))}


def parse_manifest(raw: bytes) -> Manifest:
    """The manifest in ``raw``; :class:`BackupError` when it is not one this version can restore."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise _bad("too large", "tệp quá lớn")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _bad("not UTF-8 JSON", "không phải JSON UTF-8") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad("not a MotCua Desk backup", "không phải bản sao lưu MotCua Desk")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise _bad("no version", "thiếu số phiên bản")
    if version != VERSION:
        raise BackupError(f"backup format version {version} is not supported (this program: {VERSION})",
                          f"Bản sao lưu có định dạng phiên bản {version}, phần mềm này chỉ đọc được "
                          f"phiên bản {VERSION}. Hãy cập nhật MotCua Desk.")
    created_text = _text(data, "created_at")
    try:
        created_at = datetime.fromisoformat(created_text or "")
    except ValueError:
        raise _bad("created_at is not a date", "thời điểm tạo không hợp lệ") from None
    dialect = _text(data, "dialect")
    if dialect not in _DATABASE_FILES:
        raise _bad(f"unknown dialect {dialect!r}", "loại cơ sở dữ liệu không hợp lệ")
    database = _text(data, "database")
    if database != _DATABASE_FILES[dialect]:
        raise _bad("database file does not match the dialect", "tệp cơ sở dữ liệu không khớp loại")
    encryption = data.get("encryption")
    if encryption is not None:
        encryption = _encryption(encryption)
    counts = data.get("counts", {})
    if not isinstance(counts, dict) or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in counts.items()):
        raise _bad("counts must map names to numbers", "trường counts không hợp lệ")
    items = data.get("files")
    if not isinstance(items, list):
        raise _bad("files must be a list", "danh sách tệp không hợp lệ")
    files = tuple(_file_entry(item, database) for item in items)
    paths = [f.path for f in files]
    if len(set(paths)) != len(paths):
        raise _bad("a file is listed twice", "có tệp được kê khai hai lần")
    if database not in paths:
        raise _bad("the database file is not listed", "thiếu tệp cơ sở dữ liệu")
    return Manifest(created_at=created_at, app_version=_text(data, "app_version") or "", dialect=dialect,
                    db_revision=_text(data, "db_revision", optional=True), database=database, files=files,
                    counts=dict(counts), encryption=encryption, version=version)
