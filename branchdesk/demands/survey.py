"""Member survey responses from a CSV file, and the figures a negotiation pack quotes from them.

The file is read as strictly as the member importer reads members (the same decoding, delimiter
and quote handling, and problems by line and column): one row per respondent, one column per
question, a header row of question texts. A column headed like "Respondent", "ID" or
"Response ID" holds respondent ids and is not a question. A blank answer is no answer.

`check_survey` reads and checks a file and returns every problem; `read_survey` does the same
and raises `SurveyRefused` if there is any, so nothing from a bad file can be stored.

Each question is a `scale` (every answer a whole number from 0 to 10, such as a 1–5 agreement
scale), a `choice` (at most 12 different answers) or `text`, unless the caller says which.
Answers are kept exactly as written (trimmed of surrounding spaces): "=1+1" stays text.
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal, get_args

from branchdesk.members.csvformat import RowError, iter_rows
from branchdesk.members.importer import ImportPlan, Problem, read_csv_text

QuestionKind = Literal["scale", "choice", "text"]
KINDS: tuple[str, ...] = get_args(QuestionKind)

MAX_COLUMNS = 200
MAX_ROWS = 100_000
MAX_CELL = 5_000
MAX_QUESTION = 1_000  # the longest question text that can be stored
MAX_CHOICES = 12
MAX_EXAMPLES = 5
MAX_PROBLEMS = 1_000  # a file with more is not worth reading on: the first thousand say enough

_ID_HEADERS = frozenset(
    {
        "id",
        "respondent",
        "respondent id",
        "respondent no",
        "respondent number",
        "response id",
        "response no",
        "response number",
    }
)
# Control characters other than tab and line breaks (which a quoted answer may hold).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SCALE_VALUES = {str(n): n for n in range(11)}
_TENTH = Decimal("0.1")
_HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Question:
    """A question: `position` counts from 1 in file order (questions only, not the id column);
    its answers are `Response.answers[position - 1]`."""

    position: int
    text: str
    kind: QuestionKind
    forced: bool = False  # the caller chose the kind


@dataclass(frozen=True)
class Response:
    line: int  # where the respondent's row starts in the file
    respondent: str  # the id column's value, "" when the file has none
    answers: tuple[str, ...]  # one per question, trimmed; "" is no answer


@dataclass
class SurveyFile:
    file: Path
    id_column: str | None = None
    questions: list[Question] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def respondents(self) -> int:
        return len(self.responses)


class SurveyRefused(Exception):
    """The file has problems; nothing from it should be stored."""

    def __init__(self, survey: SurveyFile) -> None:
        self.survey = survey
        shown = "\n".join(f"  {p}" for p in survey.problems[:50])
        more = len(survey.problems) - 50
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(
            f"{survey.file}: {len(survey.problems)} problem(s), the survey was not read:\n"
            f"{shown}{tail}"
        )


@dataclass(frozen=True)
class AnswerCount:
    answer: str
    count: int
    percent: Decimal  # of those who answered the question, to 1 dp (so may not add to 100)


@dataclass(frozen=True)
class QuestionSummary:
    """What respondents said to one question.

    - choice: `counts` by count (most first), then answer text;
    - scale: `counts` for every value from the lowest answer given to the highest (a value no
      one chose counts 0), and `mean` to 2 dp;
    - text: no counts, up to five `examples` (the first different answers in the file).
    """

    question: Question
    respondents: int  # rows in the file
    answered: int
    counts: tuple[AnswerCount, ...] = ()
    mean: Decimal | None = None
    examples: tuple[str, ...] = ()

    @property
    def no_answer(self) -> int:
        return self.respondents - self.answered


# --- reading ------------------------------------------------------------------------------------


def read_survey(
    path: str | os.PathLike[str], kinds: Mapping[str, QuestionKind] | None = None
) -> SurveyFile:
    """Read a survey CSV; raise SurveyRefused listing every problem if it has any."""
    survey = check_survey(path, kinds)
    if not survey.ok:
        raise SurveyRefused(survey)
    return survey


def check_survey(
    path: str | os.PathLike[str], kinds: Mapping[str, QuestionKind] | None = None
) -> SurveyFile:
    """Read and check a survey CSV, returning it with its problems (for a preview).

    `kinds` forces question kinds by question text (the column header, trimmed). Forcing a kind
    on the id column makes it a question. An unknown question or kind is the caller's mistake
    and raises ValueError.
    """
    path = Path(path)
    survey = SurveyFile(file=path)
    for name, kind in (kinds or {}).items():
        if kind not in KINDS:
            raise ValueError(f"{name!r}: a question is one of {', '.join(KINDS)}, not {kind!r}")
    decoding = ImportPlan(file=path)  # the member importer's reader reports into a plan
    text = read_csv_text(path, decoding)
    survey.problems.extend(decoding.problems)
    survey.warnings.extend(w.replace("names with accents", "accents") for w in decoding.warnings)
    if text is None:
        return survey
    try:
        _read_rows(iter_rows(io.StringIO(text, newline="")), survey, dict(kinds or {}), text)
    except RowError as exc:
        survey.problems.append(
            Problem(exc.line, "", f"the row starting here cannot be read ({exc}): check its quotes")
        )
    except _TooManyProblems:
        survey.problems.append(
            Problem(
                0, "", f"more than {MAX_PROBLEMS:,} problems: the rest of the file was not read"
            )
        )
    if survey.problems:
        survey.questions.clear()
        survey.responses.clear()
    return survey


class _TooManyProblems(Exception):
    pass


def _add(survey: SurveyFile, problem: Problem) -> None:
    survey.problems.append(problem)
    if len(survey.problems) >= MAX_PROBLEMS:
        raise _TooManyProblems


def _cell_problems(
    survey: SurveyFile, line: int, cells: list[str], names: list[str], limit: int
) -> None:
    for index, cell in enumerate(cells):
        if len(cell) > limit:
            _add(
                survey,
                Problem(
                    line,
                    names[index],
                    f"{len(cell):,} characters is too long (at most {limit:,})",
                ),
            )
        found = _CONTROL.search(cell)
        if found:
            _add(
                survey,
                Problem(
                    line,
                    names[index],
                    f"holds a control character (U+{ord(found.group()):04X}): "
                    "remove it and save again",
                ),
            )


def _read_rows(
    rows: Iterator[tuple[int, list[str]]],
    survey: SurveyFile,
    kinds: dict[str, QuestionKind],
    text: str,
) -> None:
    try:
        header_line, header = next(rows)
    except StopIteration:
        survey.problems.append(Problem(0, "", "the file is empty"))
        return
    if len(header) > MAX_COLUMNS:
        _add(
            survey,
            Problem(
                header_line,
                f"column {MAX_COLUMNS + 1}",
                f"the file has {len(header):,} columns: a survey can have at most {MAX_COLUMNS}",
            ),
        )
        return
    names = [h.strip() for h in header]
    labels = [name or f"column {n}" for n, name in enumerate(names, 1)]
    _cell_problems(survey, header_line, names, labels, MAX_QUESTION)
    seen: set[str] = set()
    for name, label in zip(names, labels, strict=True):
        if not name:
            _add(survey, Problem(header_line, label, "this column has no heading"))
        elif name.casefold() in seen:
            _add(survey, Problem(header_line, name, "this column appears twice"))
        seen.add(name.casefold())
    unknown = [n for n in kinds if n not in names]
    if unknown:
        raise ValueError(f"the file has no question {unknown[0]!r} to set the kind of")

    id_index = next(
        (
            i
            for i, name in enumerate(names)
            if name not in kinds
            and " ".join(re.split(r"[\W_]+", name.lower())).strip() in _ID_HEADERS
        ),
        None,
    )
    survey.id_column = None if id_index is None else names[id_index]
    question_at = [i for i in range(len(names)) if i != id_index]
    if not question_at:
        _add(survey, Problem(header_line, labels[0], "the file has no questions, only ids"))
    if survey.problems:
        return

    width = len(names)
    has_control = _CONTROL.search(text) is not None
    responses = survey.responses
    blank = 0
    for line, cells in rows:
        if len(cells) != width:
            if not any(c.strip() for c in cells):
                blank += 1
                continue
            _add(
                survey,
                Problem(
                    line,
                    "",
                    f"this row has {len(cells)} cells but the header has {width}: "
                    "check for a missing or extra separator",
                ),
            )
            continue
        if has_control or max(map(len, cells)) > MAX_CELL:
            before = len(survey.problems)
            _cell_problems(survey, line, cells, labels, MAX_CELL)
            if len(survey.problems) != before:
                continue
        answers = tuple([cells[i].strip() for i in question_at])
        respondent = "" if id_index is None else cells[id_index].strip()
        if not respondent and not any(answers):
            blank += 1
            continue
        if len(responses) == MAX_ROWS:
            _add(
                survey,
                Problem(line, "", f"more than {MAX_ROWS:,} responses: split the file"),
            )
            return
        responses.append(Response(line, respondent, answers))

    if not responses and not survey.problems:
        survey.problems.append(Problem(0, "", "the file has a header but no responses"))
        return
    if blank:
        survey.warnings.append(f"{blank:,} blank row(s) were skipped")
    _warn_repeated_ids(survey)
    survey.questions = [
        _question(position, names[index], survey.responses, position - 1, kinds.get(names[index]))
        for position, index in enumerate(question_at, 1)
    ]
    _check_forced_scales(survey, labels, question_at)


def _warn_repeated_ids(survey: SurveyFile) -> None:
    if survey.id_column is None:
        return
    first: dict[str, int] = {}
    repeats: list[str] = []
    for response in survey.responses:
        if not response.respondent:
            continue
        line = first.setdefault(response.respondent, response.line)
        if line != response.line:
            repeats.append(f"{response.respondent} (lines {line} and {response.line})")
    if repeats:
        shown = ", ".join(repeats[:5]) + (" …" if len(repeats) > 5 else "")
        survey.warnings.append(
            f"{len(repeats):,} response(s) repeat a respondent id, each counted again: {shown}"
        )


def _question(
    position: int,
    text: str,
    responses: list[Response],
    index: int,
    forced: QuestionKind | None,
) -> Question:
    if forced is not None:
        return Question(position, text, forced, forced=True)
    distinct = Counter([r.answers[index] for r in responses])
    distinct.pop("", None)
    if distinct and all(answer in _SCALE_VALUES for answer in distinct):
        kind: QuestionKind = "scale"
    elif len(distinct) <= MAX_CHOICES:
        kind = "choice"
    else:
        kind = "text"
    return Question(position, text, kind)


def _check_forced_scales(survey: SurveyFile, labels: list[str], question_at: list[int]) -> None:
    """A question the caller calls a scale must have whole numbers 0–10 for answers."""
    for question in survey.questions:
        if question.kind != "scale" or not question.forced:
            continue
        index = question.position - 1
        for response in survey.responses:
            answer = response.answers[index]
            if answer and answer not in _SCALE_VALUES:
                _add(
                    survey,
                    Problem(
                        response.line,
                        labels[question_at[index]],
                        f"'{answer[:40]}' is not a whole number from 0 to 10, "
                        "as a scale question needs",
                    ),
                )


# --- summarising --------------------------------------------------------------------------------


def summarise(survey: SurveyFile) -> list[QuestionSummary]:
    """Counts, percentages, means and examples for every question, in file order."""
    if not survey.ok:
        raise SurveyRefused(survey)
    respondents = len(survey.responses)
    summaries: list[QuestionSummary] = []
    for question in survey.questions:
        index = question.position - 1
        answers = [r.answers[index] for r in survey.responses]
        given = [a for a in answers if a]
        answered = len(given)
        if question.kind == "text":
            examples = tuple(dict.fromkeys(given))[:MAX_EXAMPLES]
            summaries.append(QuestionSummary(question, respondents, answered, examples=examples))
            continue
        counted = Counter(given)
        if question.kind == "scale":
            values = Counter({_SCALE_VALUES[a]: n for a, n in counted.items()})
            low, high = (min(values), max(values)) if values else (0, -1)
            counts = tuple(
                AnswerCount(str(v), values[v], _percent(values[v], answered))
                for v in range(low, high + 1)
            )
            mean = None
            if answered:
                total = sum(v * n for v, n in values.items())
                mean = (Decimal(total) / answered).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
            summaries.append(QuestionSummary(question, respondents, answered, counts, mean))
        else:
            ordered = sorted(
                counted.items(), key=lambda item: (-item[1], item[0].casefold(), item[0])
            )
            counts = tuple(AnswerCount(a, n, _percent(n, answered)) for a, n in ordered)
            summaries.append(QuestionSummary(question, respondents, answered, counts))
    return summaries


def _percent(count: int, answered: int) -> Decimal:
    if not answered:
        return Decimal("0.0")
    return (Decimal(count) * 100 / answered).quantize(_TENTH, rounding=ROUND_HALF_UP)
