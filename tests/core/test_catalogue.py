"""The packaged procedure catalogue and its JSON conversions."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import time
from pathlib import Path

import pytest

from app.core.catalogue import (
    default_catalogue_path,
    load_catalogue,
    parse_catalogue,
    procedure_from_dict,
    procedure_to_dict,
)
from app.core.catalogue_text import clean_component_name, has_file_name_residue, is_online_only
from app.core.errors import ValidationError
from app.core.procedure import ProcessingUnit
from app.core.resources import resources_dir
from app.core.text import fold

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def by_code(catalogue):
    return {p.code: p for p in catalogue}


def test_resources_dir_is_the_repository_folder():
    assert resources_dir() == REPO / "resources"
    assert default_catalogue_path() == REPO / "resources" / "catalogue" / "procedures.json"


def test_resources_dir_honours_frozen_bundle(tmp_path, monkeypatch):
    (tmp_path / "resources").mkdir()
    monkeypatch.setattr("sys._MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"


def test_all_35_procedures_load(catalogue):
    assert len(catalogue) == 35
    assert len({p.code for p in catalogue}) == 35
    assert len(catalogue) >= 25


def test_every_procedure_is_complete(catalogue):
    for p in catalogue:
        assert p.name and p.field and p.level, p.code
        assert p.processing.unit in set(ProcessingUnit)
        if p.processing.unit is not ProcessingUnit.SAME_DAY:
            assert p.processing.amount > 0, p.code
        for c in p.components:
            assert c.name and not c.name.startswith(("- ", "+ ")), (p.code, c.name)
            assert c.originals >= 0 and c.certified_copies >= 0 and c.photocopies >= 0
        for f in p.fees:
            assert f.amount_vnd >= 0
            assert f.channel in (None, 1, 2, 3)
        assert p.results or p.code in ("3.000722", "2.002913"), p.code
        for r in p.results:
            assert r.code.startswith("KQ."), (p.code, r.code)


@pytest.mark.parametrize("keyword", [
    "dang ky khai sinh", "dang ky ket hon", "dang ky khai tu", "chung thuc", "thuong tru", "tam tru",
    "ho kinh doanh", "tro cap xa hoi", "dat dai",
])
def test_essential_services_present(catalogue, keyword):
    matches = [p for p in catalogue if keyword in fold(p.name)]
    assert matches, keyword
    assert any(p.essential_service for p in matches), keyword


def test_birth_registration(by_code):
    p = by_code["1.001193"]
    assert p.name == "Thủ tục đăng ký khai sinh"
    assert p.field == "Hộ tịch"
    assert p.processing.unit is ProcessingUnit.SAME_DAY
    assert p.cutoff == time(15, 0)
    assert p.essential_service
    assert [r.code for r in p.results] == ["KQ.G15.000031"]
    assert any(c.name.startswith("Giấy chứng sinh") and c.mandatory for c in p.components)
    assert "unit missing" in p.extra["processing_note"]


def test_units_and_channels(by_code):
    assert by_code["2.001159"].processing.unit is ProcessingUnit.WORKING_HOURS
    assert by_code["1.004222"].processing.amount == 7
    land = by_code["1.013978"].processing
    assert (land.amount, land.online_amount) == (27, 17)
    assert land.amount_for_channel(2) == 17
    residence = by_code["1.004222"]
    assert residence.fee_for_channel(1) == 20000
    assert residence.fee_for_channel(2) == 10000
    assert by_code["2.000815"].cutoff == time(15, 0)
    assert by_code["2.000815"].processing.unit is ProcessingUnit.SAME_DAY
    assert by_code["1.000894"].cutoff is None


def test_generated_result_codes_are_marked(by_code):
    p = by_code["1.004873"]
    assert [r.code for r in p.results] == ["KQ.1.004873"]
    assert "KQ.1.004873" in p.extra["result_codes_generated"]
    assert "result_codes_generated" not in by_code["1.001193"].extra


def test_accepted_result_codes(by_code):
    reissue = [c for c in by_code["1.004873"].components if c.accepted_result_codes]
    assert reissue and reissue[0].accepted_result_codes == ("KQ.1.004873",)
    rebirth = [c for c in by_code["1.004884"].components if "KQ.G15.000031" in c.accepted_result_codes]
    assert rebirth
    assert not any(c.accepted_result_codes for c in by_code["1.000656"].components)


def test_photocopies_only_when_the_text_says_so(by_code):
    mediation = by_code["1.012812"].components
    photo = [c for c in mediation if "phô tô" in c.name]
    assert photo and photo[0].photocopies == 1 and photo[0].certified_copies == 0
    land = by_code["1.013978"].components
    assert all(c.photocopies == 0 for c in land)
    assert any(c.certified_copies == 1 for c in land)


def test_confidence_notes_kept(by_code):
    assert "confidence" in by_code["1.001193"].extra
    assert "[placeholder]" in by_code["1.001776"].extra["processing_note"]
    assert by_code["1.001776"].level == "Cấp xã (sau 01/7/2025, thẩm quyền Chủ tịch UBND cấp xã)"


def test_json_round_trip(catalogue):
    for p in catalogue:
        data = procedure_to_dict(p)
        again = json.loads(json.dumps(data, ensure_ascii=False))
        q = procedure_from_dict(again)
        assert q == p
        assert q.extra == p.extra
        assert procedure_to_dict(q) == data


def test_dict_shape(by_code):
    data = procedure_to_dict(by_code["1.001193"])
    assert data["processing"] == {"amount": 0, "unit": "same_day", "online_amount": None}
    assert data["cutoff"] == "15:00"
    assert set(data["components"][0]) == {"name", "originals", "certified_copies", "photocopies",
                                          "mandatory", "case", "accepted_result_codes", "online_only"}
    assert set(data["fees"][0]) == {"name", "amount_vnd", "channel", "note"}
    assert isinstance(procedure_to_dict(by_code["1.004222"])["processing"]["amount"], int)


def test_file_is_what_procedure_to_dict_writes(catalogue):
    document = json.loads(default_catalogue_path().read_text(encoding="utf-8"))
    assert document["format"] == 1
    # The file is the raw build of the national crawl; the import only cleans component text and
    # marks the online-only e-forms.
    imported = [procedure_to_dict(p) for p in catalogue]
    for raw, loaded in zip(document["procedures"], imported, strict=True):
        assert {k: v for k, v in raw.items() if k != "components"} == {
            k: v for k, v in loaded.items() if k != "components"}
        assert len(raw["components"]) == len(loaded["components"])
        for before, after in zip(raw["components"], loaded["components"], strict=True):
            assert clean_component_name(before["name"]) == after["name"]
            assert {k: v for k, v in before.items() if k not in ("name", "case")} == {
                k: v for k, v in after.items() if k not in ("name", "case")}


def test_bad_catalogues_raise_validation_errors(tmp_path):
    with pytest.raises(ValidationError):
        load_catalogue(tmp_path / "missing.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(ValidationError):
        load_catalogue(broken)
    entry = {"code": "X", "name": "N", "processing": {"amount": 1, "unit": "fortnights"}}
    with pytest.raises(ValidationError):
        parse_catalogue([entry])
    ok = {"code": "X", "name": "N", "processing": {"amount": 1, "unit": "working_days"}}
    with pytest.raises(ValidationError):
        parse_catalogue({"procedures": [ok, ok]})
    with pytest.raises(ValidationError):
        parse_catalogue([{**ok, "cutoff": "3pm"}])
    assert parse_catalogue([ok])[0].processing.amount == 1


def test_build_script_is_reproducible(tmp_path):
    """GIVEN the domain research file the catalogue was built from (kept compressed in tests/data)
    WHEN the build script runs on it THEN it writes the committed catalogue byte for byte."""
    import gzip
    import subprocess
    import sys

    source = tmp_path / "source.json"
    packed = REPO / "tests" / "data" / "catalogue" / "procedures-source.json.gz"
    source.write_bytes(gzip.decompress(packed.read_bytes()))
    out = tmp_path / "procedures.json"
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_catalogue.py"), "--source", str(source),
                    "--output", str(out)], check=True, capture_output=True)
    assert out.read_text(encoding="utf-8") == default_catalogue_path().read_text(encoding="utf-8")


# --------------------------------------------------------------------------- text cleaned at import


def test_no_component_of_the_shipped_catalogue_keeps_a_glued_template_file_name(catalogue):
    raw = json.loads(default_catalogue_path().read_text(encoding="utf-8"))["procedures"]
    glued = [c["name"] for p in raw for c in p["components"] if has_file_name_residue(c["name"])]
    assert glued, "the shipped file has crawl residue: the test must see the import clean it"
    for procedure in catalogue:
        for component in procedure.components:
            assert not has_file_name_residue(component.name), (procedure.code, component.name)
            assert not re.search(r"[.;][0-9]\.[A-Za-z]{3,}[A-Za-z0-9]*", component.name), component.name
            assert component.name == unicodedata.normalize("NFC", component.name)
            assert "  " not in component.name and component.name == component.name.strip()


def test_the_receipt_fragment_is_cleaned(by_code):
    names = [c.name for c in by_code["1.003197"].components]
    expected = "Tờ khai thay đổi thông tin cư trú (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA)."
    assert expected in names
    assert not any("MuCT01" in n for p in by_code.values() for c in p.components for n in (c.name, c.case))


@pytest.mark.parametrize(("text", "cleaned"), [
    ("Tờ khai (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA);1.MuCT01banhnhkmtheoThngts53 (3)",
     "Tờ khai (Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA)."),
    ("bằng văn bản.1.MuCT01banhnhkmtheoThngts53 (4)", "bằng văn bản."),
    ("Bản sao Giấy khai sinh.2.Mau01 (1)", "Bản sao Giấy khai sinh.2.Mau01 (1)"),  # too short for a file
    ("Quyết định số 1.001193 của  Bộ", "Quyết định số 1.001193 của Bộ"),
])
def test_clean_component_name(text, cleaned):
    assert clean_component_name(text) == cleaned


def test_online_only_components_are_marked_at_import(by_code):
    marked = {(p.code, i) for p in by_code.values() for i, c in enumerate(p.components) if c.online_only}
    assert ("1.001193", 7) in marked and ("1.000894", 2) in marked and ("1.004859", 4) in marked
    for code, index in marked:
        name = fold(by_code[code].components[index].name)
        assert "dien tu tuong tac" in name or "truc tuyen" in name
    # a paper form that mentions the electronic ID is not online only
    assert not any(c.online_only for c in by_code["1.004222"].components)
    assert not is_online_only("Hộ chiếu/Thẻ căn cước công dân/Căn cước điện tử")
    assert procedure_from_dict(procedure_to_dict(by_code["1.001193"])) == by_code["1.001193"]
