"""Every text the window shows can be translated, and a translation reaches all of it.

Three nets: a reading of the source for text handed to Qt without `translate()`, a run of
pyside6-lupdate that must find every translatable text, and a pseudo-translation (every text
⟦marked⟧) installed before the window is built, after which nothing but data may show unmarked.
"""

from __future__ import annotations

import ast
import calendar
import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import String, Text, select
from window_walk import OPENERS, visit_every_page

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "branchdesk" / "ui"

pytestmark = pytest.mark.timeout(180)

# -- reading the source -------------------------------------------------------------------------

# Strings with letters that are not words for a translator.
ALLOWED = frozenset(
    {
        "BranchDesk",
        "GBP",  # a currency code
        "XXXXX-XXXXX-XXXXX-XXXXX-…",  # the shape of a recovery code
    }
)
# Calls whose every string argument is shown to the user.
SHOWING_METHODS = frozenset(
    {
        "setText",
        "setWindowTitle",
        "setToolTip",
        "setStatusTip",
        "setWhatsThis",
        "setPlaceholderText",
        "setAccessibleName",
        "setAccessibleDescription",
        "setTitle",
        "setTabText",
        "setTabToolTip",
        "addTab",
        "insertTab",
        "addMenu",
        "setLabelText",
        "setInformativeText",
        "showMessage",
        "addRow",
        "insertRow",
        "setHorizontalHeaderLabels",
        "setVerticalHeaderLabels",
        "setHeaderLabels",
        "setSpecialValueText",
        "setPrefix",
        "setSuffix",
        "addItems",
        "setItemText",
        "setCancelButtonText",
    }
)
SHOWING_CONSTRUCTORS = frozenset(
    {
        "QLabel",
        "QPushButton",
        "QCheckBox",
        "QRadioButton",
        "QGroupBox",
        "QAction",
        "QToolButton",
        "QMenu",
        "QListWidgetItem",
        "QTableWidgetItem",
        "QMessageBox",
        "QProgressDialog",
        "QCommandLinkButton",
    }
)
# QMessageBox.information(parent, title, text) and the like.
STATIC_SHOWING = {
    "QMessageBox": frozenset({"information", "warning", "critical", "question", "about"}),
    "QInputDialog": frozenset({"getText", "getItem", "getInt", "getDouble", "getMultiLineText"}),
    "QFileDialog": frozenset(
        {"getOpenFileName", "getOpenFileNames", "getSaveFileName", "getExistingDirectory"}
    ),
}
# The dialog seam (DialogService): the positions and names of the shown arguments.
DIALOG_SEAM = {
    "info": ((1, 2), ("title", "text")),
    "error": ((1, 2), ("title", "text")),
    "confirm": ((1, 2), ("title", "text", "yes")),
    "open_file": ((1, 2), ("title", "filter")),
    "save_file": ((1, 3), ("title", "filter")),
}
# Parameters of the project's own helpers (heading(text), _button(text, name, tip)...) that
# end up on screen.
TEXT_PARAMETERS = frozenset(
    {
        "text",
        "title",
        "tip",
        "tooltip",
        "label",
        "intro",
        "heading",
        "caption",
        "ok",
        "yes",
        "placeholder",
        "link_text",
        "empty",
        "hint",
        "prompt",
        "message",
    }
)
TRANSLATING = frozenset({"translate", "QT_TRANSLATE_NOOP"})

_MARKUP = re.compile(r"<[^>]*>|&[a-zA-Z]+;|&#\d+;|\{[^{}]*\}|%[0-9.]*[sdifn]")


def ui_modules() -> list[Path]:
    return sorted(UI.rglob("*.py"))


