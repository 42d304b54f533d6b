"""The interface language shared by the CLI and the window: Vietnamese by default, English selectable.

The choice is ``MOTCUA_LANG`` when set, else the user's saved choice (a small text file in the
user's configuration folder, written by the window's language menu), else Vietnamese.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

VIETNAMESE = "vi"
ENGLISH = "en"
LANGUAGES = (VIETNAMESE, ENGLISH)
DEFAULT_LANGUAGE = VIETNAMESE
ENV_LANG = "MOTCUA_LANG"
ENV_CONFIG_DIR = "MOTCUA_CONFIG_DIR"  # tests and portable installs keep the setting elsewhere
SETTING_FILE = "language"


def config_dir() -> Path:
    override = os.environ.get(ENV_CONFIG_DIR, "").strip()
    if override:
        return Path(override)
    return platformdirs.user_config_path("MotCuaDesk", "MotCua")


def _normalise(value: str) -> str:
    # "en_US.UTF-8", "EN", "vi-VN" all name a language we know by its first two letters
    return value.strip().lower().replace("-", "_").split("_")[0].split(".")[0]


def saved_language() -> str | None:
    """The user's saved choice, or None when there is none (or it is not a language we have)."""
    try:
        value = _normalise((config_dir() / SETTING_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    return value if value in LANGUAGES else None


def save_language(language: str) -> Path:
    """Remember ``language`` for this user; returns the file written."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    folder = config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SETTING_FILE
    path.write_text(language + "\n", encoding="utf-8")
    return path


def current_language(warn: bool = True) -> str:
    """``MOTCUA_LANG``, else the saved choice, else Vietnamese.

    An unknown ``MOTCUA_LANG`` is reported on stderr (in both languages) and Vietnamese is used.
    """
    raw = os.environ.get(ENV_LANG, "")
    if raw.strip():
        value = _normalise(raw)
        if value in LANGUAGES:
            return value
        if warn:
            sys.stderr.write(
                f"Cảnh báo: {ENV_LANG}={raw!r} không phải ngôn ngữ hỗ trợ (vi, en); dùng tiếng Việt.\n"
                f"Warning: {ENV_LANG}={raw!r} is not a supported language (vi, en); using Vietnamese.\n")
        return DEFAULT_LANGUAGE
    return saved_language() or DEFAULT_LANGUAGE
