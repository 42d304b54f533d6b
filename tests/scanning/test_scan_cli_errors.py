"""``motcua scan``: human output, one-line errors, usage errors and ``--resume`` (real subprocesses
in a temporary data folder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scan_cli_helpers import make_office, run
from scan_helpers import save, text_page


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return make_office(tmp_path_factory.mktemp("scan-cli-errors"))


def test_file_source_whole_dossier_human_output(office: dict[str, object], tmp_path: Path) -> None:
    page = save(text_page(lines=12), tmp_path / "đơn.png", dpi=(200, 200))
    result = run(office, "scan", "--source", f"file:{page}", "--to", str(office["code"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Đã quét 1 trang vào hồ sơ {office['code']}.")
    assert f"{office['code']}.pdf" in result.stdout and "SHA-256" in result.stdout


def test_errors_are_one_line(office: dict[str, object]) -> None:
    unknown = run(office, "scan", "--source", "sane:test", "--to", "KHONG-CO-260101-0001", "--json")
    assert unknown.returncode == 1 and set(json.loads(unknown.stdout)) == {"error"}
    bad_index = run(office, "scan", "--source", "sane:test", "--to", f"{office['code']}:99")
    assert bad_index.returncode == 1 and "không có thành phần số 99" in bad_index.stderr
    assert len(bad_index.stderr.strip().splitlines()) == 1
    wia = run(office, "scan", "--source", "wia:", "--to", str(office["code"]))
    assert wia.returncode == 1 and "chỉ dùng được trên Windows" in wia.stderr
    usage = run(office, "scan", "--to", str(office["code"]), "--json")
    assert usage.returncode == 2 and set(json.loads(usage.stdout)) == {"error"}
    resume = run(office, "scan", "--resume", "--json")
    assert resume.returncode == 0 and json.loads(resume.stdout) == []
