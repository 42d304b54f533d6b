"""Processing many pages: files as if they came from a scanner, on one or several processes.

Work is cut per page (a multi-page TIFF or PDF gives one task per page) and results come back in
input order. Several workers use a spawn-started process pool, so the same code runs on Windows.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from app.core import limits
from app.core.errors import MotCuaError
from app.core.progress import CancelToken, ProgressCallback, ProgressUpdate, no_progress
from app.scanning.loading import count_pages, header_pixels, load_page
from app.scanning.pipeline import PageFailure, PageOutcome, PageResult, process_page
from app.scanning.profile import ScanProfile
from app.scanning.sources import PageSource

logger = logging.getLogger(__name__)

Task = tuple[str, int]


def process_file_page(source: str, index: int, profile: ScanProfile) -> PageOutcome:
    """Load page ``index`` of the file ``source`` and run the pipeline on it (a worker's job)."""
    started = time.perf_counter()
    try:
        loaded = load_page(Path(source), index, profile)
    except MotCuaError as exc:
        return PageFailure(source, index, exc.message_en, exc.message_vi, "load")
    except MemoryError:
        return PageFailure(source, index, "not enough memory to decode the image", "không đủ bộ nhớ", "load")
    load_ms = round((time.perf_counter() - started) * 1000.0, 3)
    outcome = process_page(loaded.image, profile, dpi=loaded.dpi, source=source, index=index,
                           jpeg=loaded.jpeg)
    if isinstance(outcome, PageResult):
        outcome = replace(outcome, timings=(("load", load_ms), *outcome.timings))
    return outcome


def plan(sources: Sequence[str], profile: ScanProfile) -> list[Task | PageFailure]:
    """One task per page of every file, or a failure for a file that cannot even be opened."""
    out: list[Task | PageFailure] = []
    for source in sources:
        try:
            pages = count_pages(Path(source), profile)
        except MotCuaError as exc:
            out.append(PageFailure(source, 0, exc.message_en, exc.message_vi, "open"))
            continue
        if pages == 0:
            out.append(PageFailure(source, 0, "file has no pages", "tệp không có trang nào", "open"))
        out.extend((source, index) for index in range(pages))
    return out


def process_files(sources: Sequence[str], profile: ScanProfile, *, workers: int = 1,
                  cancel: CancelToken | None = None,
                  progress: ProgressCallback = no_progress) -> list[PageOutcome]:
    """Every page of every file through the pipeline, in input order."""
    return list(iter_process_files(sources, profile, workers=workers, cancel=cancel, progress=progress))


def iter_process_files(sources: Sequence[str], profile: ScanProfile, *, workers: int = 1,
                       cancel: CancelToken | None = None,
                       progress: ProgressCallback = no_progress) -> Iterator[PageOutcome]:
    cancel = cancel or CancelToken()
    tasks = plan(sources, profile)
    if workers > 1:
        workers = workers_for(sources, profile, workers)
    total = len(tasks)
    progress(ProgressUpdate(0, total, "Đang xử lý trang"))
    if workers <= 1 or sum(1 for t in tasks if isinstance(t, tuple)) <= 1:
        for done, task in enumerate(tasks, start=1):
            cancel.raise_if_cancelled()
            yield task if isinstance(task, PageFailure) else process_file_page(task[0], task[1], profile)
            progress(ProgressUpdate(done, total, "Đang xử lý trang"))
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker) as pool:
        pending: list[PageFailure | Future[PageOutcome]] = [
            t if isinstance(t, PageFailure) else pool.submit(process_file_page, t[0], t[1], profile)
            for t in tasks
        ]
        try:
            for done, item in enumerate(pending, start=1):
                if cancel.cancelled:
                    break
                yield item if isinstance(item, PageFailure) else _result(item, tasks[done - 1])
                progress(ProgressUpdate(done, total, "Đang xử lý trang"))
        finally:
            for item in pending:
                if isinstance(item, Future):
                    item.cancel()
    cancel.raise_if_cancelled()


def workers_for(sources: Sequence[str], profile: ScanProfile, requested: int) -> int:
    """Fewer workers when pages are huge: the memory budget of :mod:`app.core.limits` holds the
    largest page once per worker."""
    largest = max((header_pixels(Path(s), profile) for s in sources), default=0)
    allowed = limits.workers_within_budget(requested, largest)
    if allowed < requested:
        logger.info("%d worker(s) instead of %d: pages of up to %.0f MP within a %d MB memory budget",
                    allowed, requested, largest / 1e6, limits.WORKER_MEMORY_BUDGET_BYTES // 2**20)
    return allowed


def process_source(source: PageSource, profile: ScanProfile, *, cancel: CancelToken | None = None,
                   progress: ProgressCallback = no_progress) -> Iterator[PageOutcome]:
    """Pages of any source through the pipeline as they arrive (a scanner's feeder, the hot folder).
    The source has already spooled each page; a failure of one page does not end the stream."""
    for item in source.pages(cancel, progress):
        if isinstance(item, PageFailure):
            yield item
        else:
            yield process_page(item.image, profile, dpi=item.dpi, source=item.origin, index=item.index,
                               jpeg=item.jpeg)


def _init_worker() -> None:
    """One OpenCV thread per worker process: the workers already keep the cores busy, and OpenCV's
    own threads on top of them only contend for the same cores."""
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:  # pragma: no cover - OpenCV is a dependency
        pass


def _result(future: Future[PageOutcome], task: Task | PageFailure) -> PageOutcome:
    source, index = task if isinstance(task, tuple) else (task.source, task.index)
    try:
        return future.result()
    except Exception as exc:  # a worker that died (out of memory...) fails its page only
        logger.error("worker failed on %s page %d: %s", source, index, exc)
        return PageFailure(source, index, f"worker failed: {type(exc).__name__}: {exc}",
                           "tiến trình xử lý bị lỗi", "worker")
