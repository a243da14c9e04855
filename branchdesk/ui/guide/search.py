"""Finding a term in the guide: which sections mention it, how often, and where."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor, QTextDocument

from branchdesk.ui.guide.content import Section


def rendered(section: Section) -> QTextDocument:
    """The section as the help window shows it, so matches are counted in what is read
    (not in Markdown's asterisks and link targets)."""
    document = QTextDocument()
    document.setMarkdown(section.markdown, QTextDocument.MarkdownFeature.MarkdownDialectGitHub)
    return document


def find_all(document: QTextDocument, term: str) -> list[QTextCursor]:
    """Every match of `term` in `document`, ignoring case, in reading order."""
    found: list[QTextCursor] = []
    if not term:
        return found
    cursor = document.find(term, 0)
    while not cursor.isNull():
        found.append(cursor)
        cursor = document.find(term, cursor)
    return found
