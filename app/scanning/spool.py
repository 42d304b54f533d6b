"""The spool: every page that arrives is on disk before anything else happens to it.

A batch is a folder ``<root>/<batch id>/`` holding the pages as numbered files (a captured image
as lossless PNG with its resolution, a device's page exactly as the device sent it, a file given
or taken from a hot folder under its number and type suffix only: original names may hold personal
data); ``.done`` is written when the batch has been
handled. A crash leaves batches without it, and :meth:`Spool.pending` finds them at the next start
(after NAPS2's recovery folder). ``.batch.json`` says what the batch is for
(:meth:`SpoolBatch.write_meta`).

**Sealed at rest.** Every page file and ``.batch.json`` goes through the :class:`Sealer` the batch
was made with (the services give the data folder's, :class:`app.store.sealer.SpoolSealer`; the
default :data:`~app.core.sealing.PLAIN` writes plain files, for tests and work outside a data
folder). Each file is sealed to its spool name (:func:`~app.core.sealing.spool_name`). Readers
get bytes, never a decrypted file: :meth:`SpoolBatch.read`, :meth:`SpoolBatch.read_meta`,
:meth:`Spool.read`. Files written plain before sealing are read as they are. Writes stay atomic
and fsynced (:mod:`app.core.fileio`).

**Hot-folder adoption** (:meth:`SpoolBatch.adopt`) moves a scanner's plain file into the batch
sealed, without losing or doubling a page if the process dies at any point:

1. a note ``.adopt-<final name>.json`` (sealed: where the original is, its SHA-256) and the sealed
   page ``.adopt-<final name>`` are written durably (hidden: not a page yet);
2. the original is deleted (and its folder fsynced);
3. the sealed page is renamed to its final name, the note deleted.

:meth:`Spool.settle_adoptions` finishes what a crash interrupted: a sealed page whose original
is still there with the same content is dropped (the original will be taken again), otherwise it
is put in place; stray notes and pages are removed. It runs before a hot folder is watched and
before pending batches are listed. A concurrent settling of a live adoption is harmless: the
adopting process writes the final file itself if its renamed file is gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from app.core.clock import vn_now
from app.core.fileio import atomic_write_bytes, fsync_dir
from app.core.sealing import PENDING_PREFIX, PLAIN, SealedFileError, Sealer, spool_name

logger = logging.getLogger(__name__)

_DONE = ".done"
QUARANTINE_MARK = ".quarantine.json"  # app.scanning.quarantine: never resumed, never cleaned silently
QUARANTINED_SUFFIX = ".quarantined"  # a batch whose mark could not be written (a full disk) is renamed
_META = ".batch.json"
_NOTE = ".json"
_STALE_NOTE_SECONDS = 60.0


class SpoolBatch:
    def __init__(self, path: Path, sealer: Sealer = PLAIN) -> None:
        self.path = Path(path)
        self.sealer = sealer
        self.path.mkdir(parents=True, exist_ok=True)

    def _next_number(self) -> int:
        numbers = []  # pending adoptions keep their number
        for p in self.path.iterdir():
            stem = Path(p.name.removeprefix(PENDING_PREFIX)).stem.split("-")[0]
            if stem.isdigit():
                numbers.append(int(stem))
        return max(numbers, default=0) + 1

    # -- writing -----------------------------------------------------------------------------------
    def write(self, name: str, data: bytes) -> Path:
        """Write the file ``name`` of the batch (sealed) atomically and durably; return its path."""
        target = self.path / name
        return atomic_write_bytes(target, self.sealer.seal(data, spool_name(target)), prefix=".page-")

    def put(self, image: np.ndarray, dpi: float | None = None) -> Path:
        """Write one arriving page (grey or RGB array) durably; return its file."""
        from PIL import Image

        options: dict[str, object] = {"compress_level": 1}
        if dpi:
            options["dpi"] = (dpi, dpi)
        out = io.BytesIO()
        Image.fromarray(image).save(out, "PNG", **options)
        return self.write(f"{self._next_number():05d}.png", out.getvalue())

    def put_bytes(self, data: bytes, suffix: str) -> Path:
        """Write one arriving page exactly as the device sent it (JPEG, PNG, BMP...) durably."""
        return self.write(f"{self._next_number():05d}{suffix}", data)

    def add(self, data: bytes, name: str) -> Path:
        """Write the content of a file named ``name`` (e.g. one given on the command line, already
        read) into the batch under its page number and its type's suffix only: an original name may
        hold personal data (a CCCD number, a name), which has no business on disk."""
        return self.write(f"{self._next_number():05d}{safe_suffix(name)}", data)

    def copy_in(self, file: Path) -> Path:
        """Copy a file into the batch (numbered, see :meth:`add`); the original is left where it is."""
        return self.add(Path(file).read_bytes(), Path(file).name)

    def adopt(self, file: Path) -> Path:
        """Move a finished file (e.g. from the hot folder) into the batch (numbered, see :meth:`add`): sealed
        into the batch first, the original deleted only once the sealed copy is durable (see the
        module's documentation). An :class:`OSError` (the file is still open by its writer, or
        gone) leaves the original where it was and nothing in the batch."""
        file = Path(file)
        data = file.read_bytes()
        target = self.path / f"{self._next_number():05d}{safe_suffix(file.name)}"
        pending = self.path / f"{PENDING_PREFIX}{target.name}"
        note = self.path / f"{PENDING_PREFIX}{target.name}{_NOTE}"
        sealed = self.sealer.seal(data, spool_name(target))
        record = {"origin": str(file.absolute()), "sha256": hashlib.sha256(data).hexdigest()}
        try:
            atomic_write_bytes(note, self.sealer.seal(json.dumps(record).encode("utf-8"), spool_name(note)),
                               prefix=".page-", sync_dir=False)
            atomic_write_bytes(pending, sealed, prefix=".page-")
            file.unlink()
        except OSError:  # the original stays (a crash here instead is settled later)
            pending.unlink(missing_ok=True)
            note.unlink(missing_ok=True)
            raise
        with contextlib.suppress(OSError):  # if the deletion is lost, settling drops the copy
            fsync_dir(file.parent)
        try:
            pending.replace(target)
        except FileNotFoundError:  # settled meanwhile by another process: put in place, or not
            if not target.exists():
                atomic_write_bytes(target, sealed, prefix=".page-", sync_dir=False)
        fsync_dir(self.path)
        note.unlink(missing_ok=True)
        return target

    def settle_adoptions(self) -> int:
        """Finish the hot-folder adoptions a crash interrupted (see the module's documentation);
        returns how many pages were put in place."""
        placed = 0
        names = {p.name for p in self.path.iterdir()} if self.path.is_dir() else set()
        for name in sorted(n for n in names if n.startswith(PENDING_PREFIX)):
            if name.endswith(_NOTE):
                continue
            pending = self.path / name
            note = self.path / f"{name}{_NOTE}"
            target = self.path / name.removeprefix(PENDING_PREFIX)
            with contextlib.suppress(FileNotFoundError):
                # No note: the original is deleted only once both are durable, so it is still there.
                keep = note.name in names and not _original_still_there(self._read_note(note))
                if keep:
                    pending.replace(target)
                    placed += 1
                    logger.info("spool batch %s: finished adopting %s after an interruption", self.name,
                                target.name)
                else:
                    pending.unlink()  # the original is still in its folder: it is taken again from there
                note.unlink(missing_ok=True)
        for name in names:  # notes of adoptions that never wrote their page (older than a live one)
            if name.startswith(PENDING_PREFIX) and name.endswith(_NOTE) and name[:-len(_NOTE)] not in names:
                with contextlib.suppress(OSError):
                    note = self.path / name
                    if time.time() - note.stat().st_mtime > _STALE_NOTE_SECONDS:
                        note.unlink()
        if placed:
            fsync_dir(self.path)
        return placed

    def _read_note(self, note: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(self.sealer.open(note.read_bytes(), spool_name(note)))
        except (OSError, ValueError, SealedFileError):
            return None
        return data if isinstance(data, dict) else None

    # -- reading -----------------------------------------------------------------------------------
    def read(self, path: Path | str) -> bytes:
        """The plain content of a file of this batch (decrypted in memory; a plain file as it is).
        Raises :class:`OSError`, or :class:`~app.core.sealing.SealedFileError` when it cannot be
        opened (wrong key, altered, moved from elsewhere)."""
        path = self.path / Path(path).name
        return self.sealer.open(path.read_bytes(), spool_name(path))

    @property
    def name(self) -> str:
        return self.path.name

    def write_meta(self, data: dict[str, Any]) -> None:
        """Remember what the batch is for (``.batch.json``, not a page), so that the batch can be
        finished after a crash."""
        text = json.dumps(data, ensure_ascii=False, indent=1)
        self.write(_META, text.encode("utf-8"))

    def read_meta(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.read(_META).decode("utf-8"))
        except (OSError, ValueError):
            return None
        except SealedFileError as exc:
            logger.warning("spool batch %s: %s", self.name, exc.message_en)
            return None
        return data if isinstance(data, dict) else None

    def pages(self) -> list[Path]:
        return sorted(p for p in self.path.iterdir() if p.is_file() and not p.name.startswith("."))

    @property
    def done(self) -> bool:
        return (self.path / _DONE).exists()

    @property
    def quarantined(self) -> bool:
        return is_quarantined(self.path)

    def mark_done(self) -> None:
        (self.path / _DONE).write_text(vn_now().isoformat(), encoding="utf-8")

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


_SUFFIX = re.compile(r"\.[a-z0-9]{1,5}")


def safe_suffix(name: str) -> str:
    """The type suffix of a file name (``.pdf``, ``.jpg``...), lower case; nothing else of the name."""
    suffix = Path(name).suffix.lower()
    return suffix if _SUFFIX.fullmatch(suffix) else ""


def is_quarantined(folder: Path) -> bool:
    return folder.name.endswith(QUARANTINED_SUFFIX) or (folder / QUARANTINE_MARK).exists()


def _original_still_there(record: dict[str, Any] | None) -> bool:
    """Whether the file an interrupted adoption took is still where it was, unchanged (``False``
    when its note cannot be read: the page is kept rather than risk losing it)."""
    if record is None:
        return False
    try:
        data = Path(str(record.get("origin"))).read_bytes()
    except OSError:
        return False
    return hashlib.sha256(data).hexdigest() == record.get("sha256")


class Spool:
    def __init__(self, root: Path, sealer: Sealer = PLAIN) -> None:
        self.root = Path(root)
        self.sealer = sealer
        self.root.mkdir(parents=True, exist_ok=True)

    def batch(self, name: str) -> SpoolBatch:
        return SpoolBatch(self.root / name, self.sealer)

    def new_batch(self) -> SpoolBatch:
        name = f"{vn_now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
        return self.batch(name)

    def batches(self) -> list[SpoolBatch]:
        return [SpoolBatch(p, self.sealer) for p in sorted(self.root.iterdir())
                if p.is_dir() and not is_quarantined(p)]

    def pending(self) -> list[SpoolBatch]:
        """Batches a crash left unfinished, oldest first (their interrupted adoptions settled)."""
        batches = [b for b in self.batches() if not b.done]
        for batch in batches:
            batch.settle_adoptions()
        return batches

    def settle_adoptions(self) -> int:
        """:meth:`SpoolBatch.settle_adoptions` for every batch of the spool."""
        return sum(b.settle_adoptions() for b in self.batches())

    def read(self, path: Path | str) -> bytes:
        """The plain content of a page file: one of this spool's batches is opened with the spool's
        key, any other file (e.g. one an officer picked) is read as it is."""
        path = Path(path)
        if path.parent.parent == self.root or path.parent.parent.resolve() == self.root.resolve():
            return self.sealer.open(path.read_bytes(), spool_name(path))
        return path.read_bytes()

    def clean_done(self) -> int:
        removed = 0
        for path in sorted(self.root.iterdir()):
            if path.is_dir() and (path / _DONE).exists() and not is_quarantined(path):
                with contextlib.suppress(OSError):
                    shutil.rmtree(path)
                    removed += 1
        return removed
