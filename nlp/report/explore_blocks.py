"""The 語の分析 section of the reports: explore tables as document tables, html and slide blocks.

Only the explore tables are rendered (every word and group in them passed --min-cell), with
Japanese headers and the explore charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nlp.report.labels import value_label
from nlp.report.document import Chart, Notes, Section, Table

SECTION_TITLE = "語の分析（頻度・共起ネットワーク・対応分析）"
HEADERS = {
    "dimension": "区分", "group": "グループ", "rank": "順位", "word": "語", "pos": "品詞", "documents": "文書数",
    "share": "割合", "frequency": "出現回数", "suppressed": "注記", "title": "ネットワーク", "source": "語1",
    "target": "語2", "jaccard": "Jaccard係数", "co_documents": "共起文書数", "community": "まとまり",
    "kind": "種類", "label": "語・グループ", "dim1": "第1軸", "dim2": "第2軸", "degree": "次数",
}
KINDS = {"rank": "count", "documents": "count", "frequency": "count", "co_documents": "count", "share": "share",
         "jaccard": "number", "dim1": "number", "dim2": "number", "community": "count", "degree": "count"}
DIMENSION_LABELS = {"全体": "全体", "age_band": "年代", "gender": "性別", "occupation": "職業", "primary_theme": "主なテーマ",
                    "period": "時期", "question": "設問", "prefecture": "都道府県", "district": "地区", "role": "立場"}
SHEETS = [("word_frequency", "語の頻度"), ("network_edges", "共起ネットワーク"), ("correspondence", "対応分析")]
NOTES = [
    "語はSudachiの正規化形（品詞：名詞・動詞・形容詞・形状詞）。ストップワードと人名・地名、伏せ字の対象は数えていません。",
    "語は、表示するグループの最小セル数以上の文書に出現した場合だけ示します。最小セル数未満のグループは示しません。",
    "共起ネットワークは文書単位のJaccard係数の上位の組（共起文書数も最小セル数以上）、色は語のまとまり（コミュニティ）です。",
    "対応分析は語×属性の文書数の表から計算した座標で、表そのものは公開しません。",
]


@dataclass
class ExploreSection:
    """What the writers render: the result's tables and chart paths."""

    tables: dict[str, pd.DataFrame]
    charts: dict[str, Path] = field(default_factory=dict)
    not_shown: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, explore) -> "ExploreSection | None":
        if explore is None:
            return None
        result, charts = explore
        return cls(result.tables(), dict(charts or {}), list(result.not_shown))


def chart_title(name: str) -> str:
    """Japanese title of an explore chart file name (explore_network_group1, survey_explore_ca_age_band …)."""
    part = name.split("explore_", 1)[-1]

    def by(dimension: str) -> str:
        label = DIMENSION_LABELS.get(dimension, dimension)
        return label if label.endswith("別") else label + "別"

    if part == "frequency":
        return "よく使われる語"
    if part.startswith("frequency_"):
        return f"語の出現率（{by(part[len('frequency_'):])}）"
    if part.startswith("network_"):
        return "共起ネットワーク"
    if part.startswith("ca_"):
        return f"対応分析（語×{DIMENSION_LABELS.get(part[3:], part[3:])}）"
    return part


def display(name: str, df: pd.DataFrame) -> tuple[list[str], list[list[object]], list[str]]:
    """Japanese headers, cell values and kinds of an explore table (network keys and ids dropped)."""
    columns = [c for c in df.columns if c not in ("network", "axis")]
    headers = [HEADERS.get(c, c) for c in columns]
    kinds = [KINDS.get(c, "text") for c in columns]
    rows = []
    for record in df[columns].to_dict("records"):
        row = []
        for column, kind in zip(columns, kinds):
            value = record[column]
            if column == "dimension":
                value = DIMENSION_LABELS.get(str(value), str(value))
            elif column == "group" and record.get("dimension") == "primary_theme":
                value = value_label("theme", value)
            elif column == "kind":
                value = {"word": "語", "group": "グループ"}.get(value, value)
            elif column == "suppressed":
                value = "秘匿" if bool(value) else ""
            if pd.isna(value) if not isinstance(value, str) else False:
                value = "秘匿" if column == "documents" else ""
            row.append(value if isinstance(value, str) or kind == "text" else float(value) if kind != "count" else int(value))
        rows.append(row)
    return headers, rows, kinds


def _table(name: str, df: pd.DataFrame, table_name: str, title: str, charts: tuple[Chart, ...]) -> Table:
    headers, rows, kinds = display(table_name, df)
    kinds = ["decimal" if k == "number" else k for k in kinds]
    return Table(name, title, tuple(headers), tuple(tuple(r) for r in rows), tuple(kinds), charts=charts, collapsed=True)


def not_shown_note(section: ExploreSection) -> list[str]:
    return ["最小セル数未満のため示さないグループ：" + "、".join(section.not_shown)] if section.not_shown else []


def explore_section(section: ExploreSection, *, bullet: bool = True) -> Section:
    """The 語の分析 chapter: the notes, then each chart (frequency and network charts over their table)."""
    blocks: list = [Notes(tuple(NOTES + not_shown_note(section)), bullet=bullet)]
    freq = section.tables.get("word_frequency", pd.DataFrame())
    edges = section.tables.get("network_edges", pd.DataFrame())
    for name, path in section.charts.items():
        chart = Chart(name, chart_title(name), Path(path))
        if name.endswith("_frequency") and not freq.empty:
            top = freq[freq["dimension"] == "全体"].head(30)
            blocks.append(_table(name, top.drop(columns=["dimension", "group"]), "word_frequency", chart.title, (chart,)))
            continue
        if "_network_" in name and not edges.empty:
            part = edges[edges["network"] == name.split("_network_", 1)[1]]
            if not part.empty:
                chart = Chart(name, f"共起ネットワーク：{part['title'].iloc[0]}", Path(path))
                blocks.append(_table(name, part.drop(columns=["title"]), "network_edges", chart.title, (chart,)))
                continue
        blocks.append(chart)
    return Section("explore", SECTION_TITLE, tuple(blocks))


PREFIXES = {"word_frequency": "_frequency", "network_edges": "_network_", "correspondence": "_ca_"}


def explore_tables(section: ExploreSection, used: set[str]) -> list[Table]:
    """One xlsx sheet per explore table (語の頻度, 共起ネットワーク, 対応分析) with its charts beside it."""
    out = []
    for name, sheet_name in SHEETS:
        df = section.tables.get(name)
        if df is None or df.empty or sheet_name in used:
            continue
        used.add(sheet_name)
        headers, rows, kinds = display(name, df)
        kinds = ["decimal" if k == "number" else k for k in kinds]
        charts = tuple(Chart(chart, chart_title(chart), Path(path)) for chart, path in section.charts.items()
                       if PREFIXES[name] in chart and Path(path).exists())
        out.append(Table(name, sheet_name, tuple(headers), tuple(tuple(r) for r in rows), tuple(kinds),
                         description=NOTES[1], sheet=sheet_name, heading=f"{sheet_name}（explore/{name}.csv）",
                         charts=charts, widths=tuple(14 if k == "text" else 11 for k in kinds)))
    return out
