"""The window in the chosen language: Qt translations and the Vietnamese / English menu entry.

The language is the one the CLI uses (``MOTCUA_LANG``, else the user's saved choice, else
Vietnamese). English comes from ``resources/locale/en/motcua_ui.qm``, built from the ``.ts``
source next to it by ``pyside6-lrelease`` (``scripts/build-translations.sh``). Menu entries keep
their Vietnamese source text in a property, so a switch of language re-translates them in place.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMainWindow, QMenu

from app.core.language import ENGLISH, VIETNAMESE, current_language, save_language
from app.core.messages import locale_dir

log = logging.getLogger(__name__)
CONTEXT = "menu"
SOURCE_PROPERTY = "motcua_source_text"
LANGUAGE_NAMES = {VIETNAMESE: "Tiếng Việt", ENGLISH: "English"}  # each in its own language

_state: dict[str, QTranslator | None] = {"translator": None}


def qm_path(language: str, folder: Path | None = None) -> Path:
    return (folder or locale_dir()) / language / "motcua_ui.qm"


def install_language(language: str, folder: Path | None = None) -> bool:
    """Make ``language`` the application's; False when its compiled translation is missing."""
    app = QCoreApplication.instance()
    old = _state["translator"]
    if app is not None and old is not None:
        app.removeTranslator(old)
        _state["translator"] = None
    if language == VIETNAMESE or app is None:
        return True
    translator = QTranslator(app)
    path = qm_path(language, folder)
    if not translator.load(str(path)):
        log.warning("no translation %s (run scripts/build-translations.sh)", path)
        return False
    app.installTranslator(translator)
    _state["translator"] = translator
    return True


def translate_menus(window: QMainWindow) -> None:
    """Re-translate every menu title and entry of ``window`` into the installed language."""
    for action in window.menuBar().actions():
        _translate_action(action)


def _translate_action(action: QAction) -> None:
    source = action.property(SOURCE_PROPERTY)
    if not source:
        source = action.text()
        action.setProperty(SOURCE_PROPERTY, source)
    if source not in (*LANGUAGE_NAMES.values(), "Ngôn ngữ / Language"):
        action.setText(QCoreApplication.translate(CONTEXT, source))
    menu = action.menu()
    if isinstance(menu, QMenu):
        for child in menu.actions():
            if not child.isSeparator():
                _translate_action(child)


class LanguageMenu:
    """"Ngôn ngữ / Language" in the Help menu: the choice is saved for this user and applied now."""

    def __init__(self, window: QMainWindow, help_menu: QMenu, folder: Path | None = None) -> None:
        self.window = window
        self.folder = folder
        self.menu = help_menu.addMenu("Ngôn ngữ / Language")
        group = QActionGroup(self.menu)
        self.actions: dict[str, QAction] = {}
        for language, name in LANGUAGE_NAMES.items():
            action = QAction(name, self.menu, checkable=True)
            action.setProperty(SOURCE_PROPERTY, name)
            action.triggered.connect(lambda _checked=False, lang=language: self.choose(lang))
            group.addAction(action)
            self.menu.addAction(action)
            self.actions[language] = action
        self.menu.menuAction().setProperty(SOURCE_PROPERTY, "Ngôn ngữ / Language")
        self.apply(current_language(warn=False))

    def apply(self, language: str) -> None:
        install_language(language, self.folder)
        self.actions[language].setChecked(True)
        translate_menus(self.window)

    def choose(self, language: str) -> None:
        save_language(language)
        self.apply(language)
