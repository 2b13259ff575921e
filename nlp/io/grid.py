"""A file as a grid of cells, and its header found under title rows.

One reading for consultations and surveys: :func:`read_grids` turns a CSV/TSV (delimiter
sniffed), every non-empty XLSX sheet (merged cells filled), a JSONL or a Parquet file into
``(row number, cells)`` grids; :func:`find_header` finds the header among the first
:data:`HEADER_SCAN_ROWS` rows (one row, or two stacked rows under a merged group header) by a
score the caller gives (how many columns it recognises). JSONL and Parquet grids are *keyed*:
their first row (number 0) is the keys, and there is no header to search.

Row numbers are what a user sees: the spreadsheet row for CSV and XLSX (the header row counts),
the line for JSONL and the record for Parquet, all from 1.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Callable

from nlp.io.formats import InputError, Source, decode

HEADER_SCAN_ROWS = 30
Grid = list[tuple[int, list[Any]]]


@dataclass
class Grids:
    """What a file holds: one grid per sheet read (the sheet's name, or None), and lines refused."""

    source: Source
    encoding: str | None
    sheets: list[tuple[str | None, Grid]]
    keyed: bool = False
    bad_rows: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, column, kind, reason


@dataclass
class Header:
    """Where the header is in the rows searched: its first row, its height (1 or 2) and cells."""

    index: int
    height: int
    cells: list[Any]
    score: float


def read_grids(source: Source, *, sheet: str | None = None, encoding: str | None = None) -> Grids:
    """The grids of a csv, xlsx, jsonl or parquet source.

    Args:
        sheet: the one XLSX sheet to read (default every sheet with a value).
        encoding: force the text encoding of a CSV or JSONL file.

    Raises:
        InputError: undecodable text, a broken file, a missing sheet, no sheet with a value, or a
            JSONL file none of whose lines is a JSON object.
    """
    path, data = source.path, source.data
    if source.format == "xlsx":
        return Grids(source, None, _xlsx_sheets(source, sheet))
    if source.format == "parquet":
        return Grids(source, None, [(None, _parquet_grid(source))], keyed=True)
    text, used = decode(data, path.name, encoding)
    if source.format == "jsonl":
        grid, bad_rows = _jsonl_grid(source, text)
        return Grids(source, used, [(None, grid)], keyed=True, bad_rows=bad_rows)
    return Grids(source, used, [(None, _csv_grid(source, text))])


def _csv_grid(source: Source, text: str) -> Grid:
    if "\x00" in text:
        text = text.replace("\x00", "")  # a stray NUL is a control character like any other
    sample = text[:20000].splitlines()[:20]
    delimiter = "\t" if source.path.suffix.lower() == ".tsv" else max(",\t;", key=lambda d: sum(line.count(d) for line in sample))
    csv.field_size_limit(1 << 30)  # a 200 KB paste in one cell is real input
    try:
        return list(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1))
    except csv.Error as error:
        raise InputError(f"{source.path.name}: CSV として読めません（{error}）") from None


def _xlsx_sheets(source: Source, sheet: str | None) -> list[tuple[str | None, Grid]]:
    import openpyxl

    name = source.path.name
    try:
        book = openpyxl.load_workbook(io.BytesIO(source.data), data_only=True)
    except Exception:  # noqa: BLE001 — zip, XML and openpyxl errors all mean the same to a user
        raise InputError(f"{name}: Excel ファイルとして開けません（壊れているか、別の形式のファイルです）") from None
    if sheet is not None:
        if sheet not in book.sheetnames:
            raise InputError(f"{name}: シート '{sheet}' がありません（あるシート: {', '.join(book.sheetnames)}）")
        sheets = [book[sheet]]
    else:
        sheets = [ws for ws in book.worksheets if ws.max_row > 1 or ws.max_column > 1 or ws.cell(1, 1).value is not None]
        if not sheets:
            raise InputError(f"{name}: ファイルが空です（どのシートにも値がありません）")
    return [(ws.title, sheet_grid(ws)) for ws in sheets]


def sheet_grid(sheet: Any) -> Grid:
    """All rows of a sheet as lists, merged ranges filled with their top-left value."""
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = sheet.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row, min(merged.max_row, len(rows)) + 1):
            row = rows[r - 1]
            row.extend([None] * (merged.max_col - len(row)))
            for c in range(merged.min_col, merged.max_col + 1):
                row[c - 1] = value
    return list(enumerate(rows, 1))


