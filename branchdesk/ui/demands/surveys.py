"""Member surveys on the claim page: the preview before one is kept, and its summary with a
small bar chart for each question.

A file with problems lists every one (line, column, what is wrong) and nothing is stored; a
clean file lists its questions and only the Import button stores it.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from branchdesk.demands.survey import KINDS, QuestionSummary, SurveyFile, summarise
from branchdesk.ui import style
from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate
from branchdesk.ui.members.import_dialog import add_warnings, problems_table

BAR_COLOUR = style.ACCENT
MAX_BAR = 420
KIND_WORDS = dict(
    zip(
        KINDS,
        (
            QT_TRANSLATE_NOOP("demands.surveys", "Scale 0–10"),
            QT_TRANSLATE_NOOP("demands.surveys", "Choice"),
            QT_TRANSLATE_NOOP("demands.surveys", "Free text"),
        ),
        strict=True,
    )
)


class AnswerChart(QWidget):
    """One question's answers as horizontal bars: the answer, its bar, count and percentage."""

    def __init__(self, summary: QuestionSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("answerChart")
        self.summary = summary
        self.rows = [(c.answer, c.count, f"{c.count:,} ({c.percent}%)") for c in summary.counts]
        small = QFont(self.font())
        if small.pointSizeF() > 0:
            small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        self._small = small
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(
            translate("demands.surveys", "Answers to {question}").format(
                question=summary.question.text
            )
        )
        self.setAccessibleDescription("; ".join(f"{a}: {t}" for a, _, t in self.rows))

    def _row_height(self) -> int:
        return QFontMetrics(self._small).height() + 6

    def sizeHint(self) -> QSize:
        return QSize(420, max(1, len(self.rows)) * self._row_height() + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setFont(self._small)
        fm = QFontMetrics(self._small)
        if not self.rows:
            painter.setPen(QColor(style.MUTED))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignLeft, translate("demands.surveys", "No answers")
            )
            painter.end()
            return
        label_width = min(
            max(fm.horizontalAdvance(a[:40]) for a, _, _ in self.rows) + 16, self.width() // 3
        )
        value_width = max(fm.horizontalAdvance(t) for _, _, t in self.rows) + 8
        # Bars of a readable length, not slabs across a wide window.
        bar_space = max(10, min(MAX_BAR, self.width() - label_width - value_width - 4))
        top = max(1, max(count for _, count, _ in self.rows))
        height = self._row_height()
        for i, (answer, count, text) in enumerate(self.rows):
            y = 2 + i * height
            painter.setPen(QColor(style.TEXT))
            shown = fm.elidedText(answer, Qt.TextElideMode.ElideRight, label_width - 6)
            painter.drawText(
                QRect(0, y, label_width - 6, height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                shown,
            )
            width = round(count * bar_space / top)
            painter.fillRect(
                QRect(label_width, y + 4, width, height - 8),
                QColor(BAR_COLOUR if count else style.BORDER),
            )
            painter.setPen(QColor(style.MUTED))
            painter.drawText(
                QRect(label_width + width + 4, y, value_width, height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
        painter.end()


class SurveySummary(QWidget):
    """Every question of a survey: its words, how many answered, and the chart or examples."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("surveySummary")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(4)
        self.charts: list[AnswerChart] = []
        self.headings: list[QLabel] = []

    def clear(self) -> None:
        while self.layout_.count():
            item = self.layout_.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.deleteLater()
        self.charts.clear()
        self.headings.clear()

    def show_survey(self, survey: SurveyFile) -> None:
        self.clear()
        for summary in summarise(survey):
            question = summary.question
            heading = QLabel(f"{question.position}. {question.text}")
            heading.setObjectName("surveyQuestion")
            heading.setWordWrap(True)
            heading.setStyleSheet("font-weight: 600; margin-top: 8px;")
            self.headings.append(heading)
            self.layout_.addWidget(heading)
            facts = translate("demands.surveys", "{answered} of {respondents} answered").format(
                answered=f"{summary.answered:,}", respondents=f"{summary.respondents:,}"
            )
            if summary.mean is not None:
                facts = translate(
                    "demands.surveys", "{answered} of {respondents} answered · average {mean}"
                ).format(
                    answered=f"{summary.answered:,}",
                    respondents=f"{summary.respondents:,}",
                    mean=summary.mean,
                )
            note = QLabel(facts)
            note.setObjectName("tabSubheading")
            self.layout_.addWidget(note)
            if question.kind == "text":
                examples = QLabel("\n".join(f"“{e[:200]}”" for e in summary.examples) or "—")
                examples.setWordWrap(True)
                examples.setTextFormat(Qt.TextFormat.PlainText)
                self.layout_.addWidget(examples)
            else:
                chart = AnswerChart(summary)
                self.charts.append(chart)
                self.layout_.addWidget(chart)
        self.layout_.addStretch(1)

    def text(self) -> str:
        return "\n".join(h.text() for h in self.headings)


class SurveyPreviewDialog(QDialog):
    """What a survey file holds, or what is wrong with it, before anything is stored."""

    def __init__(self, survey: SurveyFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.survey = survey
        name = survey.file.name
        self.setWindowTitle(
            translate("demands.surveys", "Import survey — {name}").format(name=name)
        )
        self.setMinimumSize(680, 420)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 14)
        self.heading = QLabel()
        self.heading.setObjectName("tabHeading")
        self.heading.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.heading)
        layout.addWidget(self.summary)
        buttons = QDialogButtonBox()
        self.name_edit: QLineEdit | None = None
        self.problems_view: QTableView | None = None
        self.questions_table: QTableWidget | None = None
        if survey.ok:
            self.heading.setText(
                translate("demands.surveys", "Ready to import {name}").format(name=name)
            )
            responses = (
                translate("demands.surveys", "1 response")
                if survey.respondents == 1
                else translate("demands.surveys", "{n} responses").format(
                    n=f"{survey.respondents:,}"
                )
            )
            questions = (
                translate("demands.surveys", "1 question")
                if len(survey.questions) == 1
                else translate("demands.surveys", "{n} questions").format(
                    n=f"{len(survey.questions):,}"
                )
            )
            self.summary.setText(
                translate(
                    "demands.surveys",
                    "{responses} to {questions}. Nothing is kept until you press Import.",
                ).format(responses=responses, questions=questions)
            )
            form = QFormLayout()
            self.name_edit = QLineEdit(survey.file.stem)
            self.name_edit.setObjectName("surveyName")
            form.addRow(translate("demands.surveys", "Keep it as"), self.name_edit)
            layout.addLayout(form)
            table = QTableWidget(len(survey.questions), 3)
            table.setObjectName("questionsTable")
            table.setAccessibleName(translate("demands.surveys", "The survey's questions"))
            table.setHorizontalHeaderLabels(
                [
                    translate("demands.surveys", "Question"),
                    translate("demands.surveys", "Kind"),
                    translate("demands.surveys", "Answered"),
                ]
            )
            table.verticalHeader().hide()
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
            for row, question in enumerate(survey.questions):
                answered = sum(1 for r in survey.responses if r.answers[question.position - 1])
                kind = KIND_WORDS.get(question.kind, "")
                cells = (
                    question.text,
                    translate("demands.surveys", kind) if kind else "",
                    f"{answered:,}",
                )
                for col, text in enumerate(cells):
                    table.setItem(row, col, QTableWidgetItem(text))
            header = table.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
            layout.addWidget(table, 1)
            self.questions_table = table
            self.import_button = buttons.addButton(
                translate("demands.surveys", "Import"), QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.import_button.setObjectName("importButton")
            self.import_button.setDefault(True)
            buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        else:
            count = len(survey.problems)
            heading = (
                translate("demands.surveys", "{name} has 1 problem")
                if count == 1
                else translate("demands.surveys", "{name} has {count} problems")
            )
            self.heading.setText(heading.format(name=name, count=f"{count:,}"))
            self.summary.setText(
                translate(
                    "demands.surveys",
                    "Nothing has been imported. Put these right in the file, save it, and import "
                    "it again.",
                )
            )
            self.problems_model, self.problems_view = problems_table(survey.problems, self)
            layout.addWidget(self.problems_view, 1)
            close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
            close.setDefault(True)
        add_warnings(layout, survey.warnings)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @property
    def name(self) -> str:
        return self.name_edit.text() if self.name_edit is not None else ""
