"""Build the consultation :class:`Report` from a run's tables, findings, charts and quotes.

Table preparation happens here (Japanese headers, 秘匿 / 参考値 cells, number formats, group ×
theme cross tables for the page); the renderers only lay the document out.

Example:
    >>> report = build_consultations(ReportInputs(tables, run_info))  # doctest: +SKIP
    >>> [t.sheet for t in report.tables()][:2]
    ['月別', '曜日別']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nlp.report.labels import (
    REFERENCE_MARK, REFERENCE_NOTE, SECTIONS, SUPPRESSED_MARK, SUPPRESSED_NOTE, display_any,
    table_description, table_short, table_title,
)
from nlp.report.consultation_sections import page_sections
from nlp.report.document import Chart, Finding, Link, Notes, Report, Section, Table
from nlp.report.explore_blocks import explore_tables
from nlp.report.summary import comparison_title, run_facts, run_info_lines, source_title

REPORT_TITLE = "相談ログ分析レポート"
SYNTHETIC_NOTE = "合成データ（デモ）による結果です。実際の相談の傾向を示すものではありません。"
MAX_QUOTES_PER_THEME = 3
MAX_QUOTE_CHARS = 120
LEGEND = f"{SUPPRESSED_MARK}＝最小セル数未満のため非表示。{REFERENCE_MARK}＝母数30件以下。"
MARKDOWN_NOTES = [SUPPRESSED_NOTE, REFERENCE_NOTE, "自殺念慮はキーワード検出による推定で、カウンセラーの判断に代わるものではありません。"]
FILES = {"summary": "summary.md", "xlsx": "report.xlsx", "html": "report.html", "pptx": "report.pptx"}


@dataclass
class ReportInputs:
    """Everything the consultation report is built from (aggregates only, quotes already masked)."""

    tables: dict[str, pd.DataFrame]
    run_info: dict
    findings: list[Finding] = field(default_factory=list)
    charts: dict[str, Path] = field(default_factory=dict)
    comparisons: dict[str, pd.DataFrame] = field(default_factory=dict)
    topics: pd.DataFrame | None = None
    quotes: dict[str, list[str]] = field(default_factory=dict)
    explore: object | None = None  # nlp.report.explore_blocks.ExploreSection

    def has(self, name: str) -> bool:
        table = self.tables.get(name)
        return (table is not None and not table.empty) or name in self.charts

    def present(self, section) -> list[str]:
        return [n for n in section.tables if self.has(n)]

    def missing(self, section) -> list[str]:
        return [n for n in section.tables if not self.has(n)]


def clean_quotes(quotes: dict[str, list[str]] | None) -> dict[str, list[str]]:
    """At most three quotes per theme, one line each, cut at 120 characters (already masked upstream)."""
    out: dict[str, list[str]] = {}
    for theme, texts in (quotes or {}).items():
        kept = []
        for text in texts[:MAX_QUOTES_PER_THEME]:
            line = " ".join(str(text).split())
            kept.append(line if len(line) <= MAX_QUOTE_CHARS else line[: MAX_QUOTE_CHARS - 1] + "…")
        if kept:
            out[str(theme)] = kept
    return out


def min_cell_of(run_info: dict, default: int = 10) -> int:
    """The run's min_cell (parameters.min_cell, or min_cell at the top), else ``default``."""
    params = run_info.get("parameters") or run_info.get("params") or {}
    value = params.get("min_cell", run_info.get("min_cell", default))
    return int(value) if value is not None else default


def table_entries(data: ReportInputs) -> list[tuple[str, str, pd.DataFrame]]:
    """(table name, title, frame) in section order, then any other tables, comparisons and topics."""
    order = [n for s in SECTIONS for n in s.tables]
    names = [n for n in order if n in data.tables] + [n for n in data.tables if n not in order]
    entries = [(n, table_title(n), data.tables[n]) for n in names if not data.tables[n].empty]
    entries += [(f"compare_{n}", comparison_title(n), df) for n, df in data.comparisons.items() if not df.empty]
    if data.topics is not None and not data.topics.empty:
        entries.append(("topics", "トピック（自動抽出）", data.topics))
    return entries


def _flags(df: pd.DataFrame, column: str) -> int:
    return int(df[column].fillna(False).astype(bool).sum()) if column in df else 0


def _sheet_name(name: str, used: set[str]) -> str:
    base = table_short(name)
    candidate, k = base, 2
    while candidate in used:
        candidate = f"{base[:28]}_{k}"
        k += 1
    used.add(candidate)
    return candidate


