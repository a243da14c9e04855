"""The guide's sections, read from `resources/guide`: in the user's language where a
translation has the file, in English otherwise.

`index.json` gives the order (and a title for a file without a heading); each section is
`<id>.md`. A translated guide is a folder named for its language (`cy`, or `cy_GB` for one
country's), holding files of the same names, so one can be added without touching the code.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from branchdesk.resources import resource_dir

log = logging.getLogger(__name__)

# The ids other parts of the window link to: a guide without one of these is broken.
SECTION_IDS = (
    "getting-started",
    "members",
    "casework",
    "demands",
    "outsourcing",
    "hardship",
    "backups",
    "security",
    "shortcuts",
)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    markdown: str


def guide_dir() -> Path:
    return resource_dir() / "guide"


def language_folders(locale_name: str) -> list[str]:
    """The folders to look in first for `locale_name` ("cy_GB" gives "cy_GB", then "cy")."""
    name = locale_name.replace("-", "_")
    if not name or name in ("C", "POSIX"):
        return []
    language = name.split("_")[0]
    return [name] if language == name else [name, language]


def _title_of(markdown: str) -> str | None:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return None


def load_guide(locale_name: str, root: Path | None = None) -> list[Section]:
    """Every section listed in the index, in order; a missing file is left out (and logged)."""
    root = root or guide_dir()
    index = json.loads((root / "index.json").read_text(encoding="utf-8"))
    folders = [root / name for name in language_folders(locale_name)] + [root]
    sections = []
    for entry in index["sections"]:
        section_id = str(entry["id"])
        for folder in folders:
            path = folder / f"{section_id}.md"
            if path.is_file():
                markdown = path.read_text(encoding="utf-8")
                title = _title_of(markdown) or str(entry.get("title") or section_id)
                sections.append(Section(section_id, title, markdown))
                break
        else:
            log.warning("guide section %s has no file", section_id)
    return sections
