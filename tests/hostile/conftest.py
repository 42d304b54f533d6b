"""Fixtures of the hostile-input tests: a small catalogue and a populated data folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.catalogue import default_catalogue_path

PROCEDURES = ("1.001193",)


@pytest.fixture(scope="session")
def small_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = json.loads(default_catalogue_path().read_text(encoding="utf-8"))
    data["procedures"] = [p for p in data["procedures"] if p["code"] in PROCEDURES]
    path = tmp_path_factory.mktemp("catalogue") / "procedures.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
