"""Sealing files at rest: the interface the layers that write working files (the scan spools of
``app.scanning``) use, without knowing keys or ciphers.

Why this lives in ``app.core``: ``app.scanning`` may import only ``app.core``, while the keys and
the cipher belong to ``app.store`` (:class:`app.store.sealer.SpoolSealer`). The store provides the
real :class:`Sealer`, the services hand it to the spool; :data:`PLAIN` (no key: tests, in-memory
work) writes plain bytes. Like :mod:`app.core.fileio`, this is infrastructure shared by the layers
side by side, not domain code.

A sealed file starts with :data:`SEALED_MAGIC` (the ``MCB1`` format of :mod:`app.store.crypto`),
so files written plain before sealing existed (or by :data:`PLAIN`) are told apart and still read.
Every file is sealed *to a name* (:func:`spool_name`: its spool folder, batch and file name): a
sealed file moved or copied under another name, into another batch or another spool, does not open.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Protocol

from app.core.errors import MotCuaError

#: The first bytes of a sealed file (``app.store.crypto.MAGIC``; a test checks they agree).
SEALED_MAGIC = b"MCB1"
#: A spool file written but not yet in place (a hot-folder adoption in progress): it is sealed to
#: the name it will have without this prefix.
PENDING_PREFIX = ".adopt-"


def is_sealed(data: bytes) -> bool:
    """Whether ``data`` (a file's content, or at least its first bytes) is a sealed file."""
    return bytes(data[:len(SEALED_MAGIC)]) == SEALED_MAGIC


def spool_name(path: Path) -> str:
    """The name a spool file is sealed to: ``<spool folder>/<batch>/<file>`` (Unicode NFC, so that
    a file system that stores decomposed names does not change it); a pending file (see
    :data:`PENDING_PREFIX`) is sealed to the name it is renamed to."""
    path = Path(path)
    file = path.name
    if file.startswith(PENDING_PREFIX) and not file.endswith(".json"):
        file = file[len(PENDING_PREFIX):]
    return unicodedata.normalize("NFC", f"{path.parent.parent.name}/{path.parent.name}/{file}")


class SealedFileError(MotCuaError):
    """A sealed file that cannot be opened: no key, the wrong key, or altered / moved."""

    def __init__(self, message_en: str, message_vi: str, name: str) -> None:
        super().__init__(message_en, message_vi)
        self.name = name


def wrong_key(name: str) -> SealedFileError:
    return SealedFileError(
        f"spool file {name} is sealed with a key this data folder does not hold",
        f"Không mở được tệp {name} trong hàng đợi quét: tệp được mã hóa bằng khóa khác, không phải "
        "khóa mã hóa của thư mục dữ liệu này (khóa không đúng). Hãy dùng đúng khóa (motcua keys "
        "recover) hoặc quét lại trang.", name)


def no_key(name: str) -> SealedFileError:
    return SealedFileError(
        f"spool file {name} is sealed but no key was given to open it",
        f"Không mở được tệp {name} trong hàng đợi quét: tệp đã được mã hóa nhưng không có khóa mã "
        "hóa để mở.", name)


def damaged(name: str, detail: str) -> SealedFileError:
    return SealedFileError(
        f"spool file {name} cannot be opened: {detail}",
        f"Không mở được tệp {name} trong hàng đợi quét: tệp bị cắt cụt, bị thay đổi hoặc bị chuyển "
        "từ chỗ khác đến. Hãy quét lại trang.", name)


class Sealer(Protocol):
    """Seals and opens whole small files (a scanned page, a batch's metadata) bound to a name."""

    def seal(self, data: bytes, name: str) -> bytes:
        """``data`` sealed to ``name``."""
        ...

    def open(self, data: bytes, name: str) -> bytes:
        """The plain content of a file stored as ``name`` (plain files come back as they are);
        raises :class:`SealedFileError` when it cannot be opened."""
        ...


class PlainSealer:
    """No key: files are written plain; a sealed file found is refused (:func:`no_key`)."""

    def seal(self, data: bytes, name: str) -> bytes:
        return data

    def open(self, data: bytes, name: str) -> bytes:
        if is_sealed(data):
            raise no_key(name)
        return data


PLAIN = PlainSealer()
