"""``motcua settings list|get|set``: the real command on a temporary data folder, read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import run, run_json


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("settings")
    result = run("init", data_dir=folder)
    assert result.returncode == 0, result.stderr
    return folder


def test_list_names_every_setting_with_its_type_default_and_editor(data_dir: Path) -> None:
    listed = run_json("settings", "list", data_dir=data_dir)["settings"]
    by_key = {s["key"]: s for s in listed}
    assert {"agency.name", "station.block", "sync.server_url", "backup.keep", "signing.mode",
            "camera.source", "sync.changes_cursor"} <= set(by_key)
    keep = by_key["backup.keep"]
    assert (keep["type"], keep["default"], keep["value"], keep["set"], keep["editable"]) == \
        ("int", "7", "7", False, True)
    assert by_key["sync.changes_cursor"]["editable"] is False
    assert by_key["station.id"]["set"] is True  # written by init
    fields = {"key", "type", "value", "default", "set", "editable", "secret", "label_vi", "label_en"}
    assert all(set(s) >= fields for s in listed)
    text = run("settings", "list", data_dir=data_dir)
    assert text.returncode == 0 and "backup.keep" in text.stdout


def test_set_then_get_reads_the_value_back_and_the_services_use_it(data_dir: Path) -> None:
    changed = run_json("settings", "set", "agency.name", "  UBND xã Tân Phú  ", data_dir=data_dir)
    assert changed["value"] == "UBND xã Tân Phú" and changed["set"] is True
    got = run_json("settings", "get", "agency.name", data_dir=data_dir)
    assert got["value"] == "UBND xã Tân Phú"
    plain = run("settings", "get", "agency.name", data_dir=data_dir)
    assert plain.stdout.strip() == "UBND xã Tân Phú"
    run_json("settings", "set", "backup.keep", " 12 ", data_dir=data_dir)
    assert run_json("settings", "get", "backup.keep", data_dir=data_dir)["value"] == "12"


@pytest.mark.parametrize(("args", "words"), [
    (("set", "backup.keep", "mười"), "backup.keep"),
    (("set", "sync.changes_cursor", "5"), "sync.changes_cursor"),
    (("set", "no.such.key", "1"), "no.such.key"),
    (("get", "no.such.key"), "no.such.key"),
])
def test_bad_input_is_refused_with_a_clear_error_and_changes_nothing(data_dir: Path, args: tuple[str, ...],
                                                                     words: str) -> None:
    before = run_json("settings", "list", data_dir=data_dir)
    result = run("settings", *args, "--json", data_dir=data_dir)
    assert result.returncode == 1
    assert words in json.loads(result.stdout)["error"]
    text = run("settings", *args, data_dir=data_dir)
    assert text.returncode == 1 and words in text.stderr + text.stdout
    assert run_json("settings", "list", data_dir=data_dir) == before
