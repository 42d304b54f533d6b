"""An initialised SQLite :class:`AppContext` with the procedures the warehouse tests use, and PDFs."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pikepdf
import pytest

from app.core.catalogue import default_catalogue_path
from app.core.warehouse import ResultMetadata
from app.services.admin.setup import init
from app.services.context import AppContext
from app.store.database import Database

INIT_AT = datetime(2025, 1, 2, 8, 0)
TODAY = date(2025, 3, 18)
#: khai sinh (issues KQ.G15.000031 Giấy khai sinh), đăng ký lại khai sinh (asks for "Bản sao Giấy khai
#: sinh"), thường trú (explicit codes on a component), thẻ căn cước (issues KQ.1.014061).
PROCEDURES = ("1.001193", "1.004884", "1.004222", "1.014061")
BIRTH_CERT = "KQ.G15.000031"
ID_CARD = "KQ.1.014061"
REBIRTH = "1.004884"
CCCD = "079190001234"
CMND = "281234567"
OWNER = "Nguyễn Thị Thu Hà"


@pytest.fixture(scope="session")
def warehouse_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = json.loads(default_catalogue_path().read_text(encoding="utf-8"))
    data["procedures"] = [p for p in data["procedures"] if p["code"] in PROCEDURES]
    assert len(data["procedures"]) == len(PROCEDURES)
    path = tmp_path_factory.mktemp("wh-catalogue") / "procedures.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def ctx(tmp_path: Path, warehouse_catalogue: Path) -> Iterator[AppContext]:
    """A real SQLite file under ``tmp_path``."""
    db = Database.open(data_dir=tmp_path / "data")
    context = AppContext(db, db.data_dir)
    init(context, now=INIT_AT, catalogue_path=warehouse_catalogue)
    try:
        yield context
    finally:
        db.close()


def make_pdf(label: str, pages: int = 1) -> bytes:
    """A small valid PDF whose bytes depend on ``label``."""
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = label
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def birth_cert(**changes: object) -> ResultMetadata:
    values: dict[str, object] = {
        "type_code": BIRTH_CERT, "number": "12", "symbol": "2019", "issued_on": date(2019, 3, 5),
        "issuer": "UBND phường Bến Nghé", "signer": "Trần Văn Bình", "owner_name": OWNER,
        "owner_id_number": CCCD, "owner_old_id_number": CMND}
    values.update(changes)
    return ResultMetadata(**values)  # type: ignore[arg-type]
