"""A member's claim on the fund, entered or corrected, and a panel officer's decision on it.

The claim form works out the entitlement under the fund's rules as it is typed, with the
working step by step and anything the panel should check, using the calculation the claim is
saved with. The decision form shows the claim, its working and the panel's earlier decisions,
and records the signed-in officer's approval (with an amount) or decline, with reasons.
"""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from branchdesk.exports.text import short_date
from branchdesk.hardship.claims import (
    ClaimDetail,
    ClaimForm,
    create_claim,
    decide,
    parse_fte,
    update_claim,
    validate_claim,
)
from branchdesk.hardship.codes import CLAIM_STATUSES
from branchdesk.hardship.funds import StrikeDayRow
from branchdesk.members.service import ValidationError
from branchdesk.money import ZERO, Money
from branchdesk.ui import style
from branchdesk.ui.casework.common import WARNING_STYLE, date_of
from branchdesk.ui.casework.dialogs import MemberSearch
from branchdesk.ui.context import AppContext
from branchdesk.ui.demands.dialogs import text_box
from branchdesk.ui.hardship.data import Assessment, preview_claim
from branchdesk.ui.hardship.widgets import (
    FormDialog,
    day_edit,
    heading,
    money_line,
    money_text,
    typed_money,
)
from branchdesk.ui.i18n import translate

PREVIEW_DELAY_MS = 250


def _fte_text(fte: Decimal) -> str:
    return format(fte.normalize(), "f")


def _list_html(lines: tuple[str, ...] | list[str]) -> str:
    return "<br>".join(html.escape(line) for line in lines)


def _check_html(warnings: tuple[str, ...] | list[str]) -> str:
    """What the panel should check, under its heading."""
    title = html.escape(translate("hardship.claim_dialogs", "For the panel to check"))
    return f"<b>{title}</b><br>" + _list_html(warnings)


def _days_text(n: int) -> str:
    return (
        translate("hardship.claim_dialogs", "1 strike day")
        if n == 1
        else translate("hardship.claim_dialogs", "{n} strike days").format(n=f"{n:,}")
    )


