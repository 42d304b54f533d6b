"""Fixtures of the batch tests: an initialised data folder, a private SANE configuration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.services.context import AppContext


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with AppContext.open(tmp_path / "data") as context:
        yield context


@pytest.fixture
def sane_test_backend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private SANE configuration that enables the ``test`` backend with room for A4."""
    config = tmp_path / "sane.d"
    config.mkdir()
    (config / "dll.conf").write_text("test\n", encoding="utf-8")
    (config / "test.conf").write_text("geometry_max 300.0\n", encoding="utf-8")
    monkeypatch.setenv("SANE_CONFIG_DIR", str(config))
    return config
