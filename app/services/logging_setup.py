"""The application's log: JSON lines in ``<data_dir>/logs/motcua.log``, rotated, personal data masked.

One line per record: ``{"ts", "level", "logger", "msg", "pid", "thread"}`` plus ``"exc"`` (the
traceback) and any ``extra=`` fields. :class:`MaskingFilter` rewrites every record before it is
written (identity and phone numbers, e-mail addresses: :func:`app.core.privacy.mask_personal_data`),
so neither the message nor a traceback carries them in clear. The file rotates at 5 MB and 5 old
files are kept (``motcua.log.1`` … ``.5``). Both the desktop application and the ``motcua`` command
call :func:`configure_logging`; calling it again (another data folder, tests) replaces the handler.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import threading
from pathlib import Path

from app.core.clock import from_epoch
from app.core.privacy import mask_personal_data
from app.store.paths import keep_private

LOGS_DIR_NAME = "logs"
LOG_FILE_NAME = "motcua.log"
MAX_BYTES = 5 * 1024 * 1024
BACKUP_COUNT = 5
_MARK = "_motcua_handler"
_LOCK = threading.Lock()
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def logs_dir(data_dir: Path) -> Path:
    return Path(data_dir) / LOGS_DIR_NAME


def log_path(data_dir: Path) -> Path:
    return logs_dir(data_dir) / LOG_FILE_NAME


class MaskingFilter(logging.Filter):
    """Masks personal data in the message, its arguments and the traceback of every record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = mask_personal_data(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, mask_personal_data(value))
        return True


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line (UTF-8, non-ASCII kept readable)."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "ts": from_epoch(record.created).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
            "thread": record.threadName,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            data["exc"] = record.exc_text
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value if isinstance(value, str | int | float | bool | None) else repr(value)
        return json.dumps(data, ensure_ascii=False, default=str)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Log files readable by their owner only (POSIX 0600): they name dossiers and officers."""

    def _open(self):  # type: ignore[no-untyped-def]
        stream = super()._open()
        keep_private(Path(self.baseFilename))
        return stream


def make_handler(data_dir: Path) -> logging.Handler:
    """The rotating JSON-lines handler of ``data_dir`` (folder created), masking included."""
    folder = logs_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    handler = PrivateRotatingFileHandler(log_path(data_dir), maxBytes=MAX_BYTES,
                                         backupCount=BACKUP_COUNT, encoding="utf-8", delay=True)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(JsonLinesFormatter())
    setattr(handler, _MARK, True)
    return handler


def configure_logging(data_dir: Path, *, level: int = logging.INFO) -> Path | None:
    """Send the root logger's records (``level`` and above) to ``<data_dir>/logs/motcua.log``.

    Replaces the handler a previous call installed. Returns the log file, or None when the folder
    cannot be written (a read-only data folder must not stop the application from starting).
    """
    with _LOCK:
        root = logging.getLogger()
        for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
            root.removeHandler(old)
            old.close()
        try:
            handler = make_handler(Path(data_dir))
        except OSError:
            return None
        handler.setLevel(level)
        root.addHandler(handler)
        if root.level > level or root.level == logging.NOTSET:
            root.setLevel(level)
        return log_path(Path(data_dir))


def remove_logging() -> None:
    """Close and remove the handler :func:`configure_logging` installed (tests, shutdown)."""
    with _LOCK:
        root = logging.getLogger()
        for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
            root.removeHandler(old)
            old.close()


def log_exception(data_dir: Path | None, message: str, error: BaseException,
                  logger: str = "motcua") -> Path | None:
    """Write one error with its traceback to the log of ``data_dir`` even when logging is not
    configured (the command line's last resort); returns the file written, if any."""
    target = Path(data_dir) if data_dir is not None else None
    if target is None:
        return None
    try:
        handler = make_handler(target)
    except OSError:
        return None
    try:  # straight to the handler: never twice, whether or not logging is configured
        handler.handle(logging.getLogger(logger).makeRecord(
            logger, logging.ERROR, "(unexpected)", 0, message, None,
            (type(error), error, error.__traceback__)))
    finally:
        handler.close()
    return log_path(target)
