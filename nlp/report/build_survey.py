"""Build the survey :class:`Report` from the survey tables, findings, masked quotes and charts.

Table preparation (Japanese headers, 秘匿 / 参考値, number formats, sheet names and order) is
in :mod:`nlp.report.survey_report`; this module assembles the document the renderers lay out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nlp.report.labels import REFERENCE_MARK, REFERENCE_NOTE, SUPPRESSED_MARK, SUPPRESSED_NOTE
from nlp.report.document import Chart, Finding, Link, Notes, Report, Section, Table
from nlp.report.explore_blocks import explore_tables
from nlp.report.survey_sections import survey_sections
from nlp.report.survey_report import (
    REPORT_TITLE, SYNTHETIC_NOTE, chart_sheets, display, run_facts, sheet_name, table_description, table_order,
    table_title,
)

LEGEND = f"{SUPPRESSED_MARK}＝最小セル数未満のため非表示。{REFERENCE_MARK}＝母数30人以下。"
FILES = {"summary": "survey_summary.md", "xlsx": "survey_report.xlsx", "html": "survey_report.html",
         "pptx": "survey_report.pptx"}
QUOTES_PER_QUESTION = 3  # themes with quotes in the summary
MARKDOWN_NOTES = [
    SUPPRESSED_NOTE, REFERENCE_NOTE,
    "自由記述のテーマはキーワード辞書で判定し、1件の回答に複数のテーマが付くことがあります。",
    "回答の例は、氏名・連絡先・地名・年齢などを含む回答を除き、さらに伏せ字処理をしたうえで掲載しています。",
]


def _flags(df: pd.DataFrame, column: str) -> int:
    return int(df[column].fillna(False).astype(bool).sum()) if column in df else 0


def survey_table(name: str, df: pd.DataFrame, *, sheet: str = "", heading: str = "", title: str = "",
                 description: str | None = None, charts: tuple[Chart, ...] = (),
                 widths: dict[str, int] | None = None) -> Table:
    """A survey table as the reports show it (theme ids dropped, one 注記 column)."""
    headers, rows, kinds = display(df)
    columns = [c for c in df.columns if c not in ("theme", "suppressed", "reference")]
    shown_widths = []
    for col, kind in enumerate(kinds):
        column = columns[col] if col < len(columns) else "note"
        shown_widths.append((widths or {}).get(column) or (40 if column == "question" else 16 if kind == "text" else 11))
    return Table(name, title or table_title(name), tuple(headers), tuple(tuple(r) for r in rows), tuple(kinds),
                 description=table_description(name) if description is None else description, sheet=sheet,
                 heading=heading or f"{table_title(name)}（{name}）", legend=LEGEND if "suppressed" in df else "",
                 charts=charts, suppressed_rows=_flags(df, "suppressed"), reference_rows=_flags(df, "reference"),
                 widths=tuple(shown_widths), wrap=True)


def _readme(run_info: dict, tables: list[Table]) -> Section:
    facts = Table("run_facts", "実行の概要", (), tuple(run_facts(run_info)), ("text", "merged"), widths=(26, 34, 80))
    index = Table("index", "表の一覧", ("シート", "表名", "内容"),
                  tuple((Link(t.sheet, t.sheet), t.name, f"{t.title}：{t.description}") for t in tables),
                  ("text", "text", "text"))
    return Section("readme", "README", (
        Notes((f"{REPORT_TITLE}（soudan survey）",), "title"),
        Notes(("このファイルの表はすべて集計値です。回答の例は匿名化済みのものだけを掲載しています。",
               SYNTHETIC_NOTE if run_info.get("synthetic_data") else "", "")),
        facts, Notes(("",)), index, Notes(("",)), Notes((SUPPRESSED_NOTE, REFERENCE_NOTE)),
    ))


def _findings_sheet(findings: list[Finding]) -> Section:
    rows = tuple((f.text, Link(f.source, sheet_name(f.table))) for f in findings)
    table = Table("findings", "主な所見", ("所見", "出典の表"), rows, ("wrap", "text"), widths=(100, 36))
    return Section("findings", "主な所見", (Notes(("主な所見（各文の数値は右の表から計算しています）", ""), "title"), table))


def markdown_quotes(quotes: pd.DataFrame, per_question: int = QUOTES_PER_QUESTION) -> list:
    """(question, [(theme label, [「quote」（attribute）])]) for the summary."""
    out = []
    if not len(quotes):
        return out
    for question, rows in quotes.groupby("question", sort=False):
        groups = [(theme, [f"「{r.quote}」（{r.attribute}）" for r in group.itertuples()])
                  for theme, group in list(rows.groupby("theme_label", sort=False))[:per_question]]
        out.append((question, groups))
    return out


def build_survey(tables: dict[str, pd.DataFrame], quotes: pd.DataFrame, findings: list[Finding], run_info: dict,
                 charts: dict[str, Path], explore=None) -> Report:
    """The survey report: README, 主な所見, 自由記述の例, one sheet per table, 語の分析 sheets."""
    by_sheet = chart_sheets(charts)
    stems = {path: name for name, path in charts.items()}
    sheets = [survey_table(name, tables[name], sheet=sheet_name(name),
                           charts=tuple(Chart(stems[p], stems[p], Path(p)) for p in by_sheet.get(name, [])))
              for name in table_order(tables)]
    quote_sheet = survey_table(
        "survey_quotes", quotes.drop(columns=["theme"], errors="ignore"), sheet="自由記述の例",
        heading="自由記述の例（匿名化済み）", title="自由記述の例（匿名化済み）",
        description="氏名・連絡先・地名・年齢などを含む回答は掲載せず、伏せ字処理をしたうえで、テーマごとに属性の異なる回答を選んでいます。",
        widths={"quote": 70, "question": 30})
    cited = tuple(Finding(f.text, f.table, table_title(f.table)) for f in findings)
    extra_sheets = explore_tables(explore, set()) if explore is not None else []
    synthetic = SYNTHETIC_NOTE if run_info.get("synthetic_data") else ""
    return Report(
        kind="survey", title=REPORT_TITLE, facts=tuple(run_facts(run_info)), findings=cited,
        sections=survey_sections(tables, quotes, findings, run_info, charts, explore),
        sheets=tuple([quote_sheet] + sheets + extra_sheets), front=(_readme(run_info, sheets), _findings_sheet(list(cited))),
        synthetic_note=synthetic, footer="住民アンケート分析（soudan）" + ("　合成データ" if synthetic else ""),
        files=dict(FILES),
        extra={"markdown": {"fact_separator": "：", "synthetic_first": True, "numbered": True, "cite": "出典：",
                            "notes_title": "表示のきまり", "notes": MARKDOWN_NOTES, "quotes": markdown_quotes(quotes)}},
    )
