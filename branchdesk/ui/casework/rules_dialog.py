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
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.log_safe import error_kind
from branchdesk.ui.members.member_dialog import BUSY_MESSAGE, is_busy

log = logging.getLogger(__name__)

INTRO = QT_TRANSLATE_NOOP(
    "casework.rules_dialog",
    "These rules are shared by everyone who uses this database: a change here changes the "
    "deadlines every PC works out, for every case. Where the law can be read two ways, "
    "BranchDesk takes the earlier date, so a deadline it shows is never later than the real "
    "one. Check a rule against its source before you change it.",
)
_MAX_APPEAL_DAYS = 365
_SOURCE_LIMIT = 500

# Field paths in DeadlineRules' messages, in the words the dialog uses for them.
_FIELD_WORDS = (
    (
        "tribunal.era2025_six_month_from",
        QT_TRANSLATE_NOOP("casework.rules_dialog", "Employment Rights Act 2025 start date"),
    ),
    (
        "tribunal.era2025_confirmed",
        QT_TRANSLATE_NOOP("casework.rules_dialog", "Employment Rights Act 2025 “confirmed in law”"),
    ),
    (
        "tribunal.era2025_source",
        QT_TRANSLATE_NOOP("casework.rules_dialog", "Employment Rights Act 2025 source"),
    ),
    (
        "tribunal.acas_early_conciliation",
        QT_TRANSLATE_NOOP("casework.rules_dialog", "ACAS early conciliation"),
    ),
    ("tribunal.claim_kinds", QT_TRANSLATE_NOOP("casework.rules_dialog", "Tribunal time limits")),
    ("appeals.default", QT_TRANSLATE_NOOP("casework.rules_dialog", "Default appeal window")),
    ("appeals.by_employer", QT_TRANSLATE_NOOP("casework.rules_dialog", "Employer appeal windows")),
)
_EMPLOYER_FIELD = re.compile(r"^appeals\.by_employer\[(['\"])(?P<name>.*?)\1\]\.?(?P<rest>.*)$")


