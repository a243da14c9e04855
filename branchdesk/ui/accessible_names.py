"""Names a screen reader reads for form fields, taken from the labels beside them.

Qt names a field after its label (the label's buddy) only when the two share a parent widget.
The forms here put each field in a cell with its error message under it, so the field sits one
level down and would be read out nameless: these give it its label's words.
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

# Set on a field whose name came from its label, so a label that changes (a costing's
# "Rise (%)" becoming "Hours a week each") renames it, but a name given on purpose stays.
_FROM_LABEL = "accessibleNameFromLabel"


def label_words(text: str) -> str:
    """A label's text as it is read: no mnemonic '&', no required-field ' *', no colon."""
    return text.replace("&", "").rstrip(" *:").strip()


def name_from_label(field: QWidget, label_text: str) -> None:
    """`field` named with its label's words, unless it has a name given on purpose or words
    of its own (a button's "Yes, agreed", a label shown as the field), read as they are."""
    text = label_words(label_text)
    if not text:
        return
    if isinstance(field, (QLabel, QAbstractButton)) and field.text():
        return
    if not field.accessibleName() or field.property(_FROM_LABEL):
        field.setAccessibleName(text)
        field.setProperty(_FROM_LABEL, True)


def name_fields_from_labels(root: QWidget) -> None:
    """Every field under `root` that a label is the buddy of, named with that label's words."""
    for label in root.findChildren(QLabel):
        field = label.buddy()
        if field is not None:
            name_from_label(field, label.text())
