"""Edit › Deadline rules…: the tribunal time limits and appeal windows the deadlines come from.

The rules live in the database (`rules_store`), so every PC on it computes the same dates. The
dialog reads them with their version, lets the user change the parts that are meant to change
(the Employment Rights Act 2025 start date and whether it is confirmed, the default appeal
window, each employer's own window) and saves the whole copy against that version: if someone
else saved in between, nothing is overwritten and the rules as they now stand are shown.
"Restore the shipped defaults" fills the form with the rules BranchDesk ships; saving them
drops the branch's copy, so later, corrected defaults reach this branch too.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import DBAPIError

from branchdesk.casework.deadlines import AppealWindow, DeadlineRules, employer_key
from branchdesk.casework.rules_store import load_rules, reset_rules, save_rules
from branchdesk.members.service import employer_names
from branchdesk.store.errors import StaleEdit, StoreError
from branchdesk.ui import style
from branchdesk.ui.casework.common import CASEWORK, date_edit, date_of, warning_label
from branchdesk.ui.context import AppContext
from branchdesk.ui.log_safe import error_kind
from branchdesk.ui.members.member_dialog import BUSY_MESSAGE, is_busy

log = logging.getLogger(__name__)

INTRO = (
    "These rules are shared by everyone who uses this database: a change here changes the "
    "deadlines every PC works out, for every case. Where the law can be read two ways, "
    "BranchDesk takes the earlier date, so a deadline it shows is never later than the real "
    "one. Check a rule against its source before you change it."
)
_MAX_APPEAL_DAYS = 365
_SOURCE_LIMIT = 500

# Field paths in DeadlineRules' messages, in the words the dialog uses for them.
_FIELD_WORDS = (
    ("tribunal.era2025_six_month_from", "Employment Rights Act 2025 start date"),
    ("tribunal.era2025_confirmed", "Employment Rights Act 2025 “confirmed in law”"),
    ("tribunal.era2025_source", "Employment Rights Act 2025 source"),
    ("tribunal.acas_early_conciliation", "ACAS early conciliation"),
    ("tribunal.claim_kinds", "Tribunal time limits"),
    ("appeals.default", "Default appeal window"),
    ("appeals.by_employer", "Employer appeal windows"),
)
_EMPLOYER_FIELD = re.compile(r"^appeals\.by_employer\[(['\"])(?P<name>.*?)\1\]\.?(?P<rest>.*)$")


def describe_rule_error(exc: ValueError) -> str:
    """A DeadlineRules message with the field named in words: 'Default appeal window: …'."""
    message = str(exc)
    found = _EMPLOYER_FIELD.match(message)
    if found:
        rest = found["rest"].lstrip(".: ").replace("_", " ")
        return f"Appeal window for {found['name']}: {rest}"
    for path, words in _FIELD_WORDS:
        if message.startswith(path):
            rest = message[len(path) :].lstrip(".: ").replace("_", " ")
            return f"{words}: {rest}"
    return message


def _small(text: str) -> QLabel:
    """A source or explanation: wrapped, selectable, quieter than the fields."""
    label = QLabel(text)
    label.setObjectName("ruleSource")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet(f"color: {style.MUTED};")
    return label


@dataclass
class EmployerRow:
    """The widgets of one row of the employer table."""

    employer: QComboBox
    days: QSpinBox
    working: QCheckBox
    source: QLineEdit
    remove: QPushButton

    def window(self) -> AppealWindow:
        return AppealWindow(
            days=self.days.value(),
            working_days=self.working.isChecked(),
            source=self.source.text().strip(),
        )


class DeadlineRulesDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Deadline rules")
        self.employer_rows: list[EmployerRow] = []
        self._employers = employer_names(ctx.db)
        self._build()
        self.reload()

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        intro = QLabel(INTRO)
        intro.setObjectName("rulesIntro")
        intro.setWordWrap(True)

        self.pages = QTabWidget()
        self.pages.setObjectName("rulesPages")
        self.pages.addTab(self._build_tribunal_page(), "Tribunal time limits")
        self.pages.addTab(self._build_appeals_page(), "Appeal windows")

        # Shown after Restore: nothing is written until Save.
        self.restored_note = warning_label()
        self.restored_note.setObjectName("restoredNote")

        self.restore_button = QPushButton("Restore the shipped defaults")
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setAutoDefault(False)
        self.restore_button.setToolTip(
            "Fill the form with the rules BranchDesk comes with; nothing changes until you Save"
        )
        self.restore_button.clicked.connect(self.restore_defaults)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.restore_button)
        bottom.addStretch(1)
        bottom.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.restored_note)
        layout.addLayout(bottom)
        self.setMinimumWidth(760)
        self.resize(840, 700)

    def _build_tribunal_page(self) -> QWidget:
        self.era_date: QDateEdit = date_edit()
        self.era_date.setObjectName("era_date")
        self.era_not_in_force = QCheckBox("Not in force yet (no start date)")
        self.era_not_in_force.setObjectName("era_not_in_force")
        self.era_not_in_force.toggled.connect(self._update_era)
        self.era_confirmed = QCheckBox(
            "Confirmed in law: I have checked the commencement regulations"
        )
        self.era_confirmed.setObjectName("era_confirmed")
        self.era_source = _small("")

        date_row = QHBoxLayout()
        date_row.addWidget(self.era_date)
        date_row.addWidget(self.era_not_in_force)
        date_row.addStretch(1)
        era_box = QGroupBox("Employment Rights Act 2025: six-month tribunal limit")
        era = QFormLayout(era_box)
        era.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        era.addRow(
            _small(
                "Acts on or after this date get the longer limit. Until the date is confirmed, "
                "each deadline also warns what the old limit would give."
            )
        )
        era.addRow("Applies from", date_row)
        era.addRow("", self.era_confirmed)
        era.addRow("Source", self.era_source)

        self.claim_kinds = QTextBrowser()
        self.claim_kinds.setObjectName("claimKinds")
        self.claim_kinds.setOpenLinks(False)
        self.claim_kinds.setMinimumHeight(150)
        kinds_box = QGroupBox("Time limits by kind of claim (as shipped; not edited here)")
        kinds = QVBoxLayout(kinds_box)
        kinds.addWidget(self.claim_kinds)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(era_box)
        layout.addWidget(kinds_box, 1)
        return page

    def _build_appeals_page(self) -> QWidget:
        self.default_days = QSpinBox()
        self.default_days.setObjectName("default_days")
        self.default_days.setRange(1, _MAX_APPEAL_DAYS)
        self.default_days.setSuffix(" days")
        self.default_working = QCheckBox("Working days (weekends and bank holidays not counted)")
        self.default_working.setObjectName("default_working")
        self.default_source = _small("")
        window_row = QHBoxLayout()
        window_row.addWidget(self.default_days)
        window_row.addWidget(self.default_working)
        window_row.addStretch(1)
        default_box = QGroupBox("Default window, for employers not listed below")
        default = QFormLayout(default_box)
        default.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        default.addRow("Appeal within", window_row)
        default.addRow("Source", self.default_source)

        self.employer_table = QTableWidget(0, 5)
        self.employer_table.setObjectName("employerWindows")
        self.employer_table.setHorizontalHeaderLabels(
            ["Employer", "Days", "Working days", "Source or note", ""]
        )
        self.employer_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.employer_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.employer_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the fields take focus
        self.employer_table.setShowGrid(False)
        self.employer_table.verticalHeader().hide()
        self.employer_table.verticalHeader().setDefaultSectionSize(
            QComboBox().sizeHint().height() + 8
        )
        header = self.employer_table.horizontalHeader()
        header.setHighlightSections(False)
        modes = (
            QHeaderView.ResizeMode.ResizeToContents,  # the longest employer name in full
            QHeaderView.ResizeMode.ResizeToContents,
            QHeaderView.ResizeMode.ResizeToContents,
            QHeaderView.ResizeMode.Stretch,
            QHeaderView.ResizeMode.ResizeToContents,
        )
        for column, mode in enumerate(modes):
            header.setSectionResizeMode(column, mode)

        self.no_employers_label = _small(
            "No employer windows yet: every appeal uses the default window above."
        )
        self.no_employers_label.setWordWrap(False)
        self.add_employer_button = QPushButton("Add employer")
        self.add_employer_button.setObjectName("addEmployerButton")
        self.add_employer_button.setAutoDefault(False)
        self.add_employer_button.clicked.connect(lambda: self.add_employer_row())
        if not self._employers:
            self.add_employer_button.setEnabled(False)
            self.add_employer_button.setToolTip(
                "No employers in this database yet: add a member with their employer first"
            )
        else:
            self.add_employer_button.setToolTip(
                "Record an employer's own appeal window, from its disciplinary or grievance "
                "procedure"
            )
        add_row = QHBoxLayout()
        add_row.addWidget(self.no_employers_label)
        add_row.addStretch(1)
        add_row.addWidget(self.add_employer_button)
        employers_box = QGroupBox("Employers with their own window")
        employers = QVBoxLayout(employers_box)
        employers.addWidget(
            _small(
                "An employer's procedure usually sets the appeal window; record it here and "
                "that employer's cases use it instead of the default. Name the policy in the "
                "note, so others can check it."
            )
        )
        employers.addWidget(self.employer_table, 1)
        employers.addLayout(add_row)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(default_box)
        layout.addWidget(employers_box, 1)
        return page

    # -- showing rules -------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the rules in force, and their version, from the database again."""
        self._loaded, self._version = load_rules(self.ctx.db)
        self._show(self._loaded)
        self.restored_note.hide()

    def _show(self, rules: DeadlineRules) -> None:
        self._shown = rules  # what the read-only parts (sources, claim kinds) come from
        start = rules.era2025_six_month_from
        self.era_date.setDate(QDate(start or date.today()))
        self.era_not_in_force.setChecked(start is None)
        self.era_confirmed.setChecked(rules.era2025_confirmed)
        self.era_source.setText(rules.era2025_source)
        self._update_era()
        self.claim_kinds.setHtml(_claim_kinds_html(rules))

        self.default_days.setValue(rules.appeal_default.days)
        self.default_working.setChecked(rules.appeal_default.working_days)
        self.default_source.setText(rules.appeal_default.source)

        while self.employer_rows:
            self._remove_row(self.employer_rows[-1])
        for name, window in rules.appeals_by_employer:
            self.add_employer_row(name, window)
        self._update_employers()

    def _update_era(self) -> None:
        not_in_force = self.era_not_in_force.isChecked()
        self.era_date.setEnabled(not not_in_force)
        self.era_confirmed.setEnabled(not not_in_force)

    def _update_employers(self) -> None:
        self.no_employers_label.setVisible(not self.employer_rows)

    # -- the employer table --------------------------------------------------------------------

    def add_employer_row(
        self, name: str | None = None, window: AppealWindow | None = None
    ) -> EmployerRow:
        """A row for an employer's window; with no name, the first employer not yet listed."""
        names = list(self._employers)
        if name is not None and employer_key(name) not in {employer_key(n) for n in names}:
            names.append(name)  # a window for an employer this database does not know (yet)
        if name is None:
            if not names:
                raise ValueError("there are no employers in this database to choose from")
            listed = {employer_key(r.employer.currentText()) for r in self.employer_rows}
            name = next((n for n in names if employer_key(n) not in listed), names[0])
        window = window or replace(self.default_window(), source="")

        employer = QComboBox()
        employer.setObjectName("employer")
        employer.addItems(names)
        employer.setCurrentIndex(max(employer.findText(name), 0))
        days = QSpinBox()
        days.setObjectName("days")
        days.setRange(1, _MAX_APPEAL_DAYS)
        days.setValue(min(max(window.days, 1), _MAX_APPEAL_DAYS))
        working = QCheckBox()
        working.setObjectName("working_days")
        working.setChecked(window.working_days)
        working.setToolTip("Ticked: weekends and bank holidays are not counted")
        source = QLineEdit(window.source)
        source.setObjectName("source")
        source.setMaxLength(_SOURCE_LIMIT)
        source.setPlaceholderText("for example Disciplinary Policy 2024, section 9")
        source.setCursorPosition(0)
        remove = QPushButton("Remove")
        remove.setObjectName("removeEmployerButton")
        remove.setAutoDefault(False)
        row = EmployerRow(employer, days, working, source, remove)
        remove.clicked.connect(lambda: self._remove_row(row))

        centred = QWidget()  # a checkbox alone in a cell sits at its left edge otherwise
        centre = QHBoxLayout(centred)
        centre.setContentsMargins(0, 0, 0, 0)
        centre.addWidget(working, 0, Qt.AlignmentFlag.AlignCenter)
        index = self.employer_table.rowCount()
        self.employer_table.insertRow(index)
        for column, widget in enumerate((employer, days, centred, source, remove)):
            self.employer_table.setCellWidget(index, column, widget)
        self.employer_rows.append(row)
        self._update_employers()
        return row

    def _remove_row(self, row: EmployerRow) -> None:
        index = self.employer_rows.index(row)
        self.employer_rows.pop(index)
        self.employer_table.removeRow(index)
        self._update_employers()

    # -- reading the form ----------------------------------------------------------------------

    def default_window(self) -> AppealWindow:
        return AppealWindow(
            days=self.default_days.value(),
            working_days=self.default_working.isChecked(),
            source=self._shown.appeal_default.source,
        )

    def rules(self) -> DeadlineRules:
        """The rules as the form shows them; a ValueError names the first bad field."""
        start = None if self.era_not_in_force.isChecked() else date_of(self.era_date)
        rules = self._shown.with_era2025(start, confirmed=self.era_confirmed.isChecked())
        rules = replace(rules, appeal_default=self.default_window())
        for name, _window in rules.appeals_by_employer:
            rules = rules.without_employer_window(name)
        seen: dict[str, str] = {}
        for row in self.employer_rows:
            name = row.employer.currentText().strip()
            key = employer_key(name)
            if key in seen:
                raise ValueError(
                    f"appeals.by_employer[{name!r}]: listed twice; remove one of its rows"
                )
            seen[key] = name
            rules = rules.with_employer_window(name, row.window())
        return rules

    def has_changes(self) -> bool:
        try:
            return self.rules() != self._loaded
        except ValueError:
            return True

    # -- buttons -------------------------------------------------------------------------------

    def restore_defaults(self) -> None:
        """Show the shipped rules; Save makes them the rules in force again."""
        self._show(DeadlineRules.defaults())
        self.restored_note.setText(
            "The shipped defaults are shown. Save to use them for everyone on this database, "
            "or Cancel to keep the rules as they were."
        )
        self.restored_note.show()

    def save(self) -> bool:
        """Store the rules against the version read; True if saved (or nothing to save)."""
        try:
            rules = self.rules()
        except ValueError as exc:
            self.ctx.dialogs.error(
                self, "Not saved: a rule needs correcting", describe_rule_error(exc)
            )
            return False
        if rules == self._loaded:
            return True  # nothing changed: nothing to write
        try:
            if rules == DeadlineRules.defaults():
                # No copy of our own: later BranchDesk versions' corrected defaults apply.
                reset_rules(self.ctx.db, self._version)
            else:
                save_rules(self.ctx.db, rules, self._version)
        except ValueError as exc:
            self.ctx.dialogs.error(
                self, "Not saved: a rule needs correcting", describe_rule_error(exc)
            )
            return False
        except StaleEdit as exc:
            self.ctx.dialogs.error(
                self,
                "Not saved: the deadline rules were changed",
                f"{exc}\n\nThe rules as they are now are shown; make your change again.",
            )
            self.reload()
            return False
        except StoreError as exc:
            self.ctx.dialogs.error(self, "Not saved", str(exc))
            return False
        except DBAPIError as exc:
            log.warning("deadline rules not saved: %s", error_kind(exc))
            if is_busy(exc):
                self.ctx.dialogs.error(self, "Not saved: the database is busy", BUSY_MESSAGE)
            else:
                self.ctx.dialogs.error(
                    self, "Not saved", f"The database could not be written: {exc.orig}."
                )
            return False
        # Deadlines already set keep their dates; new ones, and the pages, use these rules.
        self.ctx.changed(CASEWORK)
        return True

    def accept(self) -> None:
        if self.save():
            super().accept()

    def reject(self) -> None:
        if self.has_changes() and not self.ctx.dialogs.confirm(
            self,
            "Discard changes?",
            "You have changed the deadline rules. Close without saving them?",
            yes="Discard changes",
        ):
            return
        super().reject()


def _claim_kinds_html(rules: DeadlineRules) -> str:
    """Each kind of tribunal claim with its limit and source, then ACAS, as read-only text."""
    parts = []
    for rule in rules.claim_kinds:
        limit = f"{rule.months} months less one day from: {rule.starts_from}"
        if rule.months_after_era2025 is not None:
            limit += f" ({rule.months_after_era2025} months once the 2025 Act limit applies)"
        parts.append(
            f"<p><b>{html.escape(rule.label)}</b><br>{html.escape(limit)}."
            + (f"<br>{html.escape(rule.note)}" if rule.note else "")
            + f"<br><span style='color:{style.MUTED}'>Source: {html.escape(rule.source)}</span>"
            "</p>"
        )
    acas = "counted" if rules.acas_applies else "not counted (switched off)"
    parts.append(
        f"<p><b>ACAS early conciliation</b><br>The days of conciliation are {acas}."
        f"<br><span style='color:{style.MUTED}'>Source: {html.escape(rules.acas_source)}</span>"
        "</p>"
    )
    return "".join(parts)
