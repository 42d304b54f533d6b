"""The spool: every page that arrives is on disk before anything else happens to it.

A batch is a folder ``<root>/<batch id>/`` holding the pages as numbered PNG files (lossless,
resolution in the file); ``.done`` is written when the batch has been handled. A crash leaves
batches without it, and :meth:`Spool.pending` finds them at the next start (after NAPS2's
recovery folder).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from datetime import datetime
from pathlib import Path

import numpy as np

_DONE = ".done"


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
