"""The words shown for the member status codes, in the user's language.

The English words live in `branchdesk.members.service.STATUSES`, which cannot use Qt.
They are listed again here, each wrapped for pyside6-lupdate, so a translator sees them;
`word` and `words` look the English up in the translation.
tests/ui/test_register_empty_states.py checks that the two lists agree.
"""

from __future__ import annotations

from collections.abc import Mapping

from branchdesk.ui.i18n import QT_TRANSLATE_NOOP, translate

# For lupdate (and the test), not read at run time.
WORDS = (
    QT_TRANSLATE_NOOP("members.code_words", "Current"),
    QT_TRANSLATE_NOOP("members.code_words", "Lapsed"),
    QT_TRANSLATE_NOOP("members.code_words", "Left"),
)


def word(words_by_code: Mapping[str, str], code: str) -> str:
    """The word for `code` from one of the code tables, translated; the code if unknown."""
    return translate("members.code_words", words_by_code.get(code, code))


def words(words_by_code: Mapping[str, str]) -> dict[str, str]:
    """A whole code table translated, for a combo box (codes unchanged, order kept)."""
    return {code: translate("members.code_words", text) for code, text in words_by_code.items()}
