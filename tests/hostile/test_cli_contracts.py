"""What a script or a careless hand sees at the command line: a stored dossier exits 0 (the failed
receipt is a warning), text is cleaned at the door and never reaches the terminal raw, JSON input is
bounded, names are checked, limits are the province's, and the backup destination is named."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.services import backup
from app.services.context import AppContext
from app.store import backup as store_backup
from app.store.backup_manifest import BackupError
from tests.security.test_encryption_at_rest import run

BIRTH = "1.001193"
PERSON = {"full_name": "Nguyễn Thị Thu Hà", "id_number": "079190001234", "birth_date": "1990-03-12",
          "sex": "Nữ", "address": "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh"}


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli") / "data"
    assert run("init", "--json", data_dir=data).returncode == 0
    return data


def _receive(data: Path, person: object, *extra: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    path = tmp / "person.json"
    path.write_text(person if isinstance(person, str) else json.dumps(person, ensure_ascii=False),
                    encoding="utf-8")
    return run("receive", "--procedure", BIRTH, "--applicant-json", str(path), "--json", *extra,
               data_dir=data)


def _count(data: Path) -> int:
    listed = run("dossier", "list", "--json", data_dir=data)
    return len(json.loads(listed.stdout))


def test_a_receipt_that_cannot_be_written_is_a_warning_not_a_failure(office: Path, tmp_path: Path) -> None:
    before = _count(office)
    result = _receive(office, PERSON, "--receipt", "/proc/no-such-place/receipt.pdf", tmp=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    answer = json.loads(result.stdout)
    assert answer["code"] and answer["warnings"] and "receipt" not in answer
    assert answer["code"] in answer["warnings"][0]
    assert _count(office) == before + 1  # stored once: a script that retries on exit 1 would duplicate


def test_text_longer_than_the_province_accepts_is_refused_at_the_counter(office: Path,
                                                                         tmp_path: Path) -> None:
    before = _count(office)
    for field, value in (("full_name", "A" * 10_000), ("address", "Đường " * 20_000)):
        result = _receive(office, {**PERSON, field: value}, tmp=tmp_path)
        assert result.returncode == 1
        error = json.loads(result.stdout)["error"]
        assert field in error and "limit" in error
    assert _count(office) == before


def test_escapes_in_a_name_never_reach_the_terminal(office: Path, tmp_path: Path) -> None:
    hostile = "Nguyễn \x1b[31mThị\x1b[0m Thu\x07 Hà\u202e"
    result = _receive(office, {**PERSON, "full_name": hostile}, tmp=tmp_path)
    assert result.returncode == 0, result.stdout
    code = json.loads(result.stdout)["code"]
    assert json.loads(result.stdout)["applicant"]["full_name"] == "Nguyễn Thị Thu Hà"
    for args in (("dossier", "list", "--search", "Thu Hà"), ("dossier", "show", code)):
        shown = run(*args, data_dir=office)
        assert shown.returncode == 0 and "\x1b" not in shown.stdout and "\x07" not in shown.stdout


@pytest.mark.parametrize(("content", "words"), [
    ("[" * 100_000 + "]" * 100_000, "nested"),
    ('{"full_name": ' + "9" * 5000 + "}", "number"),
    ('{"full_name": NaN}', "NaN"),
    ("x" * (2 * 1024 * 1024), "larger"),
])
def test_hostile_applicant_json_gets_a_clear_error(office: Path, tmp_path: Path, content: str,
                                                   words: str) -> None:
    result = _receive(office, content, tmp=tmp_path)
    assert result.returncode == 1
    error = json.loads(result.stdout)["error"]
    assert words in error and "unexpected" not in error and "Traceback" not in result.stderr


def test_dev_zero_is_not_read_without_limit(office: Path) -> None:
    started = time.perf_counter()
    result = run("receive", "--procedure", BIRTH, "--applicant-json", "/dev/zero", "--json", data_dir=office)
    assert result.returncode == 1 and "larger" in json.loads(result.stdout)["error"]
    assert time.perf_counter() - started < 60


def test_a_file_name_that_is_not_utf8_is_a_clear_error(office: Path, tmp_path: Path) -> None:
    bad = os.fsdecode(bytes(tmp_path) + b"/bi\xeat.pdf")
    command = [str(Path(sys.executable).with_name("motcua")), "--data-dir", str(office), "print", "01",
               "000.00.12.H29-261118-0001", "--out", bad, "--json"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    result = subprocess.run(command, capture_output=True, env=env, timeout=120, check=False)
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    assert result.returncode != 0 and "UTF-8" in output and "TypeError" not in output


def test_a_full_backup_drive_is_named_not_the_data_drive(tmp_path: Path, small_catalogue: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "usb"
    with AppContext.open(tmp_path / "data") as ctx:
        real = store_backup.copy_hashed

        def full(src: Path, dst: Path) -> tuple[str, int]:
            if str(dst).startswith(str(dest)):
                raise OSError(errno.ENOSPC, "No space left on device", str(dst))
            return real(src, dst)

        monkeypatch.setattr(store_backup, "copy_hashed", full)
        with pytest.raises(BackupError) as caught:
            backup.create_backup(ctx, dest)
    assert str(dest) in caught.value.message_vi and "hết dung lượng" in caught.value.message_vi
    assert "dữ liệu đã hết" not in caught.value.message_vi.lower()
