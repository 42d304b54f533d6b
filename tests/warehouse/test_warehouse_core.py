"""Pure rules of the warehouse: component -> result codes mapping, metadata validation, duplicates."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.catalogue import load_catalogue
from app.core.errors import ValidationError
from app.core.procedure import ComponentSpec
from app.core.result_types import ResultType, ResultTypeIndex, distinct_result_types, result_types
from app.core.warehouse import (
    OwnerIdKind,
    ResultMetadata,
    Validity,
    classify_owner_id,
    parse_day_vi,
    validate_metadata,
)


@pytest.fixture(scope="module")
def index() -> ResultTypeIndex:
    return ResultTypeIndex(result_types(load_catalogue()))


def codes(index: ResultTypeIndex, name: str, explicit: tuple[str, ...] = ()) -> tuple[str, ...]:
    return index.codes_for(ComponentSpec(name=name, accepted_result_codes=explicit))


def test_result_types_are_distinct_and_sorted(index: ResultTypeIndex) -> None:
    types = index.types
    assert len({t.code for t in types}) == len(types)
    assert ResultType("KQ.G15.000031", "Giấy khai sinh") in types
    assert distinct_result_types([("A", "Bê"), ("B", "an"), ("A", "other")]) == [ResultType("B", "an"),
                                                                               ResultType("A", "Bê")]


def test_component_names_map_to_the_documents_they_ask_for(index: ResultTypeIndex) -> None:
    assert codes(index, "Bản sao Giấy khai sinh do cơ quan có thẩm quyền của Việt Nam cấp hợp lệ") == \
        ("KQ.G15.000031",)
    assert codes(index, "BAN SAO GIAY KHAI SINH") == ("KQ.G15.000031",)  # accents and case ignored
    card = codes(index, "Hộ chiếu/Thẻ căn cước công dân/Thẻ căn cước/Căn cước điện tử")
    assert "KQ.1.014061" in card
    assert codes(index, "Giấy tờ có giá trị chứng minh thông tin về cư trú") == ("KQ.1.010041.02",)  # alias
    # explicit codes of the catalogue come first and are kept
    assert codes(index, "Thông tin chứng minh quan hệ nhân thân", ("KQ.1.000894",))[0] == "KQ.1.000894"


def test_forms_and_non_documents_never_match_by_name(index: ResultTypeIndex) -> None:
    assert codes(index, "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân") == ()
    assert codes(index, "Mẫu điện tử tương tác yêu cầu cấp bản sao Giấy khai sinh") == ()
    assert codes(index, "Văn bản ủy quyền thực hiện việc đăng ký khai sinh", ("KQ.X",)) == ("KQ.X",)
    # "Phiếu từ chối tiếp nhận..." is a result of many procedures but not a document anybody keeps
    assert codes(index, "Kèm phiếu từ chối tiếp nhận, giải quyết hồ sơ (lĩnh vực cư trú)") == ()
    assert codes(index, "Giấy chứng sinh do cơ sở y tế cấp") == ()  # chứng sinh is not khai sinh


def meta(**changes: object) -> ResultMetadata:
    values: dict[str, object] = {"type_code": "KQ.G15.000031", "number": "12", "symbol": "2019",
                                 "owner_name": "Nguyễn Văn A", "owner_id_number": "001090000001"}
    values.update(changes)
    return ResultMetadata(**values)  # type: ignore[arg-type]


def test_validity_and_labels() -> None:
    today = date(2025, 3, 18)
    assert meta().is_valid_on(today) and meta().validity_vi() == "Còn hiệu lực"
    until = meta(validity=Validity.UNTIL, valid_until=today)
    assert until.is_valid_on(today) and not until.is_valid_on(date(2025, 3, 19))
    assert until.validity_vi() == "Còn hiệu lực đến 18/03/2025"
    assert not meta(validity=Validity.EXPIRED).is_valid_on(today)
    assert meta().number_text == "12/2019" and meta(symbol="").number_text == "12"


def test_duplicate_key_ignores_spaces_case_and_accents() -> None:
    assert meta(number=" 12 ", symbol="QĐ-UBND").duplicate_key() == meta(number="12", symbol="qd - ubnd") \
        .duplicate_key()
    assert meta(number="").duplicate_key() is None
    assert meta(owner_id_number="001090000002").duplicate_key() != meta().duplicate_key()


def test_validation() -> None:
    today = date(2025, 3, 18)
    assert validate_metadata(meta(), today=today) == []
    errors = validate_metadata(meta(type_code="", owner_old_id_number="12", owner_tax_code="abc",
                                    valid_until=date(2000, 1, 1), issued_on=date(2010, 1, 1)), today=today)
    assert {e.field for e in errors} == {"type_code", "owner_old_id_number", "owner_tax_code", "valid_until"}
    assert all(e.message_vi and e.message_vi != e.message_en for e in errors)
    nobody = validate_metadata(meta(owner_id_number=""), today=today)
    assert [e.field for e in nobody] == ["owner_id_number"]
    assert "Cần ít nhất một số định danh" in nobody[0].message_vi


def test_owner_id_kinds_and_dates() -> None:
    assert classify_owner_id("001 090 000 001") is OwnerIdKind.CCCD
    assert classify_owner_id("281234567") is OwnerIdKind.CMND
    assert classify_owner_id("0312345678-001") is OwnerIdKind.TAX_CODE
    assert classify_owner_id("12ab") is None
    assert parse_day_vi("5/3/2019", "d", "Ngày") == date(2019, 3, 5)
    assert parse_day_vi("05032019", "d", "Ngày") == date(2019, 3, 5)
    assert parse_day_vi("  ", "d", "Ngày") is None
    with pytest.raises(ValidationError, match="not a date") as caught:
        parse_day_vi("31/02/2019", "issued_on", "Ngày cấp")
    assert caught.value.field == "issued_on" and caught.value.message_vi.startswith("Ngày cấp không hợp lệ")
