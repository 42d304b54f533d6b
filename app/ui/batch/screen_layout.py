"""The layout of the batch screen: the source row, the tree beside the result form, the progress row and
the buttons. Behaviour lives in the screen and its parts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QVBoxLayout,
    QWidget,
)

from app.scanning.profile import PROFILES
from app.ui.batch.page_tree import THUMB
from app.ui.ocr.prefill import Prefiller
from app.ui.warehouse.result_form import ResultForm
from app.ui.widgets.signing_pin import NOT_A_SIGNER_VI, SigningRun

PREVIEW_WIDTH = 360
SET_ASIDE_KEYS = "Ctrl+Shift+D"


if TYPE_CHECKING:
    from app.ui.batch.screen import BatchScreen


def build_batch_layout(self: BatchScreen) -> None:
    """Build the widgets of ``self`` (the screen) and wire them to its behaviour."""
    top = QHBoxLayout()
    self.source = QLineEdit(self)
    self.source.setPlaceholderText("folder:/đường/dẫn/thư mục  hoặc  sane:THIẾT_BỊ?source=adf")
    self.source.setAccessibleName("Nguồn trang")
    self.browse_button = QPushButton("Chọn thư mục…", self)
    self.profile = QComboBox(self)
    for name, profile in PROFILES.items():
        self.profile.addItem(profile.label_vi, name)
    self.start_button = QPushButton("Bắt đầu (F5)", self)
    self.pause_button = QPushButton("Dừng (Esc)", self)
    self.cancel_button = QPushButton("Hủy lô", self)
    for widget in (QLabel("Nguồn:", self), self.source, self.browse_button, self.profile,
                   self.start_button, self.pause_button, self.cancel_button):
        top.addWidget(widget)
    resume_row = QHBoxLayout()
    self.unfinished = QComboBox(self)
    self.unfinished.setAccessibleName("Lô chưa xong")
    self.resume_button = QPushButton("Tiếp tục lô", self)
    resume_row.addWidget(QLabel("Lô chưa xong:", self))
    resume_row.addWidget(self.unfinished, 1)
    resume_row.addWidget(self.resume_button)
    self.progress = QLabel("Chưa chạy lô nào.", self)
    self.progress.setTextFormat(Qt.TextFormat.RichText)
    self.tree = QTreeWidget(self)
    self.tree.setHeaderLabels(["Tài liệu / trang", "Kiểm tra"])
    self.tree.setIconSize(QPixmap(THUMB, round(THUMB * 1.4)).size())
    self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    self.tree.header().setStretchLastSection(False)
    self.tree.setMinimumWidth(300)
    self.tree.currentItemChanged.connect(self._on_tree_current)

    right = QWidget(self)
    side = QVBoxLayout(right)
    side.setContentsMargins(0, 0, 0, 0)
    self.doc_label = QLabel("Chọn một tài liệu trong danh sách để nhập thông tin.", right)
    self.doc_label.setObjectName("batchDocument")
    self.doc_label.setTextFormat(Qt.TextFormat.RichText)
    self.doc_label.setWordWrap(True)
    self.set_aside_button = QPushButton(f"Để riêng giấy tờ này… ({SET_ASIDE_KEYS})", right)
    self.set_aside_button.setObjectName("batchSetAside")
    self.set_aside_button.setToolTip("Không nhập giấy tờ này vào kho (trang không đọc được, không phải "
                                     "kết quả…): ghi lý do, lô vẫn được coi là xong")
    self.set_aside_button.clicked.connect(self.set_aside_current)
    self.restore_button = QPushButton(f"Đưa trở lại ({SET_ASIDE_KEYS})", right)
    self.restore_button.setObjectName("batchRestore")
    self.restore_button.setToolTip("Đưa giấy tờ đã để riêng trở lại danh sách cần nhập")
    self.restore_button.clicked.connect(self.restore_current)
    for button in (self.set_aside_button, self.restore_button):
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        button.hide()
    header = QHBoxLayout()
    header.addWidget(self.doc_label, 1)
    header.addWidget(self.set_aside_button, 0, Qt.AlignmentFlag.AlignTop)
    header.addWidget(self.restore_button, 0, Qt.AlignmentFlag.AlignTop)
    self.review_label = QLabel("", right)
    self.review_label.setObjectName("batchReview")
    self.review_label.setWordWrap(True)
    self.review_label.setStyleSheet("color: #b71c1c;")
    self.review_label.hide()
    self.form = ResultForm(self.ctx, self.runner, self.officer, parent=right, preview_width=PREVIEW_WIDTH)
    self.form.store = self._store
    self.prefiller = Prefiller(self.form)
    self.form.saved.connect(self._on_recorded)
    self.review_box = QCheckBox("Đã xem trang trắng (Alt+X)", self.form)
    self.review_box.setObjectName("blankPagesReviewed")
    self.review_box.hide()
    self.form.add_gate(self.review_box, "blank_pages_reviewed")
    side.addLayout(header)
    side.addWidget(self.review_label)
    side.addWidget(self.form, 1)

    self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
    self.splitter.addWidget(self.tree)
    self.splitter.addWidget(right)
    self.splitter.setStretchFactor(0, 1)
    self.splitter.setStretchFactor(1, 2)
    self.splitter.setChildrenCollapsible(False)
    self.splitter.setSizes([410, 850])
    self.message = QLabel("", self)
    self.message.setObjectName("batchMessage")
    self.message.setWordWrap(True)
    self.sign_run = SigningRun(self, self.runner, self.message.setText, stop_text="Dừng ký (Esc)",
                               bar_width=220)
    self.sign_bar, self.sign_stop_button = self.sign_run.bar, self.sign_run.stop_button
    self.sign_button = QPushButton("Ký số cả lô…", self)
    self.sign_button.setObjectName("batchSignAll")
    self.sign_button.setToolTip("Ký số mọi giấy tờ đã nhập của lô chưa có chữ ký (một lần nhập mã PIN)"
                                if self.can_sign else NOT_A_SIGNER_VI)
    self.sign_button.clicked.connect(self.sign_box)
    bottom = QHBoxLayout()
    bottom.addWidget(self.message, 1)
    bottom.addWidget(self.sign_bar)
    bottom.addWidget(self.sign_stop_button)
    bottom.addWidget(self.sign_button)
    layout = QVBoxLayout(self)
    layout.addLayout(top)
    layout.addLayout(resume_row)
    layout.addWidget(self.progress)
    layout.addWidget(self.splitter, 1)
    layout.addLayout(bottom)
    self.browse_button.clicked.connect(self._browse)
    self.start_button.clicked.connect(self.start)
    self.pause_button.clicked.connect(self.pause)
    self.cancel_button.clicked.connect(self.cancel)
    self.resume_button.clicked.connect(self.resume)
    QShortcut(QKeySequence("F5"), self, self.start)
    QShortcut(QKeySequence("Esc"), self, self.pause)
    QShortcut(QKeySequence("F8"), self, self.next_unrecorded)
    QShortcut(QKeySequence("Alt+X"), self, self.toggle_reviewed)
    QShortcut(QKeySequence(SET_ASIDE_KEYS), self, self.toggle_set_aside)
    self._update_buttons()
