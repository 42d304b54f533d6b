"""Message catalogues read straight from gettext ``.po`` sources (``resources/locale/<lang>/<domain>.po``).

The sources are small, so they are parsed at start instead of being compiled to ``.mo``: nothing
to build, and a frozen build only has to carry the ``.po`` files.
"""

from __future__ import annotations

import ast
import gettext
from functools import cache
from pathlib import Path

from app.core.resources import resource_path


class PoTranslations(gettext.NullTranslations):
    """A gettext translation backed by a dictionary; untranslated messages come back unchanged."""

    def __init__(self, messages: dict[str, str]) -> None:
        super().__init__()
        self.messages = messages

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


def _unquote(line: str) -> str:
    return str(ast.literal_eval(line.strip()))


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a ``.po`` text (plain entries; fuzzy and empty translations are left out)."""
    messages: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        if msgid is not None and msgstr is not None and not fuzzy:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value:
                messages[key] = value

    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if not line:
            flush()
            msgid = msgstr = current = None
            fuzzy = False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            flush()
            msgid, msgstr = [_unquote(line[6:])], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [_unquote(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
    return messages


def locale_dir() -> Path:
    return resource_path("locale")


@cache
def translations(language: str, domain: str) -> PoTranslations:
    """The catalogue of ``domain`` in ``language``; an empty one when there is no such file."""
    path = locale_dir() / language / f"{domain}.po"
    try:
        return PoTranslations(parse_po(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return PoTranslations({})
