"""Word-level differences between two revisions' texts."""
from __future__ import annotations

import difflib

from markupsafe import Markup, escape


def diff_html(old: str, new: str) -> Markup:
    """Word-level differences between two texts, as <del>/<ins> marked HTML."""
    a, b = old.split(), new.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape(" ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            out.append(Markup("<del>%s</del>") % " ".join(a[i1:i2]))
        if op in ("insert", "replace"):
            out.append(Markup("<ins>%s</ins>") % " ".join(b[j1:j2]))
    return Markup(" ").join(out)
