"""The ``motcua`` command in the chosen language (``MOTCUA_LANG``, the saved choice, else Vietnamese).

Source texts are Vietnamese. Two gettext catalogues under ``resources/locale/``:
``vi/argparse.po`` puts argparse's own English words ("usage:", "options:", its errors) into
Vietnamese, and ``en/motcua.po`` gives the English of the command's Vietnamese help texts.

argparse looks its words up through its module-level ``_`` and ``ngettext`` (both bound from
``gettext`` at import); those two names are pointed at this module's catalogue once, so every
parser follows the active language. Help texts, descriptions and metavars are translated when
help is printed, by :class:`TranslatingFormatter`, so the commands keep their Vietnamese source.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.core.language import ENGLISH, VIETNAMESE, current_language
from app.core.messages import translations

_active = {"language": VIETNAMESE}


def set_language(language: str) -> None:
    _active["language"] = language


def language() -> str:
    return _active["language"]


def use_environment_language() -> str:
    """Take the language from ``MOTCUA_LANG`` or the saved choice; returns it."""
    set_language(current_language())
    return language()


def argparse_text(message: str) -> str:
    """argparse's own (English) words in the active language."""
    if language() == ENGLISH:
        return message
    return translations(language(), "argparse").gettext(message)


def _argparse_ngettext(singular: str, plural: str, n: int) -> str:
    return argparse_text(singular if n == 1 else plural)


def tr(text: str) -> str:
    """A Vietnamese source text of the command in the active language."""
    if language() == VIETNAMESE or not text:
        return text
    return translations(language(), "motcua").gettext(text)


def pick(message_en: str, message_vi: str) -> str:
    """The message of an error that carries both languages, in the active one."""
    return message_en if language() == ENGLISH else message_vi


class TranslatingFormatter(argparse.HelpFormatter):
    """argparse's help formatter with help texts, descriptions and metavars translated."""

    def _format_text(self, text: str) -> str:
        return super()._format_text(tr(text))

    def _expand_help(self, action: argparse.Action) -> str:
        if action.help and action.help is not argparse.SUPPRESS:
            action = _copy(action, help=tr(action.help))
        return super()._expand_help(action)

    def _metavar_formatter(self, action: argparse.Action, default_metavar: str) -> Any:
        if isinstance(action.metavar, str):
            action = _copy(action, metavar=tr(action.metavar))
        return super()._metavar_formatter(action, default_metavar)

    def start_section(self, heading: str | None) -> None:
        super().start_section(tr(heading) if heading else heading)


def _copy(action: argparse.Action, **changes: Any) -> argparse.Action:
    clone = object.__new__(type(action))
    clone.__dict__.update(action.__dict__, **changes)
    return clone


_action_name = argparse._get_action_name  # type: ignore[attr-defined]


def _translated_action_name(argument: argparse.Action | None) -> str | None:
    # errors name an argument by its metavar ("argument LỆNH: invalid choice ...")
    name = _action_name(argument)
    return tr(name) if name else name


# argparse resolves ``_``, ``ngettext`` and ``_get_action_name`` from its module globals at call time.
argparse._ = argparse_text  # type: ignore[attr-defined]
argparse.ngettext = _argparse_ngettext  # type: ignore[attr-defined]
argparse._get_action_name = _translated_action_name  # type: ignore[attr-defined]
