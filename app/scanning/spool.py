"""The spool: every page that arrives is on disk before anything else happens to it.

A batch is a folder ``<root>/<batch id>/`` holding the pages as numbered PNG files (lossless,
resolution in the file); ``.done`` is written when the batch has been handled. A crash leaves
batches without it, and :meth:`Spool.pending` finds them at the next start (after NAPS2's
recovery folder). ``.batch.json`` says what the batch is for (:meth:`SpoolBatch.write_meta`).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

_DONE = ".done"
_META = ".batch.json"


def _write_durably(folder: Path, target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".page-", suffix=".part", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(folder)


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SpoolBatch:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def _next_number(self) -> int:
        numbers = [int(p.stem.split("-")[0]) for p in self.path.iterdir() if p.stem.split("-")[0].isdigit()]
        return max(numbers, default=0) + 1

    def put(self, image: np.ndarray, dpi: float | None = None) -> Path:
        """Write one arriving page (grey or RGB array) durably; return its file."""
        from PIL import Image

        target = self.path / f"{self._next_number():05d}.png"
        fd, tmp = tempfile.mkstemp(prefix=".page-", suffix=".part", dir=self.path)
        try:
            with os.fdopen(fd, "wb") as fh:
                options: dict[str, object] = {"compress_level": 1}
                if dpi:
                    options["dpi"] = (dpi, dpi)
                Image.fromarray(image).save(fh, "PNG", **options)
                fh.flush()
                os.fsync(fh.fileno())
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.path)
        return target

    def put_bytes(self, data: bytes, suffix: str) -> Path:
        """Write one arriving page exactly as the device sent it (JPEG, PNG, BMP...) durably."""
        target = self.path / f"{self._next_number():05d}{suffix}"
        _write_durably(self.path, target, data)
        return target

    def copy_in(self, file: Path) -> Path:
        """Copy a file (e.g. one given on the command line) into the batch, keeping its name; the
        original is left where it is."""
        target = self.path / f"{self._next_number():05d}-{Path(file).name}"
        fd, tmp = tempfile.mkstemp(prefix=".page-", suffix=".part", dir=self.path)
        try:
            with os.fdopen(fd, "wb") as out, Path(file).open("rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
            Path(tmp).replace(target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.path)
        return target

    @property
    def name(self) -> str:
        return self.path.name

    def write_meta(self, data: dict[str, Any]) -> None:
        """Remember what the batch is for (``.batch.json``, not a page), so that the batch can be
        finished after a crash."""
        text = json.dumps(data, ensure_ascii=False, indent=1)
        _write_durably(self.path, self.path / _META, text.encode("utf-8"))

    def read_meta(self) -> dict[str, Any] | None:
        try:
            data = json.loads((self.path / _META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def adopt(self, file: Path) -> Path:
        """Move a finished file (e.g. from the hot folder) into the batch, keeping its name."""
        target = self.path / f"{self._next_number():05d}-{file.name}"
        try:
            file.replace(target)  # atomic on one file system
        except OSError:
            shutil.copy2(file, target)
            with target.open("rb+") as fh:
                os.fsync(fh.fileno())
            file.unlink()
        _fsync_dir(self.path)
        return target

    def pages(self) -> list[Path]:
        return sorted(p for p in self.path.iterdir() if p.is_file() and not p.name.startswith("."))

    @property
    def done(self) -> bool:
        return (self.path / _DONE).exists()

    def mark_done(self) -> None:
        (self.path / _DONE).write_text(datetime.now().isoformat(), encoding="utf-8")

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class Spool:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def new_batch(self) -> SpoolBatch:
        name = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
        return SpoolBatch(self.root / name)

    def pending(self) -> list[SpoolBatch]:
        """Batches a crash left unfinished, oldest first."""
        batches = [SpoolBatch(p) for p in sorted(self.root.iterdir()) if p.is_dir()]
        return [b for b in batches if not b.done]

    def clean_done(self) -> int:
        removed = 0
        for path in sorted(self.root.iterdir()):
            if path.is_dir() and (path / _DONE).exists():
                with contextlib.suppress(OSError):
                    shutil.rmtree(path)
                    removed += 1
        return removed
