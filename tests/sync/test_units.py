"""Pure parts of the sync: backoff and Retry-After, the vocabulary, the catalogue mapping, the token
store, the adapter registry and the fault schedule."""

from __future__ import annotations

import json
import os
import random
import stat
from datetime import date, datetime
from email.utils import format_datetime

import pytest

from app.core.calendar import DayKind, DayOverride
from app.core.catalogue import load_catalogue
from app.core.dossier import Dossier, DossierStatus, StatusChange
from app.sync import adapter as adapters
from app.sync.backoff import Backoff, parse_retry_after
from app.sync.catalogue import day_from_record, day_to_record, procedure_from_record, procedure_to_record
from app.sync.merge import apply_change, apply_conflict
from app.sync.secrets import MACHINE_KEY_FILE, TOKEN_FILE, TokenStore
from app.sync.vocabulary import component_code, component_index, fmt_time, parse_time
from provincial_server.faults import FaultSpec
from tests.sync.helpers import applicant

TOKEN = "s3cr3t-station-token-Đ"


def test_backoff_grows_with_jitter_and_respects_retry_after():
    backoff = Backoff(base=1, cap=60)
    rng = random.Random(1)
    for failures, ceiling in ((1, 1), (2, 2), (3, 4), (7, 60), (30, 60)):
        delays = [backoff.delay(failures, rng=rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 40  # jittered
    assert backoff.delay(1, retry_after=30, rng=rng) == 30


def test_retry_after_as_seconds_or_as_a_date_on_the_servers_clock():
    assert parse_retry_after("7") == 7
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    skewed = datetime(2030, 1, 1, 12, 0, 0).astimezone()  # a server two hours (or years) ahead
    later = skewed.replace(second=5)
    assert parse_retry_after(format_datetime(later, usegmt=False), format_datetime(skewed)) == pytest.approx(
        5
    )
    assert parse_retry_after(format_datetime(later), None, now=skewed) == pytest.approx(5)


def test_times_and_component_codes():
    assert fmt_time(datetime(2026, 3, 5, 7, 8, 9)) == "20260305070809"
    assert parse_time("20260305070809") == datetime(2026, 3, 5, 7, 8, 9)
    assert parse_time(None) is None
    assert component_code(0) == "TP01" and component_index("TP12") == 11 and component_index("X") is None


def test_the_catalogue_survives_the_trip_to_the_province_and_back():
    procedures = load_catalogue()
    assert procedures
    for procedure in procedures:
        back = procedure_from_record(json.loads(json.dumps(procedure_to_record(procedure))))
        assert back == procedure
    day = DayOverride(date(2026, 9, 1), DayKind.OFF, "Nghỉ bù")
    assert day_to_record(day) == {"Ngay": "20260901", "Loai": "Nghi", "GhiChu": "Nghỉ bù"}
    assert day_from_record(day_to_record(day)).note == "[Tỉnh] Nghỉ bù"


def dossier(status: DossierStatus = DossierStatus.RECEIVED) -> Dossier:
    at = datetime(2026, 3, 2, 9, 0)
    return Dossier(
        code="A-260302-0001",
        procedure_code="1.001193",
        procedure_name="Khai sinh",
        applicant=applicant(1),
        received_at=at,
        due_at=at,
        status=status,
        history=[StatusChange(at, status)],
    )


def test_merge_rules():
    d = dossier()
    change = {
        "Seq": 1,
        "TrangThaiHoSo": 4,
        "ThoiDiem": "20260302100000",
        "NguoiXuLy": "CV",
        "NoiDung": "Xử lý",
    }
    assert not apply_change(d, change, local_status_pending=True)  # the server decides when ours arrives
    assert apply_change(d, change, local_status_pending=False) and d.status is DossierStatus.PROCESSING
    assert d.history[-1].note == "Hệ thống tỉnh: Xử lý" and d.history[-1].at == datetime(2026, 3, 2, 10)
    assert not apply_change(d, change, local_status_pending=False)  # the same again changes nothing
    supplement = {
        "HoSoBoSung": {"NoiDungBoSung": "Thiếu", "NgayBoSung": "20260302110000"},
        "TrangThaiHoSo": 5,
        "NgayHenTra": "20260310170000",
    }
    assert apply_change(d, supplement, local_status_pending=False)
    assert not apply_change(d, supplement, local_status_pending=False)
    assert len(d.supplements) == 1 and d.due_at == datetime(2026, 3, 10, 17)
    assert apply_conflict(d, {"TrangThaiHoSo": 8}, {"TrangThaiHoSo": 9}) and d.status is DossierStatus.STOPPED
    assert "(trạng thái 9 tại quầy)" in d.history[-1].note


def test_the_token_is_encrypted_and_private(tmp_path):
    store = TokenStore(tmp_path / "data", backend="file")
    assert store.get("https://tinh.example") is None
    store.set("https://tinh.example", TOKEN)
    assert store.get("https://tinh.example/") == TOKEN
    sealed = (tmp_path / "data" / TOKEN_FILE).read_bytes()
    assert TOKEN.encode() not in sealed and b"s3cr3t" not in sealed
    secret_file = tmp_path / "machine-secret" / MACHINE_KEY_FILE
    if os.name == "posix":
        assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "data" / TOKEN_FILE).stat().st_mode) == 0o600
    secret_file.write_bytes(os.urandom(32))  # another machine: the copied file is useless there
    assert TokenStore(tmp_path / "data", backend="file").get("https://tinh.example") is None
    store.set("https://tinh.example", TOKEN)
    store.delete("https://tinh.example")
    assert store.get("https://tinh.example") is None


def test_adapters_are_found_by_name(monkeypatch):
    made = {}

    def factory(**kwargs):
        made.update(kwargs)
        return "gateway"

    adapters.register_adapter("tinh-x", factory)
    assert adapters.create_adapter("tinh-x", server_url="u", token="t") == "gateway" and made["token"] == "t"
    assert adapters.resolve_factory("tests.sync.test_units:_module_factory") is _module_factory
    from app.sync.errors import NotConfiguredError

    with pytest.raises(NotConfiguredError):
        adapters.resolve_factory("no-such-adapter")
    reference = adapters.create_adapter("reference", server_url="http://127.0.0.1:9", token="t")
    reference.close()


def _module_factory(**_kwargs):
    return None


def test_fault_spec():
    spec = FaultSpec.parse("seed=7,drop=0.1,e500=0.05,e503=0.05,e429=0.05,slow=0.1,drop_upload=0.1,until=20")
    assert (spec.seed, spec.drop, spec.e429, spec.until) == (7, 0.1, 0.05, 20)
    with pytest.raises(ValueError, match="unknown fault"):
        FaultSpec.parse("explode=1")
