"""The chapters of the consultation report (page and slides): section order of :data:`SECTIONS`.

Each section: what this run did not produce, its findings, then one block per table under its
chart; theme and ideation tables as group × theme (measure) cross tables.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nlp.report.charts import in_natural_order
from nlp.report.labels import (
    REFERENCE_MARK, REFERENCE_NOTE, SECTIONS, SUPPRESSED_MARK, SUPPRESSED_NOTE, column_label, display_any, display_table,
    table_description, table_title, theme_label, value_label,
)
from nlp.report.document import Chart, Finding, Notes, Quotes, Section, Table, method_notes
from nlp.report.explore_blocks import explore_section
from nlp.report.summary import comparison_title, key_findings, run_facts

NO_FINDINGS = "所見を計算できる表がありませんでした。"
MAX_CROSS_GROUPS = 12


def chart_note(df) -> str:
    """The legend line under a chart: only the marks the table actually has."""
    notes = []
    if df is not None and "suppressed" in df and df["suppressed"].fillna(False).astype(bool).any():
        notes.append("「秘匿」（灰色・空欄）は最小セル数未満のため非表示")
    if df is not None and "reference" in df and df["reference"].fillna(False).astype(bool).any():
        notes.append("※は参考値（母数30件以下）")
    return "。".join(notes) + ("。" if notes else "")


METHOD_NOTES = (
    "テーマはキーワード辞書（taxonomy）で判定し、1件の相談に複数のテーマが付くことがあります。",
    "自殺念慮はキーワードと文脈の規則で推定したもので、カウンセラーの判断に代わるものではありません。",
    SUPPRESSED_NOTE, REFERENCE_NOTE,
    "引用は固有名詞・連絡先などを伏せ字にした上で、各テーマ数件に限って掲載しています。",
    "詳細な実行パラメータとバージョンは report.xlsx の README シートと run.json にあります。",
)


def cross_table(df: pd.DataFrame, row: str, col: str) -> tuple[list[str], list[list[object]], list[str]]:
    """Group × theme (or measure) shares, 秘匿 in suppressed cells, 参考値 marks per group.

    With at most 12 groups and themes as the inner dimension the table is turned so that groups
    are the columns (short labels: 10代, 女性 …) and the 14 themes the rows; otherwise one row
    per group.
    """
    groups = list(dict.fromkeys(in_natural_order(df, row)[row]))
    inner = list(dict.fromkeys(in_natural_order(df, col)[col]))
    cells: dict[tuple, object] = {}
    for rec in df.to_dict("records"):
        hidden = bool(rec.get("suppressed", False))
        share = pd.to_numeric(pd.Series([rec.get("share")]), errors="coerce").iloc[0]
        cells[(rec[row], rec[col])] = SUPPRESSED_MARK if hidden else ("" if pd.isna(share) else float(share))
    reference = {g: bool(df.loc[df[row] == g, "reference"].fillna(False).astype(bool).any()) if "reference" in df else False
                 for g in groups}
    inner_label = (lambda c: theme_label(c)) if col == "theme" else (lambda c: value_label(col, c))
    if col == "theme" and len(groups) <= MAX_CROSS_GROUPS:
        headers = [column_label(col)] + [value_label(row, g) + ("※" if reference[g] else "") for g in groups]
        rows = [[inner_label(c)] + [cells.get((g, c), "") for g in groups] for c in inner]
        if any(reference.values()):
            rows.append(["注記"] + [REFERENCE_MARK if reference[g] else "" for g in groups])
        return headers, rows, ["text"] + ["share"] * len(groups)
    headers = [column_label(row)] + [inner_label(c) for c in inner] + ["注記"]
    rows = [[value_label(row, g)] + [cells.get((g, c), "") for c in inner] + [REFERENCE_MARK if reference[g] else ""]
            for g in groups]
    return headers, rows, ["text"] + ["share"] * len(inner) + ["note"]


def page_table(name: str, df: pd.DataFrame | None, charts: tuple[Chart, ...], title: str | None = None) -> Table | Chart:
    """The block of one table: a cross table for theme / ideation × group, else as in the workbook."""
    title = title or table_title(name)
    if df is None or df.empty:
        return Table(name, title, (), (), (), description=table_description(name), charts=charts)
    dim = name.split("_by_", 1)[1] if "_by_" in name else None
    second = "theme" if name.startswith("theme_by_") else ("measure" if name.startswith("ideation_by_") else None)
    headers, rows, kinds = cross_table(df, dim, second) if (dim in df and second in df) else display_any(name, df)
    return Table(name, title, tuple(headers), tuple(tuple(r) for r in rows), tuple(kinds),
                 description=table_description(name), charts=charts)


def _chart(data, name: str, title: str, df=None, *, on_page: bool = True) -> tuple[Chart, ...]:
    path = data.charts.get(name)
    return (Chart(name, title, Path(path), chart_note(df), on_page=on_page),) if path is not None else ()


def _missing(data, section) -> list[Notes]:
    missing = data.missing(section)
    if not missing:
        return []
    return [Notes(("今回の実行で作成されなかった表（この節では省略）：" + "、".join(f"{table_title(n)}（{n}）" for n in missing),))]


def _slide_tables(data) -> list[Table]:
    """年代別・性別の件数 as native slide tables (the page shows them in their own blocks)."""
    out = []
    for name in ("by_age_band", "by_gender"):
        df = data.tables.get(name)
        if df is not None and not df.empty:
            headers, rows, kinds = display_any(name, df)
            out.append(Table(name, table_title(name), tuple(headers), tuple(tuple(r) for r in rows), tuple(kinds),
                             on_page=False, slide_title="年代別・性別の件数（表）", caption=table_title(name)))
    return out


def page_sections(data, findings: tuple[Finding, ...]) -> tuple[Section, ...]:
    """Every chapter of the page and the slides, in :data:`SECTIONS` order (語の分析 before 方法)."""
    out = []
    for number, section in enumerate(SECTIONS, 1):
        blocks: list = _missing(data, section)
        slides = "title"
        head = f"{number}. {section.title}"
        if section.key == "findings":
            blocks += list(findings)
            if not findings:
                blocks.append(Notes((NO_FINDINGS,), "text", on_slide=False))
        if section.key == "attributes":
            blocks += _slide_tables(data)
        for name in data.present(section):
            df = data.tables.get(name)
            blocks.append(page_table(name, df, _chart(data, name, table_title(name), df)))
        if section.key == "comparisons":
            for name, df in data.comparisons.items():
                title = comparison_title(name)
                charts = _chart(data, f"compare_{name}", title, df) + _chart(data, f"compare_{name}_items", title, df)
                blocks.append(page_table(f"compare_{name}", df, charts, title))
            if not data.comparisons:
                blocks += [Notes(("比較は今回の実行では指定されていません。",), on_slide=False),
                           Notes(("比較は今回の実行では指定されていません（--compare-region など）。",), on_page=False)]
        elif section.key == "topics":
            blocks += _topics(data, head)
            slides = "blocks" if "topics" in data.charts else "title"
        elif section.key == "quotes":
            if data.quotes:
                slides = "blocks"
                lines = tuple(f"【{theme_label(t)}】{q}" for t, quotes in data.quotes.items() for q in quotes)
                blocks += [Notes(("自動で匿名化（伏せ字）した文のみを、各テーマ数件に限って掲載しています。",), on_slide=False),
                           Quotes("", tuple((theme_label(t), tuple(q)) for t, q in data.quotes.items())),
                           Notes(lines, "text", on_page=False, size=18, bullet=True)]
            else:
                blocks.append(Notes(("掲載できる匿名化済みの相談内容の例はありません。",)))
        elif section.key == "method":
            slides = "blocks"
            blocks.append(Notes(method_notes(run_facts(data.run_info), METHOD_NOTES), "text", size=18, bullet=True))
            if data.explore is not None:
                out.append(explore_section(data.explore))
        if section.key == "findings":
            out.append(Section(section.key, section.title, tuple(blocks), tuple(key_findings(list(findings))),
                               "findings", size=(20, 14)))
            continue
        intro = tuple(f for f in findings if _belongs(section, f.table))
        out.append(Section(section.key, section.title, tuple(blocks), intro, slides))
    return tuple(out)


def _topics(data, head: str) -> list:
    """The topic table under its chart (on its slide the largest ten, as a native table)."""
    if data.topics is None or data.topics.empty:
        return [Notes(("トピック分析は今回の実行では行われていません。",))]
    path = data.charts.get("topics")
    chart = (Chart("topics", "主なトピック", Path(path), "", head),) if path is not None else ()
    blocks = [page_table("topics", data.topics, chart, "主なトピック")]
    if path is not None:
        headers, rows, kinds = display_table(topic_summary(data.topics))
        blocks.append(Table("topics", "主なトピック", tuple(headers), tuple(tuple(r) for r in rows), tuple(kinds),
                            on_page=False, slide_title="主なトピック（表）", caption="件数上位10（抜粋は report.html / report.xlsx）"))
    return blocks


def topic_summary(topics: pd.DataFrame, limit: int = 10) -> pd.DataFrame:
    """The largest topics with label, main themes, size, ideation share and new-topic flag."""
    columns = [c for c in ("label", "main_themes", "size", "ideation_share", "new_topic") if c in topics.columns]
    ranked = topics.assign(_n=topics["size"]).sort_values("_n", ascending=False) if "size" in topics else topics
    return ranked[columns].head(limit).reset_index(drop=True)


def _belongs(section, table: str) -> bool:
    """Whether a finding's table belongs to the section (comparisons: compare_*, topics: topics)."""
    if section.key == "comparisons":
        return table.startswith("compare_")
    if section.key == "topics":
        return table == "topics"
    return table in section.tables
