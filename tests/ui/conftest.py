"""Fixtures for widget tests: real Qt widgets offscreen on a real SQLite file with demo data."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.services.context import AppContext  # noqa: E402
from app.services.setup import init  # noqa: E402

DEMO_NOW = datetime(2026, 11, 20, 16, 30)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo data folder built once per run; tests get a copy."""
    folder = tmp_path_factory.mktemp("demo-template")
    with AppContext.open(folder) as ctx:
        init(ctx, demo=True, now=DEMO_NOW)
    return folder


@pytest.fixture
def demo_ctx(demo_template: Path, tmp_path: Path) -> Iterator[AppContext]:
    folder = tmp_path / "data"
    shutil.copytree(demo_template, folder)
    ctx = AppContext.open(folder)
    yield ctx
    ctx.close()