class ClaimDialog(FormDialog):
    """New claim (claim None) or a claim not yet decided, corrected."""

    what = "claim"

    def __init__(
        self,
        ctx: AppContext,
        fund_id: int,
        days: list[StrikeDayRow],
        claim: ClaimDetail | None = None,
        parent: QWidget | None = None,
    ) -> None:
        title = (
            translate("hardship.claim_dialogs", "Edit claim {reference}").format(
                reference=claim.reference
            )
            if claim
            else translate("hardship.claim_dialogs", "New claim")
        )
        super().__init__(ctx, title, parent)
        self.fund_id = fund_id
        self.claim = claim
        self.claim_id: int | None = claim.id if claim else None
        self.assessment: Assessment | None = None
        c = claim

        self.member_edit = QLineEdit(f"{c.member_number} — {c.member_name}" if c else "")
        self.member_edit.setPlaceholderText(
            translate("hardship.claim_dialogs", "Membership number, or type a name to search")
        )
        self.search = MemberSearch(ctx, self.member_edit, self)
        self.received = day_edit(c.received_on if c else date.today())
        self.day_checks: dict[date, QCheckBox] = {}
        days_box = QWidget()
        grid = QGridLayout(days_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(2)
        chosen = set(c.days) if c else set()
        for n, d in enumerate(days):
            check = QCheckBox(short_date(d.day))
            check.setObjectName(f"day-{d.day.isoformat()}")
            taking_part = (
                translate("hardship.claim_dialogs", "1 member recorded as taking part")
                if d.taking_part == 1
                else translate(
                    "hardship.claim_dialogs", "{n} members recorded as taking part"
                ).format(n=f"{d.taking_part:,}")
            )
            check.setToolTip((d.description + " — " if d.description else "") + taking_part)
            check.setChecked(d.day in chosen)
            check.toggled.connect(lambda _c: self._changed("days"))
            self.day_checks[d.day] = check
            grid.addWidget(check, n // 3, n % 3)
        grid.setColumnStretch(3, 1)
        if not days:
            grid.addWidget(
                QLabel(
                    translate(
                        "hardship.claim_dialogs",
                        "The fund has no strike days yet: add them with Edit fund… first.",
                    )
                ),
                0,
                0,
            )
        self.fte_edit = QLineEdit(_fte_text(c.fte) if c else "1")
        self.fte_edit.setPlaceholderText(translate("hardship.claim_dialogs", "1, 0.6 or 60%"))
        self.fte_edit.setMaximumWidth(110)
        self.pay_edit = money_line(
            money_text(c.pay_deducted) if c else "",
            translate("hardship.claim_dialogs", "blank if not known"),
        )
        self.payslip_check = QCheckBox(translate("hardship.claim_dialogs", "Payslip seen"))
        self.payslip_check.setChecked(c.payslip_seen if c else False)
        self.evidence_box = text_box(c.evidence if c else "", 50)
        self.evidence_box.setPlaceholderText(
            translate("hardship.claim_dialogs", "e.g. March payslip showing the deduction")
        )
        self.circumstances_box = text_box(c.circumstances if c else "", 70)
        self.requested_edit = money_line(
            money_text(c.requested) if c else "", translate("hardship.claim_dialogs", "e.g. 150.00")
        )

        self.add_field("member", translate("hardship.claim_dialogs", "Member"), self.member_edit)
        self.add_field(
            "received_on", translate("hardship.claim_dialogs", "Received"), self.received
        )
        self.add_field("days", translate("hardship.claim_dialogs", "Strike days claimed"), days_box)
        self.add_field(
            "fte", translate("hardship.claim_dialogs", "Fraction of full time"), self.fte_edit
        )
        self.add_field(
            "pay_deducted", translate("hardship.claim_dialogs", "Pay deducted (£)"), self.pay_edit
        )
        self.add_field("payslip_seen", "", self.payslip_check)
        self.add_field(
            "evidence", translate("hardship.claim_dialogs", "Evidence"), self.evidence_box
        )
        self.add_field(
            "circumstances",
            translate("hardship.claim_dialogs", "Circumstances"),
            self.circumstances_box,
        )
        self.add_field(
            "requested",
            translate("hardship.claim_dialogs", "Amount requested (£)"),
            self.requested_edit,
        )

        # The entitlement, beside the form.
        self.amount_label = QLabel()
        self.amount_label.setObjectName("entitlementAmount")
        self.amount_label.setStyleSheet(f"font-size: 16pt; font-weight: 600; color: {style.ACCENT}")
        self.who_label = QLabel()
        self.who_label.setObjectName("tabSubheading")
        self.who_label.setWordWrap(True)
        self.working_label = QLabel()
        self.working_label.setObjectName("entitlementWorking")
        self.working_label.setWordWrap(True)
        self.working_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings_label = QLabel()
        self.warnings_label.setObjectName("entitlementWarnings")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet(WARNING_STYLE)
        panel = QGroupBox(translate("hardship.claim_dialogs", "Entitlement under the fund's rules"))
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(4, 4, 8, 4)
        column.addWidget(self.amount_label)
        column.addWidget(self.who_label)
        column.addWidget(self.working_label)
        column.addWidget(self.warnings_label)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(6, 6, 6, 6)
        panel_layout.addWidget(scroll)
        panel.setMinimumWidth(320)

        self.layout_.removeItem(self.form_layout)
        side = QHBoxLayout()
        side.setSpacing(16)
        side.addLayout(self.form_layout, 3)
        side.addWidget(panel, 2)
        self.layout_.insertLayout(0, side, 1)
        self.finish_layout()
        self.setMinimumWidth(980)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.update_preview)
        for edit in (self.member_edit, self.fte_edit, self.pay_edit, self.requested_edit):
            edit.textChanged.connect(lambda _t: self._timer.start())
        self.member_edit.editingFinished.connect(self.update_preview)
        self.received.dateChanged.connect(lambda _d: self._timer.start())
        self.update_preview()

    def _changed(self, name: str) -> None:
        self._clear_error(name)
        self._timer.start()

    def days(self) -> list[date]:
        return [day for day, check in self.day_checks.items() if check.isChecked()]

    def read(self) -> tuple[ClaimForm, dict[str, str]]:
        """The claim as typed, and what is wrong with it: figures that cannot be read (left
        out of the form) and whatever else the service would refuse, all at once."""
        errors: dict[str, str] = {}
        fte = Decimal(1)
        try:
            fte = parse_fte(self.fte_edit.text() or "1")
        except ValueError as exc:
            errors["fte"] = str(exc)[:1].upper() + str(exc)[1:] + "."
        pay = typed_money(self.pay_edit, "pay_deducted", errors)
        requested = typed_money(
            self.requested_edit,
            "requested",
            errors,
            translate("hardship.claim_dialogs", "Give the amount the member asks for."),
        )
        form = ClaimForm(
            member_number=self.search.number(),
            received_on=date_of(self.received),
            days=self.days(),
            fte=fte,
            pay_deducted=pay,
            payslip_seen=self.payslip_check.isChecked(),
            evidence=self.evidence_box.toPlainText(),
            circumstances=self.circumstances_box.toPlainText(),
            requested=requested,
            version=self.claim.version if self.claim else None,
        )
        for name, message in validate_claim(form).items():
            errors.setdefault(name, message)
        return form, errors

    def form(self) -> ClaimForm:
        """The claim as typed; ValidationError with every problem found."""
        form, errors = self.read()
        if errors:
            raise ValidationError(errors)
        return form

    def update_preview(self) -> None:
        self._timer.stop()
        form, errors = self.read()
        if not form.member_number:
            self._show_preview(
                None,
                translate(
                    "hardship.claim_dialogs",
                    "Choose the member to see what the rules entitle them to.",
                ),
            )
            return
        if "fte" in errors:
            self._show_preview(None, errors["fte"])
            return
        try:
            assessment = preview_claim(self.ctx.db, self.fund_id, form, self.claim_id)
        except ValidationError as exc:
            self._show_preview(None, " ".join(exc.errors.values()))
            return
        except ValueError as exc:  # rules that cannot be used: say so rather than fail
            self._show_preview(None, str(exc))
            return
        self._show_preview(assessment, "")

    def _show_preview(self, assessment: Assessment | None, note: str) -> None:
        self.assessment = assessment
        if assessment is None:
            self.amount_label.setText("—")
            self.who_label.setText(note)
            self.working_label.clear()
            self.warnings_label.hide()
            return
        self.amount_label.setText(assessment.amount.format())
        who = translate("hardship.claim_dialogs", "For {name}, worked out as:")
        self.who_label.setText(who.format(name=assessment.member_name))
        self.working_label.setText(_list_html(assessment.working))
        self.warnings_label.setText(_check_html(assessment.warnings))
        self.warnings_label.setVisible(bool(assessment.warnings))

    def write(self) -> None:
        form = self.form()
        if self.claim is None:
            self.claim_id = create_claim(self.ctx.db, self.fund_id, form)
        else:
            update_claim(self.ctx.db, self.claim.id, form)


def decisions_html(claim: ClaimDetail) -> str:
    """The panel's decisions so far, and how many approvals the claim still needs."""
    approvals = sum(1 for d in claim.decisions if d.approve)
    parts = []
    for d in claim.decisions:
        when = d.decided_at.astimezone() if d.decided_at.tzinfo else d.decided_at
        officer = f"<b>{html.escape(d.officer)}</b>"
        on = html.escape(short_date(when.date()))
        if d.approve:
            text = translate("hardship.claim_dialogs", "{officer} approved {amount} on {date}")
            text = text.format(officer=officer, amount=html.escape(str(d.amount)), date=on)
        else:
            text = translate("hardship.claim_dialogs", "{officer} declined on {date}")
            text = text.format(officer=officer, date=on)
        if d.reasons:
            why = translate("hardship.claim_dialogs", "{decision}: {reasons}")
            text = why.format(decision=text, reasons=html.escape(d.reasons))
        parts.append(text)
    needed = claim.approvals_needed
    if claim.status in ("received", "under_review"):
        need = (
            translate("hardship.claim_dialogs", "It needs 1 panel approval; {given} given so far.")
            if needed == 1
            else translate(
                "hardship.claim_dialogs", "It needs {n} panel approvals; {given} given so far."
            )
        )
    else:
        need = (
            translate("hardship.claim_dialogs", "It needs 1 panel approval.")
            if needed == 1
            else translate("hardship.claim_dialogs", "It needs {n} panel approvals.")
        )
    return "<br>".join([*parts, html.escape(need.format(n=f"{needed:,}", given=approvals))])


class DecideDialog(FormDialog):
    """The signed-in officer's decision on a claim: approve with an amount, or decline."""

    what = "claim"

    def __init__(self, ctx: AppContext, claim: ClaimDetail, parent: QWidget | None = None) -> None:
        title = translate("hardship.claim_dialogs", "Decide claim {reference}")
        super().__init__(ctx, title.format(reference=claim.reference), parent)
        self.claim = claim
        self.warnings: list[str] = []
        officer = ctx.db.officer.strip()
        already = any(d.officer.lower() == officer.lower() for d in claim.decisions)

        facts_text = translate(
            "hardship.claim_dialogs",
            "<b>{name}</b> ({number}) asks for <b>{requested}</b> for {days}; the rules entitle "
            "them to <b>{entitlement}</b>. Status: {status}.",
        )
        facts = QLabel(
            facts_text.format(
                name=html.escape(claim.member_name),
                number=html.escape(claim.member_number),
                requested=html.escape(str(claim.requested)),
                days=html.escape(_days_text(len(claim.days))),
                entitlement=html.escape(str(claim.entitlement)),
                status=html.escape(CLAIM_STATUSES.get(claim.status, claim.status)),
            )
        )
        facts.setWordWrap(True)
        working = QLabel(_list_html(claim.working))
        working.setObjectName("decideWorking")
        working.setWordWrap(True)
        working.setStyleSheet(f"color: {style.MUTED}")
        warnings = QLabel(_check_html(claim.warnings))
        warnings.setWordWrap(True)
        warnings.setStyleSheet(WARNING_STYLE)
        warnings.setVisible(bool(claim.warnings))
        decisions = QLabel(decisions_html(claim))
        decisions.setObjectName("panelDecisions")
        decisions.setWordWrap(True)
        self.layout_.removeItem(self.form_layout)
        so_far = heading(translate("hardship.claim_dialogs", "The panel so far"))
        for widget in (facts, working, warnings, so_far, decisions):
            self.layout_.addWidget(widget)
        self.layout_.addSpacing(6)
        self.layout_.addLayout(self.form_layout)

        self.officer_label = QLabel(f"<b>{html.escape(officer)}</b>")
        self.approve_radio = QRadioButton(translate("hardship.claim_dialogs", "Approve"))
        self.decline_radio = QRadioButton(translate("hardship.claim_dialogs", "Decline"))
        self.approve_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.approve_radio)
        group.addButton(self.decline_radio)
        verdict = QWidget()
        verdict_row = QHBoxLayout(verdict)
        verdict_row.setContentsMargins(0, 0, 0, 0)
        verdict_row.addWidget(self.approve_radio)
        verdict_row.addWidget(self.decline_radio)
        verdict_row.addStretch(1)
        suggested = min(claim.entitlement, claim.requested)
        self.amount_edit = money_line(money_text(suggested) if suggested > ZERO else "")
        self.reasons_box = text_box("", 80)
        self.reasons_box.setPlaceholderText(
            translate("hardship.claim_dialogs", "The panel's reasons: the member may ask for them")
        )
        self.approve_radio.toggled.connect(self._verdict_changed)
        self.add_field(
            "officer", translate("hardship.claim_dialogs", "Deciding as"), self.officer_label
        )
        self.add_field(
            "approve", translate("hardship.claim_dialogs", "Decision"), self.approve_radio, verdict
        )
        self.add_field(
            "amount", translate("hardship.claim_dialogs", "Amount approved (£)"), self.amount_edit
        )
        self.add_field("reasons", translate("hardship.claim_dialogs", "Reasons"), self.reasons_box)
        self.save_button.setText(translate("hardship.claim_dialogs", "Record decision"))
        self.finish_layout()
        self.setMinimumWidth(620)
        if already:
            text = translate(
                "hardship.claim_dialogs",
                "{officer} has already decided on this claim: another panel officer must sign "
                "in to give the next decision.",
            )
            self.show_errors({"officer": text.format(officer=officer)})
            self.save_button.setEnabled(False)

    def _verdict_changed(self, approve: bool) -> None:
        self.amount_edit.setEnabled(approve)
        self._clear_error("amount")

    def write(self) -> None:
        approve = self.approve_radio.isChecked()
        errors: dict[str, str] = {}
        amount: Money | None = None
        if approve:
            amount = typed_money(
                self.amount_edit,
                "amount",
                errors,
                translate("hardship.claim_dialogs", "Give the amount approved (more than £0.00)."),
            )
        if not self.reasons_box.toPlainText().strip():
            errors["reasons"] = translate(
                "hardship.claim_dialogs", "Give the panel's reasons; the member may ask for them."
            )
        if errors:
            raise ValidationError(errors)
        if amount is not None:
            # A decision cannot be taken back: an award beyond the rules or the request is
            # confirmed first, so a slip of the keyboard is caught before it is recorded.
            question = self._beyond_question(amount)
            if question and not self.ctx.dialogs.confirm(
                self,
                translate("hardship.claim_dialogs", "Approve more than the rules allow?"),
                question,
                yes=translate("hardship.claim_dialogs", "Approve"),
            ):
                raise ValidationError(
                    {
                        "amount": translate(
                            "hardship.claim_dialogs", "Not recorded: check the amount."
                        )
                    }
                )
        self.warnings = decide(
            self.ctx.db, self.claim.id, approve, amount, self.reasons_box.toPlainText()
        )

    def _beyond_question(self, amount: Money) -> str:
        """The question to ask before approving more than the rules or the request allow; empty
        when the amount is within both."""
        entitlement, requested = self.claim.entitlement, self.claim.requested
        over_rules, over_request = amount > entitlement, amount > requested
        if over_rules and over_request:
            text = translate(
                "hardship.claim_dialogs",
                "{amount} is more than the {entitlement} the rules entitle the member to and "
                "more than the {requested} the member asked for. A decision cannot be changed "
                "once recorded. Approve this amount?",
            )
        elif over_rules:
            text = translate(
                "hardship.claim_dialogs",
                "{amount} is more than the {entitlement} the rules entitle the member to. A "
                "decision cannot be changed once recorded. Approve this amount?",
            )
        elif over_request:
            text = translate(
                "hardship.claim_dialogs",
                "{amount} is more than the {requested} the member asked for. A decision cannot "
                "be changed once recorded. Approve this amount?",
            )
        else:
            return ""
        return text.format(amount=amount, entitlement=entitlement, requested=requested)
