"""Batch documents into warehouse records (app/services/batch/): the quality gates, the
link to the batch document, idempotence, page images when the spool is gone."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from app.core.errors import ValidationError
from app.core.warehouse import ResultMetadata, SourceKind
from app.services.admin.auth import SYSTEM_OFFICER
from app.services.admin.setup import init
from app.services.batch import reading as batch_reading
from app.services.batch import recording as batch_records
from app.services.batch import set_aside
from app.services.batch.engine import run_batch
from app.services.batch.lifecycle import batch_outcome, start_batch
from app.services.batch.outcome import BatchOutcome
from app.services.context import AppContext
from app.services.warehouse import records as warehouse
from app.store.repositories import AuditRepository, BatchRepository, WarehouseRepository
from tests.batch.batch_helpers import TYPE, make_stack

#: doc 1 (type K): 2 pages; doc 2 (K): 3 pages, the middle one blank; doc 3: a page and an unreadable
#: file; doc 4: a page and an exact copy of it (p013.png, added below).
KINDS = "KTTKTBTSTXST"
OWNER = "001190012345"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("records") / "stack"
    make_stack(folder, KINDS)
    shutil.copyfile(folder / "p012.png", folder / "p013.png")
    return folder


@pytest.fixture(scope="module")
def template(stack: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the catalogue and the stack scanned as a batch, made once; tests get a copy."""
    folder = tmp_path_factory.mktemp("records-data") / "data"
    with AppContext.open(folder) as context:
        init(context)  # the catalogue: the result types
        run_batch(context, start_batch(context, f"folder:{stack}").id)
    return folder


@pytest.fixture
def ctx(template: Path, tmp_path: Path) -> Iterator[AppContext]:
    shutil.copytree(template, tmp_path / "data")
    with AppContext.open(tmp_path / "data") as context:
        yield context


@pytest.fixture
def done(ctx: AppContext) -> BatchOutcome:
    with ctx.session() as session:
        (batch,) = BatchRepository(session).list()
    return batch_outcome(ctx, batch.id)


def metadata(number: str = "12", **changes: object) -> ResultMetadata:
    values: dict[str, object] = {"type_code": "", "number": number, "symbol": "2019",
                                 "issued_on": date(2019, 3, 5), "issuer": "UBND phường Bến Nghé",
                                 "owner_name": "Nguyễn Thị Hoa", "owner_id_number": OWNER}
    values.update(changes)
    return ResultMetadata(**values)  # type: ignore[arg-type]


def pdf_pages(ctx: AppContext, sha256: str) -> int:
    with pikepdf.open(io.BytesIO(ctx.db.blobs.read_bytes(sha256))) as pdf:
        return len(pdf.pages)


def count(ctx: AppContext) -> int:
    with ctx.session() as session:
        return WarehouseRepository(session).count()


def test_the_split_is_as_expected(done: BatchOutcome) -> None:
    docs = done.documents
    assert [d.pages for d in docs] == [("p002.png", "p003.png"), ("p005.png", "p006.png", "p007.png"),
                                       ("p009.png", "p010.png"), ("p012.png", "p013.png")]
    assert docs[1].blank_pages == ("p006.png",) and docs[2].flags.get("unreadable") == ["p010.png"]
    assert docs[3].flags.get("duplicate") == ["p013.png"]
    assert done.accounting.ok
    assert batch_reading.first_unrecorded(done) == 0 and batch_reading.first_unrecorded(done, 3) == 0


def test_a_document_becomes_a_linked_record_once(ctx: AppContext, done: BatchOutcome) -> None:
    batch = done.batch
    record = batch_records.record_document(ctx, batch.id, 0, metadata(), SYSTEM_OFFICER)
    m = record.metadata
    assert (m.type_code, m.type_name) == (TYPE, "Giấy chứng nhận kết hôn")  # from the separator
    assert record.pages == 2 and pdf_pages(ctx, record.sha256) == 2
    assert record.sha256 == done.documents[0].sha256  # the batch document's own PDF
    assert (record.source_kind, record.source_ref) == (SourceKind.BATCH, f"{batch.name}#1")
    with ctx.session() as session:
        stored = BatchRepository(session).document(batch.id, 0)
    assert stored.warehouse_record == record.record_id and stored.reviewed_by is None
    outcome = batch_outcome(ctx, batch.id)
    assert outcome.documents[0].recorded and outcome.details_json()["documents"][0]["warehouse_record"]
    # again, even with other metadata: the same record, nothing stored twice
    again = batch_records.record_document(ctx, batch.id, 0, metadata("99"), SYSTEM_OFFICER)
    assert again == record and count(ctx) == 1
    done_now = batch_reading.batch_documents_done(ctx, batch.id)
    assert (done_now.recorded, done_now.total, done_now.label_vi()) == (1, 4, "1/4 giấy tờ đã nhập")
    assert batch_reading.first_unrecorded(outcome) == 1 and batch_reading.first_unrecorded(outcome, 1) == 2


