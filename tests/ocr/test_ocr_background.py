"""The background reader on real stored PDFs: a page scanned into a dossier and a past result filed
in the warehouse are read after they are stored; the dossier is then found by a phrase printed only
on the scanned page, the warehouse record by its page text, the result's PDF carries an invisible
text layer that ``pdftotext`` reads, and the stored text is sealed like the pages."""

from __future__ import annotations

import io
import subprocess
from datetime import date, datetime
from pathlib import Path

import pikepdf
import pytest

from app.core.applicant import Applicant
from app.core.text import fold
from app.core.warehouse import ResultMetadata
from app.documents.specimens import render_specimen
from app.scanning.ocr.textlayer import add_text_layer
from app.services import reception, scanning, warehouse
from app.services.auth import Officer, Role
from app.services.dossiers import list_dossiers
from app.services.ocr.background import read_backlog, read_text, unread_count
from app.services.reception import ReceiveRequest
from app.store.repositories import DossierRepository
from app.store.repositories.page_texts import PageTextRepository
from tests.warehouse.conftest import ctx, warehouse_catalogue  # noqa: F401  (fixtures)

OFFICER = Officer("hung", "Lê Văn Hùng", Role.OFFICER)
REBIRTH = "1.004884"


def pdftotext(data: bytes, tmp_path: Path) -> str:
    source = tmp_path / "read.pdf"
    source.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True, text=True,
                          encoding="utf-8", check=True).stdout


def test_stored_pdfs_are_read_afterwards_searchable_and_sealed(ctx, tmp_path: Path) -> None:  # noqa: F811
    component, result = render_specimen(12), render_specimen(14)  # a death extract, a birth certificate
    applicant = Applicant(full_name="Lâm Gia Bảo", id_number="079190004321", birth_date=date(1990, 3, 12))
    dossier = reception.receive_dossier(ctx, ReceiveRequest(REBIRTH, applicant,
                                                            received_at=datetime(2025, 3, 18, 9, 0)), OFFICER)
    page = tmp_path / "component.jpg"
    page.write_bytes(component.jpeg)
    scanning.scan_into_dossier(ctx, f"file:{page}", dossier.code, 0, OFFICER)
    result_page = tmp_path / "result.jpg"
    result_page.write_bytes(result.jpeg)
    truth = result.fields
    record = warehouse.add_result(ctx, ResultMetadata(
        type_code=truth.type, number=truth.number, symbol=truth.symbol,
        issued_on=date.fromisoformat(truth.issued), owner_name=truth.owner_name,
        owner_id_number=truth.owner_id), OFFICER, page_images=[result_page])

    # what only the scanned page says (the owner's street, the signer) finds nothing before reading
    street = next(line for line in component.text.splitlines() if line.startswith("Nơi cư trú"))
    phrase = f"{street.split('đường ')[1].split(',')[0]} {component.fields.signer}"
    assert list_dossiers(ctx, phrase) == []
    assert warehouse.search(ctx, OFFICER, text=truth.signer) == []
    assert unread_count(ctx) == 2

    outcomes = read_backlog(ctx)

    assert [o.error for o in outcomes] == [None, None] and unread_count(ctx) == 0
    assert [d.code for d in list_dossiers(ctx, phrase)] == [dossier.code]
    assert [d.code for d in list_dossiers(ctx, fold(phrase).upper())] == [dossier.code]  # accents optional
    found = warehouse.search(ctx, OFFICER, text=truth.signer)
    assert [r.record_id for r in found] == [record.record_id]

    # the result's PDF now carries the text: pdftotext finds the title and the owner's number
    layered = warehouse.open_record_pdf(ctx, found[0])
    assert found[0].sha256 != record.sha256
    text = pdftotext(layered, tmp_path)
    assert "GIẤY KHAI SINH" in text and truth.owner_id in text
    assert "GIẤY KHAI SINH" not in pdftotext(ctx.db.blobs.read_bytes(record.sha256), tmp_path)  # as scanned
    with pikepdf.open(io.BytesIO(layered)) as new:
        assert len(new.pages) == 1

    # the text and word boxes are stored sealed, readable through the store only
    stored = read_text(ctx, record.sha256)
    assert stored is not None and any(truth.owner_id in line["text"] for line in stored["pages"][0]["lines"])
    with ctx.session() as session:
        info = PageTextRepository(session).get(record.sha256)
    assert info is not None and info.status == "done" and info.fields["values"]["owner_id"] == truth.owner_id
    on_disk = ctx.db.blobs.path_of(info.text_sha256).read_bytes()
    assert truth.owner_id.encode() not in on_disk and "Số định danh".encode() not in on_disk

    # a later action on the dossier rewrites its search text: the page words stay
    with ctx.session() as session:
        repo = DossierRepository(session)
        repo.update(repo.get(dossier.code))
    assert [d.code for d in list_dossiers(ctx, phrase)] == [dossier.code]


def test_a_signed_pdf_is_never_given_a_text_layer() -> None:
    signed = b"%PDF-1.7\n1 0 obj<</Type/Sig/ByteRange[0 10 20 30]>>endobj\n%%EOF"
    with pytest.raises(ValueError, match="signed"):
        add_text_layer(signed, [None])
