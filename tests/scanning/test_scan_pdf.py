"""PDF assembly: pages embedded as stored, at least 200 dpi, metadata, PDF/A-2b markers, SHA-256."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from scan_helpers import seal_page, text_page

from app.scanning.encode import EncodedPage, encode_page
from app.scanning.errors import ScanError
from app.scanning.pdf import PdfMetadata, assemble_pdf
from app.scanning.pipeline import PageResult, process_page
from app.scanning.profile import DEFAULT_PROFILE, ColorMode

META = PdfMetadata(
    title="Đơn đề nghị cấp bản sao trích lục hộ tịch",
    dossier_code="000.00.22.H12-230601-0001",
    component="Tờ khai theo mẫu",
    officer="Trần Thị Bích Ngọc",
    created_at=datetime(2026, 11, 20, 9, 30, tzinfo=timezone(timedelta(hours=7))),
)


@pytest.fixture(scope="module")
def pages() -> list[EncodedPage]:
    out = []
    for image in (seal_page(), text_page(), seal_page(seed=2)):
        result = process_page(image, DEFAULT_PROFILE, dpi=200)
        assert isinstance(result, PageResult)
        out.append(result.encoded)
    assert [p.color for p in out] == [ColorMode.COLOR, ColorMode.BW, ColorMode.COLOR]
    return out


@pytest.fixture(scope="module")
def made(pages: list[EncodedPage], tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("pdf") / "thanh-phan-1.pdf"
    return assemble_pdf(pages, path, META)


def test_page_count_and_sha256(made) -> None:  # type: ignore[no-untyped-def]
    data = made.path.read_bytes()
    assert made.sha256 == hashlib.sha256(data).hexdigest()
    assert made.size == len(data) and made.pages == 3
    with pikepdf.open(made.path) as pdf:
        assert len(pdf.pages) == 3


def test_images_embedded_without_reencoding(made, pages: list[EncodedPage]) -> None:  # type: ignore[no-untyped-def]
    """GIVEN stored JPEG and G4 pages WHEN assembled THEN the PDF streams are those very bytes."""
    with pikepdf.open(made.path) as pdf:
        streams = [next(iter(page.get_images(recursive=False).values())) for page in pdf.pages]
        assert streams[0].Filter == pikepdf.Name.DCTDecode
        assert streams[0].read_raw_bytes() == pages[0].data
        assert streams[2].read_raw_bytes() == pages[2].data
        assert list(streams[1].Filter) == [pikepdf.Name.CCITTFaxDecode]
        assert streams[1].read_raw_bytes() == g4_strips(pages[1].data)


def g4_strips(tiff: bytes) -> bytes:
    """The CCITT G4 data of a TIFF file: its strips, in order."""
    with Image.open(io.BytesIO(tiff)) as im:
        assert im.info["compression"] == "group4"
        offsets, counts = im.tag_v2[273], im.tag_v2[279]
    return b"".join(tiff[o:o + c] for o, c in zip(offsets, counts, strict=True))


def test_resolution_at_least_200_dpi(made) -> None:  # type: ignore[no-untyped-def]
    with pikepdf.open(made.path) as pdf:
        for page in pdf.pages:
            image = next(iter(page.get_images(recursive=False).values()))
            box = [float(v) for v in page.mediabox]
            dpi_x = int(image.Width) / ((box[2] - box[0]) / 72)
            dpi_y = int(image.Height) / ((box[3] - box[1]) / 72)
            assert dpi_x >= 199.9 and dpi_y >= 199.9
            assert (box[2] - box[0]) == pytest.approx(595.4, abs=1)  # A4 width in points


def test_metadata_title_dossier_component_officer_time(made) -> None:  # type: ignore[no-untyped-def]
    with pikepdf.open(made.path) as pdf:
        info = pdf.docinfo
        assert str(info["/Title"]) == META.title
        assert str(info["/Author"]) == META.officer
        assert META.dossier_code in str(info["/Subject"]) and META.component in str(info["/Subject"])
        assert str(info["/MotCuaDossierCode"]) == META.dossier_code
        assert str(info["/MotCuaComponent"]) == META.component
        assert str(info["/CreationDate"]).startswith("D:20261120093000+07")
        xmp = pdf.open_metadata()
        assert xmp["dc:title"] == META.title
        assert META.dossier_code in xmp["pdf:Keywords"]
        assert xmp["xmp:CreateDate"].startswith("2026-11-20T09:30:00")


def test_pdfa_2b_identification_and_output_intent(made) -> None:  # type: ignore[no-untyped-def]
    assert made.pdfa
    with pikepdf.open(made.path) as pdf:
        xmp = pdf.open_metadata()
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "B")
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == pikepdf.Name.GTS_PDFA1
        assert int(intent.DestOutputProfile.N) == 3
        assert "/ID" in pdf.trailer


def test_pages_below_200_dpi_are_refused(tmp_path: Path) -> None:
    low = encode_page(text_page(lines=3)[:800, :600], ColorMode.GRAY, 150.0)
    with pytest.raises(ScanError, match="150 dpi"):
        assemble_pdf([low], tmp_path / "low.pdf", META)
    assert not (tmp_path / "low.pdf").exists()


def test_no_pages_no_pdf(tmp_path: Path) -> None:
    with pytest.raises(ScanError):
        assemble_pdf([], tmp_path / "empty.pdf", META)
