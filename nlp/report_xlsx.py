"""report.xlsx: a README sheet, the findings, then one sheet per table with Japanese headers.

Each table sheet has its title and what it counts above a frozen header row, an autofilter,
number formats (#,##0 for 件数, 0.0% for 割合), 秘匿 instead of any suppressed number, a 注記
column with 参考値 for groups with n ≤ 30, and its chart beside the table.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import xlsxwriter

from nlp.labels import (
    REFERENCE_MARK, REFERENCE_NOTE, SECTIONS, SUPPRESSED_MARK, SUPPRESSED_NOTE, display_any,
    table_description, table_short, table_title,
)
from nlp.summary import comparison_title, run_info_lines, source_title

if TYPE_CHECKING:
    from nlp.reports import ReportData

FONT = "Meiryo UI"
HEADER_ROW = 4  # 0-based: title, description, note, blank, header
COLUMN_WIDTH = {"text": 16, "count": 12, "share": 12, "number": 12, "pt": 10, "note": 10}


def _sheet_name(name: str, used: set[str]) -> str:
    base = table_short(name)
    candidate, k = base, 2
    while candidate in used:
        candidate = f"{base[:28]}_{k}"
        k += 1
    used.add(candidate)
    return candidate


def _table_entries(data: ReportData) -> list[tuple[str, str, pd.DataFrame]]:
    """(table name, title, frame) in section order, then any other tables, comparisons and topics."""
    order = [n for s in SECTIONS for n in s.tables]
    names = [n for n in order if n in data.tables] + [n for n in data.tables if n not in order]
    entries = [(n, table_title(n), data.tables[n]) for n in names if not data.tables[n].empty]
    entries += [(f"compare_{n}", comparison_title(n), df) for n, df in data.comparisons.items() if not df.empty]
    if data.topics is not None and not data.topics.empty:
        entries.append(("topics", "トピック（自動抽出）", data.topics))
    return entries


def write_xlsx(path: Path, data: ReportData) -> Path:
    """Write report.xlsx.

    Args:
        path: the .xlsx file to write.
        data: the run's tables, findings, charts, comparisons and topics.

    Returns:
        ``path``.
    """
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
    fmt = {
        "title": book.add_format({**base, "bold": True, "font_size": 14, "font_color": "#0072B2"}),
        "note": book.add_format({**base, "font_color": "#555555"}),
        "header": book.add_format({**base, "bold": True, "bg_color": "#DCE9F5", "border": 1, "text_wrap": True}),
        "text": book.add_format({**base, "border": 1}),
        "count": book.add_format({**base, "border": 1, "num_format": "#,##0"}),
        "share": book.add_format({**base, "border": 1, "num_format": "0.0%"}),
        "number": book.add_format({**base, "border": 1, "num_format": "0.000"}),
        "pt": book.add_format({**base, "border": 1, "num_format": '+0.0"pt";-0.0"pt";0.0"pt"'}),
        "masked": book.add_format({**base, "border": 1, "align": "right", "font_color": "#777777", "bg_color": "#EEEEEE"}),
        "ref": book.add_format({**base, "border": 1, "font_color": "#B35900"}),
        "wrap": book.add_format({**base, "text_wrap": True, "valign": "top"}),
    }
    used: set[str] = {"README", "主な所見"}
    entries = [(name, title, df, _sheet_name(name, used)) for name, title, df in _table_entries(data)]
    _readme(book, fmt, data, entries)
    _findings(book, fmt, data, {name: sheet for name, _, _, sheet in entries})
    for name, title, df, sheet_name in entries:
        _table_sheet(book.add_worksheet(sheet_name), fmt, name, title, df, data.charts.get(name))
    if data.explore is not None:
        from nlp.explore.report import xlsx_sheets

        xlsx_sheets(book, fmt, data.explore, used)
    book.close()
    return path


def _readme(book, fmt, data: ReportData, entries) -> None:
    sheet = book.add_worksheet("README")
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 2, 70)
    sheet.set_column(3, 5, 12)
    sheet.write(0, 0, "相談ログ分析レポート（soudan）", fmt["title"])
    sheet.write(1, 0, "このファイルの表はすべて集計値です。相談本文は含みません。", fmt["note"])
    if data.run_info.get("synthetic_data"):
        sheet.write(2, 0, "合成データ（デモ）による結果です。実際の相談の傾向を示すものではありません。", fmt["note"])
    row = 4
    sheet.write(row, 0, "表の一覧", fmt["title"])
    row += 1
    for col, header in enumerate(["シート", "表名", "内容", "行数", "秘匿セル", "参考値の行"]):
        sheet.write(row, col, header, fmt["header"])
    for name, title, df, sheet_name in entries:
        row += 1
        suppressed = int(df["suppressed"].fillna(False).astype(bool).sum()) if "suppressed" in df else 0
        reference = int(df["reference"].fillna(False).astype(bool).sum()) if "reference" in df else 0
        sheet.write_url(row, 0, f"internal:'{sheet_name}'!A1", string=sheet_name)
        sheet.write(row, 1, name, fmt["text"])
        sheet.write(row, 2, f"{title}：{table_description(name)}".rstrip("："), fmt["text"])
        sheet.write_number(row, 3, len(df), fmt["count"])
        sheet.write_number(row, 4, suppressed, fmt["count"])
        sheet.write_number(row, 5, reference, fmt["count"])
    missing = [n for s in SECTIONS for n in data.missing(s)]
    if missing:
        row += 1
        sheet.write(row, 0, "今回作成されなかった表：" + "、".join(missing), fmt["note"])
    row += 2
    sheet.write(row, 0, "表示のきまり", fmt["title"])
    for text in (SUPPRESSED_NOTE, REFERENCE_NOTE, "割合の分母は各表の「内容」に記載したグループの相談件数です。",
                 "自殺念慮はキーワード検出による推定で、カウンセラーの判断に代わるものではありません。"):
        row += 1
        sheet.write(row, 0, text, fmt["note"])
    row += 2
    sheet.write(row, 0, "実行パラメータ", fmt["title"])
    for label, text in run_info_lines(data.run_info):
        row += 1
        sheet.write(row, 0, label, fmt["text"])
        sheet.merge_range(row, 1, row, 2, text, fmt["text"])
    _page_setup(sheet)


def _page_setup(sheet) -> None:
    """Printing (and PDF export): landscape A4, one page wide."""
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)


def _findings(book, fmt, data: ReportData, sheets: dict[str, str]) -> None:
    sheet = book.add_worksheet("主な所見")
    sheet.set_column(0, 0, 100)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 18)
    sheet.write(0, 0, "主な所見（各文の数値は右の表から計算しています）", fmt["title"])
    for col, header in enumerate(["所見", "出典の表", "シート"]):
        sheet.write(2, col, header, fmt["header"])
    sheet.freeze_panes(3, 0)
    _page_setup(sheet)
    for i, finding in enumerate(data.findings, start=3):
        lines = max(1, -(-len(finding.text) * 2 // 100))  # 100-character-wide column, full-width = 2
        sheet.set_row(i, 15 * lines + 3)
        sheet.write(i, 0, finding.text, fmt["wrap"])
        sheet.write(i, 1, source_title(finding.table), fmt["text"])
        if finding.table in sheets:
            sheet.write_url(i, 2, f"internal:'{sheets[finding.table]}'!A1", string=sheets[finding.table])


def _table_sheet(sheet, fmt, name: str, title: str, df: pd.DataFrame, chart: Path | None) -> None:
    headers, rows, kinds = display_any(name, df)
    sheet.write(0, 0, f"{title}（{name}）", fmt["title"])
    sheet.write(1, 0, table_description(name) or "集計表", fmt["note"])
    if "suppressed" in df or "reference" in df:
        sheet.write(2, 0, f"{SUPPRESSED_MARK}＝最小セル数未満のため非表示。{REFERENCE_MARK}＝母数30件以下。", fmt["note"])
    for col, (header, kind) in enumerate(zip(headers, kinds)):
        sheet.write(HEADER_ROW, col, header, fmt["header"])
        sheet.set_column(col, col, COLUMN_WIDTH.get(kind, 14))
    for i, row in enumerate(rows, start=HEADER_ROW + 1):
        for col, (value, kind) in enumerate(zip(row, kinds)):
            if isinstance(value, str):
                cell_format = fmt["masked"] if value == SUPPRESSED_MARK else (fmt["ref"] if value == REFERENCE_MARK else fmt["text"])
                sheet.write_string(i, col, value, cell_format)
            elif kind in ("count", "share", "number", "pt"):
                sheet.write_number(i, col, value, fmt[kind])
            else:
                sheet.write(i, col, value, fmt["text"])
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    sheet.repeat_rows(HEADER_ROW)
    _page_setup(sheet)
    if rows:
        sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + len(rows), len(headers) - 1)
    if chart is not None and Path(chart).exists():
        sheet.insert_image(HEADER_ROW, len(headers) + 1, str(chart), {"x_scale": 0.55, "y_scale": 0.55, "object_position": 3})