def context_of(path: Path) -> str:
    """The translation context for a module: its dotted path under branchdesk/ui."""
    return ".".join(path.relative_to(UI).with_suffix("").parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def has_words(text: str) -> bool:
    if text.strip() in ALLOWED:
        return False
    return any(ch.isalpha() for ch in _MARKUP.sub("", text))


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _receiver(func: ast.expr) -> str:
    """`dialogs` for self.ctx.dialogs.info, `QMessageBox` for QMessageBox.warning."""
    if isinstance(func, ast.Attribute):
        return _call_name(func.value)
    return ""


class _Module:
    """One module's tree, with its module-level string constants."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        # NAME -> the plain (untranslatable) literals it holds: "Casework" or ("Name", "Date").
        self.plain: dict[str, list[str]] = {}
        # NAME -> the context of the QT_TRANSLATE_NOOP it holds.
        self.noop_context: dict[str, str] = {}
        for node in self.tree.body:
            target, value = _assignment(node)
            if target is None or value is None:
                continue
            literals = _plain_literals(value)
            if literals:
                self.plain[target] = literals
            if isinstance(value, ast.Call) and _call_name(value.func) == "QT_TRANSLATE_NOOP":
                ctx = value.args[0] if value.args else None
                if isinstance(ctx, ast.Constant) and isinstance(ctx.value, str):
                    self.noop_context[target] = ctx.value


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    return None, None


def _plain_literals(value: ast.expr) -> list[str]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return [value.value] if has_words(value.value) else []
    if isinstance(value, (ast.Tuple, ast.List)):
        found = []
        for element in value.elts:
            if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
                return []  # a mixed tuple is not a list of labels
            if has_words(element.value):
                found.append(element.value)
        return found
    return []


def _untranslated(node: ast.expr | None, module: _Module) -> list[str]:
    """The literals with words in an expression that reach the screen without translate()."""
    if node is None:
        return []
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) and has_words(node.value) else []
    if isinstance(node, ast.JoinedStr):
        parts = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return [f"f-string {ast.unparse(node)}"] if has_words(parts) else []
    if isinstance(node, ast.Name):
        return [f"{node.id} = {v!r}" for v in module.plain.get(node.id, [])]
    if isinstance(node, ast.BinOp):
        return _untranslated(node.left, module) + _untranslated(node.right, module)
    if isinstance(node, ast.IfExp):
        return _untranslated(node.body, module) + _untranslated(node.orelse, module)
    if isinstance(node, ast.BoolOp):
        return [text for value in node.values for text in _untranslated(value, module)]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [text for element in node.elts for text in _untranslated(element, module)]
    if isinstance(node, ast.Starred):
        return _untranslated(node.value, module)
    if isinstance(node, ast.Call):
        name = _call_name(node.func)
        if name in TRANSLATING:
            return []
        if isinstance(node.func, ast.Attribute) and name in ("format", "join", "strip"):
            # "Saved {n} members".format(...): the literal is the receiver.
            return _untranslated(node.func.value, module)
        if name in ("list", "tuple", "str"):
            return [text for arg in node.args for text in _untranslated(arg, module)]
    return []


Params = tuple[set[int], set[str]]


def _helper_parameters(modules: list[_Module]) -> dict[Path, dict[str, Params]]:
    """Project functions taking shown text, per module: name -> (positions at the call,
    parameter names)."""
    found: dict[Path, dict[str, Params]] = {}
    for module in modules:
        own = found.setdefault(module.path, {})
        for node in ast.walk(module.tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            params = [a.arg for a in node.args.posonlyargs + node.args.args]
            shift = 1 if params[:1] in (["self"], ["cls"]) else 0
            positions = {i - shift for i, p in enumerate(params) if p in TEXT_PARAMETERS}
            names = {p for p in params + [a.arg for a in node.args.kwonlyargs]}
            names &= TEXT_PARAMETERS
            if names:
                known = own.setdefault(node.name, (set(), set()))
                known[0].update(positions)
                known[1].update(names)
    return found


def _helper_for(
    call: ast.Call, module: Path, helpers: dict[Path, dict[str, Params]]
) -> Params | None:
    """The text parameters of the project function a call reaches: `heading(...)` defined
    here or imported, or `self._button(...)` defined in this module. `self.items.add(...)`
    and the like are someone else's methods."""
    func = call.func
    if isinstance(func, ast.Attribute):
        if not (isinstance(func.value, ast.Name) and func.value.id in ("self", "cls")):
            return None
        return helpers.get(module, {}).get(func.attr)
    if not isinstance(func, ast.Name):
        return None
    if func.id in helpers.get(module, {}):
        return helpers[module][func.id]
    elsewhere = [own[func.id] for own in helpers.values() if func.id in own]
    if not elsewhere:
        return None
    # Defined in several modules: only what every definition shows.
    positions = set.intersection(*(p for p, _ in elsewhere))
    names = set.intersection(*(n for _, n in elsewhere))
    return positions, names


def _is_icon(node: ast.expr) -> bool:
    """QIcon(...), tab_icon(title), self.style().standardIcon(...), icon: not text."""
    if isinstance(node, ast.Call):
        return "icon" in _call_name(node.func).lower()
    return isinstance(node, (ast.Name, ast.Attribute)) and "icon" in _call_name(node).lower()


def _shown_arguments(
    call: ast.Call, module: Path, helpers: dict[Path, dict[str, Params]]
) -> list[ast.expr]:
    """The arguments of a call that the user would see as they are."""
    name = _call_name(call.func)
    receiver = _receiver(call.func)
    args = list(call.args)
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if name in TRANSLATING:
        return []
    if receiver in STATIC_SHOWING and name in STATIC_SHOWING[receiver]:
        if receiver == "QFileDialog":  # (parent, title, directory, filter)
            return [a for i, a in enumerate(args) if i in (1, 3)] + [
                v for k, v in keywords.items() if k in ("caption", "filter")
            ]
        return args[1:] + list(keywords.values())
    if name in DIALOG_SEAM and "dialog" in receiver.lower():
        positions, names = DIALOG_SEAM[name]
        return [a for i, a in enumerate(args) if i in positions] + [
            v for k, v in keywords.items() if k in names
        ]
    if name in SHOWING_METHODS or name in SHOWING_CONSTRUCTORS:
        return args + [v for k, v in keywords.items() if k in ("text", "title", "label")]
    if name in ("addItem", "insertItem"):
        # addItem(text, data) or addItem(icon, text, data): the data is a code, not text.
        offset = 1 if name == "insertItem" else 0
        rest = args[offset:]
        shown = rest[1:2] if rest and _is_icon(rest[0]) else rest[:1]
        return shown + [v for k, v in keywords.items() if k == "text"]
    helper = _helper_for(call, module, helpers)
    if helper is not None:
        positions, names = helper
        return [a for i, a in enumerate(args) if i in positions] + [
            v for k, v in keywords.items() if k in names
        ]
    return []


def untranslated_text() -> list[str]:
    modules = [_Module(path) for path in ui_modules()]
    helpers = _helper_parameters(modules)
    problems = []
    for module in modules:
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            for arg in _shown_arguments(node, module.path, helpers):
                for text in _untranslated(arg, module):
                    call = _call_name(node.func)
                    problems.append(f"{_rel(module.path)}:{arg.lineno}: {call}() shows {text!r}")
    return problems


def test_text_handed_to_qt_goes_through_translate() -> None:
    problems = untranslated_text()
    assert not problems, (
        f"{len(problems)} texts reach the screen without translate() "
        "(wrap them in translate(context, ...), or QT_TRANSLATE_NOOP for constants):\n"
        + "\n".join(problems)
    )


def test_the_source_check_sees_what_it_should(tmp_path: Path) -> None:
    """The check above finds the mistakes it is for, and lets translated text through."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "TITLE = 'Casework'\n"
        "HEADINGS = QT_TRANSLATE_NOOP('x', 'Name')\n"
        "def _button(text, name, tip): ...\n"
        "def build(self, n):\n"
        "    self.setWindowTitle('Members')\n"  # 5
        "    QLabel(f'{n} cases', self)\n"  # 6
        "    self.tabs.addTab(page, TITLE)\n"  # 7
        "    _button('Save', 'saveButton', translate('x', 'Save it'))\n"  # 8
        "    self.ctx.dialogs.info(self, 'Saved', translate('x', 'Done'))\n"  # 9
        "    combo.addItem(translate('x', 'Open'), 'open')\n"
        "    combo.addItem('Closed', 'closed')\n"  # 11
        "    label.setText(translate('x', 'Due: {d}').format(d=n) + ' …')\n"
        "    label.setText('<b>%s</b>' % translate('x', HEADINGS))\n"
        "    log.info('started %s', n)\n"
    )
    module = _Module(sample)
    helpers = _helper_parameters([module])
    lines = sorted(
        arg.lineno
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Call)
        for arg in _shown_arguments(node, sample, helpers)
        if _untranslated(arg, module)
    )
    assert lines == [5, 6, 7, 8, 9, 11]


# -- lupdate ------------------------------------------------------------------------------------


def _translations_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "branchdesk_translations_script", ROOT / "packaging" / "translations.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Message:
    context: str
    source: str
    comment: str


def read_ts(path: Path) -> list[Message]:
    root = ET.parse(path).getroot()
    return [
        Message(
            context.findtext("name", ""),
            message.findtext("source", ""),
            message.findtext("comment", ""),
        )
        for context in root.iter("context")
        for message in context.iter("message")
    ]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The Welsh .ts that `packaging/translations.py update` makes, and what lupdate said."""
    folder = tmp_path_factory.mktemp("translations")
    outputs = _translations_script().update(folder)
    return folder / "branchdesk_cy.ts", "".join(outputs)


def _translate_calls() -> tuple[set[Message], list[str]]:
    """What lupdate should find in the source, and the calls it cannot read (it drops them
    without a word: a context or text that is not a literal is never offered to translators)."""
    wanted: set[Message] = set()
    problems: list[str] = []
    modules = {context_of(p) for p in ui_modules()}
    for path in ui_modules():
        module = _Module(path)
        own = context_of(path)
        for node in ast.walk(module.tree):
            if not (isinstance(node, ast.Call) and _call_name(node.func) in TRANSLATING):
                continue
            if _call_name(node.func) == "translate" and isinstance(node.func, ast.Attribute):
                continue  # QCoreApplication.translate inside i18n itself
            where = f"{_rel(path)}:{node.lineno}"
            args = node.args
            ctx = args[0] if args else None
            text = args[1] if len(args) > 1 else None
            if not (isinstance(ctx, ast.Constant) and isinstance(ctx.value, str)):
                if path.name != "i18n.py":
                    problems.append(f"{where}: the context is not a literal string")
                continue
            if isinstance(text, ast.Constant) and isinstance(text.value, str):
                # Text is looked up where it is shown; a constant marked with NOOP may be
                # shown by another module (a base class), in that module's context.
                noop = _call_name(node.func) == "QT_TRANSLATE_NOOP"
                if ctx.value != own and not (noop and ctx.value in modules):
                    problems.append(f"{where}: context {ctx.value!r} should be {own!r}")
                comment = args[2] if len(args) > 2 else None
                note = comment.value if isinstance(comment, ast.Constant) else None
                wanted.add(Message(ctx.value, text.value, note or ""))
            elif isinstance(text, (ast.JoinedStr, ast.BinOp)):
                problems.append(f"{where}: the text is built, not a literal: {ast.unparse(text)}")
            elif isinstance(text, ast.Name) and text.id in module.plain:
                problems.append(f"{where}: {text.id} is not wrapped in QT_TRANSLATE_NOOP")
            elif (
                isinstance(text, ast.Name)
                and text.id in module.noop_context
                and module.noop_context[text.id] != ctx.value
            ):
                problems.append(
                    f"{where}: {text.id} was marked in context "
                    f"{module.noop_context[text.id]!r}, looked up in {ctx.value!r}"
                )
    return wanted, problems


def test_lupdate_finds_every_text(extracted: tuple[Path, str]) -> None:
    ts, output = extracted
    messages = read_ts(ts)
    assert ET.parse(ts).getroot().get("language") == "cy_GB"
    assert "warning" not in output.lower(), output
    contexts = {m.context for m in messages}
    modules = {context_of(p) for p in ui_modules()}
    assert contexts <= modules, f"contexts that are not ui modules: {sorted(contexts - modules)}"
    wanted, problems = _translate_calls()
    missing = wanted - set(messages)
    problems += [f"lupdate missed {m.context}: {m.source!r}" for m in sorted(missing, key=str)]
    assert not problems, "\n".join(problems)
    assert len(messages) > 300, f"only {len(messages)} texts are translatable"


def test_every_message_starts_unfinished(extracted: tuple[Path, str]) -> None:
    root = ET.parse(extracted[0]).getroot()
    translations = list(root.iter("translation"))
    assert translations
    assert {t.get("type") for t in translations} == {"unfinished"}


# -- a pseudo-translation, end to end -----------------------------------------------------------

OPEN, CLOSE = "⟦", "⟧"
_INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_WORD = re.compile(r"[^\W\d_]+")
# A file's or folder's path (POSIX or Windows) or a web address, inside a shown text.
_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s'\"]+|https?://\S+")


def pseudo_translate(ts: Path) -> None:
    """Fill every translation with its source text between marks, ready to ship."""
    tree = ET.parse(ts)
    for message in tree.getroot().iter("message"):
        source = message.findtext("source", "")
        translation = message.find("translation")
        assert translation is not None
        translation.attrib.pop("type", None)
        forms = translation.findall("numerusform")
        if message.get("numerus") == "yes":
            for form in forms or [ET.SubElement(translation, "numerusform")]:
                form.text = OPEN + source + CLOSE
        else:
            translation.text = OPEN + source + CLOSE
    tree.write(ts, encoding="utf-8", xml_declaration=True)


def unmarked(text: str) -> str:
    """What is left of a text once everything translated is taken out."""
    previous = None
    while previous != text:
        previous, text = text, _INNERMOST.sub(" ", text)
    return _MARKUP.sub(" ", text)


@pytest.fixture
def pseudo_welsh(qapp: Any, tmp_path: Path) -> Iterator[Path]:
    """Every text ⟦marked⟧, installed as the Welsh translation for one test."""
    from branchdesk.ui.i18n import install_translators, remove_translators

    script = _translations_script()
    folder = tmp_path / "translations"
    script.update(folder)
    pseudo_translate(folder / "branchdesk_cy.ts")
    [qm] = script.release(folder)
    installed = install_translators(qapp, "cy", folder=folder)
    try:
        assert installed, "the pseudo-translation did not load"
        yield qm
    finally:
        remove_translators(qapp)


def test_install_translators_follows_the_language(
    qapp: Any, pseudo_welsh: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from branchdesk.ui.i18n import install_translators, remove_translators, translate

    context, source = next(
        (m.context, m.source) for m in read_ts(pseudo_welsh.with_suffix(".ts")) if not m.comment
    )
    assert translate(context, source) == OPEN + source + CLOSE
    # cy_GB finds branchdesk_cy.qm; the environment chooses when no language is given.
    monkeypatch.setenv("BRANCHDESK_LANGUAGE", "cy_GB")
    assert install_translators(qapp, folder=pseudo_welsh.parent)
    assert translate(context, source) == OPEN + source + CLOSE
    # English, or a language with no translation, leaves the source text.
    assert install_translators(qapp, "en_GB", folder=pseudo_welsh.parent) == []
    assert translate(context, source) == source
    assert install_translators(qapp, "fr", folder=pseudo_welsh.parent) == []
    assert install_translators(qapp, "cy", folder=pseudo_welsh.parent)
    remove_translators(qapp)
    assert translate(context, source) == source
    # A Welsh file with nothing translated yet (as the .ts starts) is as good as none.
    script = _translations_script()
    script.update(tmp_path / "untranslated")
    script.release(tmp_path / "untranslated")
    assert install_translators(qapp, "cy", folder=tmp_path / "untranslated") == []


# A stored code ("open", "pay_and_grading") is shown through a label, never as it is.
_CODE = re.compile(r"[a-z0-9_]+")


def _data_values(db: Any) -> list[str]:
    """Every text stored in the database (names, employers, titles, notes), longest first.
    The audit log is left out: it stores field names, which would pass for words."""
    from branchdesk.schema import Base

    values: set[str] = set()
    with db.read() as session:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            if not columns or "audit" in table.name:
                continue
            for row in session.execute(select(*columns)):
                values.update(v for v in row if isinstance(v, str) and len(v.strip()) > 1)
    values = {v for v in values if not _CODE.fullmatch(v) and _WORD.search(v)}
    return sorted(values, key=len, reverse=True)


def _where(obj: Any, top: Any) -> str:
    """`[casework.cases_page] caseSplitter/casesTable`: the module that made the widget (the
    nearest ancestor of a BranchDesk class), then its objectName or class path."""
    parts, owner = [], ""
    while obj is not None:
        if not owner and type(obj).__module__.startswith("branchdesk.ui."):
            owner = type(obj).__module__.removeprefix("branchdesk.ui.")
        if obj is top:
            break
        if not obj.objectName().startswith("qt_"):
            parts.append(obj.objectName() or type(obj).__name__)
        obj = obj.parent()
    return f"[{owner or '?'}] " + "/".join(reversed(parts))


def _is_qt_own(obj: Any) -> bool:
    name = obj.objectName()
    return name.startswith(("qt_", "_q_")) or name in ("ScrollLeftButton", "ScrollRightButton")


def shown_texts(window: Any) -> list[tuple[str, str]]:
    """(where, text) for what the window shows now: titles, menus, actions, tabs, labels,
    buttons, headings, placeholders and tooltips."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import (
        QAbstractButton,
        QDialogButtonBox,
        QGroupBox,
        QLabel,
        QLineEdit,
        QMenu,
        QTableView,
        QTabWidget,
        QTreeView,
        QWidget,
    )

    found: list[tuple[str, str]] = [("window title", window.windowTitle())]
    status = getattr(window, "statusBar", None)
    if status is not None:
        found.append(("status bar", status().currentMessage()))
    actions = set(window.findChildren(QAction))
    for widget in [window, *window.findChildren(QWidget)]:
        actions.update(QWidget.actions(widget))  # a tab may have an `actions` of its own
    for action in actions:
        if action.isSeparator() or _is_qt_own(action):
            continue
        where = f"{_where(action, window)} action {action.text()!r}"
        found += [(where, action.text()), (where, action.toolTip()), (where, action.statusTip())]
    for menu in window.findChildren(QMenu):
        found.append((_where(menu, window), menu.title()))
    for widget in window.findChildren(QWidget):
        if _is_qt_own(widget) or not widget.isVisibleTo(window):
            continue
        where = _where(widget, window)
        found.append((where, widget.toolTip()))
        if isinstance(widget, QLabel):
            found.append((where, widget.text()))
        elif isinstance(widget, QAbstractButton):
            box = widget.parent()
            if isinstance(box, QDialogButtonBox) and box.standardButton(widget) != (
                QDialogButtonBox.StandardButton.NoButton
            ):
                continue  # OK, Cancel: Qt's own translation
            found.append((where, widget.text()))
        elif isinstance(widget, QGroupBox):
            found.append((where, widget.title()))
        elif isinstance(widget, QLineEdit):
            found.append((where, widget.placeholderText()))
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                found += [(where, widget.tabText(i)), (where, widget.tabToolTip(i))]
        elif isinstance(widget, (QTableView, QTreeView)) and widget.model() is not None:
            model = widget.model()
            header = widget.header() if isinstance(widget, QTreeView) else widget.horizontalHeader()
            for column in range(header.count()):
                if header.isSectionHidden(column) or header.isHidden():
                    continue
                heading = model.headerData(column, Qt.Orientation.Horizontal)
                if isinstance(heading, str):
                    found.append((f"{where} heading {column}", heading))
    return [(where, text) for where, text in found if text]


def _domain_sentences() -> list[str]:
    """Sentences written outside the window (a retention rule's reason, a deadline rule's
    source): shown as they are, like the registers' other messages."""
    found: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, str) and len(value.split()) >= 4:
            found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    package = ROOT / "branchdesk"
    for path in package.rglob("*.py"):
        if UI not in path.parents:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant):
                    collect(node.value)
    for path in package.rglob("*.json"):
        collect(json.loads(path.read_text(encoding="utf-8")))
    return sorted(found, key=len, reverse=True)


