"""No unhandled exception reaches the officer raw: ``sys.excepthook`` and ``threading.excepthook``
hand every uncaught exception to one handler on the GUI thread (``MainWindow.show_error``: a
Vietnamese message box, the details in the rotating log)."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class _Bridge(QObject):
    """Created on the GUI thread; a signal emitted from any thread is delivered there."""

    raised = Signal(object)


class ExceptHooks:
    """Installed hooks; :meth:`uninstall` puts the previous ones back (tests)."""

    def __init__(self, handler: Callable[[BaseException], None]) -> None:
        self._bridge = _Bridge()
        self._bridge.raised.connect(handler)
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook

    def _sys_hook(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous[0](kind, error, tb)
            return
        if error.__traceback__ is None:
            error = error.with_traceback(tb)
        self._bridge.raised.emit(error)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or isinstance(args.exc_value, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "?"
        log.debug("uncaught exception in thread %s", name)
        self._bridge.raised.emit(args.exc_value)

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous


def install_excepthooks(handler: Callable[[BaseException], None]) -> ExceptHooks:
    return ExceptHooks(handler)
