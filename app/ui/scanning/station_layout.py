"""The layout of the scan station: the source row, the page actions, the thumbnails beside the
dossier's components, the progress row and the buttons. Behaviour lives in ``scan_station.py``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.scanning.profile import PROFILES
from app.services.scanning.deck import SaveGroup
from app.ui.scanning.page_delegate import component_color
from app.ui.scanning.pages import PageView

if TYPE_CHECKING:
    from app.ui.scanning.station import ScanStationDialog

FILE_FILTER = "Ảnh và PDF (*.jpg *.jpeg *.png *.tif *.tiff *.pdf *.webp *.bmp);;Mọi tệp (*)"
SOURCE_FILES = "files"
SOURCE_FOLDER = "folder"
HINT = ("Chọn trang rồi nhấn phím <b>1</b>–<b>9</b> để gán vào thành phần tương ứng, <b>0</b> để bỏ gán. "
        "Kéo thả để đổi thứ tự trang.")


def dot_icon(number: int) -> QIcon:
    pixmap = QPixmap(22, 22)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(component_color(number))
    painter.drawEllipse(1, 1, 20, 20)
    painter.setPen(QColor("white"))
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, str(number))
    painter.end()
    return QIcon(pixmap)


def _source_row(d: ScanStationDialog) -> QHBoxLayout:
    d.source = QComboBox(d)
    d.source.setObjectName("scanSource")
    d.source.addItem("Tệp ảnh hoặc PDF…", SOURCE_FILES)
    d.source.addItem("Cả thư mục…", SOURCE_FOLDER)
    d.source.setMinimumWidth(260)
    d.profile = QComboBox(d)
    d.profile.setObjectName("scanProfile")
    for name, profile in PROFILES.items():
        d.profile.addItem(profile.label_vi, name)
    d.scan_button = QPushButton("&Quét (F5)", d)
    d.scan_button.setObjectName("scanButton")
    row = QHBoxLayout()
    source_label = QLabel("&Nguồn:", d)
    source_label.setBuddy(d.source)
    profile_label = QLabel("&Chế độ:", d)
    profile_label.setBuddy(d.profile)
    for widget in (source_label, d.source, profile_label, d.profile, d.scan_button):
        row.addWidget(widget)
    row.addStretch(1)
    return row


def _action(d: ScanStationDialog, bar: QToolBar, text: str, keys: str | QKeySequence.StandardKey,
            slot: Callable[[], object], tip: str) -> QAction:
    action = QAction(text, d)
    sequence = QKeySequence(keys)
    action.setShortcut(sequence)
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.setToolTip(f"{tip} ({sequence.toString(QKeySequence.SequenceFormat.NativeText)})")
    action.triggered.connect(slot)
    d.addAction(action)
    bar.addAction(action)
    return action


def _page_actions(d: ScanStationDialog) -> QToolBar:
    bar = QToolBar(d)
    bar.setObjectName("pageActions")
    bar.setIconSize(QSize(16, 16))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    d.rotate_left_action = _action(d, bar, "↺ Xoay trái", "Ctrl+L", lambda: d.rotate(-90),
                                   "Xoay trang đã chọn sang trái")
    d.rotate_right_action = _action(d, bar, "↻ Xoay phải", "Ctrl+R", lambda: d.rotate(90),
                                    "Xoay trang đã chọn sang phải")
    d.delete_action = _action(d, bar, "Xóa", QKeySequence.StandardKey.Delete, d.delete_selected,
                              "Xóa trang đã chọn")
    d.keep_action = _action(d, bar, "Giữ trang trắng", "Ctrl+K", d.keep_selected,
                            "Trang bị nghi là trắng nhưng cần giữ lại")
    bar.addSeparator()
    d.undo_action = _action(d, bar, "Hoàn tác", QKeySequence.StandardKey.Undo, d.undo, "Hoàn tác")
    d.redo_action = _action(d, bar, "Làm lại", "Ctrl+Y", d.redo, "Làm lại")
    bar.addSeparator()
    d.rescan_action = _action(d, bar, "Quét lại trang", "Shift+F5", d.rescan_selected,
                              "Quét lại trang đã chọn từ nguồn đang chọn")
    d.split_action = _action(d, bar, "Tách tài liệu", "Ctrl+T", d.split_selected,
                             "Bắt đầu tài liệu mới (tệp PDF riêng) từ trang đã chọn")
    d.merge_action = _action(d, bar, "Gộp tài liệu", "Ctrl+G", d.merge_selected,
                             "Gộp tài liệu của trang đã chọn vào tài liệu trước nó")
    return bar


def _components_panel(d: ScanStationDialog) -> QWidget:
    panel = QWidget(d)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    title = QLabel("<b>Thành phần hồ sơ</b>", panel)
    d.components = QListWidget(panel)
    d.components.setObjectName("scanComponents")
    d.components.setWordWrap(True)
    d.components.setIconSize(QSize(22, 22))
    d.components.setSpacing(2)
    d.assign_button = QPushButton("&Gán trang đã chọn vào thành phần này", panel)
    hint = QLabel(HINT, panel)
    hint.setWordWrap(True)
    hint.setStyleSheet("color: #555;")
    layout.addWidget(title)
    layout.addWidget(d.components, 1)
    layout.addWidget(d.assign_button)
    layout.addWidget(hint)
    return panel


def _bottom(d: ScanStationDialog) -> QVBoxLayout:
    d.progress = QProgressBar(d)
    d.progress.setObjectName("scanProgress")
    d.progress.setMaximumWidth(260)
    d.progress.hide()
    d.cancel_button = QPushButton("&Dừng (Esc)", d)
    d.cancel_button.setObjectName("cancelScan")
    d.cancel_button.hide()
    d.status = QLabel("Chọn nguồn rồi nhấn Quét (F5).", d)
    d.status.setObjectName("scanStatus")
    d.message = QLabel(d)
    d.message.setObjectName("scanMessage")
    d.message.setWordWrap(True)
    d.message.setTextFormat(Qt.TextFormat.RichText)
    d.save_button = QPushButton("&Lưu vào hồ sơ (Ctrl+S)", d)
    d.save_button.setObjectName("saveScans")
    d.close_button = QPushButton("Đó&ng", d)
    top = QHBoxLayout()
    top.addWidget(d.progress)
    top.addWidget(d.cancel_button)
    top.addWidget(d.status, 1)
    buttons = QHBoxLayout()
    buttons.addWidget(d.message, 1)
    buttons.addWidget(d.save_button)
    buttons.addWidget(d.close_button)
    box = QVBoxLayout()
    box.addLayout(top)
    box.addLayout(buttons)
    return box


def build_station_layout(d: ScanStationDialog) -> None:
    d.header = QLabel("Đang tải hồ sơ…", d)
    d.header.setObjectName("scanHeader")
    d.header.setTextFormat(Qt.TextFormat.RichText)
    d.view = PageView(d)
    d.view.setModel(d.model)
    splitter = QSplitter(Qt.Orientation.Horizontal, d)
    splitter.addWidget(d.view)
    splitter.addWidget(_components_panel(d))
    splitter.setStretchFactor(0, 3)
    splitter.setStretchFactor(1, 1)
    splitter.setSizes([820, 300])
    layout = QVBoxLayout(d)
    layout.addWidget(d.header)
    layout.addLayout(_source_row(d))
    layout.addWidget(_page_actions(d))
    layout.addWidget(splitter, 1)
    layout.addLayout(_bottom(d))


def fill_components(widget: QListWidget, components: dict[int, tuple[int, str]],
                    groups: Sequence[SaveGroup]) -> None:
    """The dossier's components with their number's colour and how many pages each will have."""
    counts: dict[int, int] = {}
    for group in groups:
        counts[group.component] = counts.get(group.component, 0) + len(group.pages)
    current = widget.currentRow()
    widget.clear()
    for index, (number, name) in sorted(components.items(), key=lambda kv: kv[1][0]):
        pages = counts.get(index, 0)
        item = QListWidgetItem(dot_icon(number), f"{name}\n{pages} trang" if pages else name)
        item.setData(Qt.ItemDataRole.UserRole, index)
        widget.addItem(item)
    widget.setCurrentRow(max(0, min(current, widget.count() - 1)))


def ask_files(parent: QWidget) -> list[str]:
    files, _filter = QFileDialog.getOpenFileNames(parent, "Chọn ảnh hoặc PDF để đưa vào hồ sơ", "",
                                                  FILE_FILTER)
    return files


def ask_folder(parent: QWidget) -> str:
    return QFileDialog.getExistingDirectory(parent, "Chọn thư mục ảnh quét")


def ask_discard(parent: QWidget, pages: int) -> bool:
    answer = QMessageBox.question(parent, "Trạm quét",
                                  f"Còn {pages} trang chưa lưu vào hồ sơ. Đóng và bỏ các trang này?")
    return answer == QMessageBox.StandardButton.Yes