class Untranslated:
    """Looks at what is shown and keeps every text that is neither ⟦marked⟧ nor data."""

    def __init__(self, db: Any, *extra: str) -> None:
        from branchdesk import __version__

        self.values = [str(db.path), __version__, *extra, *_data_values(db)]
        self.values += _domain_sentences()
        # Dates are data too: "29 Nov 2026".
        self.words = {"BranchDesk", *calendar.month_name[1:], *calendar.month_abbr[1:]}
        self.words |= {*calendar.day_name[:], *calendar.day_abbr[:]}
        self.marked = 0
        self.found: dict[str, None] = {}
        self._checked: dict[str, bool] = {}

    def _only_data(self, text: str) -> bool:
        left = unmarked(text)
        for value in self.values:
            if value in left:
                left = left.replace(value, " ")
        left = _PATH.sub(" ", left)  # a file's or folder's path, a web address
        return all(word in self.words for word in _WORD.findall(left))

    def text(self, where: str, text: str) -> None:
        self.marked += OPEN in text
        if text not in self._checked:
            self._checked[text] = self._only_data(text)
        if not self._checked[text]:
            self.found[f"{where}: {text!r}"] = None

    def look(self, top: Any) -> None:
        for where, text in shown_texts(top):
            self.text(where, text)

    def report(self) -> str:
        lines = sorted(self.found)
        return f"{len(lines)} texts show untranslated:\n" + "\n".join(lines)


