"""Encryption at rest: the blob file format and the key primitives (no key storage here, see
:mod:`app.store.data_key`).

Blob files (``MCB1``), written by :func:`encrypt_stream` and read by :class:`DecryptingReader`::

    header (32 bytes) = b"MCB1" | key id (8 bytes) | salt (16 bytes) | chunk size (uint32, big-endian)
    chunk i           = AES-256-GCM(file key, nonce = i as 12 bytes, plain chunk, AAD)
                        -> ciphertext + 16-byte tag
    file key          = HKDF-SHA256(blob key, salt = header salt, info = b"motcua blob file")
    AAD               = header | i (uint64) | final flag (1 byte)

Every chunk holds ``chunk size`` plain bytes except the last, which holds fewer (possibly none)
and is flagged final in its AAD: a file cut at any point, chunks swapped, dropped or moved to
another file, a header edited, all fail authentication. A fresh random salt per file gives each
file its own key, so the counter nonces never repeat under one key. The plain size follows from
the file size, and chunks can be decrypted one at a time: reading is streamed and seekable.

Small files held in memory (the pages of the scan spools, :mod:`app.store.sealer`) use the same
format through :func:`encrypt_bytes` and :func:`decrypt_bytes`.

Data keys are random 256-bit keys; :func:`subkey` derives the SQLCipher key and the blob key from
it (HKDF with distinct labels), :func:`key_id` is a short public check value of a data key.
:func:`wrap_key` protects a data key with an administrator's recovery secret (argon2id, then
AES key wrap with padding, RFC 5649).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import struct
from collections.abc import Callable
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap_with_padding,
    aes_key_wrap_with_padding,
)

from app.core.errors import MotCuaError

MAGIC = b"MCB1"
KEY_BYTES = 32
KEY_ID_BYTES = 8
SALT_BYTES = 16
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + SALT_BYTES + 4
CHUNK_SIZE = 64 * 1024
_MAX_CHUNK = 16 * 1024 * 1024
BLOB_CIPHER = "aes-256-gcm-chunked"
DB_CIPHER = "sqlcipher-4"
#: argon2id cost of the recovery-secret key: 64 MiB, 3 passes (OWASP's second recommended profile).
ARGON2_TIME, ARGON2_MEMORY_KIB, ARGON2_LANES = 3, 64 * 1024, 2


class BlobDecryptError(MotCuaError):
    """A stored file that cannot be decrypted: altered, truncated, or sealed with another key."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"encrypted blob cannot be read: {detail}",
                         "Tệp lưu trữ đã mã hóa không đọc được: tệp bị cắt cụt, bị thay đổi hoặc được "
                         "mã hóa bằng khóa khác. Hãy khôi phục từ bản sao lưu.")
        self.detail = detail


class WrongSecretError(MotCuaError):
    """The recovery secret does not open the wrapped key."""

    def __init__(self) -> None:
        super().__init__("the recovery secret does not match the key file",
                         "Mã khôi phục của quản trị viên không đúng với tệp khóa: không mở được khóa "
                         "dữ liệu.")


# --------------------------------------------------------------------------- keys


def new_data_key() -> bytes:
    return os.urandom(KEY_BYTES)


