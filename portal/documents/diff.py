"""Differences between two revisions' texts: paragraph by paragraph, words marked inside a changed paragraph."""
from __future__ import annotations

import difflib
from dataclasses import dataclass

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


@dataclass
class Paragraph:
    kind: str  # "same" | "changed" | "added" | "removed"
    html: Markup


def diff_paragraphs(old: list[str], new: list[str]) -> list[Paragraph]:
    """The paragraphs of both texts in order: kept ones as they are, changed ones with their words marked, added and
    removed ones whole. A changed paragraph is paired with the one it replaces, never merged with its neighbours."""
    out: list[Paragraph] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(Paragraph("same", escape(p)) for p in old[i1:i2])
            continue
        gone, came = old[i1:i2], new[j1:j2]
        paired = min(len(gone), len(came)) if op == "replace" else 0
        for a, b in zip(gone[:paired], came[:paired]):
            similar = difflib.SequenceMatcher(a=a.split(), b=b.split(), autojunk=False).ratio() >= 0.4
            if similar:
                out.append(Paragraph("changed", diff_html(a, b)))
            else:
                out.append(Paragraph("removed", Markup("<del>%s</del>") % a))
                out.append(Paragraph("added", Markup("<ins>%s</ins>") % b))
        out.extend(Paragraph("removed", Markup("<del>%s</del>") % p) for p in gone[paired:])
        out.extend(Paragraph("added", Markup("<ins>%s</ins>") % p) for p in came[paired:])
    return out
