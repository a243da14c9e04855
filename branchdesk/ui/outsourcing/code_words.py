"""The words shown for the Outsourcing watch codes, in the user's language.

The English words live in `branchdesk.outsourcing.codes`, which cannot use Qt.
They are listed again here, each wrapped for pyside6-lupdate, so a translator sees them;
`word` and `words` look the English up in the translation.
tests/ui/test_register_empty_states.py checks that the two lists agree.
"""

from __future__ import annotations

from collections.abc import Mapping

from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate

# For lupdate (and the test), not read at run time.
WORDS = (
    QT_TRANSLATE_NOOP("outsourcing.code_words", "In-house, at risk"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Out to tender"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Awarded"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Outsourced and running"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Extended"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Insourcing campaign"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Returned in-house"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Terminated"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Performance failure"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Performance or termination notice"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Complaint"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Campaign action"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Council decision"),
    QT_TRANSLATE_NOOP("outsourcing.code_words", "Other"),
)


def word(words_by_code: Mapping[str, str], code: str) -> str:
    """The word for `code` from one of the code tables, translated; the code if unknown."""
    return translate("outsourcing.code_words", words_by_code.get(code, code))


def words(words_by_code: Mapping[str, str]) -> dict[str, str]:
    """A whole code table translated, for a combo box (codes unchanged, order kept)."""
    return {code: translate("outsourcing.code_words", text) for code, text in words_by_code.items()}
