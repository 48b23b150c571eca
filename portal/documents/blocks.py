"""A section's text as the blocks people read: paragraphs and tables (never pipe-separated lines), and a mark where
the original had a diagram that the text cannot carry.

A section is stored as text (paragraphs separated by blank lines; a table row as cells joined by " | ") and, when the
importer read a table, with its cells ("rows"), which keep cells of several lines (the steps of a swimlane). Nothing
here changes what is stored or signed: it only decides how the stored text is shown."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

SEP = " | "
# A numbered heading that announces a drawing ("8.1. Diagram Proses", "Flowchart", "Bagan alir").
DIAGRAM_RE = re.compile(r"\b(diagram|flow\s*chart|bagan\s+alir|alur\s+proses\s+\(gambar\)|gambar)\b", re.I)


@dataclass
class Block:
    kind: str  # "para" | "table"
    text: str = ""  # a paragraph (lines kept)
    head: list[str] = field(default_factory=list)  # a table's first row
    rows: list[list[str]] = field(default_factory=list)  # the other rows; a cell may hold several lines
    diagram: bool = False  # the original drew something here (swimlane lanes, a flowchart) that the text lost


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("|")]


def _is_row(line: str) -> bool:
    return SEP.strip() in line and len([c for c in _cells(line) if c]) >= 2


def _swimlane(rows: list[list[str]]) -> bool:
    """Lanes left empty with the text in the last column: the flowchart's boxes and arrows were a drawing."""
    return any(len(r) >= 3 and not any(c.strip() for c in r[:-1]) and r[-1].strip() for r in rows)


def _table(all_rows: list[list[str]]) -> Block:
    width = max(len(r) for r in all_rows)
    padded = [r + [""] * (width - len(r)) for r in all_rows]
    head, rows = (padded[0], padded[1:]) if len(padded) > 1 else ([], padded)
    return Block("table", head=head, rows=rows, diagram=_swimlane(rows))


def _from_imported_rows(body: str, rows: list[list[str]]) -> list[Block] | None:
    """The body with the imported table put back in its place (None when the text no longer holds the table)."""
    table_lines = set()
    for row in rows:
        table_lines.add(SEP.join(c.strip() for c in row if c.strip()))
        for cell in row:
            table_lines.update(line.strip() for line in cell.split("\n") if line.strip())
    lines = {line.strip() for line in body.split("\n")}

    def in_text(row):
        return SEP.join(c.strip() for c in row if c.strip()) in lines or all(
            line.strip() in lines for cell in row for line in cell.split("\n") if line.strip())

    if SEP.join(c.strip() for c in rows[0] if c.strip()) not in lines or not all(in_text(r) for r in rows):
        return None  # edited since the import: the text is the truth
    blocks: list[Block] = []
    placed = False
    for para in body.split("\n\n"):
        kept: list[str] = []
        for line in para.split("\n"):
            if line.strip() in table_lines:
                if kept:
                    blocks.append(Block("para", text="\n".join(kept)))
                    kept = []
                if not placed:
                    blocks.append(_table([[c.strip() for c in r] for r in rows]))
                    placed = True
                continue
            kept.append(line)
        if any(k.strip() for k in kept):
            blocks.append(Block("para", text="\n".join(kept).strip()))
    return blocks


def _from_text(body: str) -> list[Block]:
    blocks: list[Block] = []
    for para in body.split("\n\n"):
        if not para.strip():
            continue
        kept: list[str] = []
        table: list[list[str]] = []
        for line in para.split("\n"):
            if _is_row(line):
                if kept:
                    blocks.append(Block("para", text="\n".join(kept)))
                    kept = []
                table.append(_cells(line))
                continue
            if table:
                blocks.append(_table(table))
                table = []
            kept.append(line)
        if table:
            blocks.append(_table(table))
        if any(k.strip() for k in kept):
            blocks.append(Block("para", text="\n".join(kept).strip()))
    return blocks


def _mark_lost_diagrams(blocks: list[Block]) -> list[Block]:
    """A paragraph that only names a drawing ("8.1. Diagram Proses") with nothing under it: the drawing was lost."""
    for k, block in enumerate(blocks):
        if block.kind != "para" or "\n" in block.text.strip() or len(block.text) > 80:
            continue
        following = blocks[k + 1] if k + 1 < len(blocks) else None
        if DIAGRAM_RE.search(block.text) and (following is None or (following.kind == "para"
                                                                     and re.match(r"^\d+(\.\d+)+\.?\s", following.text))):
            block.diagram = True
    return blocks


def section_blocks(section: dict) -> list[Block]:
    """The blocks of one stored section ({"number", "title", "body", optionally "rows"})."""
    body = (section.get("body") or "").strip()
    rows = section.get("rows") or []
    blocks = None
    if rows and any(any(c.strip() for c in r) for r in rows):
        blocks = _from_imported_rows(body, rows)
    if blocks is None:
        blocks = _from_text(body)
    return _mark_lost_diagrams(blocks)


def paragraphs(section: dict | None) -> list[str]:
    """The section as the units the diff compares: its heading, each line of its paragraphs, each table row (a cell
    of several lines gives one unit per line)."""
    if not section:
        return []
    out = [section.get("title") or ""]
    for block in section_blocks(section):
        if block.kind == "para":
            out.extend(line.strip() for line in block.text.split("\n"))
            continue
        for row in ([block.head] if block.head else []) + block.rows:
            single = [c for c in row if c and "\n" not in c]
            if single:
                out.append(SEP.join(single))
            for cell in (c for c in row if "\n" in c):
                out.extend(line.strip() for line in cell.split("\n"))
    return [p for p in out if p]