class RecordingDialogs:
    """The dialog service's seam for these tests: messages are kept to be checked, and each
    dialog is shown, handed to `inspect`, then cancelled."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str]] = []
        self.inspect: Any = None

    def _say(self, kind: str, *texts: str) -> None:
        self.said += [(f"[{kind}]", t) for t in texts if t]

    def confirm(self, parent: Any, title: str, text: str, *, yes: str = "") -> bool:
        self._say("confirm", title, text, yes)
        return True  # closing the window at the end may ask

    def error(self, parent: Any, title: str, text: str, details: str = "") -> None:
        self._say("error", title, text)

    def info(self, parent: Any, title: str, text: str) -> None:
        self._say("info", title, text)

    def open_file(self, parent: Any, title: str, filter: str, directory: Any = "") -> None:
        self._say("open_file", title, filter)

    def save_file(self, parent: Any, title: str, suggested: Any, filter: str) -> None:
        self._say("save_file", title, filter)

    def run_dialog(self, dialog: Any) -> bool:
        if self.inspect is not None:
            dialog.show()
            self.inspect(dialog)
        dialog.reject()
        return False

    def open_folder(self, path: Path) -> bool:
        return True


@pytest.fixture
def demo_window(qtbot: Any, pseudo_welsh: Path, db: Any, tmp_path: Path) -> Any:
    """The main window on the demo branch, built with every text ⟦marked⟧."""
    from branchdesk.demo import fill_demo
    from branchdesk.settings import Preferences
    from branchdesk.ui.context import AppContext
    from branchdesk.ui.main_window import MainWindow
    from branchdesk.ui.worker import Worker

    fill_demo(db, "small", 1)
    prefs = Preferences(tmp_path / "config" / "preferences.json")
    prefs.set("branch_name", "Northmoor Demo Branch")
    prefs.set("officer_name", "Test Officer")
    worker = Worker(synchronous=True)
    dialogs: Any = RecordingDialogs()
    ctx = AppContext(db=db, preferences=prefs, dialogs=dialogs, worker=worker)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.registers_built and not window.loading_pages)
    return window


def test_a_translation_reaches_every_text_in_the_window(qtbot: Any, demo_window: Any) -> None:
    window = demo_window
    found = Untranslated(window.ctx.db, "Northmoor Demo Branch", "Test Officer")
    visit_every_page(qtbot, window, lambda: found.look(window))
    assert window.windowTitle().startswith(OPEN)
    assert found.marked > 100, "the pseudo-translation hardly shows: is it installed?"
    assert not found.found, found.report()


def test_a_translation_reaches_every_text_in_the_main_dialogs(qtbot: Any, demo_window: Any) -> None:
    window = demo_window
    dialogs = window.ctx.dialogs
    found = Untranslated(window.ctx.db, "Northmoor Demo Branch", "Test Officer")
    opened: list[str] = []

    def inspect(dialog: Any) -> None:
        opened.append(type(dialog).__name__)
        visit_every_page(qtbot, dialog, lambda: found.look(dialog))

    dialogs.inspect = inspect
    for path in OPENERS:
        target: Any = window
        for part in path.split("."):
            target = getattr(target, part, None)
        owner = getattr(target, "__self__", None)
        if target is None or (hasattr(owner, "isEnabled") and not owner.isEnabled()):
            continue
        target()
    for where, text in dialogs.said:
        found.text(where, text)
    assert len(opened) >= len(OPENERS) - 4, opened
    assert not found.found, found.report()


def test_the_window_check_sees_what_it_should(qtbot: Any, db: Any) -> None:
    """Marked text and data pass; English left as it is, in a label, a tooltip or a column
    heading, is caught."""
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    layout.addWidget(QLabel(f"{OPEN}Member: {{name}}{CLOSE}".format(name="Ada Lowmoor")))
    layout.addWidget(QLabel("Ada Lowmoor · 12 Mar 2026 · /tmp/branch.sqlite3"))
    layout.addWidget(QLabel("Cases for this member"))
    button = QPushButton(f"{OPEN}Save{CLOSE}")
    button.setToolTip("Save the member")
    layout.addWidget(button)
    model = QStandardItemModel(0, 2)
    model.setHorizontalHeaderLabels([f"{OPEN}Name{CLOSE}", "Joined"])
    table = QTableView()
    table.setObjectName("membersTable")
    table.setModel(model)
    layout.addWidget(table)
    page.show()
    qtbot.waitExposed(page)

    found = Untranslated(db, "Ada Lowmoor")
    found.look(page)
    assert sorted(text.split(": ", 1)[1] for text in found.found) == [
        "'Cases for this member'",
        "'Joined'",
        "'Save the member'",
    ]
    assert found.marked == 3
