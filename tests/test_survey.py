"""Reading member survey CSV files strictly, and summarising them with figures checked by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from branchdesk.demands.survey import (
    MAX_ROWS,
    SurveyRefused,
    check_survey,
    read_survey,
    summarise,
)

D = Decimal

Q1 = "Do you support the pay claim?"
Q2 = "How fairly are you paid? (1 = very unfairly, 5 = very fairly)"
Q3 = "Anything else?"

GOOD = f"""Respondent,{Q1},"{Q2}",{Q3}
R01,Yes,1,Pay has fallen behind inflation
R02,Yes,1,=SUM(A1:A9)
R03,No,2,<b>Staffing</b> is the issue
R04,Yes,2,Pay & conditions
R05,Not sure,2,
R06,Yes,3,Workload
R07,,5,Car parking charges
R08,Yes,1,Night shift allowance
R09,No,2,"Bullying by managers,
and nothing done"
R10,Yes,,Sick pay
R11,Yes,,Training time
R12,No,5,Uniforms
R13,Yes,1,Breaks
R14,Not sure,2,Lone working
"""


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "survey.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems(path: Path, **kwargs: object) -> list[str]:
    survey = check_survey(path, **kwargs)  # type: ignore[arg-type]
    assert survey.responses == [] and survey.questions == []  # nothing kept from a bad file
    with pytest.raises(SurveyRefused):
        read_survey(path, **kwargs)  # type: ignore[arg-type]
    return [str(p) for p in survey.problems]


# --- a good file -------------------------------------------------------------------------------


def test_a_good_file_is_read_with_ids_kinds_and_lines(tmp_path: Path) -> None:
    survey = read_survey(write(tmp_path, GOOD))
    assert survey.ok and survey.warnings == []
    assert survey.id_column == "Respondent"
    assert [(q.position, q.text, q.kind) for q in survey.questions] == [
        (1, Q1, "choice"),
        (2, Q2, "scale"),
        (3, Q3, "text"),  # 13 different answers: more than 12
    ]
    assert survey.respondents == 14
    first, tenth, last = survey.responses[0], survey.responses[9], survey.responses[-1]
    assert (first.line, first.respondent, first.answers) == (
        2,
        "R01",
        ("Yes", "1", "Pay has fallen behind inflation"),
    )
    # R09's answer runs over two lines, so R10 starts on line 12.
    assert (tenth.line, tenth.respondent, tenth.answers) == (12, "R10", ("Yes", "", "Sick pay"))
    assert last.line == 16


def test_a_good_file_is_summarised_exactly(tmp_path: Path) -> None:
    choice, scale, text = summarise(read_survey(write(tmp_path, GOOD)))

    # Q1: 13 answered (R07 blank): Yes 8, No 3, Not sure 2.
    # 8/13 = 61.538% -> 61.5; 3/13 = 23.077% -> 23.1; 2/13 = 15.385% -> 15.4.
    assert (choice.respondents, choice.answered, choice.no_answer) == (14, 13, 1)
    assert [(c.answer, c.count, c.percent) for c in choice.counts] == [
        ("Yes", 8, D("61.5")),
        ("No", 3, D("23.1")),
        ("Not sure", 2, D("15.4")),
    ]
    assert choice.mean is None and choice.examples == ()

    # Q2: 12 answered (R10, R11 blank): 1 ×4, 2 ×5, 3 ×1, 4 ×0, 5 ×2.
    # Sum 4 + 10 + 3 + 0 + 10 = 27; mean 27 / 12 = 2.25.
    # 4/12 = 33.33% -> 33.3; 5/12 = 41.67% -> 41.7; 1/12 = 8.33% -> 8.3; 2/12 = 16.67% -> 16.7.
    assert (scale.answered, scale.no_answer, scale.mean) == (12, 2, D("2.25"))
    assert [(c.answer, c.count, c.percent) for c in scale.counts] == [
        ("1", 4, D("33.3")),
        ("2", 5, D("41.7")),
        ("3", 1, D("8.3")),
        ("4", 0, D("0.0")),
        ("5", 2, D("16.7")),
    ]

    # Q3: 13 answered (R05 blank); the first five answers as written, never more.
    assert (text.answered, text.counts, text.mean) == (13, (), None)
    assert text.examples == (
        "Pay has fallen behind inflation",
        "=SUM(A1:A9)",
        "<b>Staffing</b> is the issue",
        "Pay & conditions",
        "Workload",
    )


def test_text_with_formula_and_markup_characters_is_kept_as_written(tmp_path: Path) -> None:
    survey = read_survey(write(tmp_path, GOOD))
    answers = [r.answers[2] for r in survey.responses]
    assert "=SUM(A1:A9)" in answers
    assert "<b>Staffing</b> is the issue" in answers
    assert "Pay & conditions" in answers
    assert "Bullying by managers,\nand nothing done" in answers


def test_choice_ties_are_ordered_by_text(tmp_path: Path) -> None:
    path = write(tmp_path, "Q\nyes\nNo\nMaybe\nno\nYes\nNo\nyes\n")
    (summary,) = summarise(read_survey(path))
    assert [(c.answer, c.count) for c in summary.counts] == [
        ("No", 2),
        ("yes", 2),
        ("Maybe", 1),
        ("no", 1),
        ("Yes", 1),
    ]


def test_scale_mean_rounds_half_up(tmp_path: Path) -> None:
    # 1×7 + 2 = 9; 9 / 8 = 1.125 -> 1.13 (half up, not to even).
    path = write(tmp_path, "Score\n1\n1\n1\n1\n1\n1\n1\n2\n")
    (summary,) = summarise(read_survey(path))
    assert summary.mean == D("1.13")


def test_scale_needs_whole_numbers_from_0_to_10(tmp_path: Path) -> None:
    path = write(tmp_path, "A,B,C,D\n0,1,1,\n10,11,2.5,\n5,3,3,\n")
    kinds = [q.kind for q in read_survey(path).questions]
    # A: 0–10 -> scale; B has 11, C has 2.5 -> choice; D has no answers at all -> choice.
    assert kinds == ["scale", "choice", "choice", "choice"]


def test_a_column_may_be_forced_to_a_kind(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    survey = read_survey(path, {Q2: "choice", Q1: "text", "Respondent": "text"})
    assert survey.id_column is None  # forced to be a question
    assert [(q.text, q.kind, q.forced) for q in survey.questions] == [
        ("Respondent", "text", True),
        (Q1, "text", True),
        (Q2, "choice", True),
        (Q3, "text", False),
    ]
    summaries = summarise(survey)
    assert [(c.answer, c.count) for c in summaries[2].counts][:2] == [("2", 5), ("1", 4)]
    assert summaries[1].examples == ("Yes", "No", "Not sure")  # distinct answers only


def test_forcing_a_scale_on_words_is_a_problem(tmp_path: Path) -> None:
    # Every Q1 answer is a word; R07 (line 8) is blank; R09 runs over lines 10 and 11.
    answers = "2 Yes|3 Yes|4 No|5 Yes|6 Not sure|7 Yes|9 Yes|10 No|12 Yes|13 Yes|14 No|15 Yes"
    expected = [line.split(" ", 1) for line in (answers + "|16 Not sure").split("|")]
    assert problems(write(tmp_path, GOOD), kinds={Q1: "scale"}) == [
        f"line {n}, {Q1}: '{a}' is not a whole number from 0 to 10, as a scale question needs"
        for n, a in expected
    ]


def test_forcing_an_unknown_question_or_kind_is_the_callers_mistake(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no question 'Q9'"):
        read_survey(write(tmp_path, GOOD), {"Q9": "text"})
    with pytest.raises(ValueError, match="not 'number'"):
        read_survey(write(tmp_path, GOOD), {Q1: "number"})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    "header", ["ID", "response id", "Response ID", "RESPONDENT", "Respondent no."]
)
def test_respondent_id_columns_are_not_questions(tmp_path: Path, header: str) -> None:
    survey = read_survey(write(tmp_path, f"{header},Q1\n7,Yes\n8,No\n"))
    assert survey.id_column == header
    assert [q.text for q in survey.questions] == ["Q1"]
    assert [r.respondent for r in survey.responses] == ["7", "8"]


def test_repeated_respondent_ids_and_blank_rows_are_warned_about(tmp_path: Path) -> None:
    survey = read_survey(write(tmp_path, "ID,Q1\n7,Yes\n,\n8,No\n7,No\n\n"))
    assert survey.respondents == 3
    assert survey.warnings == [
        "2 blank row(s) were skipped",
        "1 response(s) repeat a respondent id, each counted again: 7 (lines 2 and 5)",
    ]


# --- encodings and separators ------------------------------------------------------------------


def test_windows_1252_file(tmp_path: Path) -> None:
    text = "Respondent,Which café?,Fair pay – £ an hour?\n1,Café Bleu,£12\n2,Naïve Café,£13\n"
    survey = read_survey(write(tmp_path, text, encoding="cp1252"))
    assert [q.text for q in survey.questions] == ["Which café?", "Fair pay – £ an hour?"]
    assert survey.responses[1].answers == ("Naïve Café", "£13")
    assert any("Windows-1252" in w for w in survey.warnings)


def test_utf8_with_a_byte_order_mark(tmp_path: Path) -> None:
    survey = read_survey(write(tmp_path, "ID,Q1\n1,Oui ça va\n", encoding="utf-8-sig"))
    assert survey.id_column == "ID"  # not "\ufeffID"
    assert survey.responses[0].answers == ("Oui ça va",)


def test_semicolon_separated_file(tmp_path: Path) -> None:
    text = 'Response ID;Strike?;Rating\n1;Yes;4\n2;"No; not yet";2\n3;Yes;\n'
    survey = read_survey(write(tmp_path, text))
    assert [(q.text, q.kind) for q in survey.questions] == [
        ("Strike?", "choice"),
        ("Rating", "scale"),
    ]
    choice, scale = summarise(survey)
    assert [(c.answer, c.count, c.percent) for c in choice.counts] == [
        ("Yes", 2, D("66.7")),
        ("No; not yet", 1, D("33.3")),
    ]
    assert (scale.answered, scale.mean) == (2, D("3.00"))


# --- bad files ---------------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    assert problems(write(tmp_path, "")) == ["file: the file is empty"]


def test_header_but_no_responses(tmp_path: Path) -> None:
    assert problems(write(tmp_path, "ID,Q1\n\n,\n")) == [
        "file: the file has a header but no responses"
    ]


def test_only_an_id_column(tmp_path: Path) -> None:
    assert problems(write(tmp_path, "ID\n1\n")) == [
        "line 1, ID: the file has no questions, only ids"
    ]


def test_too_many_columns(tmp_path: Path) -> None:
    header = ",".join(f"Q{n}" for n in range(1, 202))
    assert problems(write(tmp_path, header + "\n" + "," * 200 + "\n")) == [
        "line 1, column 201: the file has 201 columns: a survey can have at most 200"
    ]


def test_two_hundred_columns_are_fine(tmp_path: Path) -> None:
    header = ",".join(f"Q{n}" for n in range(1, 201))
    survey = read_survey(write(tmp_path, header + "\n" + ",".join(["1"] * 200) + "\n"))
    assert len(survey.questions) == 200


def test_too_many_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "Q1\n" + "Yes\n" * MAX_ROWS)
    assert read_survey(path).respondents == 100_000
    path = write(tmp_path, "Q1\n" + "Yes\n" * (MAX_ROWS + 1))
    assert problems(path) == ["line 100002: more than 100,000 responses: split the file"]


def test_an_answer_too_long(tmp_path: Path) -> None:
    text = f"ID,Q1,Q2\n1,Yes,fine\n2,No,{'x' * 5001}\n3,No,{'y' * 5000}\n"
    assert problems(write(tmp_path, text)) == [
        "line 3, Q2: 5,001 characters is too long (at most 5,000)"
    ]


def test_control_characters(tmp_path: Path) -> None:
    text = "ID,Q1,Q2\n1,Yes,tab\tis fine\n2,No,bell\x07here\n3,\x1bYes,ok\n"
    assert problems(write(tmp_path, text)) == [
        "line 3, Q2: holds a control character (U+0007): remove it and save again",
        "line 4, Q1: holds a control character (U+001B): remove it and save again",
    ]


def test_ragged_rows_are_reported_with_their_line(tmp_path: Path) -> None:
    text = 'ID,Q1,Q2\n1,"two\nlines",3\n2,Yes\n3,Yes,4,extra\n4,No,5\n'
    assert problems(write(tmp_path, text)) == [
        "line 4: this row has 2 cells but the header has 3: check for a missing or extra separator",
        "line 5: this row has 4 cells but the header has 3: check for a missing or extra separator",
    ]


def test_duplicate_and_blank_headers(tmp_path: Path) -> None:
    assert problems(write(tmp_path, "ID,Q1, ,q1\n1,a,b,c\n")) == [
        "line 1, column 3: this column has no heading",
        "line 1, q1: this column appears twice",
    ]


def test_a_stray_quote(tmp_path: Path) -> None:
    text = 'ID,Q1\n1,Yes\n2,"No" really\n'
    (problem,) = problems(write(tmp_path, text))
    assert problem.startswith("line 3: the row starting here cannot be read")


def test_mixed_encodings_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("Q1\nCafé\n".encode() + "Café\n".encode("cp1252"))
    (problem,) = problems(path)
    assert problem.startswith("line 3: the file mixes character encodings")


def test_a_spreadsheet_file_and_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "survey.xlsx"
    path.write_bytes(b"PK\x03\x04\x00\x00binary")
    assert problems(path) == [
        "file: this is not a text file (it looks like a spreadsheet: save it as CSV)"
    ]
    assert [str(p) for p in check_survey(tmp_path / "nope.csv").problems] == ["file: no such file"]


def test_refusal_lists_the_problems(tmp_path: Path) -> None:
    with pytest.raises(SurveyRefused) as refused:
        read_survey(write(tmp_path, "ID,Q1\n1,Yes,extra\n"))
    assert "1 problem(s), the survey was not read" in str(refused.value)
    assert "line 2: this row has 3 cells" in str(refused.value)
    with pytest.raises(SurveyRefused):
        summarise(refused.value.survey)


def test_many_bad_rows_stop_at_a_thousand_problems(tmp_path: Path) -> None:
    survey = check_survey(write(tmp_path, "ID,Q1\n" + "1,a,b\n" * 5000))
    assert len(survey.problems) == 1001
    assert str(survey.problems[-1]).startswith("file: more than 1,000 problems")


def test_a_question_too_long_to_store(tmp_path: Path) -> None:
    assert problems(write(tmp_path, f"ID,{'Q' * 1001}\n1,Yes\n")) == [
        f"line 1, {'Q' * 1001}: 1,001 characters is too long (at most 1,000)"
    ]
