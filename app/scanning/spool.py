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
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from app.core.fileio import atomic_write, atomic_write_bytes, fsync_dir

_DONE = ".done"
_META = ".batch.json"


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
        options: dict[str, object] = {"compress_level": 1}
        if dpi:
            options["dpi"] = (dpi, dpi)
        return atomic_write(target, lambda fh: Image.fromarray(image).save(fh, "PNG", **options),
                            prefix=".page-")

    def put_bytes(self, data: bytes, suffix: str) -> Path:
        """Write one arriving page exactly as the device sent it (JPEG, PNG, BMP...) durably."""
        return atomic_write_bytes(self.path / f"{self._next_number():05d}{suffix}", data, prefix=".page-")

    def copy_in(self, file: Path) -> Path:
        """Copy a file (e.g. one given on the command line) into the batch, keeping its name; the
        original is left where it is."""
        target = self.path / f"{self._next_number():05d}-{Path(file).name}"
        with Path(file).open("rb") as src:
            return atomic_write(target, lambda out: shutil.copyfileobj(src, out, 1 << 20), prefix=".page-")

    @property
    def name(self) -> str:
        return self.path.name

    def write_meta(self, data: dict[str, Any]) -> None:
        """Remember what the batch is for (``.batch.json``, not a page), so that the batch can be
        finished after a crash."""
        text = json.dumps(data, ensure_ascii=False, indent=1)
        atomic_write_bytes(self.path / _META, text.encode("utf-8"), prefix=".page-")

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
        fsync_dir(self.path)
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
