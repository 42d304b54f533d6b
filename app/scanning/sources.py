"""Where pages come from, behind one interface: files, a watched hot folder, a camera (SANE is in
:mod:`app.scanning.sane_source`).

A source streams pages as they arrive (a generator), checks the :class:`CancelToken` between pages,
reports progress, and ends when its batch ends (the feeder is empty, the files are read, the hot
folder stayed idle). A page that cannot be read comes out as a :class:`PageFailure` and the
stream goes on. Sources that capture pixels write each page to the spool before yielding it; pages
read back from the spool are decrypted in memory (:func:`spooled_file_pages`), never to a file.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from app.core.errors import MotCuaError
from app.core.progress import CancelToken, ProgressCallback, ProgressUpdate, no_progress
from app.scanning.errors import ScannerError
from app.scanning.loading import count_pages, load_page
from app.scanning.pipeline import PageFailure
from app.scanning.profile import DEFAULT_PROFILE, ScanProfile
from app.scanning.spool import Spool, SpoolBatch

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf", ".webp", ".bmp"})


@dataclass(frozen=True, eq=False)
class SourcePage:
    """A page as it arrived. ``spool_path`` is the file that holds it on disk."""

    image: np.ndarray
    dpi: float | None
    origin: str
    index: int
    spool_path: Path | None = None
    jpeg: bytes | None = None


SourceItem = SourcePage | PageFailure


class PageSource(Protocol):
    def pages(self, cancel: CancelToken | None = None,
              progress: ProgressCallback = no_progress) -> Iterator[SourceItem]: ...


def file_pages(path: Path | bytes, origin: str, profile: ScanProfile, *, spool_path: Path | None = None,
               name: str | None = None) -> Iterator[SourceItem]:
    """Every page of one file (its path, or its content as bytes: a spool file is decrypted in
    memory); a file or page that cannot be read gives a failure, not an error. ``spool_path``: the
    file that holds the page on disk (the path itself when a path is given)."""
    if spool_path is None and not isinstance(path, bytes):
        spool_path = Path(path)
    try:
        count = count_pages(path, profile, name=name)
    except MotCuaError as exc:
        yield PageFailure(origin, 0, exc.message_en, exc.message_vi, "open")
        return
    for index in range(count):
        try:
            loaded = load_page(path, index, profile, name=name)
        except MotCuaError as exc:
            yield PageFailure(origin, index, exc.message_en, exc.message_vi, "load")
            continue
        yield SourcePage(loaded.image, loaded.dpi, origin, index, spool_path, loaded.jpeg)


def spooled_file_pages(batch: SpoolBatch, path: Path, origin: str,
                       profile: ScanProfile) -> Iterator[SourceItem]:
    """The pages of a file of ``batch`` (decrypted in memory); a file that cannot be opened (wrong
    key, altered) gives a failure in Vietnamese."""
    try:
        data = batch.read(path)
    except (MotCuaError, OSError) as exc:
        en = getattr(exc, "message_en", str(exc))
        vi = getattr(exc, "message_vi", f"không đọc được tệp {path.name} trong hàng đợi quét")
        yield PageFailure(origin, 0, en, vi, "open")
        return
    yield from file_pages(data, origin, profile, spool_path=path, name=path.name)


class FileSource:
    """Image and PDF files, read as if they came from a scanner (they are already on disk)."""

    def __init__(self, paths: Sequence[str | Path], profile: ScanProfile = DEFAULT_PROFILE) -> None:
        self.paths = [str(p) for p in paths]
        self.profile = profile

    def pages(self, cancel: CancelToken | None = None,
              progress: ProgressCallback = no_progress) -> Iterator[SourceItem]:
        cancel = cancel or CancelToken()
        for done, origin in enumerate(self.paths):
            cancel.raise_if_cancelled()
            progress(ProgressUpdate(done, len(self.paths), f"Đang đọc {Path(origin).name}"))
            yield from file_pages(Path(origin), origin, self.profile)
        progress(ProgressUpdate(len(self.paths), len(self.paths), "Đã đọc xong"))


class HotFolderSource:
    """A folder other programs drop scans into. A file is taken once its size and modification time
    have not changed for ``settle_seconds``; it is then moved into the spool batch and read. The batch
    ends after ``idle_seconds`` without a new file (``None``: only when cancelled)."""

    def __init__(self, folder: Path, batch: SpoolBatch, profile: ScanProfile = DEFAULT_PROFILE, *,
                 settle_seconds: float = 2.0, poll_seconds: float = 0.5, idle_seconds: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.folder = Path(folder)
        self.batch = batch
        self.profile = profile
        self.settle_seconds = settle_seconds
        self.poll_seconds = poll_seconds
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._sleep = sleep

    def _candidates(self) -> dict[Path, tuple[int, int]]:
        found = {}
        for path in self.folder.iterdir():
            name = path.name
            if name.startswith((".", "~")) or path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
                continue
            try:
                stat = path.stat()
            except OSError:  # vanished between listing and stat
                continue
            found[path] = (stat.st_size, stat.st_mtime_ns)
        return found

    def pages(self, cancel: CancelToken | None = None,
              progress: ProgressCallback = no_progress) -> Iterator[SourceItem]:
        cancel = cancel or CancelToken()
        Spool(self.batch.path.parent, self.batch.sealer).settle_adoptions()  # what a crash interrupted
        seen: dict[Path, tuple[tuple[int, int], float]] = {}
        last_taken = self._clock()
        taken = 0
        while not cancel.cancelled:
            now = self._clock()
            current = self._candidates()
            for path, signature in sorted(current.items()):
                previous = seen.get(path)
                if previous is None or previous[0] != signature:
                    seen[path] = (signature, now)  # new or still changing
                    continue
                if signature[0] == 0 or now - previous[1] < self.settle_seconds:
                    continue
                try:
                    spooled = self.batch.adopt(path)
                except OSError as exc:  # still open by the writer (Windows), or gone
                    logger.info("hot folder: cannot take %s yet: %s", path, exc)
                    continue
                seen.pop(path, None)
                taken += 1
                last_taken = now
                progress(ProgressUpdate(taken, None, f"Đã nhận {path.name}"))
                yield from spooled_file_pages(self.batch, spooled, str(path), self.profile)
            for gone in set(seen) - set(current):
                seen.pop(gone, None)
            if self.idle_seconds is not None and not seen and now - last_taken >= self.idle_seconds:
                return
            self._sleep(self.poll_seconds)
        cancel.raise_if_cancelled()


class CameraSource:
    """Frames from an OpenCV capture (a document camera, a webcam, or a video file in tests).

    Each shot keeps the sharpest of ``frames_per_shot`` frames, writes it to the spool and yields it;
    finding the page in it is the pipeline's camera step, the same as for a photo given as a file.
    """

    def __init__(self, device: int | str, batch: SpoolBatch, *, shots: int | None = 1,
                 frames_per_shot: int = 5, skip_frames: int = 0) -> None:
        self.device = device
        self.batch = batch
        self.shots = shots
        self.frames_per_shot = max(1, frames_per_shot)
        self.skip_frames = skip_frames

    def pages(self, cancel: CancelToken | None = None,
              progress: ProgressCallback = no_progress) -> Iterator[SourceItem]:
        import cv2

        cancel = cancel or CancelToken()
        capture = cv2.VideoCapture(self.device)
        if not capture.isOpened():
            raise ScannerError(f"cannot open camera {self.device!r}",
                               f"không mở được máy ảnh {self.device!r}")
        try:
            for _ in range(self.skip_frames):  # let exposure and focus settle
                capture.grab()
            shot = 0
            while self.shots is None or shot < self.shots:
                cancel.raise_if_cancelled()
                frame = self._sharpest(capture)
                if frame is None:
                    break  # end of stream
                path = self.batch.put(frame)
                yield SourcePage(frame, None, f"camera:{self.device}", shot, path)
                shot += 1
                progress(ProgressUpdate(shot, self.shots, "Đã chụp trang"))
        finally:
            capture.release()

    def _sharpest(self, capture) -> np.ndarray | None:  # type: ignore[no-untyped-def]
        import cv2

        best, best_score = None, -1.0
        for _ in range(self.frames_per_shot):
            ok, frame = capture.read()
            if not ok or frame is None:
                break
            gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
            score = float(cv2.Laplacian(gray, cv2.CV_64F).var())
            if score > best_score:
                best, best_score = frame, score
        return None if best is None else cv2.cvtColor(best, cv2.COLOR_BGR2RGB)
