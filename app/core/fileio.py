"""Durable, atomic file writes: the one primitive every layer that writes files shares.

Why this lives in ``app.core`` although core does no I/O of its own: the layers that write files
(``app.store``, ``app.scanning``, ``app.documents``, ``app.sync``) sit side by side and may not
import each other, so a helper they all need can only live below them. This module holds no
storage policy (where files go, how they are named or kept: that is ``app.store``'s); it is a
POSIX/Windows primitive, like ``os.replace`` itself, and ``app.core``'s domain code never calls it.

``atomic_write`` writes through a temporary file in the target's folder, flushes and fsyncs it,
renames it over the target (``os.replace``: atomic on one file system) and fsyncs the folder, so
after a crash the target is either the old file or the complete new one, never a torn one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (no-op on Windows, where a folder cannot be
    opened for fsync and NTFS journals the rename)."""
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(target: Path, write: Callable[[BinaryIO], object], *, prefix: str = ".tmp-",
                 suffix: str = ".part", sync_dir: bool = True) -> Path:
    """Create or replace ``target`` with what ``write(file)`` writes, atomically and durably.
    The folder must exist. On any failure the temporary file is removed and ``target`` is left
    as it was."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if sync_dir:
        fsync_dir(target.parent)
    return target


def write_private(target: Path, data: bytes) -> Path:
    """:func:`atomic_write_bytes` of a file only its owner may read (keys, tokens): ``mkstemp``
    creates the temporary file with mode 0600 and the rename keeps it. Creates the folder."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(target, data, prefix=f".{target.name}.", suffix=".tmp")


def atomic_write_bytes(target: Path, data: bytes, *, prefix: str = ".tmp-", suffix: str = ".part",
                       sync_dir: bool = True) -> Path:
    """:func:`atomic_write` of ``data``."""
    return atomic_write(target, lambda fh: fh.write(data), prefix=prefix, suffix=suffix, sync_dir=sync_dir)
