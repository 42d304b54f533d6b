"""Trusting a backup: the manifest authenticated with the data key, every file checked before use.

The manifest's SHA-256 marker only tells a finished backup from an interrupted one: anybody can
rewrite a manifest and its marker. So an encrypted backup also carries ``manifest.json.mac``: the
HMAC-SHA256 of the manifest's bytes under a key derived from the data key named in the manifest
(``crypto.subkey(data_key, "backup manifest")``). Only a holder of that data key (this station, or
the administrator with the recovery secret) can write a manifest that passes.

Before a restore replaces anything (and in ``motcua verify --deep``):

* the MAC must match (an encrypted backup without one, or with a wrong one, is refused);
* a backup claiming to be plain (no encryption: made before encryption at rest, so it cannot carry
  a MAC) is refused into a data folder that has a key: it would replace encrypted data with
  whatever an unauthenticated folder holds;
* the database must be encrypted when the manifest says it is (a plain SQLite file put in its place
  is refused);
* every blob is decrypted in full and its plain content must hash to its name.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from app.store import crypto
from app.store import keys as keystore
from app.store.backup_manifest import (
    MANIFEST_NAME,
    BackupCorruptError,
    BackupError,
    Manifest,
)
from app.store.database import is_plain_sqlite

MAC_NAME = "manifest.json.mac"
READ_CHUNK = 1024 * 1024


def manifest_mac(raw: bytes, data_key: bytes) -> str:
    return hmac.new(crypto.subkey(data_key, "backup manifest"), raw, hashlib.sha256).hexdigest()


def _refused(folder: Path, en: str, vi: str) -> BackupCorruptError:
    return BackupCorruptError(f"backup {folder.name} cannot be trusted: {en}",
                              f"Không tin cậy được bản sao lưu {folder.name}: {vi}. "
                              "Không khôi phục từ bản này.")


def check_authentic(folder: Path, manifest: Manifest, keys: keystore.DataKeys | None, *,
                    target_has_key: bool) -> None:
    """Raise unless the manifest of ``folder`` is authenticated by the key it names (see module)."""
    if manifest.encryption is None:
        if target_has_key:
            raise _refused(folder, "it is a plain, unauthenticated backup and this data folder is encrypted",
                           "bản sao lưu không mã hóa, không có xác thực, trong khi thư mục dữ liệu này "
                           "được mã hóa")
        return
    kid = str(manifest.encryption["key_id"])
    if keys is None or kid not in keys.keys:
        raise BackupError(f"no key {kid} to authenticate backup {folder.name}",
                          f"Không có khóa để xác thực bản sao lưu {folder.name} (cần mã khôi phục).")
    mac_path = folder / MAC_NAME
    try:
        stored = mac_path.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        raise _refused(folder, f"{MAC_NAME} is missing", f"thiếu tệp xác thực {MAC_NAME}") from None
    expected = manifest_mac((folder / MANIFEST_NAME).read_bytes(), keys.keys[kid])
    if not hmac.compare_digest(stored, expected):
        raise _refused(folder, "its manifest fails authentication (altered, or made with another key)",
                       "tệp kê khai đã bị sửa hoặc không do máy này tạo (xác thực không khớp)")


def check_contents(folder: Path, manifest: Manifest, keys: keystore.DataKeys | None) -> int:
    """Check the database's form and decrypt every blob of ``folder`` (nothing is written).
    Returns the number of blobs checked."""
    encryption = manifest.encryption
    if encryption is not None and encryption.get("db") and manifest.dialect == "sqlite" \
            and is_plain_sqlite(folder / manifest.database):
        raise _refused(folder, "the manifest says the database is encrypted but it is a plain SQLite file",
                       "tệp cơ sở dữ liệu không được mã hóa như tệp kê khai ghi")
    for item in manifest.blob_files:
        name = item.path.rsplit("/", 1)[-1]
        if _plain_hash(folder / item.path, keys if encryption is not None else None) != name:
            raise _refused(folder, f"{item.path} does not hold the content its name says",
                           f"tệp {item.path} không đúng nội dung")
    return len(manifest.blob_files)


def _plain_hash(path: Path, keys: keystore.DataKeys | None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        if keys is None:
            while chunk := f.read(READ_CHUNK):
                digest.update(chunk)
            return digest.hexdigest()
        if not crypto.is_encrypted_header(f.read(crypto.HEADER_BYTES)):
            return ""
        f.seek(0)
        try:
            with crypto.open_decrypted(f, keys.blob_key) as plain:  # type: ignore[arg-type]
                while chunk := plain.read(READ_CHUNK):
                    digest.update(chunk)
        except crypto.BlobDecryptError:
            return ""
    return digest.hexdigest()
