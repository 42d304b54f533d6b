"""The layout of the reception dialog: sections, the channel/delivery/fee row, the draft banner,
the buttons and the tab order. Behaviour lives in ``receive_dialog.py``."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.dossier import Channel, Delivery

if TYPE_CHECKING:
    from app.ui.reception.receive_dialog import ReceiveDialog

CHANNELS = ((Channel.DIRECT, "Trực tiếp"), (Channel.POSTAL, "Bưu chính công ích"))
DELIVERIES = ((Delivery.COUNTER, "Tại Bộ phận Một cửa"), (Delivery.POST, "Qua dịch vụ bưu chính"))
MAX_FEE_VND = 100_000_000
ERROR_STYLE = "color: #c62828;"
WARNING_STYLE = ("background: #fff4e5; color: #8a4b00; border: 1px solid #f0b35a; border-radius: 3px;"
                 " padding: 4px;")


def _combo(parent: QWidget, name: str, items: tuple[tuple[int, str], ...]) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    for value, text in items:
        combo.addItem(text, int(value))
    return combo


def _label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


def _options(d: ReceiveDialog) -> QGroupBox:
    box = QGroupBox("Hình thức nộp, nhận kết quả và lệ phí", d)
    d.channel = _combo(box, "channel", CHANNELS)
    d.delivery = _combo(box, "delivery", DELIVERIES)
    d.delivery_address = QLineEdit(box)
    d.delivery_address.setObjectName("deliveryAddress")
    d.delivery_address.setPlaceholderText("Địa chỉ nhận kết quả qua bưu chính")
    d.delivery_address.setEnabled(False)
    d.fee = QSpinBox(box)
    d.fee.setObjectName("fee")
    d.fee.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    d.fee.setRange(0, MAX_FEE_VND)
    d.fee.setSingleStep(1000)
    d.fee.setGroupSeparatorShown(True)
    d.fee.setSuffix(" đồng")
    d.fee.setSpecialValueText("Không thu")
    d.fee.setMinimumWidth(150)
    d.note = QLineEdit(box)
    d.note.setObjectName("note")
    d.note.setPlaceholderText("Ghi chú khi tiếp nhận (nếu có)")
    grid = QGridLayout(box)
    grid.addWidget(_label("&Kênh nộp:", d.channel, box), 0, 0)
    grid.addWidget(d.channel, 0, 1)
    grid.addWidget(_label("&Nhận kết quả:", d.delivery, box), 0, 2)
    grid.addWidget(d.delivery, 0, 3)
    grid.addWidget(d.delivery_address, 0, 4)
    grid.addWidget(_label("&Phí, lệ phí:", d.fee, box), 1, 0)
    grid.addWidget(d.fee, 1, 1)
    grid.addWidget(_label("&Ghi chú:", d.note, box), 1, 2)
    grid.addWidget(d.note, 1, 3, 1, 2)
    grid.setColumnStretch(4, 1)
    return box


def _draft_banner(d: ReceiveDialog) -> QFrame:
    d.draft_banner = QFrame(d)
    d.draft_banner.setObjectName("draftBanner")
    d.draft_banner.setStyleSheet("#draftBanner { background: #fff8e1; border: 1px solid #ffcc80; }")
    d.draft_label = QLabel(d.draft_banner)
    d.draft_label.setObjectName("draftLabel")
    d.draft_label.setWordWrap(True)
    d.reopen_button = QPushButton("Mở lại bản nháp (Ctrl+R)", d.draft_banner)
    d.reopen_button.setObjectName("reopenDraft")
    d.drop_button = QPushButton("Bỏ bản nháp", d.draft_banner)
    d.drop_button.setObjectName("dropDraft")
    row = QHBoxLayout(d.draft_banner)
    row.addWidget(d.draft_label, 1)
    row.addWidget(d.reopen_button)
    row.addWidget(d.drop_button)
    d.draft_banner.hide()
    return d.draft_banner


def build_receive_layout(d: ReceiveDialog) -> None:
    """Create the dialog's remaining widgets (as attributes of ``d``) and lay everything out."""
    layout = QVBoxLayout(d)
    top = QHBoxLayout()
    top.addWidget(_label("&Thủ tục:", d.picker, d))
    top.addWidget(d.picker, 1)
    layout.addLayout(top)
    layout.addWidget(_draft_banner(d))
    d.due_label = QLabel("Chọn thủ tục để xem ngày hẹn trả kết quả.", d)
    d.due_label.setObjectName("dueLabel")
    layout.addWidget(d.due_label)
    d.counter_warning = QLabel(d)  # same person with an open dossier, outside office hours
    d.counter_warning.setObjectName("counterWarning")
    d.counter_warning.setStyleSheet(WARNING_STYLE)
    d.counter_warning.setWordWrap(True)
    d.counter_warning.hide()
    layout.addWidget(d.counter_warning)
    applicant_box = QGroupBox("Thông tin chủ hồ sơ (quét mã QR trên thẻ CCCD để điền tự động)", d)
    QVBoxLayout(applicant_box).addWidget(d.applicant)
    layout.addWidget(applicant_box)
    components_box = QGroupBox("Thành phần hồ sơ (Space: đánh dấu đã nhận; Ctrl+K: chuyển đến danh sách)", d)
    QVBoxLayout(components_box).addWidget(d.components)
    layout.addWidget(components_box, 1)
    layout.addWidget(_options(d))
    d.general_error = QLabel(d)
    d.general_error.setObjectName("generalError")
    d.general_error.setStyleSheet(ERROR_STYLE)
    d.general_error.setWordWrap(True)
    d.general_error.hide()
    layout.addWidget(d.general_error)
    layout.addWidget(d.receipt)
    buttons = QHBoxLayout()
    d.save_state = QLabel(d)
    d.save_state.setObjectName("saveState")
    buttons.addWidget(d.save_state, 1)
    d.save_button = QPushButton("&Lưu hồ sơ (Enter)", d)
    d.save_button.setObjectName("saveButton")
    d.close_button = QPushButton("Đóng (Esc)", d)
    d.close_button.setObjectName("closeButton")
    for button in (d.save_button, d.close_button, d.reopen_button, d.drop_button):
        button.setAutoDefault(False)
        button.setDefault(False)
    buttons.addWidget(d.save_button)
    buttons.addWidget(d.close_button)
    layout.addLayout(buttons)
    _tab_order(d)


def _tab_order(d: ReceiveDialog) -> None:
    edits = d.applicant.edits
    chain: list[QWidget] = [
        d.picker, edits["id_number"], edits["old_id_number"], edits["tax_code"], edits["full_name"],
        edits["birth_date"], d.applicant.sex, edits["id_issue_date"], edits["address"], edits["phone"],
        edits["email"], d.components, d.channel, d.delivery, d.delivery_address, d.fee, d.note,
        d.receipt.print_button, d.receipt.preview_button, d.receipt.export_button, d.save_button,
        d.close_button, d.applicant.person, d.applicant.organisation, d.reopen_button, d.drop_button,
    ]
    for first, second in itertools.pairwise(chain):
        QWidget.setTabOrder(first, second)
