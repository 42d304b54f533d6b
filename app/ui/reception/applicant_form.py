"""The applicant (chủ hồ sơ) part of the reception form: a person by CCCD/CMND, or an organisation
by tax code. Rules come from ``app.core.applicant_rules``; this widget only shows their messages
beside the fields they name."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWidget,
)

from app.core.applicant import Applicant, ApplicantKind, Sex
from app.core.applicant_rules import validate_applicant
from app.core.errors import ValidationError
from app.ui.widgets.formats import date_vi, parse_date_vi

# field name -> (label, placeholder); the order is the tab order
TEXT_FIELDS: dict[str, tuple[str, str]] = {
    "id_number": ("Số CCCD", "12 chữ số — hoặc quét mã QR trên thẻ"),
    "old_id_number": ("Số CMND cũ", "9 chữ số (nếu có)"),
    "tax_code": ("Mã số thuế", "10 chữ số, chi nhánh: 10 chữ số-3 chữ số"),
    "full_name": ("Họ và tên", ""),
    "birth_date": ("Ngày sinh", "dd/mm/yyyy"),
    "id_issue_date": ("Ngày cấp", "dd/mm/yyyy"),
    "address": ("Địa chỉ", "Nơi thường trú"),
    "phone": ("Điện thoại", "Ví dụ 0912 345 678"),
    "email": ("Thư điện tử", ""),
}
DATE_LABELS = {"birth_date": "Ngày sinh", "id_issue_date": "Ngày cấp"}
PERSON_ONLY = ("id_number", "old_id_number", "birth_date", "id_issue_date", "sex")
ERROR_STYLE = "color: #c62828; font-size: 9pt;"


class ApplicantForm(QWidget):
    """Fields, per-field error labels, and conversion to and from :class:`Applicant`."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self._labels: dict[str, QLabel] = {}
        self._qr_raw = ""
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self._build_kind(grid)
        for name, (_label, placeholder) in TEXT_FIELDS.items():
            edit = QLineEdit(self)
            edit.setObjectName(f"applicant_{name}")
            edit.setPlaceholderText(placeholder)
            edit.textEdited.connect(lambda _t, n=name: self._on_edit(n))
            self.edits[name] = edit
        self.sex = QComboBox(self)
        self.sex.setObjectName("applicant_sex")
        self.sex.addItem("—", None)
        self.sex.addItem("Nam", Sex.MALE.value)
        self.sex.addItem("Nữ", Sex.FEMALE.value)
        self.sex.currentIndexChanged.connect(lambda _i: self._on_edit("sex"))
        placement = [  # (field, row, column pair)
            ("id_number", 1, 0), ("old_id_number", 1, 1), ("tax_code", 1, 1),
            ("full_name", 3, 0), ("birth_date", 3, 1),
            ("sex", 5, 0), ("id_issue_date", 5, 1),
            ("address", 7, 0),
            ("phone", 9, 0), ("email", 9, 1),
        ]
        for name, row, pair in placement:
            widget = self.sex if name == "sex" else self.edits[name]
            text = "Giới tính" if name == "sex" else TEXT_FIELDS[name][0]
            label = QLabel(text + ":", self)
            label.setBuddy(widget)
            self._labels[name] = label
            error = QLabel(self)
            error.setObjectName(f"error_{name}")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            self.errors[name] = error
            span = 3 if name == "address" else 1
            grid.addWidget(label, row, pair * 2)
            grid.addWidget(widget, row, pair * 2 + 1, 1, span)
            grid.addWidget(error, row + 1, pair * 2 + 1, 1, span, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self._set_tab_order()
        self._apply_kind()

    def _build_kind(self, grid: QGridLayout) -> None:
        box = QHBoxLayout()
        box.setSpacing(16)
        self.person = QRadioButton("&Cá nhân", self)
        self.person.setObjectName("kindPerson")
        self.organisation = QRadioButton("Tổ c&hức", self)
        self.organisation.setObjectName("kindOrganisation")
        self.person.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.person)
        group.addButton(self.organisation)
        self.person.toggled.connect(lambda _c: (self._apply_kind(), self.edited.emit()))
        box.addWidget(QLabel("Chủ hồ sơ:", self))
        box.addWidget(self.person)
        box.addWidget(self.organisation)
        box.addStretch(1)
        grid.addLayout(box, 0, 0, 1, 4)

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [self.edits["id_number"], self.edits["old_id_number"], self.edits["tax_code"],
                                self.edits["full_name"], self.edits["birth_date"], self.sex,
                                self.edits["id_issue_date"], self.edits["address"], self.edits["phone"],
                                self.edits["email"]]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _apply_kind(self) -> None:
        person = self.person.isChecked()
        for name in PERSON_ONLY:
            widget = self.sex if name == "sex" else self.edits[name]
            widget.setVisible(person)
            self._labels[name].setVisible(person)
            if not person:
                self.errors[name].hide()
        self.edits["tax_code"].setVisible(not person)
        self._labels["tax_code"].setVisible(not person)
        self._labels["full_name"].setText("Họ và tên:" if person else "Tên tổ chức:")

    def _on_edit(self, name: str) -> None:
        self.errors[name].hide()
        if name in ("id_number", "full_name", "birth_date"):
            self._qr_raw = ""  # typed by hand: no longer exactly what the card said
        self.edited.emit()

    # -- values ----------------------------------------------------------------------------------
    def line_edits(self) -> list[QLineEdit]:
        return list(self.edits.values())

    @property
    def first_field(self) -> QLineEdit:
        return self.edits["id_number"] if self.person.isChecked() else self.edits["tax_code"]

    def applicant(self) -> tuple[Applicant, list[ValidationError]]:
        """The applicant as typed, and the dates that could not be read (left out of it)."""
        errors: list[ValidationError] = []
        dates: dict[str, date | None] = {}
        person = self.person.isChecked()
        for name, label in DATE_LABELS.items():
            try:
                dates[name] = parse_date_vi(self.edits[name].text(), name, label) if person else None
            except ValidationError as error:
                dates[name] = None
                errors.append(error)
        text = {name: edit.text().strip() for name, edit in self.edits.items()}
        sex = self.sex.currentData()
        applicant = Applicant(
            full_name=" ".join(text["full_name"].split()),
            kind=ApplicantKind.PERSON if person else ApplicantKind.ORGANISATION,
            id_number=text["id_number"] if person else "",
            old_id_number=text["old_id_number"] if person else "",
            birth_date=dates["birth_date"],
            sex=Sex(sex) if sex and person else None,
            address=text["address"],
            phone=text["phone"],
            email=text["email"],
            id_issue_date=dates["id_issue_date"],
            tax_code="" if person else text["tax_code"],
            qr_raw=self._qr_raw if person else "",
        )
        return applicant, errors

    def validate(self, only: set[str] | None = None) -> list[ValidationError]:
        """Run the applicant rules and show the messages beside their fields (only those of the
        fields in ``only`` when given, e.g. the field just left); return the errors shown."""
        applicant, errors = self.applicant()
        unreadable = {e.field for e in errors}
        errors += [e for e in validate_applicant(applicant) if e.field not in unreadable]
        if only is not None:
            errors = [e for e in errors if e.field in only]
            for name in only:
                self.errors[name].hide()
            self._add_errors(errors)
            return errors
        self.show_errors(errors)
        return errors

    def show_errors(self, errors: Iterable[ValidationError]) -> list[ValidationError]:
        """Show each error under its field; return those that belong to no field of this form."""
        for label in self.errors.values():
            label.clear()
            label.hide()
        return self._add_errors(errors)

    def _add_errors(self, errors: Iterable[ValidationError]) -> list[ValidationError]:
        others: list[ValidationError] = []
        for error in errors:
            label = self.errors.get(error.field or "")
            if label is None or not self._field_visible(error.field or ""):
                others.append(error)
                continue
            shown = label.text() if label.isVisibleTo(self) else ""
            label.setText((shown + "\n" if shown else "") + error.message_vi)
            label.show()
        return others

    def _field_visible(self, name: str) -> bool:
        return self.person.isChecked() or name not in PERSON_ONLY

    def focus_first_error(self) -> None:
        for name, label in self.errors.items():
            if label.isVisible():
                (self.sex if name == "sex" else self.edits[name]).setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def fill(self, a: Applicant) -> None:
        """Show ``a`` (e.g. read from a CCCD QR code): every field is replaced."""
        self.person.setChecked(a.kind is ApplicantKind.PERSON)
        self.organisation.setChecked(a.kind is ApplicantKind.ORGANISATION)
        values = {"id_number": a.id_number, "old_id_number": a.old_id_number, "tax_code": a.tax_code,
                  "full_name": a.full_name, "birth_date": date_vi(a.birth_date),
                  "id_issue_date": date_vi(a.id_issue_date), "address": a.address, "phone": a.phone,
                  "email": a.email}
        for name, value in values.items():
            if value or name not in ("phone", "email"):  # the card has no phone or e-mail: keep them
                self.edits[name].setText(value)
            self.errors[name].hide()
        self.sex.setCurrentIndex(max(0, self.sex.findData(a.sex.value if a.sex else None)))
        self.errors["sex"].hide()
        self._qr_raw = a.qr_raw
        self.edited.emit()

    def to_dict(self) -> dict[str, Any]:
        """What a draft keeps: the texts exactly as typed."""
        data: dict[str, Any] = {name: edit.text() for name, edit in self.edits.items()}
        data["kind"] = "person" if self.person.isChecked() else "organisation"
        data["sex"] = self.sex.currentData() or ""
        data["qr_raw"] = self._qr_raw
        return data

    def from_dict(self, data: dict[str, Any]) -> None:
        organisation = data.get("kind") == "organisation"
        self.organisation.setChecked(organisation)
        self.person.setChecked(not organisation)
        for name, edit in self.edits.items():
            edit.setText(str(data.get(name, "")))
        self.sex.setCurrentIndex(max(0, self.sex.findData(data.get("sex") or None)))
        self._qr_raw = str(data.get("qr_raw", ""))

    def is_empty(self) -> bool:
        return not any(edit.text().strip() for edit in self.edits.values())

    def lock(self) -> None:
        """Read-only once the dossier is saved."""
        for edit in self.edits.values():
            edit.setReadOnly(True)
        for widget in (self.sex, self.person, self.organisation):
            widget.setEnabled(False)
