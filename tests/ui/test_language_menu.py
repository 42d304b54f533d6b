"""The window's language menu: English from the compiled Qt translation, remembered per user."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core import language
from app.core.messages import locale_dir
from app.services.context import AppContext
from app.ui.language_menu import install_language, qm_path
from app.ui.main_window import MainWindow


@pytest.fixture
def compiled(tmp_path: Path) -> Path:
    """The ``.ts`` sources compiled by pyside6-lrelease into a temporary locale folder."""
    lrelease = shutil.which("pyside6-lrelease") or str(Path(sys.executable).with_name("pyside6-lrelease"))
    folder = tmp_path / "locale"
    for ts in locale_dir().glob("*/*.ts"):
        target = folder / ts.parent.name / ts.with_suffix(".qm").name
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([lrelease, "-silent", str(ts), "-qm", str(target)], check=True, timeout=120)
    assert qm_path("en", folder).is_file()
    return folder


@pytest.fixture(autouse=True)
def _user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(language.ENV_CONFIG_DIR, str(tmp_path / "config"))
    monkeypatch.delenv(language.ENV_LANG, raising=False)
    yield
    install_language(language.VIETNAMESE)


def _titles(window: MainWindow) -> list[str]:
    return [action.text() for action in window.menuBar().actions()]


def test_switching_to_english_translates_the_menus_and_is_saved(  # type: ignore[no-untyped-def]
        qtbot, demo_ctx: AppContext, compiled: Path) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    assert _titles(window) == ["&Hồ sơ", "Đồn&g bộ", "&Quản trị", "&Báo cáo", "&Trợ giúp"]
    assert window.language_menu.actions["vi"].isChecked()
    window.language_menu.folder = compiled
    window.language_menu.actions["en"].trigger()
    assert _titles(window) == ["&Dossiers", "Syn&c", "&Administration", "&Reports", "&Help"]
    assert window.receive_action.text() == "&Receive a dossier…"
    assert window.language_menu.actions["en"].isChecked()
    assert language.saved_language() == "en"
    window.language_menu.actions["vi"].trigger()
    assert _titles(window)[0] == "&Hồ sơ" and window.receive_action.text() == "&Tiếp nhận hồ sơ…"
    assert language.saved_language() == "vi"


def test_every_menu_entry_has_an_english_translation(  # type: ignore[no-untyped-def]
        qtbot, demo_ctx: AppContext, compiled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(language.ENV_LANG, "en")
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.language_menu.folder = compiled
    window.language_menu.apply("en")
    names = {"Ngôn ngữ / Language", "Tiếng Việt", "English"}
    untranslated = []

    def walk(actions) -> None:  # type: ignore[no-untyped-def]
        for action in actions:
            if action.isSeparator():
                continue
            source = action.property("motcua_source_text")
            if source not in names and action.text() == source:
                untranslated.append(source)
            if action.menu():
                walk(action.menu().actions())

    walk(window.menuBar().actions())
    assert not untranslated, untranslated
