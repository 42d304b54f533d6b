"""Sync tests keep the station token in an encrypted file under the test's folder (no keyring)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.sync.secrets import ENV_BACKEND, ENV_SECRET_DIR


@pytest.fixture(autouse=True)
def _token_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_BACKEND, "file")
    monkeypatch.setenv(ENV_SECRET_DIR, str(tmp_path / "machine-secret"))


@pytest.fixture(scope="session")
def catalogue_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.sync.helpers import small_catalogue

    return small_catalogue(tmp_path_factory.mktemp("catalogue"))
