"""Field schemas shipped for the forms the seed procedures name (the document controller adopts or edits them
in a form revision)."""
from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent


def codes() -> list[str]:
    return sorted(p.stem for p in FOLDER.glob("*.txt"))


def text_for(code: str) -> str:
    """The shipped schema text of a form code ("" when none is shipped)."""
    for path in FOLDER.glob("*.txt"):
        if path.stem.upper() == (code or "").upper():
            return "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("//")) + "\n"
    return ""


def title_for(code: str) -> str:
    """The form's title, from the comment on the first line of its file."""
    for path in FOLDER.glob("*.txt"):
        if path.stem.upper() == (code or "").upper():
            first = path.read_text(encoding="utf-8").splitlines()[0]
            return first.lstrip("/ ").split(" (")[0].strip()
    return ""
