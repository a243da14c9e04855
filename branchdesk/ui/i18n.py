"""User-visible text in the window goes through Qt's translator.

Write `translate("context", "English text")` where the text is shown; `pyside6-lupdate` finds
every such call (and every `QT_TRANSLATE_NOOP("context", "…")` for text defined at import time,
translated where it is shown) and lists it for translators. With no translation installed Qt
hands back the English text unchanged. The context is the module's path under `branchdesk/ui`
(for example "casework.cases_page"), so translators see text grouped by where it appears.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

__all__ = ["QT_TRANSLATE_NOOP", "translate"]


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """`text` in the user's language, if a translation is installed; else `text` itself."""
    return QCoreApplication.translate(context, text, disambiguation, n)
