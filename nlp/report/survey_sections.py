"""The chapters of the survey report (page and slides).

Order: 主な所見, 回答者の属性, each open question (theme chart, theme × attribute heat maps,
masked quotes), 孤独感 (with the benchmark when given), 選択式の設問, 語の分析, 方法と秘匿処理.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nlp.report.labels import REFERENCE_NOTE, SUPPRESSED_NOTE
from nlp.tables.loneliness import ALL
from nlp.report.document import Chart, Finding, Notes, Quotes, Section, Table, method_notes
from nlp.report.explore_blocks import explore_section
from nlp.report.survey_charts import short_label, short_question
from nlp.report.survey_report import display, run_facts, table_description, table_order, table_title

MAX_TABLE_ROWS = 13
QUOTE_THEMES = 5  # themes with quotes shown per open question on the slides (highest shares first)
NO_FINDINGS = "所見を計算できる表がありませんでした。"
ATTRIBUTE_NOTE = "秘匿＝最小セル数未満のため非表示。※＝参考値（母数30人以下）。"
BENCHMARK_NOTE = "差＝本調査−比較対象（ポイント）。秘匿のセルは差を示しません。"


METHOD_NOTES = (
    "自由記述は、相談ログと同じテーマ辞書に住民アンケート用のテーマ（居場所、交流・つながり、情報が届かない など）を加えたキーワード辞書で分類しています。1件の回答に複数のテーマが付くことがあります。",
    "テーマの割合の分母は「記述あり」の回答数です（「特になし」や無回答は含みません）。",
    SUPPRESSED_NOTE, REFERENCE_NOTE,
    "回答の例は、氏名・電話番号・メールアドレス・地名・年齢・地区名などを含む回答や念慮に触れた回答を除いたうえで伏せ字処理をし、属性を添える場合はその属性の回答者が最小セル数以上いるときに限っています。",
    "詳細な実行パラメータとバージョンは survey_report.xlsx の README シートと run.json にあります。",
)


def quote_lines(quotes: pd.DataFrame, themes: pd.DataFrame | None, question: str) -> list[str]:
    """「quote」（attribute） lines of one question, grouped under its most frequent themes."""
    rows = quotes[quotes["question"] == question]
    if rows.empty:
        return []
    order = list(rows["theme"].drop_duplicates())
    if themes is not None:
        shares = themes[themes["question"] == question].set_index("theme")["share"]
        order.sort(key=lambda t: -(shares.get(t) if pd.notna(shares.get(t)) else 0))
    lines = []
    for theme in order[:QUOTE_THEMES]:
        group = rows[rows["theme"] == theme]
        lines.append(f"【{group['theme_label'].iloc[0]}】")
        lines += [f"　「{r.quote}」（{r.attribute}）" for r in group.itertuples()]
    return lines


def _table(name: str, df: pd.DataFrame, *, title: str | None = None, charts: tuple[Chart, ...] = (),
           description: str | None = None, **slide) -> Table:
    headers, rows, kinds = display(df)
    return Table(name, table_title(name) if title is None else title, tuple(headers), tuple(tuple(r) for r in rows),
                 tuple(kinds), description=table_description(name) if description is None else description,
                 charts=charts, collapsed=True, **slide)


def _slide_table(name: str, df: pd.DataFrame, slide_title: str, note: str = "", caption: str | None = None,
                 new_slide: bool = False) -> Table:
    df = df.assign(**{c: df[c].map(short_label) for c in ("role", "district") if c in df})
    return _table(name, df, on_page=False, slide_title=slide_title, note=note, caption=caption or table_title(name),
                  max_rows=MAX_TABLE_ROWS, new_slide=new_slide)


def _chart(charts: dict[str, Path], name: str, *, slide_title: str = "", note: str = "", on_slide: bool = True,
           pair: bool = False) -> tuple[Chart, ...]:
    return (Chart(name, "", Path(charts[name]), note, slide_title, on_slide=on_slide, pair=pair),) if name in charts else ()


def _overall(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["gender"] == ALL) & (df["age_band"] == ALL)].drop(columns=["gender", "age_band"])


def _open_question(number: int, q: dict, tables, quotes: pd.DataFrame, charts) -> Section:
    head = f"{number}. 自由記述：{short_question(q['label'], 40)}"
    images = _chart(charts, f"survey_themes_{q['key']}", slide_title=head, note=f"設問：{q['label']}")
    images += tuple(c for column in ("role", "age_band", "district")
                    for c in _chart(charts, f"survey_themes_by_{column}_{q['key']}", slide_title=f"{head}（属性別）",
                                    note=ATTRIBUTE_NOTE))
    themes = tables.get("survey_open_themes")
    if themes is not None:
        part = themes[themes["question"] == q["label"]]
        blocks: list = [_table("survey_open_themes", part, title="", charts=images)]
    else:
        blocks = list(images)
    rows = quotes[quotes["question"] == q["label"]] if len(quotes) else quotes
    grouped = list(rows.groupby("theme_label", sort=False)) if len(rows) else []
    blocks.append(Quotes("回答の例（匿名化済み）", tuple((t, tuple(g["quote"])) for t, g in grouped),
                         tuple(tuple(g["attribute"]) for _, g in grouped)))
    lines = quote_lines(quotes, themes, q["label"]) if len(quotes) else []
    if lines:
        blocks.append(Notes(tuple(lines), "text", on_page=False, slide_title=f"{head}（回答の例・匿名化済み）", size=16))
    return Section(f"open_{q['key']}", f"自由記述：{q['label']}", tuple(blocks))


def _loneliness(number: int, tables, charts, run_info: dict) -> Section | None:
    pairs = (("survey_loneliness_direct", "survey_loneliness_direct", "直接質問"),
             ("survey_loneliness_direct_benchmark", "survey_loneliness_by_age", "年代別"),
             ("survey_ucla_score", "survey_ucla_score", "UCLA孤独感尺度"), ("survey_ucla_score_benchmark", None, ""))
    if not any(n in tables for n, _, _ in pairs):
        return None
    head = f"{number}. 孤独感"
    note = f"比較対象：{run_info['benchmark']}" if run_info.get("benchmark") else ""
    blocks: list = [Notes((note,), "text", on_slide=False)] if note else []
    slide_charts = [c for n, chart, caption in pairs if chart
                    for c in _chart(charts, chart, slide_title=f"{head}（{caption}）", note=note)]
    for name, chart, _ in pairs:
        if name in tables:
            own = tuple(c for c in slide_charts if c.name == chart)
            blocks.append(_table(name, tables[name], charts=tuple(Chart(c.name, c.title, c.path, on_slide=False) for c in own)))
    blocks += [Chart(c.name, c.title, c.path, c.note, c.slide_title, on_page=False) for c in slide_charts]
    for n in ("survey_loneliness_direct_benchmark", "survey_ucla_score_benchmark"):
        if n in tables and not _overall(tables[n]).empty:
            blocks.append(_slide_table(n, _overall(tables[n]), f"{head}（比較対象との比較・全体）", BENCHMARK_NOTE))
    bench = tables.get("survey_loneliness_direct_benchmark")
    if bench is not None:
        by_age = bench[(bench["gender"] == ALL) & (bench["age_band"] != ALL)].drop(columns="gender")
        for k in range(0, len(by_age), MAX_TABLE_ROWS):
            blocks.append(_slide_table("survey_loneliness_direct_benchmark", by_age.iloc[k:k + MAX_TABLE_ROWS],
                                       f"{head}（比較対象との比較・年代別）" + ("" if k == 0 else "（続き）"), BENCHMARK_NOTE,
                                       caption="孤独感（直接質問）", new_slide=True))
    return Section("loneliness", "孤独感", tuple(blocks))


def survey_sections(tables: dict[str, pd.DataFrame], quotes: pd.DataFrame, findings: list[Finding], run_info: dict,
                    charts: dict[str, Path], explore=None) -> tuple[Section, ...]:
    """Every chapter of the survey page and slides."""
    first = Section("findings", "主な所見", tuple(Finding(f.text, f.table) for f in findings),
                    tuple(Finding(f.text, f.table) for f in findings), "findings", "1. 主な所見", (18, 14))
    respondents = [_table(n, tables[n]) for n in table_order(tables) if n.startswith("survey_respondents_by_")]
    respondents += [_slide_table(n, tables[n], "2. 回答者の属性", "割合は全回答者に占める割合。")
                    for n in ("survey_respondents_by_age_band", "survey_respondents_by_gender", "survey_respondents_by_role")
                    if n in tables]
    sections = [first, Section("respondents", "回答者の属性", tuple(respondents))]
    for q in (q for q in run_info.get("questions", []) if q["kind"] == "open"):
        sections.append(_open_question(len(sections) + 1, q, tables, quotes, charts))
    lonely = _loneliness(len(sections) + 1, tables, charts, run_info)
    if lonely is not None:
        sections.append(lonely)
    if "survey_choice" in tables:
        head = f"{len(sections) + 1}. 選択式の設問"
        choice = [c for name in charts if name.startswith("survey_choice_")
                  for c in _chart(charts, name, slide_title=head, pair=True)]
        blocks = [_table("survey_choice", tables["survey_choice"], charts=tuple(choice))]
        blocks += [_table(n, tables[n]) for n in table_order(tables) if n.startswith("survey_choice_by_")]
        sections.append(Section("choice", "選択式の設問", tuple(blocks)))
    if explore is not None:
        sections.append(explore_section(explore, bullet=False))
    sections.append(Section("method", "方法と秘匿処理について",
                            (Notes(method_notes(run_facts(run_info), METHOD_NOTES), "text", size=16),)))
    return tuple(sections)
