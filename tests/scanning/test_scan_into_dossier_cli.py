"""``motcua scan`` for real: SANE's test backend (flatbed and the 10-sheet feeder) and an eSCL
scanner on the loopback, into a dossier made by ``motcua receive`` in a temporary data folder;
the stored PDFs are read back from the blob store."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pikepdf
import pytest
from escl_fake_server import EsclServer, FakeScanner
from scan_cli_helpers import make_office, run

from app.store.blobs import BlobStore

SCAN_KEYS = {"code", "component_index", "sha256", "pages", "blank_pages", "bytes", "file_name",
             "failures"}


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return make_office(tmp_path_factory.mktemp("scan-cli"))


def scan(office: dict[str, object], source: str, target: str) -> dict[str, object]:
    result = run(office, "scan", "--source", source, "--to", target, "--json")
    assert result.returncode == 0, result.stderr + result.stdout
    data = json.loads(result.stdout)
    assert set(data) == SCAN_KEYS
    return data


def stored_pdf(office: dict[str, object], sha256: str) -> pikepdf.Pdf:
    data = BlobStore(Path(str(office["data"])) / "blobs").read_bytes(sha256)  # verified read
    return pikepdf.open(io.BytesIO(data))


def check_pdf(office: dict[str, object], data: dict[str, object], pages: int, component: str) -> None:
    with stored_pdf(office, str(data["sha256"])) as pdf:
        assert len(pdf.pages) == pages
        for page in pdf.pages:
            image = next(iter(page.get_images(recursive=False).values()))
            width_in = float(page.mediabox[2] - page.mediabox[0]) / 72
            assert int(image.Width) / width_in >= 199.5
            assert pikepdf.PdfImage(image).as_pil_image().size[0] > 1000  # the page reads back
        assert str(pdf.docinfo["/MotCuaDossierCode"]) == office["code"]
        assert str(pdf.docinfo["/Title"]) == component
        assert str(pdf.docinfo["/Author"]) == "Dòng lệnh"


def dossier(office: dict[str, object]) -> dict:  # type: ignore[type-arg]
    result = run(office, "dossier", "show", str(office["code"]), "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sane_flatbed_single_page(office: dict[str, object]) -> None:
    """GIVEN the SANE test scanner's flatbed WHEN ``motcua scan --source sane:test --to CODE:4``
    THEN one A4 page at 200 dpi lands in the dossier as component 3's PDF, listed by ``dossier show``."""
    data = scan(office, "sane:test?test-picture=Color pattern", f"{office['code']}:4")  # from 1
    assert data["pages"] == 1 and data["component_index"] == 3 and data["blank_pages"] == []
    assert data["file_name"] == f"{office['code']}_TP4.pdf"
    shown = dossier(office)
    check_pdf(office, data, 1, shown["components"][3]["name"])
    listed = {a["sha256"]: a for a in shown["attachments"]}
    assert listed[data["sha256"]]["pages"] == 1 and listed[data["sha256"]]["media_type"] == "application/pdf"
    assert listed[data["sha256"]]["size"] == data["bytes"]
    assert shown["components"][3]["digitised"] is True


def test_sane_feeder_ten_pages(office: dict[str, object]) -> None:
    """GIVEN the test scanner's feeder (10 sheets, then 'feeder empty') WHEN scanned into component 7
    (numbered from 1; index 6) THEN one PDF of 10 pages readable back from the blob store."""
    data = scan(office, "sane:test?source=adf&test-picture=Grid", f"{office['code']}:7")  # from 1
    assert data["pages"] == 10
    shown = dossier(office)
    check_pdf(office, data, 10, shown["components"][6]["name"])
    assert data["sha256"] in {a["sha256"] for a in shown["attachments"]}
    assert shown["components"][6]["digitised"] is True


def test_escl_feeder_over_http(office: dict[str, object]) -> None:
    with EsclServer(FakeScanner(feeder_pages=3)) as server:
        data = scan(office, f"escl:{server.url}?source=adf", f"{office['code']}:6")  # index 5
        assert server.scanner.settings[0]["pwg:InputSource"] == "Feeder"
    assert data["pages"] == 3
    check_pdf(office, data, 3, dossier(office)["components"][5]["name"])
