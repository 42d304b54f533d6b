"""Batches for real: a generated stack from a folder and the SANE test backend's feeder, split at
separator sheets into documents stored as PDFs, with every page accounted for."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from app.core.progress import CancelToken
from app.scanning.errors import ScanError
from app.services.admin.auth import Officer, Role
from app.services.batch.engine import run_batch, scan_batch
from app.services.batch.lifecycle import (
    batch_outcome,
    batch_progress,
    cancel_batch,
    start_batch,
    unfinished_batches,
)
from app.services.batch.outcome import BatchCancelledError, BatchError
from app.services.context import AppContext
from app.store.repositories import BatchRepository, BlobRepository
from tests.batch.batch_helpers import TYPE, expected_documents, make_stack

STACK = "TTKTBTSSTPTT" + "S"  # leading pages, a typed separator, a blank, two separators, Patch T, trailing


def pdf_pages(ctx: AppContext, sha256: str) -> int:
    with pikepdf.open(io.BytesIO(ctx.db.blobs.read_bytes(sha256))) as pdf:
        return len(pdf.pages)


def test_a_folder_stack_splits_into_the_right_documents(ctx: AppContext, tmp_path: Path) -> None:
    names = make_stack(tmp_path / "stack", STACK)
    outcome = scan_batch(ctx, f"folder:{tmp_path / 'stack'}")
    assert outcome.to_json() == {"documents": expected_documents(STACK, names)}
    assert [len(d.pages) for d in outcome.documents] == [2, 3, 1, 2]
    first, typed, _after_two, patch = outcome.documents
    assert first.separator is None and typed.result_code == TYPE and patch.separator == "PATCH-T"
    assert typed.blank_pages == ("p005.png",) and typed.flags == {"blank": ["p005.png"]}
    assert typed.accepted  # a blank page only asks for a look
    # every page accounted for: 13 delivered = 8 stored + 5 separators, all stored pages in a document
    acc = outcome.accounting
    assert (acc.delivered, acc.stored, acc.separators, acc.failed, acc.ok) == (13, 8, 5, 0, True)
    assert outcome.batch.state == "done" and outcome.progress.documents_done == 4
    with ctx.session() as session:
        docs = BatchRepository(session).documents(outcome.batch.id)
        for doc in docs:
            assert doc.sha256 and BlobRepository(session).get(doc.sha256) is not None
    assert [pdf_pages(ctx, d.sha256) for d in docs] == [2, 3, 1, 2]  # separators not stored
    assert outcome.progress.pages_per_hour > 0


def test_unreadable_and_duplicate_pages_are_flagged_not_lost(ctx: AppContext, tmp_path: Path) -> None:
    folder = tmp_path / "stack"
    names = make_stack(folder, "TTXKT")
    (folder / "p006.png").write_bytes((folder / "p002.png").read_bytes())  # the same sheet twice
    outcome = scan_batch(ctx, f"folder:{folder}")
    first, second = outcome.documents
    assert first.pages == ("p001.png", "p002.png", "p003.png") and second.pages == ("p005.png", "p006.png")
    assert first.flags == {"unreadable": ["p003.png"]} and not first.accepted
    assert second.flags == {"duplicate": ["p006.png"]} and not second.accepted
    assert [f.name for f in outcome.failures] == ["p003.png"]
    acc = outcome.accounting
    assert (acc.delivered, acc.stored, acc.separators, acc.failed, acc.ok) == (6, 4, 1, 1, True)
    assert pdf_pages(ctx, first.sha256) == 2  # type: ignore[arg-type]
    assert len(names) == 5


def test_the_sane_feeder_gives_one_document_of_ten_pages(ctx: AppContext, sane_test_backend: Path) -> None:
    outcome = scan_batch(ctx, "sane:test:0?source=adf&mode=gray&test-picture=Grid")
    assert len(outcome.documents) == 1
    doc = outcome.documents[0]
    assert len(doc.pages) == 10 and doc.separator is None and doc.blank_pages == ()
    assert outcome.accounting.ok and outcome.accounting.delivered == 10 and outcome.accounting.stored == 10
    assert len(set(doc.pages)) == 10  # ten spooled pages, each once
    assert doc.flags.get("duplicate") == list(doc.pages[1:])  # the test pattern is the same sheet ten times
    assert pdf_pages(ctx, doc.sha256) == 10  # type: ignore[arg-type]


def test_pause_then_resume_takes_each_page_once(ctx: AppContext, tmp_path: Path) -> None:
    kinds = "TTSTTTKTT"
    names = make_stack(tmp_path / "stack", kinds)
    batch = start_batch(ctx, f"folder:{tmp_path / 'stack'}")
    cancel = CancelToken()
    seen: list[str] = []

    def on_page(record) -> None:  # type: ignore[no-untyped-def]
        seen.append(record.name)
        if len(seen) == 4:
            cancel.cancel()

    paused = run_batch(ctx, batch.id, cancel=cancel, on_page=on_page)
    assert paused.batch.state == "open" and paused.progress.pages == 4
    assert [d.closed for d in paused.documents] == [True, False]
    assert unfinished_batches(ctx) == [paused.batch]
    assert batch_progress(ctx, batch.id).documents_done == 1
    seen.clear()
    done = run_batch(ctx, batch.id, on_page=lambda r: seen.append(r.name))
    assert seen == names[4:]  # the first four were not taken again
    assert done.to_json() == {"documents": expected_documents(kinds, names)}
    assert run_batch(ctx, batch.id).to_json() == done.to_json()  # a finished batch is not run again


def test_cancel_abandons_the_batch(ctx: AppContext, tmp_path: Path) -> None:
    make_stack(tmp_path / "stack", "TTT")
    batch = start_batch(ctx, f"folder:{tmp_path / 'stack'}")
    cancel_batch(ctx, batch.id)
    with pytest.raises(BatchError):
        run_batch(ctx, batch.id)
    assert unfinished_batches(ctx) == []
    other = start_batch(ctx, f"folder:{tmp_path / 'stack'}")

    def cancel_from_elsewhere(record) -> None:  # type: ignore[no-untyped-def]
        if record.seq == 0:
            cancel_batch(ctx, other.id)

    with pytest.raises(BatchCancelledError):
        run_batch(ctx, other.id, on_page=cancel_from_elsewhere)
    assert batch_outcome(ctx, other.id).batch.state == "cancelled"


def test_a_clerk_starts_batches_and_bad_sources_are_refused(ctx: AppContext, tmp_path: Path) -> None:
    make_stack(tmp_path / "stack", "T")
    clerk = Officer("so.hoa", "Nhân Viên Số Hóa", Role.CLERK)
    assert start_batch(ctx, f"folder:{tmp_path / 'stack'}", officer=clerk).officer == "so.hoa"
    with pytest.raises(ScanError, match="folder not found") as missing:
        start_batch(ctx, f"folder:{tmp_path / 'missing'}")
    assert "Không tìm thấy thư mục" in missing.value.message_vi
    with pytest.raises(ScanError, match="invalid scan source"):
        start_batch(ctx, "ftp://example")
    with pytest.raises(ScanError, match="unknown scan profile"):
        start_batch(ctx, f"folder:{tmp_path / 'stack'}", "no-such-profile")
