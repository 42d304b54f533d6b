"""Every dossier is syncable: the station builds every message within the protocol's limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from app.core.catalogue import load_catalogue
from app.core.dossier import Attachment
from app.sync import limits
from app.sync.vocabulary import dossier_record, file_record, status_record
from provincial_server.schemas import DossierIn, LePhi, Supplement, TaiLieu, TienDo, UploadIn
from tests.sync.catalogue_station import every_procedure_station


def _max_lengths(model: type[BaseModel]) -> dict[str, int]:
    out = {}
    for name, spec in model.model_json_schema()["properties"].items():
        options = spec.get("anyOf", [spec])
        found = [o["maxLength"] for o in options if "maxLength" in o]
        if found:
            out[name] = found[0]
    return out


@pytest.mark.parametrize(
    ("table", "model"),
    [
        (limits.DOSSIER, DossierIn),
        (limits.DOCUMENT, TaiLieu),
        (limits.FEE, LePhi),
        (limits.STATUS, TienDo),
        (limits.FILE, UploadIn),
        (limits.SUPPLEMENT, Supplement),
    ],
)
def test_the_station_knows_every_free_text_limit_of_the_server(table: dict[str, int], model: Any):
    server = _max_lengths(model)
    for name, limit in table.items():
        assert server[name] == limit, name
    codes = {"MaHoSo", "MaTTHC", "MaThanhPhanHoSo", "TepDinhKemId", "DuongDanTaiTepTin", "SHA256"}
    codes |= set(limits.TEXT_LISTS)
    assert set(server) - set(table) - codes <= {"MaPhiLePhi"} | set(limits.FEE)


def test_shorten_cuts_at_a_word_and_marks_it():
    text = "Giấy tờ chứng minh nơi cư trú " * 100
    short = limits.shorten(text, 2000)
    assert len(short) <= 2000 and short.endswith("…") and text.startswith(short[:-1])
    assert not short[:-1].endswith(" ")
    assert limits.shorten("ngắn", 2000) == "ngắn"
    assert len(limits.shorten("x" * 5000, 2000)) == 2000  # no space at all: a hard cut


def test_the_message_of_every_shipped_procedure_with_every_component_is_valid(tmp_path: Path):
    ctx, dossiers = every_procedure_station(tmp_path / "data", "000.00.22.H12")
    try:
        assert len(dossiers) == len(load_catalogue())
        longest = 0
        for dossier in dossiers:
            record = dossier_record(dossier)
            DossierIn.model_validate(record)  # raises on anything the server would refuse
            assert len(record["TaiLieuNop"]) == len(dossier.components)
            for sent, component in zip(record["TaiLieuNop"], dossier.components, strict=True):
                longest = max(longest, len(component.name))
                if len(component.name) <= limits.TEXT:
                    assert sent["TenTepDinhKem"] == component.name
                else:  # shortened on the wire only: the full text stays in the local dossier
                    assert sent["TenTepDinhKem"].endswith("…")
                    assert component.name.startswith(sent["TenTepDinhKem"][:-1])
            change = dossier.history[0]
            TienDo.model_validate(status_record(dossier, change, change.status))
            name = f"Bản scan {dossier.procedure_name} {' '.join(c.name for c in dossier.components)}.pdf"
            index = 0 if dossier.components else None
            attachment = Attachment("a" * 64, name, "application/pdf", 10, component_index=index, pages=1)
            sent_file = file_record(dossier, attachment)
            UploadIn.model_validate(sent_file)
            assert sent_file["TenTep"].endswith(".pdf") and len(sent_file["TenTep"]) <= 255
            if len(name) > 255:
                assert sent_file["TenTep"].endswith("….pdf")
        assert longest > 4000  # the catalogue really has the names that used to be refused
    finally:
        ctx.close()
