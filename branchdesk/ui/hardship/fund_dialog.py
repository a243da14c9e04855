"""A fund, new or edited: its details, its payment rules and its strike days with who took part.

Three pages in one dialog; Save writes them all (the fund, then its rules, then the strike days
added or removed and the members added to them), Cancel changes nothing. Problems show beside
the field they concern, and the page holding the first one comes forward.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from branchdesk.exports.text import short_date
from branchdesk.hardship.funds import (
    FundForm,
    add_strike_day,
    create_fund,
    fund_rules,
    get_fund,
    remove_strike_day,
    set_rules,
    set_taking_part,
    strike_days,
    update_fund,
    validate_fund,
)
from branchdesk.hardship.rules import MAX_APPROVALS, PaymentRules
from branchdesk.members.service import ValidationError, employer_names
from branchdesk.money import ZERO
from branchdesk.ui import style
from branchdesk.ui.casework.common import date_edit, date_of
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.dialogs import OptionalDate, line, text_box
from branchdesk.ui.hardship.data import days_with_claims, strike_day_members, unknown_numbers
from branchdesk.ui.hardship.widgets import (
    FormDialog,
    button,
    cell,
    day_edit,
    money_line,
    money_text,
    muted,
    numbers_in,
    row,
    run_dialog,
    table,
    typed_money,
)
from branchdesk.ui.i18n import translate

RULE_FIELDS = (
    "effective_from",
    "per_day",
    "unpaid_days",
    "cap_per_day",
    "cap_per_member",
    "national_per_day",
    "limit_to_loss",
    "pro_rata_part_time",
    "approvals_needed",
)
# The page of the dialog each field is on.
FUND_PAGE, RULES_PAGE, DAYS_PAGE = range(3)


def rule_problems(problems: list[str]) -> dict[str, str]:
    """`PaymentRules.problems()` beside the fields they name, without the code names."""
    found: dict[str, str] = {}
    for problem in problems:
        name = next((n for n in RULE_FIELDS if f"({n}" in problem), "per_day")
        text = re.sub(r" \(\w+\)", "", problem)
        text = re.sub(r"\((\w+), ", "(", text)
        found[name] = f"{found[name]} {text}" if name in found else text
    return found


@dataclass
class DayRow:
    """A strike day as the dialog holds it until Save."""

    day: date
    description: str
    id: int | None = None  # None until saved
    taking_part: int = 0
    add_numbers: list[str] = field(default_factory=list)


class FundDialog(FormDialog):
    what = "fund"

    def __init__(
        self, ctx: AppContext, fund_id: int | None = None, parent: QWidget | None = None
    ) -> None:
        title = (
            translate("hardship.fund_dialog", "Edit fund")
            if fund_id
            else translate("hardship.fund_dialog", "New fund")
        )
        super().__init__(ctx, title, parent)
        self.fund_id = fund_id
        db = ctx.db
        form = get_fund(db, fund_id) if fund_id else FundForm(starts_on=date.today())
        self.version = form.version
        rules = fund_rules(db, fund_id) if fund_id else []
        self.earlier_rules = rules[:-1]
        self.current_rules: PaymentRules | None = rules[-1] if rules else None
        self.days = (
            [DayRow(d.day, d.description, d.id, d.taking_part) for d in strike_days(db, fund_id)]
            if fund_id
            else []
        )
        self.removed: list[DayRow] = []
        self.wrote = False  # something was saved (Save may fail part way, on a strike day)
        self._page_of: dict[str, int] = {}

        self.pages = QTabWidget()
        self.pages.setObjectName("fundPages")
        self.pages.setDocumentMode(True)
        self.pages.addTab(self._fund_page(form), translate("hardship.fund_dialog", "Fund"))
        self.pages.addTab(
            self._rules_page(self.current_rules, form.starts_on),
            translate("hardship.fund_dialog", "Payment rules"),
        )
        self.pages.addTab(self._days_page(), translate("hardship.fund_dialog", "Strike days"))
        self.layout_.insertWidget(0, self.pages, 1)
        self.finish_layout()
        self.setMinimumWidth(720)
        # Tall enough for the rules page and its notes: the tab widget asks only for the
        # room of the page showing when the dialog opens.
        self.setMinimumHeight(640)
        self._fill_days()
        self._describe()

    # -- the pages -----------------------------------------------------------------------------

    def _page(self, stretch: bool = True) -> tuple[QWidget, QFormLayout]:
        """A page of the dialog and its form; with `stretch`, the room left is below the form
        rather than shared out between its rows."""
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(4, 12, 4, 4)
        layout = QFormLayout()
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout.setVerticalSpacing(6)
        layout.setHorizontalSpacing(12)
        column.addLayout(layout, 0 if stretch else 1)
        if stretch:
            column.addStretch(1)
        return page, layout

    def _add(
        self,
        page: int,
        layout: QFormLayout,
        name: str,
        label: str,
        widget: QWidget,
        box: QWidget | None = None,
    ) -> None:
        self.add_field_to(layout, name, label, widget, box)
        self._page_of[name] = page

    def _fund_page(self, form: FundForm) -> QWidget:
        page, layout = self._page()
        self.name_edit = line(
            form.name,
            translate("hardship.fund_dialog", "the dispute it supports, e.g. Refuse strike 2026"),
        )
        self.employer_edit = line(
            form.employer, translate("hardship.fund_dialog", "the employer in dispute")
        )
        completer = QCompleter(employer_names(self.ctx.db), self.employer_edit)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.employer_edit.setCompleter(completer)
        self.starts = day_edit(form.starts_on)
        self.ends = OptionalDate(form.ends_on, translate("hardship.fund_dialog", "Known"))
        self.ends.check.setToolTip(
            translate("hardship.fund_dialog", "Tick when the date the fund ends is known")
        )
        self.bank_name_edit = line(
            form.bank_account_name, translate("hardship.fund_dialog", "the name on the account")
        )
        self.sort_code_edit = line(form.sort_code, "08-60-01")
        self.sort_code_edit.setMaximumWidth(120)
        self.account_edit = line(
            form.account_number,
            translate("hardship.fund_dialog", "to check statements are this account's"),
        )
        self.account_edit.setMaximumWidth(260)
        self.currency_edit = line(form.currency, "GBP")
        self.currency_edit.setMaximumWidth(60)
        self.notes_box = text_box(form.notes, 60)
        self.closed_check = QCheckBox(translate("hardship.fund_dialog", "Closed to new claims"))
        self.closed_check.setChecked(form.closed)
        self._add(
            FUND_PAGE, layout, "name", translate("hardship.fund_dialog", "Name"), self.name_edit
        )
        self._add(
            FUND_PAGE,
            layout,
            "employer",
            translate("hardship.fund_dialog", "Employer"),
            self.employer_edit,
        )
        self._add(
            FUND_PAGE, layout, "starts_on", translate("hardship.fund_dialog", "Starts"), self.starts
        )
        self._add(
            FUND_PAGE,
            layout,
            "ends_on",
            translate("hardship.fund_dialog", "Ends"),
            self.ends.edit,
            self.ends,
        )
        self._add(
            FUND_PAGE,
            layout,
            "bank_account_name",
            translate("hardship.fund_dialog", "Bank account name"),
            self.bank_name_edit,
        )
        self._add(
            FUND_PAGE,
            layout,
            "sort_code",
            translate("hardship.fund_dialog", "Sort code"),
            self.sort_code_edit,
        )
        self._add(
            FUND_PAGE,
            layout,
            "account_number",
            translate("hardship.fund_dialog", "Account number"),
            self.account_edit,
        )
        self._add(
            FUND_PAGE,
            layout,
            "currency",
            translate("hardship.fund_dialog", "Currency"),
            self.currency_edit,
        )
        self._add(
            FUND_PAGE, layout, "notes", translate("hardship.fund_dialog", "Notes"), self.notes_box
        )
        if self.fund_id:
            self._add(FUND_PAGE, layout, "closed", "", self.closed_check)
        return page

    def _rules_page(self, rules: PaymentRules | None, starts_on: date | None) -> QWidget:
        page, layout = self._page()
        r = rules
        self.effective = day_edit(r.effective_from if r else starts_on)
        self._effective_touched = r is not None
        self.effective.dateChanged.connect(lambda _d: setattr(self, "_effective_touched", True))
        self.starts.dateChanged.connect(self._starts_changed)
        self.per_day_edit = money_line(
            money_text(r.per_day) if r else "", translate("hardship.fund_dialog", "e.g. 50.00")
        )
        self.pro_rata_check = QCheckBox(
            translate("hardship.fund_dialog", "Part-time members get it pro rata to their FTE")
        )
        self.pro_rata_check.setChecked(r.pro_rata_part_time if r else True)
        self.unpaid_spin = QSpinBox()
        self.unpaid_spin.setRange(0, 60)
        self.unpaid_spin.setValue(r.unpaid_days if r else 0)
        self.unpaid_spin.setMaximumWidth(80)
        self.national_edit = money_line(
            money_text(r.national_per_day) if r and r.national_per_day else "",
            translate("hardship.fund_dialog", "none"),
        )
        no_cap = translate("hardship.fund_dialog", "no cap")
        self.cap_day_edit = money_line(money_text(r.cap_per_day) if r else "", no_cap)
        self.cap_member_edit = money_line(money_text(r.cap_per_member) if r else "", no_cap)
        self.loss_check = QCheckBox(
            translate("hardship.fund_dialog", "Never more than the pay the member lost")
        )
        self.loss_check.setChecked(r.limit_to_loss if r else True)
        self.approvals_spin = QSpinBox()
        self.approvals_spin.setRange(1, MAX_APPROVALS)
        self.approvals_spin.setValue(r.approvals_needed if r else 1)
        self.approvals_spin.setMaximumWidth(80)
        self._add(
            RULES_PAGE,
            layout,
            "effective_from",
            translate("hardship.fund_dialog", "Rules apply from"),
            self.effective,
        )
        self._add(
            RULES_PAGE,
            layout,
            "per_day",
            translate("hardship.fund_dialog", "Per strike day (£)"),
            self.per_day_edit,
        )
        self._add(RULES_PAGE, layout, "pro_rata_part_time", "", self.pro_rata_check)
        self._add(
            RULES_PAGE,
            layout,
            "unpaid_days",
            translate("hardship.fund_dialog", "First days unpaid"),
            self.unpaid_spin,
        )
        self._add(
            RULES_PAGE,
            layout,
            "national_per_day",
            translate("hardship.fund_dialog", "National strike pay a day (£)"),
            self.national_edit,
        )
        self._add(
            RULES_PAGE,
            layout,
            "cap_per_day",
            translate("hardship.fund_dialog", "Cap per day (£)"),
            self.cap_day_edit,
        )
        self._add(
            RULES_PAGE,
            layout,
            "cap_per_member",
            translate("hardship.fund_dialog", "Cap per member (£)"),
            self.cap_member_edit,
        )
        self._add(RULES_PAGE, layout, "limit_to_loss", "", self.loss_check)
        self._add(
            RULES_PAGE,
            layout,
            "approvals_needed",
            translate("hardship.fund_dialog", "Panel approvals needed"),
            self.approvals_spin,
        )
        # Read-only text with room of its own: the rules in words change as they are typed, and
        # a wrapped label in a form does not get the height it needs once the dialog is up.
        self.plain_words = QPlainTextEdit()
        self.plain_words.setObjectName("rulesInWords")
        self.plain_words.setReadOnly(True)
        self.plain_words.setFrameShape(QFrame.Shape.NoFrame)
        self.plain_words.setStyleSheet(f"background: transparent; color: {style.MUTED};")
        self.plain_words.setFixedHeight(self.fontMetrics().lineSpacing() * 11 + 10)
        self.plain_words.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        in_words = translate("hardship.fund_dialog", "In plain words")
        self.plain_words.setAccessibleName(in_words)
        layout.addRow(in_words, self.plain_words)
        note = (
            translate(
                "hardship.fund_dialog",
                "Leave the amount per day empty if the rules are not agreed yet: claims then "
                "show no entitlement.",
            )
            if r is None
            else translate(
                "hardship.fund_dialog",
                "To change the rules from a later strike day, set that date above: claims on "
                "earlier days keep the rules in force then.",
            )
        )
        if self.earlier_rules:
            dates = ", ".join(short_date(e.effective_from) for e in self.earlier_rules)
            earlier = translate("hardship.fund_dialog", "Earlier rules took effect on {dates}.")
            note += " " + earlier.format(dates=dates)
        layout.addRow("", muted(note))
        for edit in (
            self.per_day_edit,
            self.national_edit,
            self.cap_day_edit,
            self.cap_member_edit,
        ):
            edit.textChanged.connect(lambda _t: self._describe())
        for check in (self.pro_rata_check, self.loss_check):
            check.toggled.connect(lambda _c: self._describe())
        for spin in (self.unpaid_spin, self.approvals_spin):
            spin.valueChanged.connect(lambda _v: self._describe())
        self.effective.dateChanged.connect(lambda _d: self._describe())
        return page

    def _days_page(self) -> QWidget:
        page, layout = self._page(stretch=False)
        self.days_table = table(
            "strikeDaysTable",
            [
                translate("hardship.fund_dialog", "Day"),
                translate("hardship.fund_dialog", "What"),
                translate("hardship.fund_dialog", "Taking part"),
            ],
            1,
            (2,),
        )
        self.days_table.setMinimumHeight(self.fontMetrics().height() * 10)
        self.days_table.itemSelectionChanged.connect(self._update_day_buttons)
        self.day_edit = date_edit(date.today())
        self.day_edit.setObjectName("newStrikeDay")
        self.day_edit.setAccessibleName(translate("hardship.fund_dialog", "Strike day to add"))
        self.day_text = QLineEdit()
        self.day_text.setObjectName("newStrikeDayText")
        self.day_text.setAccessibleName(
            translate("hardship.fund_dialog", "What happened on the day")
        )
        self.day_text.setPlaceholderText(
            translate("hardship.fund_dialog", "what happened, e.g. All-out strike")
        )
        self.add_day_button = button(
            translate("hardship.fund_dialog", "Add day"),
            "addStrikeDay",
            translate("hardship.fund_dialog", "Add this day to the strike days"),
        )
        self.add_day_button.clicked.connect(lambda _c=False: self.add_day())
        self.remove_day_button = button(
            translate("hardship.fund_dialog", "Remove day"),
            "removeStrikeDay",
            translate(
                "hardship.fund_dialog", "Take the chosen day off (only if no claim names it)"
            ),
        )
        self.remove_day_button.clicked.connect(lambda _c=False: self.remove_day())
        self.taking_part_button = button(
            translate("hardship.fund_dialog", "Who took part…"),
            "takingPart",
            translate(
                "hardship.fund_dialog",
                "Add the members who took part on the chosen day: paste or type membership numbers",
            ),
        )
        self.taking_part_button.clicked.connect(lambda _c=False: self.edit_taking_part())
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(6)
        grid.addLayout(row(self.day_edit, self.day_text, self.add_day_button), 0, 0)
        grid.addWidget(self.days_table, 1, 0)
        grid.addLayout(row(self.remove_day_button, self.taking_part_button, None), 2, 0)
        self._add(
            DAYS_PAGE,
            layout,
            "strike_days",
            translate("hardship.fund_dialog", "Strike days"),
            self.days_table,
            box,
        )
        layout.addRow(
            "",
            muted(
                translate(
                    "hardship.fund_dialog",
                    "Who took part tells the panel whether a claim's days were strike days for "
                    "the member, and counts the first unpaid days.",
                )
            ),
        )
        return page

    # -- strike days -----------------------------------------------------------------------------

    def _fill_days(self) -> None:
        self.days.sort(key=lambda d: d.day)
        current = self._chosen_day()
        self.days_table.setRowCount(len(self.days))
        for n, d in enumerate(self.days):
            self.days_table.setItem(n, 0, cell(short_date(d.day), n))
            self.days_table.setItem(n, 1, cell(d.description))
            count = d.taking_part + len(d.add_numbers)
            text = f"{count:,}" + (f" (+{len(d.add_numbers):,})" if d.add_numbers else "")
            self.days_table.setItem(n, 2, cell(text, right=True))
            if current is not None and d.day == current.day:
                self.days_table.selectRow(n)
        self._update_day_buttons()

    def _chosen_day(self) -> DayRow | None:
        rows = self.days_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.days):
            return None
        return self.days[rows[0].row()]

    def _update_day_buttons(self) -> None:
        chosen = self._chosen_day() is not None
        self.remove_day_button.setEnabled(chosen)
        self.taking_part_button.setEnabled(chosen)

    def _out_of_range(self, day: date) -> str:
        starts, ends = date_of(self.starts), self.ends.value()
        if day < starts or (ends is not None and day > ends):
            if ends is not None:
                text = translate(
                    "hardship.fund_dialog",
                    "{day} is outside the fund's dates (from {start} to {end}).",
                )
            else:
                text = translate(
                    "hardship.fund_dialog", "{day} is outside the fund's dates (from {start})."
                )
            return text.format(
                day=short_date(day),
                start=short_date(starts),
                end=short_date(ends) if ends is not None else "",
            )
        return ""

    def add_day(self, day: date | None = None, description: str | None = None) -> bool:
        day = day or date_of(self.day_edit)
        text = (description if description is not None else self.day_text.text()).strip()
        problem = self._out_of_range(day)
        if not problem and any(d.day == day for d in self.days):
            problem = translate("hardship.fund_dialog", "{day} is a strike day already.").format(
                day=short_date(day)
            )
        if not problem and len(text) > 300:
            problem = translate(
                "hardship.fund_dialog", "The description is too long: at most 300 characters."
            )
        if problem:
            self.show_errors({"strike_days": problem})
            return False
        self._clear_error("strike_days")
        self.days.append(DayRow(day, text))
        self.day_text.clear()
        self._fill_days()
        self.days_table.selectRow(next(n for n, d in enumerate(self.days) if d.day == day))
        return True

    def remove_day(self) -> None:
        chosen = self._chosen_day()
        if chosen is None:
            return
        if chosen.id is not None and days_with_claims(self.ctx.db, [chosen.id]):
            text = translate("hardship.fund_dialog", "Claims name {day}, so it cannot be removed.")
            self.show_errors({"strike_days": text.format(day=short_date(chosen.day))})
            return
        self._clear_error("strike_days")
        self.days.remove(chosen)
        if chosen.id is not None:
            self.removed.append(chosen)
        self._fill_days()

    def edit_taking_part(self) -> None:
        chosen = self._chosen_day()
        if chosen is None:
            return
        recorded = strike_day_members(self.ctx.db, chosen.id) if chosen.id is not None else []
        dialog = TakingPartDialog(self.ctx, chosen.day, recorded, chosen.add_numbers, self)
        if run_dialog(self.ctx, dialog):
            chosen.add_numbers = dialog.numbers
            self._fill_days()

    # -- rules -----------------------------------------------------------------------------------

    def _starts_changed(self) -> None:
        if not self._effective_touched:
            self.effective.blockSignals(True)
            self.effective.setDate(self.starts.date())
            self.effective.blockSignals(False)
            self._describe()

    def rules(self, errors: dict[str, str]) -> PaymentRules | None:
        """The rules typed; None when the amount per day is left empty on a new fund."""
        per_day = typed_money(
            self.per_day_edit,
            "per_day",
            errors,
            translate("hardship.fund_dialog", "Give the amount per strike day.")
            if self.current_rules
            else "",
        )
        national = typed_money(self.national_edit, "national_per_day", errors)
        cap_day = typed_money(self.cap_day_edit, "cap_per_day", errors)
        cap_member = typed_money(self.cap_member_edit, "cap_per_member", errors)
        if per_day is None:
            return None
        return PaymentRules(
            effective_from=date_of(self.effective),
            per_day=per_day,
            unpaid_days=self.unpaid_spin.value(),
            cap_per_day=cap_day,
            cap_per_member=cap_member,
            national_per_day=national or ZERO,
            limit_to_loss=self.loss_check.isChecked(),
            pro_rata_part_time=self.pro_rata_check.isChecked(),
            approvals_needed=self.approvals_spin.value(),
        )

    def _describe(self) -> None:
        errors: dict[str, str] = {}
        rules = self.rules(errors)
        if rules is None or errors or rules.problems():
            self.plain_words.setPlainText(
                translate("hardship.fund_dialog", "No rules yet.")
                if not self.per_day_edit.text().strip()
                else "…"
            )
            return
        self.plain_words.setPlainText("\n".join(rules.describe()))

    # -- saving ----------------------------------------------------------------------------------

    def form(self) -> FundForm:
        return FundForm(
            name=self.name_edit.text(),
            employer=self.employer_edit.text(),
            starts_on=date_of(self.starts),
            ends_on=self.ends.value(),
            currency=self.currency_edit.text() or "GBP",
            bank_account_name=self.bank_name_edit.text(),
            sort_code=self.sort_code_edit.text(),
            account_number=self.account_edit.text(),
            notes=self.notes_box.toPlainText(),
            closed=self.closed_check.isChecked(),
            version=self.version,
        )

    def show_errors(self, errors: dict[str, str]) -> None:
        first = next((n for n in self.inputs if n in errors), None)
        if first is not None and first in self._page_of:
            self.pages.setCurrentIndex(self._page_of[first])
        super().show_errors(errors)

    def write(self) -> None:
        form = self.form()
        errors = validate_fund(form)
        rules = self.rules(errors)
        if rules is not None:
            errors.update(rule_problems(rules.problems()))
        for d in self.days:
            if d.id is None and (problem := self._out_of_range(d.day)):
                errors.setdefault("strike_days", problem)
        if errors:
            raise ValidationError(errors)
        db = self.ctx.db
        try:
            if self.fund_id is None:
                self.fund_id = create_fund(db, form, rules)
                self.current_rules = rules
            else:
                update_fund(db, self.fund_id, form)
                self.wrote = True
                if rules is not None and rules != self.current_rules:
                    set_rules(db, self.fund_id, rules)
                    self.current_rules = rules
            self.wrote = True
            self.version = get_fund(db, self.fund_id).version
            fund_id = self.fund_id
            for d in list(self.removed):
                assert d.id is not None
                remove_strike_day(db, d.id)
                self.removed.remove(d)
            for d in self.days:
                if d.id is None:
                    d.id = add_strike_day(db, fund_id, d.day, d.description)
                if d.add_numbers:
                    unknown = set_taking_part(db, d.id, d.add_numbers)
                    if unknown:
                        text = translate(
                            "hardship.fund_dialog", "No member has the number {numbers}"
                        )
                        raise ValidationError(
                            {"strike_days": text.format(numbers=", ".join(unknown))}
                        )
                    d.taking_part += len(d.add_numbers)
                    d.add_numbers = []
        except ValidationError as exc:
            moved = {
                ("strike_days" if k in ("day", "description") else k): v
                for k, v in exc.errors.items()
            }
            if "rules" in moved:
                moved.update(rule_problems([moved.pop("rules")]))
            raise ValidationError(moved) from exc
        finally:
            self._fill_days()


class TakingPartDialog(FormDialog):
    """Members who took part on a strike day: those recorded, and numbers to add (pasted from
    a picket sign-in sheet or typed)."""

    def __init__(
        self,
        ctx: AppContext,
        day: date,
        recorded: list[tuple[str, str]],
        pending: list[str],
        parent: QWidget | None = None,
    ) -> None:
        title = translate("hardship.fund_dialog", "Who took part on {day}")
        super().__init__(ctx, title.format(day=short_date(day)), parent)
        self.numbers: list[str] = list(pending)
        self.recorded_list = QListWidget()
        self.recorded_list.setObjectName("recordedMembers")
        for number, name in recorded:
            self.recorded_list.addItem(f"{number} — {name}")
        self.recorded_list.setMaximumHeight(self.fontMetrics().height() * 7 + 12)
        self.recorded_list.setVisible(bool(recorded))
        if len(recorded) == 1:
            noted = translate("hardship.fund_dialog", "1 member recorded already.")
        elif recorded:
            noted = translate("hardship.fund_dialog", "{n} members recorded already.")
        else:
            noted = translate("hardship.fund_dialog", "Nobody is recorded yet.")
        note = QLabel(noted.format(n=f"{len(recorded):,}"))
        note.setObjectName("tabSubheading")
        recorded_box = QWidget()
        column = QGridLayout(recorded_box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(note, 0, 0)
        column.addWidget(self.recorded_list, 1, 0)
        self.numbers_box = text_box("\n".join(pending), 140)
        self.numbers_box.setPlaceholderText(
            translate(
                "hardship.fund_dialog",
                "Paste or type membership numbers: one a line, or separated by spaces or commas",
            )
        )
        self.count_label = muted()
        self.numbers_box.textChanged.connect(self._count)
        cell_box = QWidget()
        grid = QGridLayout(cell_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.numbers_box, 0, 0)
        grid.addWidget(self.count_label, 1, 0)
        self.add_field(
            "recorded",
            translate("hardship.fund_dialog", "Taking part"),
            self.recorded_list,
            recorded_box,
        )
        self.add_field(
            "numbers", translate("hardship.fund_dialog", "Add"), self.numbers_box, cell_box
        )
        self.save_button.setText(translate("hardship.fund_dialog", "OK"))
        self.finish_layout()
        self._count()

    def _count(self) -> None:
        n = len(numbers_in(self.numbers_box.toPlainText()))
        if n == 1:
            self.count_label.setText(translate("hardship.fund_dialog", "1 number to add"))
        elif n:
            text = translate("hardship.fund_dialog", "{n} numbers to add")
            self.count_label.setText(text.format(n=f"{n:,}"))
        else:
            self.count_label.setText("")

    def write(self) -> None:
        numbers = numbers_in(self.numbers_box.toPlainText())
        unknown = unknown_numbers(self.ctx.db, numbers)
        if unknown:
            more = len(unknown) - 12
            shown = ", ".join(unknown[:12])
            if more > 0:
                shown = translate("hardship.fund_dialog", "{numbers} and {n} more").format(
                    numbers=shown, n=more
                )
            if len(unknown) == 1:
                text = translate(
                    "hardship.fund_dialog",
                    "No member has the number {numbers}. Correct or remove it: nothing was added.",
                )
            else:
                text = translate(
                    "hardship.fund_dialog",
                    "No member has the numbers {numbers}. Correct or remove them: nothing was "
                    "added.",
                )
            raise ValidationError({"numbers": text.format(numbers=shown)})
        self.numbers = numbers
