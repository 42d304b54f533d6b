"""The metadata form of a digitised result (kết quả đã số hoá), beside a preview of its pages.

Keyboard first, for clerks going through an archive box: the document type is picked from the
catalogue's result types by typing part of its name or code (accents optional, arrows and Enter),
then số, ký hiệu, issue date (dd/mm/yyyy), issuing agency, signer, owner (name, CCCD, old CMND, tax
code; a CCCD QR scanned into any field fills them) and validity. Enter saves through
:func:`app.services.warehouse.records.add_result` on the database worker.

After a save the next document starts from the previous one's values, so a box of the same type
goes quickly: the type, symbol, issue date, issuing agency, signer and validity carry over; the
number and the owner are cleared, since they differ from one document to the next (carrying an owner
over would file a document under the wrong person without any check catching it).

The form is hosted by whoever has the pages: :meth:`ResultForm.set_document` takes the page image
paths and a callback called with the stored :class:`~app.core.warehouse.ResultRecord` (the batch
screen calls it for each document of a batch). PageUp/PageDown turn the preview's pages. A host that
stores documents its own way sets :attr:`ResultForm.store` (given the typed metadata on the GUI
thread, it returns the work to run on the database worker), and may add widgets of its own above
the save button (:meth:`ResultForm.add_gate`).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core.cccd import parse_cccd_qr
from app.core.errors import MotCuaError, ValidationError
from app.core.result_types import ResultType
from app.core.text import fold
from app.core.warehouse import ResultMetadata, ResultRecord, Validity, parse_day_vi
from app.services.admin.auth import Officer
from app.services.context import AppContext
from app.services.warehouse import records as warehouse
from app.ui.ops import TaskRunner
from app.ui.widgets.qr_wedge import QrWedge


@runtime_checkable
class PageImage(Protocol):
    """A page image read when shown (``app.services.batch.reading.PageImage``: a sealed spool page,
    decrypted in memory, so no clear copy is ever written to disk)."""

    name: str

    def read(self) -> bytes: ...


log = logging.getLogger(__name__)
PREVIEW_WIDTH = 460
MAX_TYPE_ROWS = 8
ERROR_STYLE = "color: #c62828;"
#: field -> (label, placeholder), in tab order (the type picker comes first)
TEXT_FIELDS: dict[str, tuple[str, str]] = {
    "number": ("Số", "vd 12"),
    "symbol": ("Ký hiệu", "vd 2019 hoặc QĐ-UBND"),
    "issued_on": ("Ngày cấp", "dd/mm/yyyy"),
    "issuer": ("Cơ quan cấp", "vd UBND phường Bến Nghé"),
    "signer": ("Người ký", ""),
    "owner_name": ("Họ tên chủ sở hữu", "hoặc quét mã QR trên thẻ CCCD"),
    "owner_id_number": ("Số CCCD", "12 chữ số"),
    "owner_old_id_number": ("Số CMND cũ", "9 chữ số (nếu có)"),
    "owner_tax_code": ("Mã số thuế", "10 chữ số (tổ chức)"),
}
CARRIED_OVER = ("symbol", "issued_on", "issuer", "signer")
VALIDITY_LABELS = ((Validity.VALID, "Còn hiệu lực"), (Validity.UNTIL, "Còn hiệu lực đến ngày"),
                   (Validity.EXPIRED, "Hết hiệu lực"))


def type_label(t: ResultType) -> str:
    return f"{t.name} — {t.code}"


class ResultForm(QWidget):
    """``saved(ResultRecord)`` after each stored document; ``types_loaded`` once the picker is ready."""

    saved = Signal(object)
    types_loaded = Signal()
    preview_shown = Signal(int)  # the page index shown

    def __init__(self, ctx: AppContext, runner: TaskRunner, officer: Officer,
                 pages: list[Path] | None = None,
                 on_saved: Callable[[ResultRecord], None] | None = None,
                 parent: QWidget | None = None, *, preview_width: int = PREVIEW_WIDTH) -> None:
        super().__init__(parent)
        self.ctx, self.runner, self.officer = ctx, runner, officer
        self.setWindowTitle("Số hoá kết quả giải quyết TTHC")
        self.preview_width = preview_width
        self.pages: list[Path | PageImage] = []
        self.page_labels: list[str] = []
        self.on_saved = on_saved
        #: How a host stores the document instead of ``warehouse.add_result``: called on the GUI
        #: thread with the typed metadata, returns the work for the database worker.
        self.store: Callable[[ResultMetadata], Callable[[], ResultRecord]] | None = None
        self._gates: dict[str, QWidget] = {}
        self._pending_type: str | None = None
        self.page_index = 0
        self.result_type: ResultType | None = None
        self.types: list[ResultType] = []
        self._by_label: dict[str, ResultType] = {}
        self._saving = False
        self._preview_generation = 0
        self.last_record: ResultRecord | None = None
        self._build()
        self.wedge = QrWedge(self)
        self.wedge.watch(self.findChildren(QLineEdit))
        self.wedge.scanned.connect(self._on_scanned)
        for keys, slot in (("PgDown", lambda: self.show_page(self.page_index + 1)),
                           ("PgUp", lambda: self.show_page(self.page_index - 1)),
                           (QKeySequence.StandardKey.Save, self.save)):
            QShortcut(QKeySequence(keys), self, slot)
        self.runner.run_db(lambda: warehouse.result_types(ctx), self._on_types,
                           lambda e: self._show_errors([e]))
        self.set_document(pages or [], on_saved)

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QHBoxLayout(self)
        left = QVBoxLayout()
        self.preview = QLabel("Chưa có trang nào", self)
        self.preview.setObjectName("resultPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumWidth(self.preview_width)
        self.preview.setStyleSheet("background: #eceff1; border: 1px solid #b0bec5;")
        scroll = QScrollArea(self)
        scroll.setWidget(self.preview)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(self.preview_width + 24)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        left.addWidget(scroll, 1)
        self.page_label = QLabel("", self)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        left.addWidget(self.page_label)
        outer.addLayout(left, 1)

        right = QVBoxLayout()
        title = QLabel("<b>Thông tin giấy tờ đã số hoá</b>", self)
        right.addWidget(title)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.type_edit = QLineEdit(self)
        self.type_edit.setObjectName("result_type")
        self.type_edit.setPlaceholderText("gõ tên hoặc mã kết quả, không cần dấu")
        # The matches float below the field; the focus never leaves it (as in the procedure picker):
        # arrows move the highlight, Enter chooses, Esc hides the list.
        self.type_list = QListWidget(self)
        self.type_list.setObjectName("resultTypeList")
        self.type_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.type_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.type_list.itemClicked.connect(lambda item: self._choose_label(item.text()))
        self.type_list.hide()
        self.type_edit.installEventFilter(self)
        self.type_edit.textEdited.connect(self._filter_types)
        form.addRow("&Loại giấy tờ:", self.type_edit)
        self.type_code_label = QLabel("", self)
        self.type_code_label.setStyleSheet("color: #455a64;")
        form.addRow("", self.type_code_label)
        self.edits: dict[str, QLineEdit] = {}
        for name, (label, placeholder) in TEXT_FIELDS.items():
            edit = QLineEdit(self)
            edit.setObjectName(f"result_{name}")
            edit.setPlaceholderText(placeholder)
            self.edits[name] = edit
            form.addRow(f"{label}:", edit)
        self.validity = QComboBox(self)
        self.validity.setObjectName("result_validity")
        for value, label in VALIDITY_LABELS:
            self.validity.addItem(label, value.value)
        self.validity.currentIndexChanged.connect(lambda _i: self._on_validity())
        form.addRow("Hiệu lực:", self.validity)
        self.valid_until = QLineEdit(self)
        self.valid_until.setObjectName("result_valid_until")
        self.valid_until.setPlaceholderText("dd/mm/yyyy")
        form.addRow("Hiệu lực đến:", self.valid_until)
        right.addLayout(form)
        self.gate_area = QVBoxLayout()
        right.addLayout(self.gate_area)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("resultErrors")
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        right.addWidget(self.error_label)
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("resultStatus")
        self.status_label.setWordWrap(True)
        self.status_label.setStyleSheet("color: #2e7d32;")
        right.addWidget(self.status_label)
        right.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton("Lưu vào kho (Enter)", self)
        self.save_button.setObjectName("saveResult")
        self.save_button.clicked.connect(self.save)
        buttons.addWidget(self.save_button)
        right.addLayout(buttons)
        hint = QLabel("Enter: lưu · PgUp/PgDn: lật trang · quét mã QR CCCD để điền chủ sở hữu", self)
        hint.setStyleSheet("color: #607d8b; font-size: 9pt;")
        hint.setWordWrap(True)
        right.addWidget(hint)
        panel = QWidget(self)
        panel.setLayout(right)
        panel.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        panel.setMinimumWidth(430)
        outer.addWidget(panel, 1)
        order = [self.type_edit, *self.edits.values(), self.validity, self.valid_until, self.save_button]
        for first, second in itertools.pairwise(order):
            QWidget.setTabOrder(first, second)
        self._on_validity()

    # -- the document ----------------------------------------------------------------------------
    def set_document(self, pages: Sequence[Path | str | PageImage],
                     on_saved: Callable[[ResultRecord], None] | None = None, *,
                     labels: list[str] | None = None) -> None:
        """Show a new document's pages: image files, or images read when shown (``read()``, e.g. the
        sealed spool's pages, decrypted in memory); ``on_saved`` (if given) replaces the callback;
        ``labels`` (one per page) are shown under the preview instead of the file names."""
        self.pages = [p if isinstance(p, PageImage) else Path(p) for p in pages]
        self.page_labels = list(labels) if labels is not None and len(labels) == len(self.pages) else []
        if on_saved is not None:
            self.on_saved = on_saved
        self.error_label.hide()
        self.show_page(0)

    def add_gate(self, widget: QWidget, field: str | None = None) -> None:
        """Put a host's widget above the save button; an error about ``field`` focuses it."""
        self.gate_area.addWidget(widget)
        if field:
            self._gates[field] = widget

    def show_page(self, index: int) -> None:
        if not self.pages:
            self.preview.setPixmap(QPixmap())
            self.preview.setText("Chưa có trang nào")
            self.page_label.setText("")
            return
        index = max(0, min(index, len(self.pages) - 1))
        self.page_index = index
        self._preview_generation += 1
        generation, path = self._preview_generation, self.pages[index]
        name = self.page_labels[index] if self.page_labels else path.name
        self.page_label.setText(f"Trang {index + 1}/{len(self.pages)} — {name}")
        width = self.preview_width
        self.runner.run_work(lambda: _load_scaled(path, width),
                             lambda image: self._on_preview(generation, index, image),
                             lambda e: self.preview.setText(f"Không mở được ảnh trang: {path.name}"))

    def _on_preview(self, generation: int, index: int, image: QImage) -> None:
        if generation != self._preview_generation:
            return
        if image.isNull():
            self.preview.setText(f"Không mở được ảnh trang: {self.pages[index].name}")
        else:
            self.preview.setPixmap(QPixmap.fromImage(image))
        self.preview_shown.emit(index)

    # -- the type picker ---------------------------------------------------------------------------
    def _on_types(self, types: list[ResultType]) -> None:
        self.types = types
        self._by_label = {type_label(t): t for t in types}
        if self._pending_type is not None:
            self.choose_type(self._pending_type)
        self.types_loaded.emit()

    def matching_types(self, text: str) -> list[ResultType]:
        """Types whose name or code contains every typed word (accents ignored); the ones where the
        first word comes earliest in the name first ("khai sinh": Giấy khai sinh before Bản sao...)."""
        words = fold(text).split()
        if not words:
            return []
        found = [(fold(f"{t.name} {t.code}"), t) for t in self.types]
        matches = [(folded, t) for folded, t in found if all(w in folded for w in words)]
        matches.sort(key=lambda m: (m[0].find(words[0]), len(m[1].name)))
        return [t for _f, t in matches]

    def _filter_types(self, text: str) -> None:
        self.result_type = None
        self.type_code_label.setText("")
        matches = self.matching_types(text) if text.strip() else []
        self.type_list.clear()
        self.type_list.addItems([type_label(t) for t in matches[:MAX_TYPE_ROWS * 4]])
        if not matches:
            self.type_list.hide()
            return
        self.type_list.setCurrentRow(0)
        below = self.type_edit.mapTo(self, self.type_edit.rect().bottomLeft())
        rows = min(self.type_list.count(), MAX_TYPE_ROWS)
        height = rows * max(self.type_list.sizeHintForRow(0), 18) + 6
        self.type_list.setGeometry(below.x(), below.y() + 2, max(self.type_edit.width(), 380), height)
        self.type_list.show()
        self.type_list.raise_()

    def _choose_label(self, label: str) -> None:
        chosen = self._by_label.get(label)
        if chosen is not None:
            self.choose_type(chosen)
            self.type_list.hide()
            self.edits["number"].setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.type_edit and event.type() == QEvent.Type.KeyPress and self.popup_visible:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.type_list.currentRow() + step, self.type_list.count() - 1))
                self.type_list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                item = self.type_list.currentItem()
                if item is not None:
                    self._choose_label(item.text())
                return True
            if key == Qt.Key.Key_Escape:
                self.type_list.hide()
                return True
        if watched is self.type_edit and event.type() == QEvent.Type.FocusOut:
            self.type_list.hide()
        return super().eventFilter(watched, event)

    def choose_type(self, t: ResultType | str) -> None:
        """Set the type (a :class:`ResultType` or its code; a code is kept until the types are
        loaded)."""
        if isinstance(t, str):
            if not self.types:
                self._pending_type = t
                return
            found = next((x for x in self.types if x.code == t), None)
            if found is None:
                return
            t = found
        self._pending_type = None
        self.result_type = t
        self.type_edit.setText(t.name)
        self.type_code_label.setText(f"Mã kết quả: {t.code}")

    @property
    def popup_visible(self) -> bool:
        return self.type_list.isVisible()

    # -- owner from the CCCD QR ---------------------------------------------------------------------
    def _on_scanned(self, payload: str, _field: QLineEdit | None) -> None:
        try:
            qr = parse_cccd_qr(payload)
        except ValidationError as error:
            self._show_errors([error])
            return
        self.edits["owner_name"].setText(qr.full_name)
        self.edits["owner_id_number"].setText(qr.id_number)
        self.edits["owner_old_id_number"].setText(qr.old_id_number or "")
        self.error_label.hide()
        self.validity.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_validity(self) -> None:
        until = self.validity.currentData() == Validity.UNTIL.value
        self.valid_until.setEnabled(until)

    # -- saving -----------------------------------------------------------------------------------
    def metadata(self) -> ResultMetadata:
        """What is typed; raises the first :class:`ValidationError` of the form itself (dates, type)."""
        errors: list[ValidationError] = []
        if self.result_type is None:
            exact = [t for t in self.types if fold(t.code) == fold(self.type_edit.text().strip())]
            if len(exact) == 1:
                self.choose_type(exact[0])
        days = {}
        for name, edit, label in (("issued_on", self.edits["issued_on"], "Ngày cấp"),
                                  ("valid_until", self.valid_until, "Ngày hết hiệu lực")):
            try:
                days[name] = parse_day_vi(edit.text() if edit.isEnabled() else "", name, label)
            except ValidationError as error:
                errors.append(error)
                days[name] = None
        if self.result_type is None:
            errors.insert(0, ValidationError(
                "no document type chosen",
                "Chưa chọn loại giấy tờ: gõ tên hoặc mã kết quả rồi chọn trong danh sách.",
                field="type_code"))
        if errors:
            first = errors[0]
            first.errors = errors  # type: ignore[attr-defined]
            raise first
        assert self.result_type is not None
        text = {n: self.edits[n].text() for n in TEXT_FIELDS if n != "issued_on"}
        return ResultMetadata(
            type_code=self.result_type.code, type_name=self.result_type.name, number=text["number"],
            symbol=text["symbol"], issued_on=days["issued_on"], issuer=text["issuer"], signer=text["signer"],
            owner_name=text["owner_name"], owner_id_number=text["owner_id_number"],
            owner_old_id_number=text["owner_old_id_number"], owner_tax_code=text["owner_tax_code"],
            validity=Validity(self.validity.currentData()), valid_until=days["valid_until"])

    def save(self) -> None:
        if self._saving:
            return
        self.status_label.clear()
        try:
            metadata = self.metadata()
        except ValidationError as error:
            self._show_errors(getattr(error, "errors", None) or [error])
            return
        if not self.pages:
            self._show_errors([ValidationError("no page", "Chưa có trang nào của giấy tờ để lưu.")])
            return
        ctx, officer, pages = self.ctx, self.officer, list(self.pages)
        work = self.store(metadata) if self.store is not None else \
            (lambda: warehouse.add_result(ctx, metadata, officer, page_images=pages))
        self._saving = True
        self.save_button.setEnabled(False)
        self.runner.run_db(work, self._on_saved, self._on_failed)

    def _on_saved(self, record: ResultRecord) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.last_record = record
        self.error_label.hide()
        m = record.metadata
        self.status_label.setText(f"Đã lưu: {record.label_vi()} — {m.owner_name} ({record.record_id}).")
        self.next_document()
        self.saved.emit(record)
        if self.on_saved is not None:
            self.on_saved(record)

    def next_document(self) -> None:
        """Clear what differs from one document to the next (see the module docstring)."""
        for name in TEXT_FIELDS:
            if name not in CARRIED_OVER:
                self.edits[name].clear()
        self.edits["number"].setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_failed(self, error: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        if isinstance(error, ValidationError):
            self._show_errors(getattr(error, "errors", None) or [error])
            field = getattr(error, "field", None)
            target = (self.edits.get(str(field)) or self._gates.get(str(field))) if field else None
            if target is not None:
                target.setFocus()
            return
        if not isinstance(error, MotCuaError):
            log.error("saving a warehouse record failed", exc_info=error)
        self._show_errors([error])

    def _show_errors(self, errors: list[Any]) -> None:
        unexpected = "Đã xảy ra lỗi không mong muốn."
        lines = [e.message_vi if isinstance(e, MotCuaError) else unexpected for e in errors]
        self.error_label.setText("\n".join(lines))
        self.error_label.show()

    # -- keyboard -----------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.popup_visible:
            focus = self.focusWidget()
            if isinstance(focus, QPushButton):
                focus.click()
            else:
                self.save()
            event.accept()
            return
        super().keyPressEvent(event)


def _load_scaled(page: Path | PageImage, width: int) -> QImage:
    """The page image scaled to ``width`` (off the GUI thread: QImage is safe there). An image that
    has ``read()`` is decoded from its bytes in memory (no decrypted copy on disk)."""
    image = QImage.fromData(page.read()) if isinstance(page, PageImage) else QImage(str(page))
    if image.isNull():
        return image
    return image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
