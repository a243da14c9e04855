"""The preview shown between checking a member CSV and writing it.

A file with problems gets every one of them listed (line, column, what is wrong) and nothing is
written. A clean file gets a summary ("120 new members, 14 to update") and an Import button;
only that button lets the import go ahead.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from branchdesk.members.importer import ImportPreview, Problem
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate

AnyIndex = QModelIndex | QPersistentModelIndex


class ProblemsModel(QAbstractTableModel):
    HEADERS = (
        QT_TRANSLATE_NOOP("members.import_dialog", "Line"),
        QT_TRANSLATE_NOOP("members.import_dialog", "Column"),
        QT_TRANSLATE_NOOP("members.import_dialog", "Problem"),
    )

    def __init__(self, problems: list[Problem], parent: Any = None) -> None:
        super().__init__(parent)
        self._problems = problems

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._problems)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._problems):
            return None
        problem = self._problems[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(problem.line) if problem.line else "—"
            if col == 1:
                return problem.column or "—"
            if col == 2:
                return problem.message
        if role == Qt.ItemDataRole.UserRole and col == 0:
            return problem.line
        if role == Qt.ItemDataRole.ToolTipRole and col == 2:
            return problem.message
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 0:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return translate("members.import_dialog", self.HEADERS[section])
        return None


def problems_table(problems: list[Problem], parent: QWidget) -> tuple[ProblemsModel, QTableView]:
    """A file's problems by line, column and reason, as every import preview lists them."""
    model = ProblemsModel(problems, parent)
    view = QTableView()
    view.setObjectName("problemsView")
    view.setAccessibleName(translate("members.import_dialog", "Problems found in the file"))
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.resizeSection(1, 170)
    header.setStretchLastSection(True)
    return model, view


def add_warnings(layout: QVBoxLayout, warnings: list[str]) -> None:
    """An import's warnings (things read but worth a look) under its preview, one a line."""
    if warnings:
        label = QLabel("\n".join(f"• {w[:1].upper()}{w[1:]}." for w in warnings))
        label.setObjectName("tabSubheading")
        label.setWordWrap(True)
        layout.addWidget(label)


class ImportPreviewDialog(QDialog):
    def __init__(self, preview: ImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        plan = preview.plan
        name = plan.file.name
        self.setWindowTitle(
            translate("members.import_dialog", "Import members — {name}").format(name=name)
        )
        self.setMinimumSize(720, 300 if plan.ok and not plan.warnings else 460)

        icon = QLabel()
        style = self.style()
        kind = (
            QStyle.StandardPixmap.SP_MessageBoxInformation
            if plan.ok
            else QStyle.StandardPixmap.SP_MessageBoxWarning
        )
        icon.setPixmap(style.standardIcon(kind).pixmap(40, 40))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.heading = QLabel()
        self.heading.setObjectName("tabHeading")
        self.heading.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(14)
        text = QVBoxLayout()
        text.addWidget(self.heading)
        text.addWidget(self.summary)
        top_layout.addWidget(icon)
        top_layout.addLayout(text, 1)
        layout.addWidget(top)

        self.problems_view: QTableView | None = None
        buttons = QDialogButtonBox()
        if plan.ok:
            self.heading.setText(
                translate("members.import_dialog", "Ready to import {name}").format(name=name)
            )
            counts = (
                translate(
                    "members.import_dialog",
                    "1 new member, {changed} to update, {unchanged} unchanged.",
                )
                if preview.new == 1
                else translate(
                    "members.import_dialog",
                    "{new} new members, {changed} to update, {unchanged} unchanged.",
                )
            )
            self.summary.setText(
                counts.format(
                    new=f"{preview.new:,}",
                    changed=f"{preview.changed:,}",
                    unchanged=f"{preview.unchanged:,}",
                )
                + "\n"
                + translate(
                    "members.import_dialog",
                    "Members already in the register are matched by membership number and "
                    "updated from the file. Nothing is written until you press Import.",
                )
            )
            self.import_button = buttons.addButton(
                translate("members.import_dialog", "Import"), QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.import_button.setObjectName("importButton")
            self.import_button.setDefault(True)
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        else:
            count = len(plan.problems)
            heading = (
                translate("members.import_dialog", "{name} has 1 problem")
                if count == 1
                else translate("members.import_dialog", "{name} has {count} problems")
            )
            self.heading.setText(heading.format(name=name, count=f"{count:,}"))
            self.summary.setText(
                translate(
                    "members.import_dialog",
                    "Nothing has been imported. Put these right in the file, save it, and import "
                    "it again.",
                )
            )
            self.problems_model, self.problems_view = problems_table(plan.problems, self)
            layout.addWidget(self.problems_view, 1)
            close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
            close.setDefault(True)
        add_warnings(layout, plan.warnings)
        if plan.ok:
            layout.addStretch(1)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
