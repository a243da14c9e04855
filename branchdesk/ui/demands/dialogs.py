"""The forms of the Negotiating demands tab: a claim, a demand with its costing, a change of
status, a piece of evidence and a negotiation meeting.

Each is a `CaseDialog` (from casework): problems show in red beside the field they concern, a
StaleEdit closes the dialog with `stale` set so the tab reloads. The costing is worked out live
as it is typed, with its working, in Decimal and Money only.
"""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from branchdesk.demands.codes import (
    CATEGORIES,
    CLAIM_STATUSES,
    DEMAND_STATUSES,
    EVIDENCE_KINDS,
    PRIORITIES,
)
from branchdesk.demands.costing import CostBreakdown, Costing, CostingError, annual_cost
from branchdesk.demands.models import Claim, Demand, Survey
from branchdesk.demands.service import (
    ClaimForm,
    DemandForm,
    MeetingForm,
    add_demand,
    add_evidence,
    add_meeting,
    costing_of,
    create_claim,
    load_survey,
    set_demand_status,
    update_claim,
    update_demand,
)
from branchdesk.members.service import ValidationError, employer_names
from branchdesk.money import Money, MoneyError
from branchdesk.ui.accessible_names import name_fields_from_labels
from branchdesk.ui.casework.common import CaseDialog, date_edit, date_of
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.code_words import word, words
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate

DEMANDS = "demands"  # the register name saves report, so the tab refreshes

BASIS_WORDS = {
    "unit_cost": QT_TRANSLATE_NOOP("demands.dialogs", "Per person"),
    "pay_bill": QT_TRANSLATE_NOOP("demands.dialogs", "Whole pay bill"),
}
CHANGE_WORDS = {
    "percent": QT_TRANSLATE_NOOP("demands.dialogs", "Percentage rise"),
    "flat": QT_TRANSLATE_NOOP("demands.dialogs", "Flat £ a year each"),
    "hours": QT_TRANSLATE_NOOP("demands.dialogs", "Extra paid hours a week"),
    "days": QT_TRANSLATE_NOOP("demands.dialogs", "Extra paid days a year"),
}
CHANGE_LABELS = {
    "percent": QT_TRANSLATE_NOOP("demands.dialogs", "Rise (%)"),
    "flat": QT_TRANSLATE_NOOP("demands.dialogs", "£ a year each"),
    "hours": QT_TRANSLATE_NOOP("demands.dialogs", "Hours a week each"),
    "days": QT_TRANSLATE_NOOP("demands.dialogs", "Days a year each"),
}


def _translated(words: dict[str, str]) -> dict[str, str]:
    """One of this module's word tables, in the user's language (codes unchanged)."""
    return {code: translate("demands.dialogs", word) for code, word in words.items()}


# Costing's field names to the dialog's.
COSTING_FIELDS = {
    "headcount": "cost_headcount",
    "basis": "cost_basis",
    "current": "cost_current",
    "change_kind": "cost_change_kind",
    "change": "cost_change",
    "hourly_rate": "cost_hourly_rate",
    "pension_percent": "cost_pension",
    "ni_percent": "cost_ni",
}


def combo(words: dict[str, str], current: str = "") -> QComboBox:
    box = QComboBox()
    for code, text in words.items():
        box.addItem(text, code)
    index = box.findData(current)
    box.setCurrentIndex(max(0, index))
    return box


