"""Sealing the scan spools (``spool/``, ``batch-spool/``) with the data folder's keys.

A spool file is an ``MCB1`` file (:mod:`app.store.crypto`: AES-256-GCM in 64 KiB chunks, random
salt per file, header naming the key id) whose key is bound to the file's spool name
(:func:`app.core.sealing.spool_name`)::

    spool key  = HKDF-SHA256(data key, info = "motcua spool")
    file root  = HKDF-SHA256(spool key, info = "motcua spool file\\0" + name (UTF-8, NFC))

The file root takes the place of the blob key in the ``MCB1`` format (which derives a per-file key
from it with the header's salt). A file renamed, or moved into another batch or spool, fails
authentication like an altered one. Files without the ``MCB1`` magic (written before sealing
existed) are read as they are.

:func:`seal_spools` re-writes every spool file not sealed with a given key (plain ones, or those
of the key being retired): used by the conversion of a plain data folder and by key rotation, so
that a retired key opens nothing left in the spools.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core import sealing
from app.core.fileio import atomic_write_bytes
from app.store import crypto
from app.store.paths import SPOOL_DIR_NAMES

if TYPE_CHECKING:
    from app.store.data_key import DataKeys

log = logging.getLogger(__name__)

SPOOL_CIPHER = "aes-256-gcm-chunked, key bound to the file name"
#: Files of a spool batch that hold nothing personal and are read by other means: left plain.
_LEFT_PLAIN = (".done", ".lock")


def _file_root(spool_key: bytes, name: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=crypto.KEY_BYTES, salt=None,
                info=b"motcua spool file\0" + name.encode("utf-8")).derive(spool_key)


class SpoolSealer:
    """The :class:`app.core.sealing.Sealer` of a data folder: seals with its current key, opens
    with any key it holds (the current one, and a rotation's pending one)."""

    def __init__(self, keys: DataKeys) -> None:
        self.keys = keys
        self._spool_keys: dict[str, bytes] = {}

    @property
    def key_id(self) -> str:
        return self.keys.key_id

    def _spool_key(self, kid: str) -> bytes | None:
        if kid not in self._spool_keys:
            key = self.keys.keys.get(kid)
            if key is None:
                return None
            self._spool_keys[kid] = crypto.subkey(key, "spool")
        return self._spool_keys[kid]

    def seal(self, data: bytes, name: str) -> bytes:
        kid = self.keys.key_id
        root = _file_root(self._spool_key(kid), name)  # type: ignore[arg-type]
        return crypto.encrypt_bytes(data, root, kid)

    def open(self, data: bytes, name: str) -> bytes:
        if not sealing.is_sealed(data):
            return data  # written before the spools were sealed
        if not crypto.is_encrypted_header(data[:crypto.HEADER_BYTES]):
            raise sealing.damaged(name, "truncated header")
        if self._spool_key(crypto.header_key_id(data)) is None:
            raise sealing.wrong_key(name)

        def root(kid: str) -> bytes | None:
            spool_key = self._spool_key(kid)
            return None if spool_key is None else _file_root(spool_key, name)

        try:
            return crypto.decrypt_bytes(data, root)
        except crypto.BlobDecryptError as exc:
            raise sealing.damaged(name, exc.detail) from None


def spool_files(data_dir: Path) -> list[Path]:
    """Every file of every batch of the spools of ``data_dir`` (markers and temporary files left
    out), sorted."""
    out = []
    for folder in SPOOL_DIR_NAMES:
        root = Path(data_dir) / folder
        if not root.is_dir():
            continue
        for path in root.glob("*/*"):
            name = path.name
            if name in _LEFT_PLAIN or name.endswith(".part") or not path.is_file():
                continue
            out.append(path)
    return sorted(out)


def seal_spools(data_dir: Path, keys: DataKeys) -> int:
    """Re-write every spool file of ``data_dir`` that is plain or sealed with another key of
    ``keys`` sealed with ``keys``' current key, one atomic file at a time; a file that cannot be
    opened (altered, or under a key ``keys`` does not hold) is left as it is. Returns how many
    were re-written. Run while nothing scans into the spools (conversion, rotation)."""
    sealer = SpoolSealer(keys)
    done = 0
    for path in spool_files(data_dir):
        try:
            raw = path.read_bytes()
        except OSError:  # removed meanwhile (a batch cleaned up)
            continue
        if sealing.is_sealed(raw) and crypto.header_key_id(raw[:crypto.HEADER_BYTES]) == keys.key_id:
            continue
        name = sealing.spool_name(path)
        try:
            plain = sealer.open(raw, name)
        except sealing.SealedFileError as exc:
            log.warning("spool file %s/%s cannot be opened; left as it is: %s", path.parent.name, path.name,
                        exc.message_en)
            continue
        atomic_write_bytes(path, sealer.seal(plain, name), prefix=".tmp-")
        done += 1
    return done
