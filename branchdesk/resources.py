"""Where the files shipped beside the code are: icons, the user guide, translations.

`resources/` sits next to the `branchdesk` package in the source tree (and so in an editable
install); a PyInstaller bundle carries it inside the bundle, under `sys._MEIPASS`.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resource_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"