def test_a_record_stored_but_not_linked_is_linked_not_stored_again(ctx: AppContext,
                                                                   done: BatchOutcome) -> None:
    """A crash between storing the record and linking it (or a link lost some other way)."""
    batch, doc = done.batch, done.documents[0]
    orphan = warehouse.add_result(ctx, replace(metadata(), type_code=TYPE), SYSTEM_OFFICER,
                                  pdf_bytes=ctx.db.blobs.read_bytes(doc.sha256 or ""),
                                  source_kind=SourceKind.BATCH, source_ref=batch_reading.source_ref(batch, 0))
    record = batch_records.record_document(ctx, batch.id, 0, metadata(), SYSTEM_OFFICER)
    assert record == orphan and count(ctx) == 1
    assert batch_outcome(ctx, batch.id).documents[0].warehouse_record == orphan.record_id


def test_two_clerks_saving_the_same_document_get_one_record(ctx: AppContext, done: BatchOutcome,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    batch = done.batch
    first = batch_records.record_document(ctx, batch.id, 0, metadata(), SYSTEM_OFFICER)
    # the second clerk read the batch before the first saved, and misses the record on its way
    monkeypatch.setattr(batch_records, "batch_outcome", lambda _ctx, _id: done)
    monkeypatch.setattr(batch_records, "_own_record", lambda *_a: None)
    second = batch_records.record_document(ctx, batch.id, 0, metadata("77"), SYSTEM_OFFICER)
    assert second == first and count(ctx) == 1
    # on PostgreSQL both may pass the duplicate check: the link, under a row lock, decides
    monkeypatch.setattr(warehouse, "_duplicates", lambda *_a: [])
    third = batch_records.record_document(ctx, batch.id, 0, metadata("78"), SYSTEM_OFFICER)
    assert third == first and count(ctx) == 1  # the second record was rolled back


def test_blank_pages_must_be_reviewed(ctx: AppContext, done: BatchOutcome) -> None:
    batch = done.batch
    with pytest.raises(ValidationError) as refused:
        batch_records.record_document(ctx, batch.id, 1, metadata(), SYSTEM_OFFICER)
    assert refused.value.field == "blank_pages_reviewed"
    assert "1 trang trắng (p006.png) chưa được xem" in refused.value.message_vi
    assert count(ctx) == 0
    record = batch_records.record_document(ctx, batch.id, 1, metadata(), SYSTEM_OFFICER,
                                           blank_pages_reviewed=True)
    assert record.pages == 3 and pdf_pages(ctx, record.sha256) == 3  # the blank page is kept
    with ctx.session() as session:
        stored = BatchRepository(session).document(batch.id, 1)
    assert stored.reviewed_by == SYSTEM_OFFICER.username and stored.reviewed_at is not None


def test_unreadable_pages_refuse_the_document(ctx: AppContext, done: BatchOutcome) -> None:
    with pytest.raises(ValidationError) as refused:
        batch_records.record_document(ctx, done.batch.id, 2, metadata(), SYSTEM_OFFICER,
                                      blank_pages_reviewed=True, flags_accepted=True)
    message = refused.value.message_vi
    assert "trang không đọc được (p010.png)" in message and "quét lại" in message
    opened = batch_reading.open_document(ctx, done.batch.id, 2)
    assert [p.name for p in opened.pages] == ["p009.png"] and opened.unreadable == ("p010.png",)
    assert "không đọc được: p010.png" in opened.review_vi()


def test_duplicate_pages_need_a_look_and_duplicate_records_are_refused(ctx: AppContext,
                                                                      done: BatchOutcome) -> None:
    batch = done.batch
    with pytest.raises(ValidationError) as refused:
        batch_records.record_document(ctx, batch.id, 3, metadata(type_code=TYPE), SYSTEM_OFFICER)
    assert "trùng trang: p013.png" in refused.value.message_vi
    opened = batch_reading.open_document(ctx, batch.id, 3)
    assert opened.needs_review and opened.flagged == {"duplicate": ["p013.png"]}
    batch_records.record_document(ctx, batch.id, 3, metadata(type_code=TYPE), SYSTEM_OFFICER,
                                  flags_accepted=True)
    # the same owner, type and number on another document: refused, said in Vietnamese
    with pytest.raises(warehouse.DuplicateRecordError) as duplicate:
        batch_records.record_document(ctx, batch.id, 0, metadata(), SYSTEM_OFFICER)
    assert "Giấy tờ đã có trong kho" in duplicate.value.message_vi
    assert count(ctx) == 1 and not batch_outcome(ctx, batch.id).documents[0].recorded
    todo = batch_reading.batches_to_finish(ctx)
    assert [(t.batch.id, t.done.recorded, t.done.total) for t in todo] == [(batch.id, 1, 4)]
    assert "1/4 giấy tờ đã nhập" in todo[0].label_vi()


def test_page_images_come_from_the_pdf_when_the_spool_is_gone(ctx: AppContext, done: BatchOutcome) -> None:
    """The preview's page images are the spool's (sealed on disk, decrypted in memory); when they
    are gone they are taken out of the document's PDF, in memory: nothing is written in clear."""
    batch = done.batch
    folder = ctx.data_dir / "batch-spool" / batch.name
    spooled = batch_reading.document_page_images(ctx, batch.id, 1)
    doc = batch_reading.open_document(ctx, batch.id, 1)
    assert [p.name for p in spooled] == [p.name for p in doc.images]
    assert all((folder / p.name).is_file() for p in spooled)
    magic = (b"\xff\xd8", b"II*", b"MM\0*")  # JPEG, TIFF: sealed files are neither
    assert not any((folder / p.name).read_bytes().startswith(magic) for p in spooled)
    sizes = []
    for page in spooled:
        with Image.open(io.BytesIO(page.read())) as im:
            sizes.append(im.size)
    for page in spooled:
        (folder / page.name).unlink()
    old_cache = folder / "from-pdf-0123456789abcdef"  # plain images an older version wrote: removed
    old_cache.mkdir()
    (old_cache / "0000.jpg").write_bytes(b"\xff\xd8 old")
    before = {p for p in folder.rglob("*")} - {old_cache, old_cache / "0000.jpg"}
    from_pdf = batch_reading.document_page_images(ctx, batch.id, 1)
    assert len(from_pdf) == 3
    for page, size in zip(from_pdf, sizes, strict=True):
        with Image.open(io.BytesIO(page.read())) as im:
            assert im.size == size
    assert set(folder.rglob("*")) == before  # nothing written to disk, the old plain cache gone
    # a document not closed, or not there
    with pytest.raises(Exception, match="no closed document 9"):
        batch_reading.document_pages(ctx, batch.id, 9)



def test_a_document_set_aside_counts_as_handled(ctx: AppContext, done: BatchOutcome) -> None:
    """Document 3 has an unreadable page: it can never be recorded as it is. Set aside with a reason,
    it is skipped, counted apart, and its batch leaves "Lô chưa xong" once the others are recorded."""
    batch = done.batch
    with pytest.raises(ValidationError) as no_reason:
        set_aside.set_aside_document(ctx, batch.id, 2, SYSTEM_OFFICER, "  ")
    assert no_reason.value.field == "reason" and "lý do" in no_reason.value.message_vi
    reason = set_aside.SET_ASIDE_REASONS[0]
    doc = set_aside.set_aside_document(ctx, batch.id, 2, SYSTEM_OFFICER, reason)
    assert doc.set_aside and doc.handled and not doc.recorded
    assert (doc.set_aside_reason, doc.set_aside_by) == (reason, SYSTEM_OFFICER.username) and doc.set_aside_at
    outcome = batch_outcome(ctx, batch.id)
    assert batch_reading.first_unrecorded(outcome) == 0 and batch_reading.first_unrecorded(outcome, 1) == 3
    details = [d["set_aside"] for d in outcome.details_json()["documents"]]  # motcua batch --details --json
    assert details[:2] == [None, None] and details[2]["reason"] == reason and details[2]["by"] == "cli"
    with ctx.session() as session:
        (entry,) = AuditRepository(session).entries(action=set_aside.AUDIT_BATCH_SET_ASIDE)
    assert entry.details["document"] == 3 and entry.details["reason"] == reason

    batch_records.record_document(ctx, batch.id, 0, metadata(), SYSTEM_OFFICER)
    (todo,) = batch_reading.batches_to_finish(ctx)
    assert (todo.done.recorded, todo.done.total, todo.done.set_aside, todo.done.remaining) == (1, 4, 1, 2)
    assert todo.label_vi().endswith("1/4 giấy tờ đã nhập, 1 để riêng")
    batch_records.record_document(ctx, batch.id, 1, metadata("13"), SYSTEM_OFFICER, blank_pages_reviewed=True)
    batch_records.record_document(ctx, batch.id, 3, metadata("14", type_code=TYPE), SYSTEM_OFFICER,
                                  flags_accepted=True)
    assert batch_reading.batches_to_finish(ctx) == []
    assert batch_reading.first_unrecorded(batch_outcome(ctx, batch.id)) is None
    assert batch_reading.batch_documents_done(ctx, batch.id).label_vi() == "3/4 giấy tờ đã nhập, 1 để riêng"

    # a recorded document cannot be set aside
    with pytest.raises(ValidationError) as recorded:
        set_aside.set_aside_document(ctx, batch.id, 0, SYSTEM_OFFICER, "Khác")
    assert "Tài liệu 1 đã được nhập vào kho" in recorded.value.message_vi
    assert not batch_outcome(ctx, batch.id).documents[0].set_aside

    # restored: the batch has a document to finish again
    restored = set_aside.restore_document(ctx, batch.id, 2, SYSTEM_OFFICER)
    assert not restored.set_aside and restored.set_aside_by is None and restored.set_aside_at is None
    (todo,) = batch_reading.batches_to_finish(ctx)
    assert (todo.batch.id, todo.done.recorded, todo.done.set_aside) == (batch.id, 3, 0)
    assert batch_reading.first_unrecorded(batch_outcome(ctx, batch.id)) == 2
    with ctx.session() as session:
        (entry,) = AuditRepository(session).entries(action=set_aside.AUDIT_BATCH_RESTORE)
    assert entry.details == {"batch": batch.name, "document": 3, "reason": reason}
    assert set_aside.restore_document(ctx, batch.id, 2, SYSTEM_OFFICER) == restored  # nothing to undo


def test_a_set_aside_document_is_not_recorded_until_restored(ctx: AppContext, done: BatchOutcome,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    batch = done.batch
    set_aside.set_aside_document(ctx, batch.id, 0, SYSTEM_OFFICER, "Không phải kết quả giải quyết TTHC")
    again = set_aside.set_aside_document(ctx, batch.id, 0, SYSTEM_OFFICER, "  Bản   photo mờ ")
    assert again.set_aside_reason == "Bản photo mờ"  # set aside again: the new reason
    with pytest.raises(ValidationError) as refused:
        batch_records.record_document(ctx, batch.id, 0, metadata(), SYSTEM_OFFICER)
    assert "Tài liệu 1 đang để riêng (Bản photo mờ)" in refused.value.message_vi and count(ctx) == 0
    assert batch_reading.open_document(ctx, batch.id, 0).set_aside_reason == "Bản photo mờ"
    # set aside by another clerk between the check and the link: the new record is rolled back
    stale = batch_outcome(ctx, batch.id)
    stale = replace(stale, documents=tuple(replace(d, set_aside_reason=None) for d in stale.documents))
    monkeypatch.setattr(batch_records, "batch_outcome", lambda _ctx, _id: stale)
    with pytest.raises(ValidationError, match="set aside"):
        batch_records.record_document(ctx, batch.id, 0, metadata(), SYSTEM_OFFICER)
    monkeypatch.undo()
    assert count(ctx) == 0
    set_aside.restore_document(ctx, batch.id, 0, SYSTEM_OFFICER)
    record = batch_records.record_document(ctx, batch.id, 0, metadata(), SYSTEM_OFFICER)
    assert batch_records.batch_record_ids(ctx, batch.id) == [record.record_id]
    assert batch_records.batch_record_ids(ctx, batch.id, unsigned_only=True) == [record.record_id]
    (state,) = batch_records.batch_signatures(ctx, batch.id)
    assert (state.number, state.record_id, state.signed) == (0, record.record_id, False)
