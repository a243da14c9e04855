"""User-visible text in the window goes through Qt's translator.

Write `translate("context", "English text")` where the text is shown; `pyside6-lupdate` finds
every such call (and every `QT_TRANSLATE_NOOP("context", "…")` for text defined at import time,
translated where it is shown) and lists it for translators. With no translation installed Qt
hands back the English text unchanged. The context is the module's path under `branchdesk/ui`
(for example "casework.cases_page"), so translators see text grouped by where it appears.

`install_translators` loads the translation for the user's language at start-up: BranchDesk's
own (`resources/translations/branchdesk_<lang>.qm`, built by `packaging/translations.py`) and
Qt's, so that the standard buttons (Cancel, Yes, No) speak the same language.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QTranslator,
)

__all__ = [
    "LANGUAGE_VARIABLE",
    "QT_TRANSLATE_NOOP",
    "install_translators",
    "remove_translators",
    "translate",
    "translations_dir",
]

log = logging.getLogger(__name__)

# Overrides the system's language, e.g. BRANCHDESK_LANGUAGE=cy to try the Welsh translation.
LANGUAGE_VARIABLE = "BRANCHDESK_LANGUAGE"

# Qt drops a translator that nothing in Python refers to any more; these are the installed ones.
_installed: list[QTranslator] = []


def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """`text` in the user's language, if a translation is installed; else `text` itself."""
    return QCoreApplication.translate(context, text, disambiguation, n)


def translations_dir() -> Path:
    """Where the shipped .qm files are (inside a bundle too)."""
    from branchdesk.resources import resource_dir

    return resource_dir() / "translations"


def _locale(language: str | None) -> QLocale:
    chosen = language or os.environ.get(LANGUAGE_VARIABLE, "").strip()
    return QLocale(chosen) if chosen else QLocale.system()


def _needs_nothing(locale: QLocale) -> bool:
    # The source text is English; "C" is what a machine with no locale set reports.
    return locale.language() in (QLocale.Language.English, QLocale.Language.C)


def install_translators(
    app: QCoreApplication, language: str | None = None, folder: Path | None = None
) -> list[QTranslator]:
    """Install the translations for `language` (e.g. "cy" or "cy_GB"), else for
    $BRANCHDESK_LANGUAGE, else for the system's locale; returns the translators installed.

    `folder` holds branchdesk_<lang>.qm (the shipped translations unless given). Translators
    installed by an earlier call are removed first, so calling again switches language. A
    language with no translation leaves the window in English.
    """
    remove_translators(app)
    locale = _locale(language)
    if _needs_nothing(locale):
        return []
    sources = (
        ("branchdesk", folder if folder is not None else translations_dir()),
        ("qtbase", Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))),
    )
    for name, where in sources:
        translator = QTranslator(app)
        # load(QLocale, ...) tries cy_GB, then cy, for each of the locale's UI languages. A
        # file with nothing translated yet counts as none.
        if translator.load(locale, name, "_", str(where)) and not translator.isEmpty():
            app.installTranslator(translator)
            _installed.append(translator)
        else:
            translator.deleteLater()
            log.info("no %s translation for %s in %s", name, locale.name(), where)
            if not _installed:
                # Without ours, Qt's alone would put foreign Cancel buttons in an English window.
                break
    return list(_installed)


def remove_translators(app: QCoreApplication) -> None:
    """Take out what `install_translators` put in: the window is back to English."""
    while _installed:
        translator = _installed.pop()
        app.removeTranslator(translator)
        translator.deleteLater()