def line(text: str = "", placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(text)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def text_box(text: str = "", height: int = 70) -> QPlainTextEdit:
    box = QPlainTextEdit(text)
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


class OptionalDate(QWidget):
    """A date that may be left out: a tick box and a date beside it."""

    def __init__(self, value: date | None, label: str) -> None:
        super().__init__()
        self.check = QCheckBox(label)
        self.edit = date_edit(value)
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        self.check.toggled.connect(self.edit.setEnabled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.check)
        row.addWidget(self.edit)
        row.addStretch(1)

    def value(self) -> date | None:
        return date_of(self.edit) if self.check.isChecked() else None

    def set_value(self, value: date | None) -> None:
        self.check.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(value)


def _number(text: str) -> Decimal:
    """A number as typed ('2.5', '1,200'); ValueError in words if it is not one."""
    cleaned = text.strip().replace(",", "").rstrip("%").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(
            translate("demands.dialogs", "'{text}' is not a number").format(text=text.strip())
        ) from None
    if not value.is_finite():
        raise ValueError(
            translate("demands.dialogs", "'{text}' is not a number").format(text=text.strip())
        )
    return value


def _pounds(text: str) -> Money:
    try:
        return Money.parse(text)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


# -- a claim ---------------------------------------------------------------------------------------


class ClaimDialog(CaseDialog):
    """New claim, or the claim's details edited."""

    def __init__(
        self,
        ctx: AppContext,
        claim: Claim | None = None,
        employer: str = "",
        workplace: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            ctx,
            translate("demands.dialogs", "Edit claim")
            if claim
            else translate("demands.dialogs", "New claim"),
            parent,
        )
        self.claim = claim
        self.reference: str | None = claim.reference if claim else None
        self.title_edit = line(
            claim.title if claim else "",
            translate("demands.dialogs", "Pay and conditions claim 2027"),
        )
        self.add_field("title", translate("demands.dialogs", "Title"), self.title_edit)
        self.employer_box = QComboBox()
        self.employer_box.setEditable(True)
        names = employer_names(ctx.db)
        self.employer_box.addItems(names)
        self.employer_box.setCurrentText(employer)
        completer = QCompleter(names, self.employer_box)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.employer_box.setCompleter(completer)
        self.add_field("employer", translate("demands.dialogs", "Employer"), self.employer_box)
        self.unit_edit = line(
            claim.bargaining_unit if claim else "",
            translate("demands.dialogs", "All staff on NJC terms"),
        )
        self.add_field(
            "bargaining_unit", translate("demands.dialogs", "Bargaining unit"), self.unit_edit
        )
        self.workplace_edit = line(
            workplace, translate("demands.dialogs", "Leave empty for the whole employer")
        )
        self.add_field("workplace", translate("demands.dialogs", "Workplace"), self.workplace_edit)
        self.submitted = OptionalDate(
            claim.submitted_on if claim else None, translate("demands.dialogs", "Submitted on")
        )
        self.add_field(
            "submitted_on",
            translate("demands.dialogs", "Submitted"),
            self.submitted.edit,
            self.submitted,
        )
        self.settle_by = OptionalDate(
            claim.settle_by if claim else None, translate("demands.dialogs", "Aim to settle by")
        )
        self.add_field(
            "settle_by",
            translate("demands.dialogs", "Settle by"),
            self.settle_by.edit,
            self.settle_by,
        )
        self.reps_edit = line(
            claim.lead_reps if claim else "",
            translate("demands.dialogs", "Who leads for the union"),
        )
        self.add_field("lead_reps", translate("demands.dialogs", "Lead reps"), self.reps_edit)
        self.status_box = combo(words(CLAIM_STATUSES), claim.status if claim else "drafting")
        self.add_field("status", translate("demands.dialogs", "Status"), self.status_box)
        self.notes_edit = text_box(claim.notes if claim else "", 80)
        self.add_field("notes", translate("demands.dialogs", "Notes"), self.notes_edit)
        self.finish_layout()
        name_fields_from_labels(self)

    def form(self) -> ClaimForm:
        return ClaimForm(
            title=self.title_edit.text(),
            employer=self.employer_box.currentText(),
            bargaining_unit=self.unit_edit.text(),
            workplace=self.workplace_edit.text(),
            submitted_on=self.submitted.value(),
            settle_by=self.settle_by.value(),
            lead_reps=self.reps_edit.text(),
            status=str(self.status_box.currentData()),
            notes=self.notes_edit.toPlainText(),
            version=self.claim.version if self.claim else None,
        )

    def write(self) -> None:
        if self.claim is None:
            self.reference = create_claim(self.ctx.db, self.form())
        else:
            update_claim(self.ctx.db, self.claim.id, self.form())
        self.ctx.changed(DEMANDS)


# -- a demand and its costing ----------------------------------------------------------------------


class DemandDialog(CaseDialog):
    """A demand: what is asked, why, how it is costed and what the employer said."""

    def __init__(
        self,
        ctx: AppContext,
        claim_id: int,
        demand: Demand | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            ctx,
            translate("demands.dialogs", "Edit demand")
            if demand
            else translate("demands.dialogs", "Add demand"),
            parent,
        )
        self.claim_id = claim_id
        self.demand = demand
        self.demand_id: int | None = demand.id if demand else None
        self.setMinimumWidth(680)
        costing = costing_of(demand) if demand else None
        self._hours_per_day = costing.hours_per_day if costing else None

        self.title_edit = line(
            demand.title if demand else "",
            translate("demands.dialogs", "A 5% rise on every pay point"),
        )
        self.add_field("title", translate("demands.dialogs", "Demand"), self.title_edit)
        self.category_box = combo(words(CATEGORIES), demand.category if demand else "pay")
        self.add_field("category", translate("demands.dialogs", "Heading"), self.category_box)
        self.priority_box = combo(words(PRIORITIES), demand.priority if demand else "medium")
        self.add_field("priority", translate("demands.dialogs", "Priority"), self.priority_box)
        self.case_edit = text_box(demand.case_for if demand else "", 70)
        self.add_field("case_for", translate("demands.dialogs", "The case for it"), self.case_edit)
        self.response_edit = text_box(demand.employer_response if demand else "", 50)
        self.add_field(
            "employer_response",
            translate("demands.dialogs", "Employer's response"),
            self.response_edit,
        )

        heading = QLabel(
            translate("demands.dialogs", "Costing: what it would cost the employer in a year")
        )
        heading.setObjectName("costingHeading")
        heading.setStyleSheet("font-weight: 600; margin-top: 8px;")
        self.form_layout.addRow(heading)
        self.costed = QCheckBox(translate("demands.dialogs", "Cost this demand"))
        self.costed.setChecked(costing is not None)
        self.add_field("costed", "", self.costed)
        self.headcount_edit = line(
            str(costing.headcount) if costing else "",
            translate("demands.dialogs", "people affected"),
        )
        self.add_field(
            "cost_headcount", translate("demands.dialogs", "Headcount"), self.headcount_edit
        )
        self.kind_box = combo(
            _translated(CHANGE_WORDS), costing.change_kind if costing else "percent"
        )
        self.add_field("cost_change_kind", translate("demands.dialogs", "Change"), self.kind_box)
        self.basis_box = combo(_translated(BASIS_WORDS), costing.basis if costing else "unit_cost")
        self.add_field("cost_basis", translate("demands.dialogs", "Current pay is"), self.basis_box)
        self.current_edit = line(
            costing.current.format(symbol=False) if costing else "",
            translate("demands.dialogs", "for example 24,500.00"),
        )
        self.add_field(
            "cost_current",
            translate("demands.dialogs", "Current pay (£ a year)"),
            self.current_edit,
        )
        change = costing.change if costing else None
        self.change_edit = line("" if change is None else _plain(change))
        self.add_field("cost_change", translate("demands.dialogs", "Rise (%)"), self.change_edit)
        rate = costing.hourly_rate if costing else None
        self.rate_edit = line(
            rate.format(symbol=False) if rate else "",
            translate("demands.dialogs", "for example 13.50"),
        )
        self.add_field(
            "cost_hourly_rate", translate("demands.dialogs", "Hourly rate (£)"), self.rate_edit
        )
        self.pension_edit = line(_plain(costing.pension_percent) if costing else "19")
        self.add_field(
            "cost_pension", translate("demands.dialogs", "Employer pension (%)"), self.pension_edit
        )
        self.ni_edit = line(_plain(costing.ni_percent) if costing else "15")
        self.add_field("cost_ni", translate("demands.dialogs", "Employer NI (%)"), self.ni_edit)
        self.result_label = QLabel()
        self.result_label.setObjectName("costingResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.add_field("costing", translate("demands.dialogs", "Annual cost"), self.result_label)
        self.finish_layout()
        name_fields_from_labels(self)

        self.breakdown: CostBreakdown | None = None
        for widget in (
            self.headcount_edit,
            self.current_edit,
            self.change_edit,
            self.rate_edit,
            self.pension_edit,
            self.ni_edit,
        ):
            widget.textChanged.connect(self.recalculate)
        self.kind_box.currentIndexChanged.connect(self.recalculate)
        self.basis_box.currentIndexChanged.connect(self.recalculate)
        self.costed.toggled.connect(self.recalculate)
        self.recalculate()

    # -- the costing, live ---------------------------------------------------------------------

    def _show_row(self, name: str, shown: bool) -> None:
        self.form_layout.setRowVisible(self.inputs[name].parentWidget(), shown)

    def _layout_costing(self) -> None:
        costed = self.costed.isChecked()
        kind = str(self.kind_box.currentData())
        for name in COSTING_FIELDS.values():
            self._show_row(name, costed)
        self._show_row("costing", costed)
        self._show_row("cost_basis", costed and kind == "percent")
        self._show_row("cost_current", costed and kind == "percent")
        self._show_row("cost_hourly_rate", costed and kind in ("hours", "days"))
        label = self.form_layout.labelForField(self.inputs["cost_change"].parentWidget())
        if isinstance(label, QLabel):
            label.setText(translate("demands.dialogs", CHANGE_LABELS[kind]))
            self.change_edit.setAccessibleName(label.text())
        current = self.form_layout.labelForField(self.inputs["cost_current"].parentWidget())
        if isinstance(current, QLabel):
            per = self.basis_box.currentData() == "unit_cost"
            current.setText(
                translate("demands.dialogs", "Current pay each (£ a year)")
                if per
                else translate("demands.dialogs", "Current pay bill (£ a year)")
            )
            self.current_edit.setAccessibleName(current.text())

    def costing(self) -> tuple[Costing | None, dict[str, str]]:
        """The costing typed, or the problems with it by field (nothing when not costed)."""
        # The fields left empty: said quietly until Save, so typing is never scolded.
        self._missing: set[str] = set()
        if not self.costed.isChecked():
            return None, {}
        errors: dict[str, str] = {}
        kind = str(self.kind_box.currentData())

        def parse(name: str, text: str, fn, missing: str):  # type: ignore[no-untyped-def]
            if not text.strip():
                errors[name] = missing
                self._missing.add(name)
                return None
            try:
                return fn(text)
            except ValueError as exc:
                errors[name] = str(exc)[:1].upper() + str(exc)[1:] + "."
                return None

        headcount_text = self.headcount_edit.text().strip().replace(",", "")
        headcount = None
        if not headcount_text:
            errors["cost_headcount"] = translate(
                "demands.dialogs", "Enter how many people the demand covers."
            )
            self._missing.add("cost_headcount")
        elif not headcount_text.isdigit():
            errors["cost_headcount"] = translate(
                "demands.dialogs", "A whole number of people, for example 240."
            )
        else:
            headcount = int(headcount_text)
        current: Money | None = Money(0)
        if kind == "percent":
            current = parse(
                "cost_current",
                self.current_edit.text(),
                _pounds,
                translate("demands.dialogs", "Enter the current pay."),
            )
        change = parse(
            "cost_change",
            self.change_edit.text(),
            _number,
            translate("demands.dialogs", "Enter the change asked for."),
        )
        rate = None
        if kind in ("hours", "days"):
            rate = parse(
                "cost_hourly_rate",
                self.rate_edit.text(),
                _pounds,
                translate("demands.dialogs", "Enter the hourly rate."),
            )
        pension = parse(
            "cost_pension",
            self.pension_edit.text(),
            _number,
            translate("demands.dialogs", "Enter a percentage."),
        )
        ni = parse(
            "cost_ni",
            self.ni_edit.text(),
            _number,
            translate("demands.dialogs", "Enter a percentage."),
        )
        if errors:
            return None, errors
        extra = {} if self._hours_per_day is None else {"hours_per_day": self._hours_per_day}
        costing = Costing(
            headcount=headcount,  # type: ignore[arg-type]
            basis=self.basis_box.currentData(),
            current=current,  # type: ignore[arg-type]
            change_kind=kind,  # type: ignore[arg-type]
            change=change,  # type: ignore[arg-type]
            hourly_rate=rate,
            pension_percent=pension,  # type: ignore[arg-type]
            ni_percent=ni,  # type: ignore[arg-type]
            **extra,  # type: ignore[arg-type]
        )
        try:
            costing.validate()
        except CostingError as exc:
            name = COSTING_FIELDS.get(exc.field, "costing")
            return None, {name: exc.message[:1].upper() + exc.message[1:] + "."}
        return costing, {}

    def recalculate(self) -> None:
        self._layout_costing()
        costing, errors = self.costing()
        for name in (*COSTING_FIELDS.values(), "costing"):
            self._clear_error(name)
        self.breakdown = None
        if costing is None:
            if errors:
                # Say what is missing only once something has been typed into the costing.
                typed = any(
                    e.text().strip()
                    for e in (self.headcount_edit, self.current_edit, self.change_edit)
                )
                missing = self._missing
                shown = {n: m for n, m in errors.items() if typed and n not in missing}
                if shown:
                    self.show_errors_quietly(shown)
                self.result_label.setText(
                    translate("demands.dialogs", "Fill in the costing to see what it would cost.")
                )
            self._fit_result()
            return
        self.breakdown = annual_cost(costing)
        steps = "".join(f"<br>• {html.escape(s)}" for s in self.breakdown.steps)
        a_year = translate("demands.dialogs", "{total} a year").format(total=self.breakdown.total)
        self.result_label.setText(f"<b>{html.escape(a_year)}</b>{steps}")
        self._fit_result()

    def _fit_result(self) -> None:
        # A wrapped label in a form does not ask for the height its lines need: give it that.
        width = max(self.result_label.width(), self.width() - 220, 380)
        self.result_label.setMinimumHeight(self.result_label.heightForWidth(width))

    def show_errors_quietly(self, errors: dict[str, str]) -> None:
        """Problems beside their fields as they are typed, without moving the cursor."""
        for name, message in errors.items():
            label = self.error_labels.get(name)
            if label is not None:
                label.setText(message)
                label.show()
                self._mark(name, True)

    def write(self) -> None:
        costing, errors = self.costing()
        if errors:
            raise ValidationError(errors)
        form = DemandForm(
            title=self.title_edit.text(),
            category=str(self.category_box.currentData()),
            priority=str(self.priority_box.currentData()),
            case_for=self.case_edit.toPlainText(),
            employer_response=self.response_edit.toPlainText(),
            costing=costing,
            version=self.demand.version if self.demand else None,
        )
        if self.demand is None:
            self.demand_id = add_demand(self.ctx.db, self.claim_id, form)
        else:
            update_demand(self.ctx.db, self.demand.id, form)
        self.ctx.changed(DEMANDS)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# -- a change of status ----------------------------------------------------------------------------


class StatusDialog(CaseDialog):
    def __init__(self, ctx: AppContext, demand: Demand, parent: QWidget | None = None) -> None:
        super().__init__(ctx, translate("demands.dialogs", "Set the demand's status"), parent)
        self.demand = demand
        now = translate("demands.dialogs", "Now: {status}").format(
            status=word(DEMAND_STATUSES, demand.status)
        )
        about = QLabel(f"{demand.title}\n{now}")
        about.setWordWrap(True)
        self.form_layout.addRow(about)
        others = {code: w for code, w in words(DEMAND_STATUSES).items() if code != demand.status}
        self.status_box = combo(others)
        self.add_field("status", translate("demands.dialogs", "New status"), self.status_box)
        self.date_edit: QDateEdit = date_edit(date.today())
        self.add_field("changed_on", translate("demands.dialogs", "Changed on"), self.date_edit)
        self.note_edit = text_box("", 60)
        self.add_field("note", translate("demands.dialogs", "Note"), self.note_edit)
        self.finish_layout()
        name_fields_from_labels(self)

    def write(self) -> None:
        set_demand_status(
            self.ctx.db,
            self.demand.id,
            str(self.status_box.currentData()),
            date_of(self.date_edit),
            self.demand.version,
            self.note_edit.toPlainText(),
        )
        self.ctx.changed(DEMANDS)


# -- evidence --------------------------------------------------------------------------------------


class EvidenceDialog(CaseDialog):
    def __init__(
        self,
        ctx: AppContext,
        demand: Demand,
        surveys: tuple[Survey, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, translate("demands.dialogs", "Add evidence"), parent)
        self.demand = demand
        self.kind_box = combo(words(EVIDENCE_KINDS), "comparator")
        self.add_field("kind", translate("demands.dialogs", "Kind"), self.kind_box)
        self.title_edit = line(
            "", translate("demands.dialogs", "Eastvale pays 4% more for the same job")
        )
        self.add_field("title", translate("demands.dialogs", "Title"), self.title_edit)
        self.detail_edit = text_box("", 70)
        self.add_field("detail", translate("demands.dialogs", "Detail"), self.detail_edit)
        self.source_edit = line("", translate("demands.dialogs", "Where it comes from"))
        self.add_field("source", translate("demands.dialogs", "Source"), self.source_edit)
        self.survey_box = QComboBox()
        for survey in surveys:
            self.survey_box.addItem(
                translate("demands.dialogs", "{name} ({count} responses)").format(
                    name=survey.name, count=survey.respondents
                ),
                survey.id,
            )
        self.add_field("survey", translate("demands.dialogs", "Survey"), self.survey_box)
        self.question_box = QComboBox()
        self.add_field("question", translate("demands.dialogs", "Question"), self.question_box)
        self.finish_layout()
        name_fields_from_labels(self)
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self.survey_box.currentIndexChanged.connect(self._load_questions)
        self._load_questions()
        self._kind_changed()

    def _kind_changed(self) -> None:
        survey = self.kind_box.currentData() == "survey_result"
        for name in ("survey", "question"):
            self.form_layout.setRowVisible(self.inputs[name].parentWidget(), survey)
        if survey and self.survey_box.count() == 0:
            self.show_errors_quietly(
                {
                    "survey": translate(
                        "demands.dialogs",
                        "This claim has no surveys yet: import one on the Surveys page.",
                    )
                }
            )

    def show_errors_quietly(self, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            self.error_labels[name].setText(message)
            self.error_labels[name].show()

    def _load_questions(self) -> None:
        self.question_box.clear()
        survey_id = self.survey_box.currentData()
        if survey_id is None:
            return
        for question in load_survey(self.ctx.db, int(survey_id)).questions:
            self.question_box.addItem(f"{question.position}. {question.text}", question.position)

    def write(self) -> None:
        survey = self.kind_box.currentData() == "survey_result"
        add_evidence(
            self.ctx.db,
            self.demand.id,
            str(self.kind_box.currentData()),
            self.title_edit.text(),
            self.detail_edit.toPlainText(),
            self.source_edit.text(),
            survey_id=self.survey_box.currentData() if survey else None,
            question=self.question_box.currentData() if survey else None,
        )
        self.ctx.changed(DEMANDS)


# -- a meeting -------------------------------------------------------------------------------------


class MeetingDialog(CaseDialog):
    def __init__(self, ctx: AppContext, claim_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, translate("demands.dialogs", "Add meeting"), parent)
        self.claim_id = claim_id
        self.setMinimumWidth(600)
        self.date_edit = date_edit(date.today())
        self.add_field("held_on", translate("demands.dialogs", "Held on"), self.date_edit)
        self.union_edit = line("", translate("demands.dialogs", "Who was there for the union"))
        self.add_field("union_side", translate("demands.dialogs", "Union side"), self.union_edit)
        self.employer_edit = line(
            "", translate("demands.dialogs", "Who was there for the employer")
        )
        self.add_field(
            "employer_side", translate("demands.dialogs", "Employer side"), self.employer_edit
        )
        self.notes_edit = text_box("", 60)
        self.add_field("notes", translate("demands.dialogs", "Notes"), self.notes_edit)
        self.union_proposals_edit = text_box("", 50)
        self.add_field(
            "union_proposals",
            translate("demands.dialogs", "Union put forward"),
            self.union_proposals_edit,
        )
        self.employer_proposals_edit = text_box("", 50)
        self.add_field(
            "employer_proposals",
            translate("demands.dialogs", "Employer put forward"),
            self.employer_proposals_edit,
        )
        self.actions_edit = text_box("", 50)
        self.add_field("actions", translate("demands.dialogs", "Actions"), self.actions_edit)
        self.finish_layout()
        name_fields_from_labels(self)

    def write(self) -> None:
        add_meeting(
            self.ctx.db,
            self.claim_id,
            MeetingForm(
                held_on=date_of(self.date_edit),
                union_side=self.union_edit.text(),
                employer_side=self.employer_edit.text(),
                notes=self.notes_edit.toPlainText(),
                union_proposals=self.union_proposals_edit.toPlainText(),
                employer_proposals=self.employer_proposals_edit.toPlainText(),
                actions=self.actions_edit.toPlainText(),
            ),
        )
        self.ctx.changed(DEMANDS)
