"""Excel exports: write-only workbooks streamed row by row, text never turned into formulas."""
from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_value(value: Any) -> Any:
    """A cell value that Excel will show as written: text starting like a formula gets a quote."""
    if isinstance(value, str):
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
        return value
    if value is None or isinstance(value, (int, float, date, datetime)):
        return value
    return str(value)


def build_workbook(sheet_title: str, headers: list[str], rows: Iterable[Iterable[Any]], widths: list[int] | None = None) -> bytes:
    """An .xlsx with one sheet: a bold header row, then the rows as they come."""
    buffer = io.BytesIO()
    write_workbook(buffer, sheet_title, headers, rows, widths)
    return buffer.getvalue()


def write_workbook(target, sheet_title: str, headers: list[str], rows: Iterable[Iterable[Any]],
                   widths: list[int] | None = None) -> None:
    """Stream rows into an .xlsx at `target` (a path or a binary file): openpyxl write-only, one row in memory."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    if widths:
        from openpyxl.utils import get_column_letter

        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(ws, value=safe_value(title))
        cell.font = Font(bold=True)
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([safe_value(v) for v in row])
    wb.save(target)


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