def describe_rule_error(exc: ValueError) -> str:
    """A DeadlineRules message with the field named in words: 'Default appeal window: …'."""
    message = str(exc)
    found = _EMPLOYER_FIELD.match(message)
    if found:
        rest = found["rest"].lstrip(".: ").replace("_", " ")
        return translate("casework.rules_dialog", "Appeal window for {employer}: {problem}").format(
            employer=found["name"], problem=rest
        )
    for path, words in _FIELD_WORDS:
        if message.startswith(path):
            rest = message[len(path) :].lstrip(".: ").replace("_", " ")
            return translate("casework.rules_dialog", "{field}: {problem}").format(
                field=translate("casework.rules_dialog", words), problem=rest
            )
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
        self.setWindowTitle(translate("casework.rules_dialog", "Deadline rules"))
        self.employer_rows: list[EmployerRow] = []
        self._employers = employer_names(ctx.db)
        self._build()
        self.reload()

    # -- building ------------------------------------------------------------------------------

    def _build(self) -> None:
        intro = QLabel(translate("casework.rules_dialog", INTRO))
        intro.setObjectName("rulesIntro")
        intro.setWordWrap(True)

        self.pages = QTabWidget()
        self.pages.setObjectName("rulesPages")
        self.pages.addTab(
            self._build_tribunal_page(), translate("casework.rules_dialog", "Tribunal time limits")
        )
        self.pages.addTab(
            self._build_appeals_page(), translate("casework.rules_dialog", "Appeal windows")
        )

        # Shown after Restore: nothing is written until Save.
        self.restored_note = warning_label()
        self.restored_note.setObjectName("restoredNote")

        self.restore_button = QPushButton(
            translate("casework.rules_dialog", "Restore the shipped defaults")
        )
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setAutoDefault(False)
        self.restore_button.setToolTip(
            translate(
                "casework.rules_dialog",
                "Fill the form with the rules BranchDesk comes with; "
                "nothing changes until you Save",
            )
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
        self.era_date.setAccessibleName(translate("casework.rules_dialog", "Applies from"))
        self.era_not_in_force = QCheckBox(
            translate("casework.rules_dialog", "Not in force yet (no start date)")
        )
        self.era_not_in_force.setObjectName("era_not_in_force")
        self.era_not_in_force.toggled.connect(self._update_era)
        self.era_confirmed = QCheckBox(
            translate(
                "casework.rules_dialog",
                "Confirmed in law: I have checked the commencement regulations",
            )
        )
        self.era_confirmed.setObjectName("era_confirmed")
        self.era_source = _small("")

        date_row = QHBoxLayout()
        date_row.addWidget(self.era_date)
        date_row.addWidget(self.era_not_in_force)
        date_row.addStretch(1)
        era_box = QGroupBox(
            translate(
                "casework.rules_dialog", "Employment Rights Act 2025: six-month tribunal limit"
            )
        )
        era = QFormLayout(era_box)
        era.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        era.addRow(
            _small(
                translate(
                    "casework.rules_dialog",
                    "Acts on or after this date get the longer limit. Until the date is "
                    "confirmed, each deadline also warns what the old limit would give.",
                )
            )
        )
        era.addRow(translate("casework.rules_dialog", "Applies from"), date_row)
        era.addRow("", self.era_confirmed)
        era.addRow(translate("casework.rules_dialog", "Source"), self.era_source)

        self.claim_kinds = QTextBrowser()
        self.claim_kinds.setObjectName("claimKinds")
        self.claim_kinds.setOpenLinks(False)
        self.claim_kinds.setMinimumHeight(150)
        self.claim_kinds.setAccessibleName(
            translate("casework.rules_dialog", "Time limits by kind of claim")
        )
        kinds_box = QGroupBox(
            translate(
                "casework.rules_dialog",
                "Time limits by kind of claim (as shipped; not edited here)",
            )
        )
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
        self.default_days.setSuffix(translate("casework.rules_dialog", " days"))
        self.default_days.setAccessibleName(translate("casework.rules_dialog", "Appeal within"))
        self.default_working = QCheckBox(
            translate(
                "casework.rules_dialog", "Working days (weekends and bank holidays not counted)"
            )
        )
        self.default_working.setObjectName("default_working")
        self.default_source = _small("")
        window_row = QHBoxLayout()
        window_row.addWidget(self.default_days)
        window_row.addWidget(self.default_working)
        window_row.addStretch(1)
        default_box = QGroupBox(
            translate("casework.rules_dialog", "Default window, for employers not listed below")
        )
        default = QFormLayout(default_box)
        default.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        default.addRow(translate("casework.rules_dialog", "Appeal within"), window_row)
        default.addRow(translate("casework.rules_dialog", "Source"), self.default_source)

        self.employer_table = QTableWidget(0, 5)
        self.employer_table.setObjectName("employerWindows")
        self.employer_table.setAccessibleName(
            translate("casework.rules_dialog", "Employers with their own window")
        )
        self.employer_table.setHorizontalHeaderLabels(
            [
                translate("casework.rules_dialog", "Employer"),
                translate("casework.rules_dialog", "Days"),
                translate("casework.rules_dialog", "Working days"),
                translate("casework.rules_dialog", "Source or note"),
                "",
            ]
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
            translate(
                "casework.rules_dialog",
                "No employer windows yet: every appeal uses the default window above.",
            )
        )
        self.no_employers_label.setWordWrap(False)
        self.add_employer_button = QPushButton(translate("casework.rules_dialog", "Add employer"))
        self.add_employer_button.setObjectName("addEmployerButton")
        self.add_employer_button.setAutoDefault(False)
        self.add_employer_button.clicked.connect(lambda: self.add_employer_row())
        if not self._employers:
            self.add_employer_button.setEnabled(False)
            self.add_employer_button.setToolTip(
                translate(
                    "casework.rules_dialog",
                    "No employers in this database yet: add a member with their employer first",
                )
            )
        else:
            self.add_employer_button.setToolTip(
                translate(
                    "casework.rules_dialog",
                    "Record an employer's own appeal window, from its disciplinary or grievance "
                    "procedure",
                )
            )
        add_row = QHBoxLayout()
        add_row.addWidget(self.no_employers_label)
        add_row.addStretch(1)
        add_row.addWidget(self.add_employer_button)
        employers_box = QGroupBox(
            translate("casework.rules_dialog", "Employers with their own window")
        )
        employers = QVBoxLayout(employers_box)
        employers.addWidget(
            _small(
                translate(
                    "casework.rules_dialog",
                    "An employer's procedure usually sets the appeal window; record it here and "
                    "that employer's cases use it instead of the default. Name the policy in the "
                    "note, so others can check it.",
                )
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
        employer.setAccessibleName(translate("casework.rules_dialog", "Employer"))
        employer.addItems(names)
        employer.setCurrentIndex(max(employer.findText(name), 0))
        days = QSpinBox()
        days.setObjectName("days")
        days.setAccessibleName(translate("casework.rules_dialog", "Days"))
        days.setRange(1, _MAX_APPEAL_DAYS)
        days.setValue(min(max(window.days, 1), _MAX_APPEAL_DAYS))
        working = QCheckBox()
        working.setObjectName("working_days")
        working.setChecked(window.working_days)
        working.setAccessibleName(translate("casework.rules_dialog", "Working days"))
        working.setToolTip(
            translate("casework.rules_dialog", "Ticked: weekends and bank holidays are not counted")
        )
        source = QLineEdit(window.source)
        source.setObjectName("source")
        source.setMaxLength(_SOURCE_LIMIT)
        source.setAccessibleName(translate("casework.rules_dialog", "Source or note"))
        source.setPlaceholderText(
            translate("casework.rules_dialog", "for example Disciplinary Policy 2024, section 9")
        )
        source.setCursorPosition(0)
        remove = QPushButton(translate("casework.rules_dialog", "Remove"))
        remove.setToolTip(translate("casework.rules_dialog", "Take this employer's window away"))
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
            translate(
                "casework.rules_dialog",
                "The shipped defaults are shown. Save to use them for everyone on this database, "
                "or Cancel to keep the rules as they were.",
            )
        )
        self.restored_note.show()

    def save(self) -> bool:
        """Store the rules against the version read; True if saved (or nothing to save)."""
        try:
            rules = self.rules()
        except ValueError as exc:
            self.ctx.dialogs.error(self, _needs_correcting(), describe_rule_error(exc))
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
            self.ctx.dialogs.error(self, _needs_correcting(), describe_rule_error(exc))
            return False
        except StaleEdit as exc:
            self.ctx.dialogs.error(
                self,
                translate("casework.rules_dialog", "Not saved: the deadline rules were changed"),
                translate(
                    "casework.rules_dialog",
                    "{reason}\n\nThe rules as they are now are shown; make your change again.",
                ).format(reason=exc),
            )
            self.reload()
            return False
        except StoreError as exc:
            self.ctx.dialogs.error(self, translate("casework.rules_dialog", "Not saved"), str(exc))
            return False
        except DBAPIError as exc:
            log.warning("deadline rules not saved: %s", error_kind(exc))
            if is_busy(exc):
                self.ctx.dialogs.error(
                    self,
                    translate("casework.rules_dialog", "Not saved: the database is busy"),
                    translate("members.member_dialog", BUSY_MESSAGE),
                )
            else:
                self.ctx.dialogs.error(
                    self,
                    translate("casework.rules_dialog", "Not saved"),
                    translate(
                        "casework.rules_dialog", "The database could not be written: {error}."
                    ).format(error=exc.orig),
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
            translate("casework.rules_dialog", "Discard changes?"),
            translate(
                "casework.rules_dialog",
                "You have changed the deadline rules. Close without saving them?",
            ),
            yes=translate("casework.rules_dialog", "Discard changes"),
        ):
            return
        super().reject()


def _claim_kinds_html(rules: DeadlineRules) -> str:
    """Each kind of tribunal claim with its limit and source, then ACAS, as read-only text."""
    parts = []

    def source(text: str) -> str:
        words = translate("casework.rules_dialog", "Source: {source}").format(source=text)
        return f"<br><span style='color:{style.MUTED}'>{html.escape(words)}</span>"

    for rule in rules.claim_kinds:
        if rule.months_after_era2025 is not None:
            limit = translate(
                "casework.rules_dialog",
                "{months} months less one day from: {start} ({later} months once the 2025 Act "
                "limit applies).",
            ).format(months=rule.months, start=rule.starts_from, later=rule.months_after_era2025)
        else:
            limit = translate(
                "casework.rules_dialog", "{months} months less one day from: {start}."
            ).format(months=rule.months, start=rule.starts_from)
        parts.append(
            f"<p><b>{html.escape(rule.label)}</b><br>{html.escape(limit)}"
            + (f"<br>{html.escape(rule.note)}" if rule.note else "")
            + source(rule.source)
            + "</p>"
        )
    acas = (
        translate("casework.rules_dialog", "The days of conciliation are counted.")
        if rules.acas_applies
        else translate(
            "casework.rules_dialog", "The days of conciliation are not counted (switched off)."
        )
    )
    heading = translate("casework.rules_dialog", "ACAS early conciliation")
    parts.append(
        f"<p><b>{html.escape(heading)}</b><br>{html.escape(acas)}"
        + source(rules.acas_source)
        + "</p>"
    )
    return "".join(parts)


def _needs_correcting() -> str:
    return translate("casework.rules_dialog", "Not saved: a rule needs correcting")