def _jsonl_grid(source: Source, text: str) -> tuple[Grid, list[tuple[int, str, str, str]]]:
    objects: list[tuple[int, dict]] = []
    bad_rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            bad_rows.append((number, "", "bad_json", "JSON として読めない行です"))
            continue
        if not isinstance(obj, dict):
            bad_rows.append((number, "", "bad_json", "JSON オブジェクト（{...}）ではない行です"))
            continue
        objects.append((number, obj))
    if not objects and bad_rows:
        raise InputError(f"{source.path.name}: JSON Lines として読めません（どの行も JSON オブジェクトではありません）")
    keys = list(dict.fromkeys(k for _, obj in objects for k in obj))
    return [(0, keys)] + [(n, [obj.get(k) for k in keys]) for n, obj in objects], bad_rows


def _parquet_grid(source: Source) -> Grid:
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(io.BytesIO(source.data))
    except Exception:  # noqa: BLE001 — any Arrow error means the file cannot be used
        raise InputError(f"{source.path.name}: Parquet ファイルとして読めません（壊れているか、別の形式のファイルです）") from None
    keys = arrow.column_names
    return [(0, keys)] + [(n, [row.get(k) for k in keys]) for n, row in enumerate(arrow.to_pylist(), 1)]


def header_key(text: object) -> str:
    """Comparable form of a header: NFKC, no spaces, no ※/* marks, case folded."""
    key = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s※*＊]+", "", key).casefold()


def filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def data_rows(grid: Grid, fmt: str) -> Grid:
    """The rows with a value (a blank line or sheet row is no row)."""
    lines = list(map(itemgetter(1), grid))
    if fmt == "csv" and all(lines) and all(map(str.strip, map(itemgetter(0), lines))):
        return grid  # a CSV cell is a string: every row has a filled first cell
    # the first cell decides most rows without a call
    return [(n, cells) for n, cells in grid if (cells and type(cells[0]) is str and cells[0].strip()) or any(map(filled, cells))]


def find_header(rows: Grid, score: Callable[[list[Any]], float], *, header_row: int | None = None,
                keyed: bool = False, name: str = "") -> Header:
    """The header among the first rows: the best-scoring single row or two stacked rows (a two-row
    header must score strictly better by more than 1); ``header_row`` (a row number) fixes it;
    keyed grids have it first.

    Raises:
        InputError: ``header_row`` is given but is blank or missing.
    """
    if keyed:
        candidates = [(0, 1)]
    elif header_row is not None:
        candidates = [(i, 1) for i, (n, _) in enumerate(rows) if n == header_row][:1]
        if not candidates:
            raise InputError(f"{name}: マッピングの header_row {header_row} 行目が空か、ありません")
    else:
        scan = min(len(rows), HEADER_SCAN_ROWS)
        candidates = [(i, 1) for i in range(scan)] + [(i, 2) for i in range(scan - 1)]
    best: Header | None = None
    for index, height in candidates:
        cells = stack_header([rows[index + k][1] for k in range(height)])
        value = score(cells)
        if best is None or value > best.score + (1 if height == 2 else 0):
            best = Header(index, height, cells, value)
    assert best is not None
    return best


def records_below(rows: Grid, header: Header) -> Grid:
    """The rows under the header, each at least as wide as it (cells right of it are kept)."""
    width = len(header.cells)
    records = rows[header.index + header.height :]
    if min(map(len, map(itemgetter(1), records)), default=width) < width:
        records = [(n, cells) if len(cells) >= width else (n, cells + [None] * (width - len(cells))) for n, cells in records]
    return records


def refuse_wide_rows(records: Grid, width: int) -> tuple[Grid, list[tuple[int, str, str, str]]]:
    """CSV rows with filled cells right of the header (an unquoted delimiter in a text) are refused."""
    if max(map(len, map(itemgetter(1), records)), default=0) <= width:
        return records, []  # no row is wider than the header
    kept, bad_rows = [], []
    for number, cells in records:
        if len(cells) > width and any(filled(c) for c in cells[width:]):
            bad_rows.append((number, "", "column_count",
                             f"列の数が見出しより多い（見出し {width} 列、この行 {len(cells)} 列）: "
                             "本文中の区切り文字が引用符で囲まれていない可能性があります"))
        else:
            kept.append((number, cells))
    return kept, bad_rows


def stack_header(rows: list[list[Any]]) -> list[Any]:
    """Two header rows read as one: per column the lower cell, or the upper when the lower is blank."""
    width = max(len(r) for r in rows)
    out: list[Any] = []
    for position in range(width):
        cells = [r[position] for r in rows if position < len(r) and filled(r[position])]
        out.append(cells[-1] if cells else None)
    return out
