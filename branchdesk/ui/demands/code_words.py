"""The words shown for the Negotiating demands codes, in the user's language.

The English words live in `branchdesk.demands.codes`, which cannot use Qt.
They are listed again here, each wrapped for pyside6-lupdate, so a translator sees them;
`word` and `words` look the English up in the translation.
tests/ui/test_register_empty_states.py checks that the two lists agree.
"""

from __future__ import annotations

from collections.abc import Mapping

from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate

# For lupdate (and the test), not read at run time.
WORDS = (
    QT_TRANSLATE_NOOP("demands.code_words", "Drafting"),
    QT_TRANSLATE_NOOP("demands.code_words", "Submitted"),
    QT_TRANSLATE_NOOP("demands.code_words", "In negotiation"),
    QT_TRANSLATE_NOOP("demands.code_words", "Settled"),
    QT_TRANSLATE_NOOP("demands.code_words", "In dispute"),
    QT_TRANSLATE_NOOP("demands.code_words", "Withdrawn"),
    QT_TRANSLATE_NOOP("demands.code_words", "Proposed"),
    QT_TRANSLATE_NOOP("demands.code_words", "Agreed"),
    QT_TRANSLATE_NOOP("demands.code_words", "Partly agreed"),
    QT_TRANSLATE_NOOP("demands.code_words", "Rejected"),
    QT_TRANSLATE_NOOP("demands.code_words", "A voice at work"),
    QT_TRANSLATE_NOOP("demands.code_words", "Fair and decent pay"),
    QT_TRANSLATE_NOOP("demands.code_words", "Regular hours"),
    QT_TRANSLATE_NOOP("demands.code_words", "Fair treatment and respect"),
    QT_TRANSLATE_NOOP("demands.code_words", "A healthy workplace"),
    QT_TRANSLATE_NOOP("demands.code_words", "Learning and progression"),
    QT_TRANSLATE_NOOP("demands.code_words", "No compulsory redundancies"),
    QT_TRANSLATE_NOOP("demands.code_words", "No privatisation or outsourcing"),
    QT_TRANSLATE_NOOP("demands.code_words", "Facility time"),
    QT_TRANSLATE_NOOP("demands.code_words", "Equality"),
    QT_TRANSLATE_NOOP("demands.code_words", "High"),
    QT_TRANSLATE_NOOP("demands.code_words", "Medium"),
    QT_TRANSLATE_NOOP("demands.code_words", "Low"),
    QT_TRANSLATE_NOOP("demands.code_words", "Survey result"),
    QT_TRANSLATE_NOOP("demands.code_words", "Comparator"),
    QT_TRANSLATE_NOOP("demands.code_words", "Statistic"),
    QT_TRANSLATE_NOOP("demands.code_words", "Member quote"),
    QT_TRANSLATE_NOOP("demands.code_words", "Document"),
)


def word(words_by_code: Mapping[str, str], code: str) -> str:
    """The word for `code` from one of the code tables, translated; the code if unknown."""
    return translate("demands.code_words", words_by_code.get(code, code))


def words(words_by_code: Mapping[str, str]) -> dict[str, str]:
    """A whole code table translated, for a combo box (codes unchanged, order kept)."""
    return {code: translate("demands.code_words", text) for code, text in words_by_code.items()}
