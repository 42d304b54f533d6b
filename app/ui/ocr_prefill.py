"""Pre-filling a result form from the page: read on the worker pool, applied when it comes back.

A :class:`Prefiller` watches a :class:`~app.ui.result_form.ResultForm`. :meth:`Prefiller.read` is
called when a document is shown; the first page is read (``app.services.ocr.prefill``) on the
CPU pool and the suggestions fill the fields the clerk has not typed in since. What the clerk
typed always wins; a value carried over from the previous document is replaced by what this
document's page says. Fields read with a low confidence get a yellow background and a tooltip, and
the first of them takes the focus, so the clerk checks those first and confirms with Enter.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLineEdit

from app.services.ocr.prefill import FieldSuggestions, auto_ocr_enabled, suggest_from_page
from app.ui.result_form import PageImage, ResultForm

LOW_STYLE = "QLineEdit { background: #fff3c4; }"
READ_STYLE = "QLineEdit { background: #eef7ee; }"


class Prefiller(QObject):
    """``applied(FieldSuggestions)`` once suggestions reached the form."""

    applied = Signal(object)

    def __init__(self, form: ResultForm, *, enabled: bool | None = None) -> None:
        super().__init__(form)
        self.form = form
        self.enabled = auto_ocr_enabled() if enabled is None else enabled
        self._generation = 0
        self._typed: set[str] = set()  # what the clerk typed in since the document was shown
        self._kept: set[str] = set()
        self.last: FieldSuggestions | None = None
        for name, edit in form.edits.items():
            edit.textEdited.connect(lambda _text, name=name: self._typed.add(name))
        form.type_edit.textEdited.connect(lambda _text: self._typed.add("type_code"))

    def _fields(self) -> dict[str, QLineEdit]:
        return {**self.form.edits, "type_code": self.form.type_edit}

    def reset(self) -> None:
        """A new document: forget what was typed and the marks of the previous suggestions."""
        self._generation += 1
        self._typed.clear()
        self._kept.clear()
        self.last = None
        for edit in self._fields().values():
            edit.setStyleSheet("")
            edit.setToolTip("")

    def keep(self, name: str) -> None:
        """Leave ``name`` as it is (set by something surer than OCR, such as a separator sheet)."""
        self._kept.add(name)

    def read(self, page: PageImage) -> None:
        """Read ``page`` in the background and pre-fill the form with what it says."""
        self.reset()
        if not self.enabled:
            return
        generation = self._generation
        self.form.runner.run_work(lambda: suggest_from_page(page.read(), name=page.name),
                                  lambda found: self._apply(generation, found),
                                  lambda _error: None)

    def _apply(self, generation: int, found: FieldSuggestions) -> None:
        if generation != self._generation:  # the clerk moved to another document meanwhile
            return
        form = self.form
        for name, value in found.values.items():
            if name in self._typed or name in self._kept:
                continue
            if name == "type_code":
                form.choose_type(value)
            else:
                form.edits[name].setText(value)
            edit = self._fields()[name]
            percent = f"{found.confidence[name]:.0%}"
            low = name in found.low
            edit.setStyleSheet(LOW_STYLE if low else READ_STYLE)
            edit.setToolTip(f"Đọc từ trang (độ tin cậy {percent})" + (" — cần kiểm tra lại" if low else ""))
        low = [n for n in found.low if n not in self._kept]
        if low and not self._typed:  # the clerk has not started on this document: check these first
            target = self._fields()[low[0]]
            target.setFocus(Qt.FocusReason.OtherFocusReason)
            target.selectAll()
        self.last = found
        self.applied.emit(found)