def subkey(data_key: bytes, label: str) -> bytes:
    """A 256-bit key for one use (``"sqlcipher"``, ``"blobs"``) derived from the data key."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None,
                info=f"motcua {label}".encode()).derive(data_key)


def key_id(data_key: bytes) -> str:
    """A public check value naming a data key (16 hex digits); reveals nothing about the key."""
    return hmac.new(data_key, b"motcua key id", hashlib.sha256).hexdigest()[: 2 * KEY_ID_BYTES]


def sqlcipher_key(data_key: bytes) -> str:
    """The ``PRAGMA key`` value: a raw 256-bit key (no passphrase derivation at every open)."""
    return f"x'{subkey(data_key, 'sqlcipher').hex()}'"


def derive_kek(secret: str, salt: bytes, *, time_cost: int = ARGON2_TIME, memory_kib: int = ARGON2_MEMORY_KIB,
               lanes: int = ARGON2_LANES) -> bytes:
    from argon2.low_level import Type, hash_secret_raw

    return hash_secret_raw(secret.encode("utf-8"), salt, time_cost=time_cost, memory_cost=memory_kib,
                           parallelism=lanes, hash_len=KEY_BYTES, type=Type.ID)


def wrap_key(data_key: bytes, secret: str) -> dict[str, object]:
    """The data key wrapped by a key derived from ``secret`` (a JSON-able record)."""
    salt = os.urandom(SALT_BYTES)
    kek = derive_kek(secret, salt)
    return {"kdf": "argon2id", "t": ARGON2_TIME, "m": ARGON2_MEMORY_KIB, "p": ARGON2_LANES,
            "salt": salt.hex(), "wrap": "aes-kw-pad",
            "wrapped": aes_key_wrap_with_padding(kek, data_key).hex()}


def unwrap_key(record: dict[str, object], secret: str) -> bytes:
    try:
        salt = bytes.fromhex(str(record["salt"]))
        kek = derive_kek(secret, salt, time_cost=int(record["t"]), memory_kib=int(record["m"]),  # type: ignore[call-overload]
                         lanes=int(record["p"]))  # type: ignore[call-overload]
        return aes_key_unwrap_with_padding(kek, bytes.fromhex(str(record["wrapped"])))
    except (InvalidUnwrap, KeyError, ValueError, TypeError):
        raise WrongSecretError() from None


# --------------------------------------------------------------------------- blobs


def is_encrypted_header(head: bytes) -> bool:
    return len(head) >= HEADER_BYTES and head[:4] == MAGIC


def header_key_id(head: bytes) -> str:
    return head[4:4 + KEY_ID_BYTES].hex()


def _file_cipher(blob_key: bytes, salt: bytes) -> AESGCM:
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt,
                       info=b"motcua blob file").derive(blob_key))


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def _aad(header: bytes, index: int, final: bool) -> bytes:
    return header + struct.pack(">QB", index, 1 if final else 0)


def encrypt_stream(src: BinaryIO, dst: BinaryIO, blob_key: bytes, kid: str,
                   chunk_size: int = CHUNK_SIZE, on_plain: Callable[[bytes], None] | None = None) -> int:
    """Encrypt ``src`` into ``dst`` chunk by chunk (memory stays at two chunks); returns the plain
    size. ``on_plain`` sees every plain chunk (to hash it on the way)."""
    header = MAGIC + bytes.fromhex(kid) + os.urandom(SALT_BYTES) + struct.pack(">I", chunk_size)
    aes = _file_cipher(blob_key, header[4 + KEY_ID_BYTES:4 + KEY_ID_BYTES + SALT_BYTES])
    dst.write(header)
    index, total = 0, 0
    current = _read_full(src, chunk_size)
    while True:
        nxt = _read_full(src, chunk_size) if len(current) == chunk_size else b""
        final = len(current) < chunk_size
        if on_plain is not None:
            on_plain(current)
        dst.write(aes.encrypt(_nonce(index), current, _aad(header, index, final)))
        total += len(current)
        if final:
            return total
        index += 1
        current = nxt


def _read_full(f: BinaryIO, n: int) -> bytes:
    parts, left = [], n
    while left > 0:
        block = f.read(left)
        if not block:
            break
        parts.append(block)
        left -= len(block)
    return b"".join(parts)


class DecryptingReader(io.RawIOBase):
    """A readable, seekable view of the plain content of an ``MCB1`` file (chunks decrypted on
    demand). ``keys`` maps key ids to blob keys."""

    def __init__(self, f: BinaryIO, keys: Callable[[str], bytes | None]) -> None:
        super().__init__()
        self._f = f
        header = _read_full(f, HEADER_BYTES)
        if not is_encrypted_header(header):
            raise BlobDecryptError("not an encrypted blob (bad header)")
        self._header = header
        self.key_id = header_key_id(header)
        blob_key = keys(self.key_id)
        if blob_key is None:
            raise BlobDecryptError(f"no key {self.key_id}")
        self._chunk = struct.unpack(">I", header[-4:])[0]
        if not 0 < self._chunk <= _MAX_CHUNK:
            raise BlobDecryptError("bad chunk size")
        self._aes = _file_cipher(blob_key, header[4 + KEY_ID_BYTES:4 + KEY_ID_BYTES + SALT_BYTES])
        body = os.fstat(f.fileno()).st_size - HEADER_BYTES
        stride = self._chunk + TAG_BYTES
        self._chunks = -(-body // stride) if body > 0 else 0
        if self._chunks == 0 or body - (self._chunks - 1) * stride < TAG_BYTES:
            raise BlobDecryptError("truncated")
        self.size = body - self._chunks * TAG_BYTES
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None

    def _plain_chunk(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        stride = self._chunk + TAG_BYTES
        self._f.seek(HEADER_BYTES + index * stride)
        sealed = _read_full(self._f, stride)
        final = index == self._chunks - 1
        if final == (len(sealed) == stride):  # a full chunk is never final, a short one always is
            raise BlobDecryptError("truncated")
        try:
            plain = self._aes.decrypt(_nonce(index), sealed, _aad(self._header, index, final))
        except InvalidTag:
            raise BlobDecryptError(f"chunk {index} fails authentication") from None
        self._cached = (index, plain)
        return plain

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._pos >= self.size:
            if self._pos == self.size and self._chunks and self.size % self._chunk == 0:
                self._plain_chunk(self._chunks - 1)  # authenticate the (empty) final chunk
            return 0
        index, offset = divmod(self._pos, self._chunk)
        plain = self._plain_chunk(index)
        n = min(len(buffer), len(plain) - offset)
        buffer[:n] = plain[offset:offset + n]
        self._pos += n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if not self.closed:
            self._f.close()
        super().close()


def open_decrypted(f: BinaryIO, keys: Callable[[str], bytes | None]) -> io.BufferedReader:
    return io.BufferedReader(DecryptingReader(f, keys), buffer_size=CHUNK_SIZE)


# --------------------------------------------------------------------------- small files in memory


def encrypt_bytes(data: bytes, blob_key: bytes, kid: str, chunk_size: int = CHUNK_SIZE) -> bytes:
    """``data`` as a whole ``MCB1`` file (for small files held in memory: scanned pages)."""
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, blob_key, kid, chunk_size)
    return out.getvalue()


def decrypt_bytes(sealed: bytes, keys: Callable[[str], bytes | None]) -> bytes:
    """The plain content of a whole ``MCB1`` file held in memory; the same checks as
    :class:`DecryptingReader` (every chunk authenticated, truncation and reordering detected)."""
    header = bytes(sealed[:HEADER_BYTES])
    if not is_encrypted_header(header):
        raise BlobDecryptError("not an encrypted blob (bad header)")
    blob_key = keys(header_key_id(header))
    if blob_key is None:
        raise BlobDecryptError(f"no key {header_key_id(header)}")
    chunk = struct.unpack(">I", header[-4:])[0]
    if not 0 < chunk <= _MAX_CHUNK:
        raise BlobDecryptError("bad chunk size")
    aes = _file_cipher(blob_key, header[4 + KEY_ID_BYTES:4 + KEY_ID_BYTES + SALT_BYTES])
    body = len(sealed) - HEADER_BYTES
    stride = chunk + TAG_BYTES
    count = -(-body // stride) if body > 0 else 0
    if count == 0 or body - (count - 1) * stride < TAG_BYTES:
        raise BlobDecryptError("truncated")
    view = memoryview(sealed)
    parts = []
    for index in range(count):
        start = HEADER_BYTES + index * stride
        piece = view[start:start + stride]
        final = index == count - 1
        if final == (len(piece) == stride):  # a full chunk is never final, a short one always is
            raise BlobDecryptError("truncated")
        try:
            parts.append(aes.decrypt(_nonce(index), bytes(piece), _aad(header, index, final)))
        except InvalidTag:
            raise BlobDecryptError(f"chunk {index} fails authentication") from None
    return b"".join(parts)
