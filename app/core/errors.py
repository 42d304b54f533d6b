"""Errors that carry a message for people (Vietnamese) and one for logs and machines (English)."""

from __future__ import annotations


class MotCuaError(Exception):
    """Base error of the application.

    ``message_vi`` is shown to officers; ``str(error)`` (English) goes to logs and to
    ``--json`` CLI output.
    """

    def __init__(self, message_en: str, message_vi: str | None = None) -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_vi = message_vi or message_en


class ValidationError(MotCuaError):
    """Input that breaks a domain rule; ``field`` names the offending field when known."""

    def __init__(self, message_en: str, message_vi: str | None = None, field: str | None = None) -> None:
        super().__init__(message_en, message_vi)
        self.field = field


class NotFoundError(MotCuaError):
    """A dossier, procedure or other record that does not exist."""


class InvalidTransitionError(MotCuaError):
    """A dossier status change the national status model does not allow."""


class CodeBlockExhaustedError(MotCuaError):
    """A station used every dossier number of its configured block for the day."""
