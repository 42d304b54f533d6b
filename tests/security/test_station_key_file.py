"""A machine without an OS keyring (a bare Debian, a kiosk): the data key goes to the station key
file in the user's configuration folder, never into the data folder, and the real `motcua` command
works there end to end (``init --demo`` then ``dossier list --search``)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app.store import keys as keystore

COMMAND = [str(Path(sys.executable).with_name("motcua"))]
if not Path(COMMAND[0]).exists():  # pragma: no cover
    COMMAND = [sys.executable, "-m", "app.cli"]


def no_keyring_env(secret_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (keystore.ENV_DATA_KEY,)}
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    env[keystore.ENV_SECRET_DIR] = str(secret_dir)
    return env


def motcua(data_dir: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, "--data-dir", str(data_dir), *args], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("nokeyring")
    data_dir, secret_dir = root / "data", root / "config"
    result = motcua(data_dir, no_keyring_env(secret_dir), "init", "--demo")
    assert result.returncode == 0, result.stderr
    return data_dir, secret_dir


def test_init_demo_then_search_works_without_a_keyring(demo_folder: tuple[Path, Path]) -> None:
    data_dir, secret_dir = demo_folder
    result = motcua(data_dir, no_keyring_env(secret_dir), "dossier", "list", "--search", "nguyen", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows and all("code" in row for row in rows)
    status = motcua(data_dir, no_keyring_env(secret_dir), "keys", "status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["key_store"] == "station-file"


def test_the_key_is_in_the_station_file_not_in_the_data_folder(demo_folder: tuple[Path, Path]) -> None:
    data_dir, secret_dir = demo_folder
    folder_id = keystore.KeyFile.load(keystore.key_file_path(data_dir)).folder_id
    key_files = list((secret_dir / keystore.STATION_KEYS_DIR).glob("*.json"))
    assert [p.name for p in key_files] == [f"{folder_id}.json"]
    key_file = key_files[0]
    if os.name != "nt":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    keys = {k: bytes.fromhex(v) for k, v in json.loads(key_file.read_text()).items()
            if k != keystore.HOLDERS}
    assert keys
    for key in keys.values():
        for needle in (key, key.hex().encode(), key.hex().upper().encode()):
            assert not any(needle in p.read_bytes() for p in data_dir.rglob("*") if p.is_file())


def test_a_copy_of_the_folder_on_another_machine_is_locked(demo_folder: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    data_dir, _secret_dir = demo_folder
    copy = tmp_path / "copy"
    shutil.copytree(data_dir, copy)
    result = motcua(copy, no_keyring_env(tmp_path / "other-machine"), "dossier", "list", "--json")
    assert result.returncode != 0
    error = json.loads(result.stdout or result.stderr)["error"]
    assert "no station key file" in error