def chart_of(data: ReportInputs, name: str, title: str = "", note: str = "") -> tuple[Chart, ...]:
    path = data.charts.get(name)
    return (Chart(name, title or name, Path(path), note),) if path is not None else ()


def sheet_table(name: str, title: str, df: pd.DataFrame, sheet: str, charts: tuple[Chart, ...] = ()) -> Table:
    """A tidy or comparison table as report.xlsx shows it."""
    headers, rows, kinds = display_any(name, df)
    return Table(name, title, tuple(headers), tuple(tuple(r) for r in rows), tuple(kinds),
                 description=table_description(name) or "集計表", sheet=sheet, heading=f"{title}（{name}）",
                 legend=LEGEND if ("suppressed" in df or "reference" in df) else "", charts=charts,
                 suppressed_rows=_flags(df, "suppressed"), reference_rows=_flags(df, "reference"))


def _readme(data: ReportInputs, sheets: list[Table]) -> Section:
    index = Table("index", "表の一覧", ("シート", "表名", "内容", "行数", "秘匿セル", "参考値の行"),
                  tuple((Link(t.sheet, t.sheet), t.name, f"{t.title}：{table_description(t.name)}".rstrip("："),
                         len(t.rows), t.suppressed_rows, t.reference_rows) for t in sheets),
                  ("text", "text", "text", "count", "count", "count"), widths=(40, 26, 70, 12, 12, 12))
    missing = [n for s in SECTIONS for n in data.missing(s)]
    blocks = [Notes(("相談ログ分析レポート（soudan）",), "title"),
              Notes(("このファイルの表はすべて集計値です。相談本文は含みません。",
                     SYNTHETIC_NOTE if data.run_info.get("synthetic_data") else "", "")),
              Notes(("表の一覧",), "title"), index]
    if missing:
        blocks.append(Notes(("今回作成されなかった表：" + "、".join(missing),)))
    blocks += [Notes(("",)), Notes(("表示のきまり",), "title"),
               Notes((SUPPRESSED_NOTE, REFERENCE_NOTE, "割合の分母は各表の「内容」に記載したグループの相談件数です。",
                      "自殺念慮はキーワード検出による推定で、カウンセラーの判断に代わるものではありません。")),
               Notes(("",)), Notes(("実行パラメータ",), "title"),
               Table("run_info", "実行パラメータ", (), tuple(run_info_lines(data.run_info)), ("text", "merged"))]
    return Section("readme", "README", tuple(blocks))


def _findings_sheet(findings: list[Finding], sheets: dict[str, str]) -> Section:
    rows = tuple((f.text, source_title(f.table), Link(sheets[f.table], sheets[f.table]) if f.table in sheets else "")
                 for f in findings)
    table = Table("findings", "主な所見", ("所見", "出典の表", "シート"), rows, ("wrap", "text", "text"), widths=(100, 40, 18))
    return Section("findings", "主な所見", (Notes(("主な所見（各文の数値は右の表から計算しています）", ""), "title"), table))


def build_consultations(data: ReportInputs) -> Report:
    """The consultation report: xlsx front and table sheets, page / slide sections, summary."""
    used = {"README", "主な所見"}
    sheets = [sheet_table(name, title, df, _sheet_name(name, used), chart_of(data, name, title))
              for name, title, df in table_entries(data)]
    findings = tuple(Finding(f.text, f.table, source_title(f.table)) for f in data.findings)
    front = (_readme(data, sheets), _findings_sheet(list(findings), {t.name: t.sheet for t in sheets}))
    explore = explore_tables(data.explore, used) if data.explore is not None else []
    synthetic = SYNTHETIC_NOTE if data.run_info.get("synthetic_data") else ""
    return Report(
        kind="consultations", title=REPORT_TITLE, facts=tuple(run_facts(data.run_info)), findings=findings,
        sections=page_sections(data, findings), sheets=tuple(sheets + explore), front=front, synthetic_note=synthetic,
        footer="相談ログ分析（soudan）" + ("　合成データ" if synthetic else ""), files=dict(FILES),
        extra={"markdown": {"title": "相談ログ分析 サマリー", "notes": MARKDOWN_NOTES}, "toc": True,
               "page_footer": "作成：soudan。表の「秘匿」は最小セル数未満、「参考値」は母数30件以下です。"},
    )
