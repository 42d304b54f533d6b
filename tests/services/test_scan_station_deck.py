"""The scan station's page deck (order, rotation, documents, undo) and its service: no Qt here."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from app.core.progress import CancelToken
from app.scanning.encode import encode_page
from app.scanning.pipeline import PageResult
from app.scanning.profile import ColorMode
from app.services.admin.auth import Officer, Role
from app.services.reception import receive as reception
from app.services.reception.dossiers import get_dossier
from app.services.scanning import station
from app.services.scanning.deck import PageDeck, StationPage, new_page_id
from tests.scanning.scan_helpers import blank_page, save, seal_page, text_page

OFFICER = Officer("mai", "Phạm Thị Mai", Role.CLERK)


def make_page(*, blank: bool = False, color: ColorMode = ColorMode.GRAY, size: tuple[int, int] = (60, 40),
              marker: bool = True) -> StationPage:
    """A small page whose top-left corner is dark, so that rotations can be checked."""
    h, w = size
    pixels = np.full((h, w), 240, np.uint8)
    if marker:
        pixels[:10, :10] = 0
    encoded = encode_page(pixels, color, 200.0)
    result = PageResult("test", 0, 0.0, blank, (), None, color, encoded)
    return StationPage(new_page_id(), result, np.repeat(pixels[:, :, None], 3, axis=2))


def deck_of(n: int) -> tuple[PageDeck, list[int]]:
    deck = PageDeck()
    for _ in range(n):
        deck.append(make_page())
    return deck, deck.ids()


def test_move_and_undo_restores_order():
    """GIVEN five pages WHEN two moves are undone THEN the order is the original one."""
    deck, (a, b, c, d, e) = deck_of(5)
    deck.move(0, 3)  # a before the page now at row 3 (d)
    assert deck.ids() == [b, c, a, d, e]
    deck.move(4, 0)
    assert deck.ids() == [e, b, c, a, d]
    deck.move_ids([b, d], 5)
    assert deck.ids() == [e, c, a, b, d]
    assert deck.undo() == "di chuyển trang"
    deck.undo()
    deck.undo()
    assert deck.ids() == [a, b, c, d, e]
    assert deck.undo() is None
    deck.redo()
    assert deck.ids() == [b, c, a, d, e]


def test_pages_that_arrive_later_survive_undo():
    """GIVEN a move and a delete made while a scan still runs WHEN they are undone THEN the pages
    that arrived in between stay, at the end."""
    deck, (a, b, c) = deck_of(3)
    deck.move(2, 0)
    late = make_page()
    deck.append(late)
    deck.delete([a])
    later = make_page()
    deck.append(later)
    deck.undo()
    deck.undo()
    assert deck.ids() == [a, b, c, late.id, later.id]


def test_delete_and_undo_put_pages_back_in_place():
    deck, (a, b, c, d) = deck_of(4)
    deck.delete([b, d])
    assert deck.ids() == [a, c]
    assert deck.undo_label == "xóa 2 trang"
    deck.undo()
    assert deck.ids() == [a, b, c, d]
    deck.redo()
    assert deck.ids() == [a, c]


def test_rotate_four_times_is_identity():
    deck, (a, b) = deck_of(2)
    original = deck.page(a)
    for _ in range(4):
        deck.rotate([a], 90)
    page = deck.page(a)
    assert page.rotation == 0
    assert station.saved_page(page) is original.encoded  # not re-encoded
    assert np.array_equal(page.view(), original.thumbnail)
    deck.rotate([a, b], -90)
    assert {deck.page(a).rotation, deck.page(b).rotation} == {270}
    with pytest.raises(ValueError, match="multiple of 90"):
        deck.rotate([a], 45)


def test_rotation_is_applied_when_saving():
    """GIVEN a portrait page with a dark top-left corner WHEN turned right THEN the stored page is
    landscape with the dark corner at the top right."""
    deck = PageDeck()
    deck.append(make_page(size=(60, 40)))
    (page_id,) = deck.ids()
    deck.rotate([page_id], 90)
    turned = station.saved_page(deck.page(page_id))
    assert (turned.width, turned.height) == (60, 40)
    pixels = np.asarray(Image.open(io.BytesIO(turned.data)).convert("L"))
    assert pixels[:8, -8:].mean() < 60 and pixels[:8, :8].mean() > 180
    view = deck.page(page_id).view()
    assert view.shape[:2] == (40, 60) and view[:8, -8:].mean() < 60


def test_split_merge_and_save_groups():
    deck, (a, b, c, d, e) = deck_of(5)
    deck.assign([a, b, c], 0)
    deck.assign([d, e], 2)
    assert [(g.component, [p.id for p in g.pages]) for g in deck.save_groups()] == [(0, [a, b, c]),
                                                                                    (2, [d, e])]
    deck.split(b)
    assert [[p.id for p in doc.pages] for doc in deck.documents()] == [[a], [b, c, d, e]]
    groups = deck.save_groups()
    assert [(g.component, g.document, len(g.pages)) for g in groups] == [(0, 1, 1), (0, 2, 2), (2, 2, 2)]
    deck.split(a)  # the first page always starts a document: nothing to do
    assert len(deck.documents()) == 2
    deck.merge(1)
    assert len(deck.documents()) == 1
    deck.undo()
    assert deck.document_of(c) == 2


def test_deleting_the_first_page_of_a_document_keeps_the_document():
    deck, (a, b, c, d) = deck_of(4)
    deck.split(c)
    deck.delete([c])
    assert [[p.id for p in doc.pages] for doc in deck.documents()] == [[a, b], [d]]
    deck.undo()
    assert [[p.id for p in doc.pages] for doc in deck.documents()] == [[a, b], [c, d]]


def test_blank_pages_and_unassigned_pages_are_not_saved():
    deck = PageDeck()
    text, blank = make_page(), make_page(blank=True, marker=False)
    deck.append(text)
    deck.append(blank)
    deck.assign([text.id, blank.id], 1)
    assert deck.undecided_blanks() == [deck.page(blank.id)]
    assert [p.id for g in deck.save_groups() for p in g.pages] == [text.id]
    deck.keep_blank([blank.id, text.id])
    assert deck.undecided_blanks() == []
    assert [p.id for g in deck.save_groups() for p in g.pages] == [text.id, blank.id]
    deck.assign([text.id], None)
    assert deck.unassigned() == [deck.page(text.id)]
    deck.undo()
    deck.undo()
    assert deck.page(blank.id).needs_decision


def test_replace_keeps_place_component_and_document():
    deck, (a, b, c) = deck_of(3)
    deck.assign([b], 4)
    deck.split(b)
    new = make_page()
    deck.replace_page(b, new)
    assert deck.ids() == [a, new.id, c]
    assert deck.page(new.id).component == 4 and deck.starts_document(new.id)
    deck.undo()
    assert deck.ids() == [a, b, c] and deck.starts_document(b)


def test_build_pdfs_one_per_component(tmp_path: Path):
    deck, (a, b, c) = deck_of(3)
    deck.assign([a, c], 0)
    deck.assign([b], 1)
    deck.rotate([c], 90)
    at = datetime(2026, 11, 20, 9, 15).astimezone()
    code = "000.00.22.H12-261120-0001"
    pdfs = station.build_pdfs(code, deck.save_groups(), {0: "Tờ khai"}, "Mai", at=at)
    assert [(p.component, p.pages) for p in pdfs] == [(0, 2), (1, 1)]
    assert [p.file_name for p in pdfs] == [f"{code}_TP1.pdf", f"{code}_TP2.pdf"]
    with pikepdf.open(io.BytesIO(pdfs[0].data)) as pdf:
        assert len(pdf.pages) == 2
        assert str(pdf.docinfo["/MotCuaComponent"]) == "Tờ khai"
        width, height = (float(v) for v in pdf.pages[1].mediabox[2:])
        assert width > height  # the turned page is landscape
    deck.split(c)  # component 0 now has two documents: two PDFs
    names = [p.file_name for p in station.build_pdfs("X", deck.save_groups(), {}, "Mai", at=at)]
    assert names == ["X_TP1_TL1.pdf", "X_TP2.pdf", "X_TP1_TL2.pdf"]


def write_pages(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [save(text_page(lines=12, seed=1), folder / "01-don.png"),
            save(blank_page(seed=2), folder / "02-trang.png"),
            save(seal_page(seed=3), folder / "03-dau.jpg", quality=80, dpi=(200, 200))]


def test_acquire_streams_pages_and_flags_the_blank_one(tmp_path: Path):
    files = write_pages(tmp_path / "in")
    pages: list[StationPage] = []
    summary = station.acquire(files, "default", CancelToken(), pages.append)
    assert summary.pages == 3 and not summary.cancelled and not summary.failures
    assert [p.blank for p in pages] == [False, True, False]
    assert pages[2].result.color is ColorMode.COLOR  # the red seal keeps the page in colour
    assert max(pages[0].thumbnail.shape[:2]) <= 200 and pages[0].thumbnail.shape[2] == 3


def test_acquire_stops_when_cancelled(tmp_path: Path):
    files = write_pages(tmp_path / "in")
    cancel = CancelToken()
    pages: list[StationPage] = []

    def on_page(page: StationPage) -> None:
        pages.append(page)
        cancel.cancel()

    summary = station.acquire(files, None, cancel, on_page)
    assert summary.cancelled and summary.pages == len(pages) == 1


def test_acquire_reports_unreadable_files(tmp_path: Path):
    bad = tmp_path / "hong.jpg"
    bad.write_bytes(b"not an image")
    failures = []
    summary = station.acquire([bad], None, CancelToken(), lambda _p: None, on_failure=failures.append)
    assert summary.pages == 0 and len(failures) == 1 and summary.failures == tuple(failures)


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_save_deck_attaches_one_pdf_per_component(app_ctx, tmp_path: Path):
    request = reception.ReceiveRequest(procedure_code="1.001193", applicant=_applicant(),
                                       received_at=datetime(2025, 3, 18, 10, 30))
    dossier = reception.receive_dossier(app_ctx, request, Officer("hung", "Lê Văn Hùng", Role.OFFICER))
    first, second = station.dossier_components(app_ctx, dossier.code)[:2]
    deck, (a, b, c) = deck_of(3)
    deck.assign([a, b], first[0])
    deck.assign([c], second[0])
    attachments = station.save_deck(app_ctx, dossier.code, deck, OFFICER)
    stored = get_dossier(app_ctx, dossier.code)
    assert [(x.component_index, x.pages) for x in stored.attachments] == [(first[0], 2), (second[0], 1)]
    assert stored.attachments == attachments
    assert [station.pdf_page_count(app_ctx, x.sha256) for x in stored.attachments] == [2, 1]
    assert {c.index for c in stored.components if c.digitised} == {first[0], second[0]}
    with pytest.raises(Exception, match="no page is assigned"):
        station.save_deck(app_ctx, dossier.code, PageDeck(), OFFICER)


def _applicant():
    from app.core.cccd import applicant_from_qr, parse_cccd_qr

    return applicant_from_qr(parse_cccd_qr(
        "079190001234|281234567|Nguyễn Thị Thu Hà|12031990|Nữ|12 Lê Lợi, Phường Sài Gòn, "
        "Thành phố Hồ Chí Minh|01072021"))
