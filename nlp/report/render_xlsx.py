"""Render a :class:`~nlp.report.document.Report` as an xlsx workbook.

The front sections (README, 主な所見 …) become one sheet each, their blocks stacked from the top;
then every table sheet: its title and what it counts above a frozen header row, an autofilter,
number formats (#,##0 for counts, 0.0% for shares), 秘匿 instead of any suppressed number, the
注記 column (参考値), and its charts beside the table.
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from nlp.report.document import (
    NUMERIC_KINDS, REFERENCE_MARK, SUPPRESSED_MARK, Link, Notes, Report, Section, Table,
)

FONT = "Meiryo UI"
HEADER_ROW = 4  # 0-based: title, description, note, blank, header
COLUMN_WIDTH = {"text": 16, "count": 12, "share": 12, "number": 12, "decimal": 11, "pt": 10, "note": 10}
CHART_SCALE = 0.55
NUM_FORMATS = {"count": "#,##0", "share": "0.0%", "number": "0.000", "decimal": "0.000",
               "pt": '+0.0"pt";-0.0"pt";0.0"pt"'}


def _formats(book) -> dict:
    base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
    fmt = {
        "title": book.add_format({**base, "bold": True, "font_size": 14, "font_color": "#0072B2"}),
        "note": book.add_format({**base, "font_color": "#555555"}),
        "header": book.add_format({**base, "bold": True, "bg_color": "#DCE9F5", "border": 1, "text_wrap": True}),
        "text": book.add_format({**base, "border": 1}),
        "wrap": book.add_format({**base, "border": 1, "text_wrap": True, "valign": "top"}),
        "masked": book.add_format({**base, "border": 1, "align": "right", "font_color": "#777777", "bg_color": "#EEEEEE"}),
        "ref": book.add_format({**base, "border": 1, "font_color": "#B35900"}),
    }
    for kind, num_format in NUM_FORMATS.items():
        fmt[kind] = book.add_format({**base, "border": 1, "num_format": num_format})
    return fmt


def render_xlsx(report: Report, path: Path) -> Path:
    """Write the workbook to ``path`` and return it."""
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    fmt = _formats(book)
    for section in report.front:
        _front_sheet(book.add_worksheet(section.title), fmt, section)
    for table in report.sheets:
        _table_sheet(book.add_worksheet(table.sheet), fmt, table)
    book.close()
    return path


def _page_setup(sheet) -> None:
    """Printing (and PDF export): landscape A4, one page wide."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)


def _write(sheet, fmt, row: int, col: int, value: object, kind: str) -> None:
    if isinstance(value, Link):
        sheet.write_url(row, col, f"internal:'{value.sheet}'!A1", string=value.text)
    elif kind == "merged":
        sheet.merge_range(row, col, row, col + 1, value, fmt["text"])
    elif isinstance(value, str):
        style = "masked" if value == SUPPRESSED_MARK else "ref" if value == REFERENCE_MARK else (
            "wrap" if kind == "wrap" else "text")
        sheet.write_string(row, col, value, fmt[style])
    elif kind in NUMERIC_KINDS:
        sheet.write_number(row, col, value, fmt[kind])
    else:
        sheet.write(row, col, value, fmt["text"])


def _front_sheet(sheet, fmt, section: Section) -> None:
    """Blocks from the top: Notes one line a row (styled), Tables with their header row."""
    widths = next((b.widths for b in section.blocks if isinstance(b, Table) and b.widths), ())
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    row = 0
    for block in section.blocks:
        if isinstance(block, Notes):
            for line in block.lines:
                if line:
                    sheet.write(row, 0, line, fmt[block.style if block.style in fmt else "note"])
                row += 1
        elif isinstance(block, Table):
            if block.headers:
                for col, header in enumerate(block.headers):
                    sheet.write(row, col, header, fmt["header"])
                row += 1
                if section.key == "findings":
                    sheet.freeze_panes(row, 0)
            for values in block.rows:
                if section.key == "findings" and values:
                    lines = max(1, -(-len(str(values[0])) * 2 // 100))  # 100-character column, full-width = 2
                    sheet.set_row(row, 15 * lines + 3)
                for col, (value, kind) in enumerate(zip(values, block.kinds)):
                    _write(sheet, fmt, row, col, value, kind)
                row += 1
    _page_setup(sheet)


def _table_sheet(sheet, fmt, table: Table) -> None:
    sheet.write(0, 0, table.heading or table.title, fmt["title"])
    sheet.write(1, 0, table.description, fmt["note"])
    if table.legend:
        sheet.write(2, 0, table.legend, fmt["note"])
    for col, (header, kind) in enumerate(zip(table.headers, table.kinds)):
        sheet.write(HEADER_ROW, col, header, fmt["header"])
        width = table.widths[col] if col < len(table.widths) else COLUMN_WIDTH.get(kind, 14)
        sheet.set_column(col, col, width)
    cell_kinds = [("wrap" if table.wrap and k == "text" else k) for k in table.kinds]
    for i, values in enumerate(table.rows, start=HEADER_ROW + 1):
        for col, (value, kind) in enumerate(zip(values, cell_kinds)):
            _write(sheet, fmt, i, col, value, kind)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.repeat_rows(HEADER_ROW)
    _page_setup(sheet)
    if table.rows:
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + len(table.rows), len(table.headers) - 1)
    offset = 0
    for chart in table.charts:
        if Path(chart.path).exists():
            sheet.insert_image(HEADER_ROW, len(table.headers) + 1, str(chart.path),
                               {"x_scale": CHART_SCALE, "y_scale": CHART_SCALE, "y_offset": offset, "object_position": 3})
            offset += int(_height(chart.path) * CHART_SCALE) + 10


def _height(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as image:
        return image.size[1]
