"""The pages on the scan station's table: order, rotation, blank-page decisions, documents and the
dossier component each page belongs to, with undo. Plain Python: the Qt list model only renders it.

A :class:`StationPage` is frozen; every change makes a new one and the :class:`PageDeck` swaps it in,
so an undo step is just "put the old objects back". Pages keep their ids for their whole life (a
re-scanned page gets a new id). Pages appended while a scan is running are not undo steps, and
undoing an earlier step never removes them: a move is undone by restoring the order of the pages it
knew, the newer ones staying at the end.

A **document** is a run of consecutive pages; the deck remembers the pages that start one (the first
page always does). Saving makes one PDF per dossier component and document, so without splits that
is one PDF per component. A page detected as blank is left out of the PDF unless the officer keeps it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from app.scanning.encode import EncodedPage
from app.scanning.pipeline import PageResult

_ids = itertools.count(1)  # next() on a count is atomic: pages are made on worker threads too


def new_page_id() -> int:
    return next(_ids)


@dataclass(frozen=True, eq=False)
class StationPage:
    """One scanned page: the pipeline's result, a small RGB thumbnail, and the officer's choices."""

    id: int
    result: PageResult  # encoded bytes (JPEG or G4 TIFF) and what the pipeline found
    thumbnail: np.ndarray  # RGB uint8, at most THUMBNAIL_BOX pixels, as scanned (not rotated)
    rotation: int = 0  # clockwise, 0/90/180/270: applied to the pixels only when saving
    component: int | None = None  # index of the dossier component the page is assigned to
    blank_kept: bool = False  # a page detected as blank that the officer decided to keep
    spooled: str | None = None  # the spool file the page was read from (scanners, cameras, resumed)

    @property
    def blank(self) -> bool:
        return self.result.blank

    @property
    def needs_decision(self) -> bool:
        """Detected as blank and not yet kept: greyed on screen, left out when saving."""
        return self.result.blank and not self.blank_kept

    @property
    def encoded(self) -> EncodedPage:
        return self.result.encoded

    def view(self) -> np.ndarray:
        """The thumbnail as the page will be saved (rotated)."""
        turns = (self.rotation // 90) % 4
        return np.ascontiguousarray(np.rot90(self.thumbnail, k=-turns)) if turns else self.thumbnail


@dataclass(frozen=True)
class Document:
    number: int  # 1-based
    pages: tuple[StationPage, ...]


@dataclass(frozen=True)
class SaveGroup:
    """The pages of one PDF: one component, one document, in deck order."""

    component: int
    document: int
    pages: tuple[StationPage, ...]


@dataclass(frozen=True)
class _Step:
    label_vi: str
    undo: Callable[[], None]
    redo: Callable[[], None]


@dataclass
class PageDeck:
    pages: list[StationPage] = field(default_factory=list)
    starts: set[int] = field(default_factory=set)  # ids of pages that begin a document (besides the 1st)
    _undo: list[_Step] = field(default_factory=list, repr=False)
    _redo: list[_Step] = field(default_factory=list, repr=False)

    # -- reading -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.pages)

    def ids(self) -> list[int]:
        return [p.id for p in self.pages]

    def row_of(self, page_id: int) -> int:
        for row, page in enumerate(self.pages):
            if page.id == page_id:
                return row
        raise KeyError(page_id)

    def page(self, page_id: int) -> StationPage:
        return self.pages[self.row_of(page_id)]

    def starts_document(self, page_id: int) -> bool:
        return bool(self.pages) and (self.pages[0].id == page_id or page_id in self.starts)

    def documents(self) -> list[Document]:
        runs: list[list[StationPage]] = []
        for page in self.pages:
            if not runs or page.id in self.starts:
                runs.append([])
            runs[-1].append(page)
        return [Document(n, tuple(run)) for n, run in enumerate(runs, start=1)]

    def document_of(self, page_id: int) -> int:
        for doc in self.documents():
            if any(p.id == page_id for p in doc.pages):
                return doc.number
        raise KeyError(page_id)

    def undecided_blanks(self) -> list[StationPage]:
        return [p for p in self.pages if p.needs_decision]

    def unassigned(self) -> list[StationPage]:
        return [p for p in self.pages if p.component is None and not p.needs_decision]

    def save_groups(self) -> list[SaveGroup]:
        """What saving stores: one group per component and document, components in the order their
        first page appears; unassigned pages and undecided blank pages are left out."""
        groups: dict[tuple[int, int], list[StationPage]] = {}
        for doc in self.documents():
            for page in doc.pages:
                if page.component is not None and not page.needs_decision:
                    groups.setdefault((page.component, doc.number), []).append(page)
        return [SaveGroup(component, number, tuple(pages)) for (component, number), pages in groups.items()]

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str:
        return self._undo[-1].label_vi if self._undo else ""

    # -- changes that are not undo steps -------------------------------------------------------
    def append(self, page: StationPage) -> int:
        """A page that has just arrived; returns its row."""
        self.pages.append(page)
        return len(self.pages) - 1

    def take_out(self, ids: Iterable[int]) -> None:
        """Pages stored elsewhere (saved into the dossier) leave the deck; the undo history, which
        could bring them back, is cleared."""
        self._remove(set(ids))
        self._undo.clear()
        self._redo.clear()

    def clear(self) -> None:
        self.pages.clear()
        self.starts.clear()
        self._undo.clear()
        self._redo.clear()

    # -- undo steps ------------------------------------------------------------------------------
    def rotate(self, ids: Iterable[int], degrees: int) -> None:
        """Turn pages clockwise by ``degrees`` (a multiple of 90; negative: counter-clockwise)."""
        if degrees % 90:
            raise ValueError(f"rotation must be a multiple of 90 degrees, got {degrees}")
        label = "xoay trang sang phải" if degrees > 0 else "xoay trang sang trái"
        self._change(ids, lambda p: replace(p, rotation=(p.rotation + degrees) % 360), label)

    def assign(self, ids: Iterable[int], component: int | None) -> None:
        """Put pages in a dossier component (``None``: take them out of any)."""
        label = "gán thành phần" if component is not None else "bỏ gán thành phần"
        self._change(ids, lambda p: replace(p, component=component), label)

    def keep_blank(self, ids: Iterable[int]) -> None:
        """The officer looked at pages detected as blank and keeps them (they will be saved)."""
        wanted = [i for i in ids if self.page(i).needs_decision]
        self._change(wanted, lambda p: replace(p, blank_kept=True), "giữ trang trắng")

    def delete(self, ids: Iterable[int]) -> None:
        wanted = set(ids)
        removed = [(row, p) for row, p in enumerate(self.pages) if p.id in wanted]
        if not removed:
            return
        starts_before = set(self.starts)

        def redo() -> None:
            self._remove(wanted)

        def undo() -> None:
            for row, page in removed:
                self.pages.insert(row, page)
            self.starts = set(starts_before)

        label = "xóa trang" if len(removed) == 1 else f"xóa {len(removed)} trang"
        self._do(_Step(label, undo, redo))

    def move(self, source_row: int, target_row: int) -> None:
        """Move the page at ``source_row`` so that it ends up before the page now at ``target_row``
        (``len(deck)``: to the end), as ``QAbstractItemModel.moveRows`` counts."""
        if not 0 <= source_row < len(self.pages) or not 0 <= target_row <= len(self.pages):
            raise IndexError(f"cannot move row {source_row} to {target_row} of {len(self.pages)}")
        page_id = self.pages[source_row].id
        self.move_ids([page_id], target_row)

    def move_ids(self, ids: Sequence[int], target_row: int) -> None:
        """Move pages (kept in their current order) to stand before the page at ``target_row``."""
        wanted = set(ids)
        before = self.ids()
        anchor = next((p.id for p in self.pages[target_row:] if p.id not in wanted), None)
        moving = [i for i in before if i in wanted]
        rest = [i for i in before if i not in wanted]
        at = rest.index(anchor) if anchor is not None else len(rest)
        after = rest[:at] + moving + rest[at:]
        if after == before:
            return
        self._do(_Step("di chuyển trang", lambda: self._reorder(before), lambda: self._reorder(after)))

    def replace_page(self, page_id: int, new: StationPage) -> None:
        """A page scanned again takes the old one's place, component and document start."""
        old = self.page(page_id)
        new = replace(new, component=old.component)
        started = page_id in self.starts

        def redo() -> None:
            self._swap({old.id: new})
            if started:
                self.starts.discard(old.id)
                self.starts.add(new.id)

        def undo() -> None:
            self._swap({new.id: old})
            if started:
                self.starts.discard(new.id)
                self.starts.add(old.id)

        self._do(_Step("quét lại trang", undo, redo))

    def split(self, page_id: int) -> None:
        """Start a new document at this page."""
        if self.starts_document(page_id):
            return
        self._do(_Step("tách tài liệu", lambda: self.starts.discard(page_id),
                       lambda: self.starts.add(page_id)))

    def merge(self, document: int) -> None:
        """Join document ``document`` (1-based) with the one after it."""
        docs = self.documents()
        if not 1 <= document < len(docs):
            return
        first = docs[document].pages[0].id
        self._do(_Step("gộp tài liệu", lambda: self.starts.add(first), lambda: self.starts.discard(first)))

    def undo(self) -> str | None:
        """Undo the last step; returns what was undone (Vietnamese), or None."""
        if not self._undo:
            return None
        step = self._undo.pop()
        step.undo()
        self._redo.append(step)
        return step.label_vi

    def redo(self) -> str | None:
        if not self._redo:
            return None
        step = self._redo.pop()
        step.redo()
        self._undo.append(step)
        return step.label_vi

    # -- helpers ---------------------------------------------------------------------------------
    def _do(self, step: _Step) -> None:
        step.redo()
        self._undo.append(step)
        self._redo.clear()

    def _change(self, ids: Iterable[int], change: Callable[[StationPage], StationPage], label: str) -> None:
        wanted = set(ids)
        olds = [p for p in self.pages if p.id in wanted]
        if not olds:
            return
        news = [change(p) for p in olds]
        self._do(_Step(label, lambda: self._swap({p.id: p for p in olds}),
                       lambda: self._swap({p.id: p for p in news})))

    def _remove(self, wanted: set[int]) -> None:
        old = self.pages
        for row, page in enumerate(old):
            if page.id in wanted and page.id in self.starts:
                # a document whose first page goes starts at its next remaining page
                self.starts.discard(page.id)
                nxt = next((p.id for p in old[row + 1:] if p.id not in wanted), None)
                if nxt is not None:
                    self.starts.add(nxt)
        self.pages = [p for p in old if p.id not in wanted]

    def _swap(self, by_id: dict[int, StationPage]) -> None:
        self.pages = [by_id.get(p.id, p) for p in self.pages]

    def _reorder(self, order: list[int]) -> None:
        rank = {page_id: n for n, page_id in enumerate(order)}
        # pages that arrived after the step keep their place at the end (sorted() is stable)
        self.pages = sorted(self.pages, key=lambda p: rank.get(p.id, len(order)))
