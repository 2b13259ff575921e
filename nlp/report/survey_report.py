"""The survey report's table preparation: titles, display cells, findings, sheet names and order.

Every number comes from the (already suppressed) survey tables; quotes come only from
``survey_quotes`` (masked, chosen by :mod:`nlp.analysis.survey_quotes`). A suppressed cell shows 秘匿,
a group with n ≤ 30 is marked 参考値, and no finding is drawn from either.
:mod:`nlp.report.build_survey` turns these into the report document.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from nlp.report.labels import REFERENCE_MARK, SUPPRESSED_MARK
from nlp.tables.loneliness import ALL
from nlp.report.document import Finding
from nlp.report.survey_charts import LONELY, LONELY_LABEL, short_question

REPORT_TITLE = "住民アンケート・自由記述の分析"
SYNTHETIC_NOTE = "合成データ（デモ）による結果です。実在の調査・回答者とは関係ありません。"
ATTRIBUTE_LABELS = {"age_band": "年代", "gender": "性別", "district": "地区", "role": "立場",
                    "response_mode": "回答方法", "occupation": "職業"}
COLUMN_LABELS = {
    "question": "設問", "theme_label": "テーマ", "status": "回答状況", "answer": "回答", "score_band": "得点区分",
    "respondents": "回答者数", "share": "割合", "benchmark_share": "比較対象の割合", "diff_pt": "差（pt）",
    "note": "注記", "rank": "順", "quote": "回答の例（匿名化済み）", "attribute": "回答者の属性", **ATTRIBUTE_LABELS,
}
MIN_GAP_PT = 10.0  # an attribute finding needs a group this many points above the question's share


def table_title(name: str) -> str:
    """Japanese title of a survey table."""
    for prefix, pattern in (("survey_respondents_by_", "回答者の{}別構成"), ("survey_open_themes_by_", "{}別の自由記述のテーマ"),
                            ("survey_choice_by_", "{}別の選択式の回答")):
        if name.startswith(prefix):
            return pattern.format(ATTRIBUTE_LABELS.get(name[len(prefix):], name[len(prefix):]))
    return {
        "survey_open_response": "自由記述の回答状況", "survey_open_themes": "自由記述のテーマ（全体）",
        "survey_choice": "選択式の設問（全体）", "survey_loneliness_direct": "孤独感（直接質問）：性別×年代",
        "survey_ucla_score": "UCLA孤独感尺度（3項目）：性別×年代",
        "survey_loneliness_direct_benchmark": "孤独感（直接質問）：比較対象との比較",
        "survey_ucla_score_benchmark": "UCLA孤独感尺度：比較対象との比較",
    }.get(name, name)


def table_description(name: str) -> str:
    """What a survey table counts and over which denominator."""
    if name.startswith("survey_respondents_by_"):
        return "回答者数と、全回答者に占める割合。"
    if name == "survey_open_response":
        return "設問ごとの回答状況（記述あり・特になし・無回答）と、全回答者に占める割合。"
    if name.startswith("survey_open_themes"):
        return ("記述ありの回答のうち、そのテーマに触れた回答の割合（1件に複数テーマあり、合計は100%を超えます）。"
                + ("分母は各グループの記述ありの回答数。" if "_by_" in name else ""))
    if name.startswith("survey_choice"):
        return "各選択肢を選んだ回答者の割合（無回答を含む）。" + ("分母は各グループの回答者数。" if "_by_" in name else "")
    if name.endswith("_benchmark"):
        return "本調査の割合と、利用者が指定した比較対象（全国調査の公表値など）の割合。差は本調査−比較対象（ポイント）。"
    if name.startswith("survey_loneliness") or name.startswith("survey_ucla"):
        return "性別・年代（「全体」は合計）ごとの回答の割合。分母は各グループの回答者数（無回答を含む）。"
    return ""


def display(df: pd.DataFrame) -> tuple[list[str], list[list[object]], list[str]]:
    """A survey table as Japanese headers, cells and kinds (text, count, share, pt, note).

    The theme id column is dropped (its label stays); suppressed cells read 秘匿; 秘匿 / 参考値
    go to one 注記 column.
    """
    columns = [c for c in df.columns if c not in ("theme", "suppressed", "reference")]
    has_note = "suppressed" in df.columns
    kinds = ["count" if c == "respondents" else "share" if c in ("share", "benchmark_share") else
             "pt" if c == "diff_pt" else "count" if c == "rank" else "text" for c in columns]
    headers = [COLUMN_LABELS.get(c, c) for c in columns] + ([COLUMN_LABELS["note"]] if has_note else [])
    rows = []
    for record in df.to_dict("records"):
        hidden = bool(record.get("suppressed", False))
        row: list[object] = []
        for column, kind in zip(columns, kinds):
            value = record[column]
            missing = value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))
            if kind != "text" and (missing or hidden) and column in ("respondents", "share", "diff_pt"):
                row.append(SUPPRESSED_MARK if hidden else "")
            elif kind != "text":
                row.append("" if missing else float(value) if kind in ("share", "pt") else int(value))
            else:
                row.append("" if missing else str(value))
        if has_note:
            row.append(SUPPRESSED_MARK if hidden else REFERENCE_MARK if record.get("reference") else "")
        rows.append(row)
    return headers + [], rows, kinds + (["note"] if has_note else [])


# --------------------------------------------------------------------------- findings

def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _usable(df: pd.DataFrame) -> pd.DataFrame:
    return df[~df["suppressed"].astype(bool) & df["share"].notna()]


def findings(tables: dict[str, pd.DataFrame], run_info: dict) -> list[Finding]:
    """Summary sentences, each computed from one table (suppressed cells and 参考値 groups never used)."""
    out: list[Finding] = []
    n = run_info.get("rows", {}).get("respondents")
    mode = tables.get("survey_respondents_by_response_mode")
    if n:
        parts = ""
        if mode is not None:
            shown = _usable(mode)
            parts = "（" + "、".join(f"{r.response_mode} {r.respondents:,}人" for r in shown.itertuples()) + "）" if len(shown) else ""
        out.append(Finding(f"回答者は{n:,}人{parts}。", "survey_respondents_by_response_mode"))
    themes, response = tables.get("survey_open_themes"), tables.get("survey_open_response")
    for q in (q for q in run_info.get("questions", []) if q["kind"] == "open"):
        name = short_question(q["label"], 30)
        if response is not None:
            answered = _usable(response[(response["question"] == q["label"]) & (response["status"] == "記述あり")])
            if len(answered):
                row = answered.iloc[0]
                out.append(Finding(f"{name}：記述ありは{int(row.respondents):,}人（回答者の{_pct(row.share)}）。", "survey_open_response"))
        if themes is None:
            continue
        rows = _usable(themes[(themes["question"] == q["label"]) & (themes["theme"] != "unclassified")]).nlargest(3, "share")
        if len(rows):
            listed = "、".join(f"「{r.theme_label}」{_pct(r.share)}" for r in rows.itertuples())
            out.append(Finding(f"{name}：多く書かれたテーマは{listed}（記述ありの回答に占める割合）。", "survey_open_themes"))
        overall = themes[themes["question"] == q["label"]].set_index("theme")["share"]
        for column in ("role", "age_band", "district"):
            by = tables.get(f"survey_open_themes_by_{column}")
            if by is None:
                continue
            cells = _usable(by[(by["question"] == q["label"]) & ~by["reference"].astype(bool)
                               & (by[column] != "不明") & (by["theme"] != "unclassified")])
            cells = cells.assign(gap=(cells["share"] - cells["theme"].map(overall).astype(float)) * 100).dropna(subset=["gap"])
            if len(cells) and cells["gap"].max() >= MIN_GAP_PT:
                top = cells.loc[cells["gap"].idxmax()]
                out.append(Finding(
                    f"{name}：{ATTRIBUTE_LABELS[column]}別では「{top[column]}」で「{top['theme_label']}」が{_pct(top['share'])}"
                    f"（全体 {_pct(overall[top['theme']])}）と多い。", f"survey_open_themes_by_{column}"))
                break
    out += _loneliness_findings(tables)
    choice = tables.get("survey_choice")
    if choice is not None:
        for q in (q for q in run_info.get("questions", []) if q["kind"] == "choice"):
            rows = _usable(choice[(choice["question"] == q["label"]) & (choice["answer"] != "無回答")])
            if len(rows):
                top = rows.loc[rows["share"].idxmax()]
                out.append(Finding(f"{short_question(q['label'], 30)}：最も多い回答は「{top['answer']}」{_pct(top['share'])}。", "survey_choice"))
    return out


def lonely_share(direct: pd.DataFrame, gender: str = ALL, age_band: str = ALL) -> tuple[float | None, bool]:
    """孤独感がある（計） of one group, None when any of its three answers is suppressed; and its 参考値 flag."""
    cells = direct[(direct["gender"] == gender) & (direct["age_band"] == age_band) & direct["answer"].isin(LONELY)]
    if len(cells) != len(LONELY) or cells["suppressed"].any():
        return None, bool(cells["reference"].any()) if len(cells) else False
    return float(cells["share"].sum()), bool(cells["reference"].any())


def _loneliness_findings(tables: dict[str, pd.DataFrame]) -> list[Finding]:
    out = []
    direct = tables.get("survey_loneliness_direct")
    if direct is not None:
        share, _ = lonely_share(direct)
        if share is not None:
            text = f"孤独感（直接質問）：{LONELY_LABEL}は{_pct(share)}"
            bench = tables.get("survey_loneliness_direct_benchmark")
            if bench is not None:
                b = bench[(bench["gender"] == ALL) & (bench["age_band"] == ALL) & bench["answer"].isin(LONELY)]
                if len(b) == len(LONELY):
                    text += f"（比較対象 {_pct(b['benchmark_share'].sum())}）"
            out.append(Finding(text + "。", "survey_loneliness_direct"))
        bands = [a for a in dict.fromkeys(direct["age_band"]) if a not in (ALL, "不明")]
        values = {a: lonely_share(direct, ALL, a) for a in bands}
        usable = {a: s for a, (s, ref) in values.items() if s is not None and not ref}
        if usable:
            top = max(usable, key=usable.get)
            out.append(Finding(f"年代別の{LONELY_LABEL}は{top}が最も高く{_pct(usable[top])}（参考値・秘匿の年代を除く）。",
                               "survey_loneliness_direct"))
    ucla = tables.get("survey_ucla_score")
    if ucla is not None:
        cell = _usable(ucla[(ucla["gender"] == ALL) & (ucla["age_band"] == ALL) & (ucla["score_band"] == "10～12点")])
        if len(cell):
            out.append(Finding(f"UCLA孤独感尺度：10～12点（孤独感が高い）は{_pct(cell.iloc[0]['share'])}。", "survey_ucla_score"))
    return out


# --------------------------------------------------------------------------- run facts

def run_facts(run_info: dict) -> list[tuple[str, str]]:
    """(label, text) lines describing the run for every report."""
    source = (run_info.get("inputs") or [{}])[0]
    facts = [("入力ファイル", Path(str(source.get("path", ""))).name + (f"（シート {source['sheet']}）" if source.get("sheet") else "")),
             ("回答者数", f"{run_info.get('rows', {}).get('respondents', 0):,}人"),
             ("除外した行", f"{run_info.get('rows', {}).get('rejected', 0):,}行（rejects.csv）"),
             ("最小セル数（秘匿基準）", str(run_info.get("min_cell", 10))),
             ("テーマ辞書", str(run_info.get("themes", {}).get("version", "")))]
    if run_info.get("benchmark"):
        facts.append(("比較対象", str(run_info["benchmark"])))
    return facts


# --------------------------------------------------------------------------- sheets

SHEET_NAMES = {
    "survey_open_response": "自由記述_回答状況", "survey_open_themes": "自由記述_テーマ", "survey_choice": "選択式_全体",
    "survey_loneliness_direct": "孤独感_直接質問", "survey_ucla_score": "孤独感_UCLA",
    "survey_loneliness_direct_benchmark": "孤独感_直接質問_比較", "survey_ucla_score_benchmark": "孤独感_UCLA_比較",
}


def sheet_name(name: str) -> str:
    for prefix, label in (("survey_respondents_by_", "回答者_"), ("survey_open_themes_by_", "自由記述_テーマ_"),
                          ("survey_choice_by_", "選択式_")):
        if name.startswith(prefix):
            return (label + ATTRIBUTE_LABELS.get(name[len(prefix):], name[len(prefix):]) + "別")[:31]
    return SHEET_NAMES.get(name, name)[:31]


def table_order(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Report order: respondents, open questions, loneliness, choice questions."""
    prefixes = ["survey_respondents_by_", "survey_open_response", "survey_open_themes", "survey_loneliness_direct",
                "survey_ucla_score", "survey_choice"]
    return sorted(tables, key=lambda n: (next((i for i, p in enumerate(prefixes) if n.startswith(p)), len(prefixes)), n))


def chart_sheets(charts: dict[str, Path]) -> dict[str, list[Path]]:
    """Which table sheet shows which charts."""
    out: dict[str, list[Path]] = {}
    for name, path in charts.items():
        if name.startswith("survey_themes_by_"):
            column = next(c for c in ATTRIBUTE_LABELS if name.startswith(f"survey_themes_by_{c}_"))
            out.setdefault(f"survey_open_themes_by_{column}", []).append(path)
        elif name.startswith("survey_themes_"):
            out.setdefault("survey_open_themes", []).append(path)
        elif name.startswith("survey_loneliness"):
            out.setdefault("survey_loneliness_direct", []).append(path)
        elif name.startswith("survey_ucla"):
            out.setdefault("survey_ucla_score", []).append(path)
        elif name.startswith("survey_choice_"):
            out.setdefault("survey_choice", []).append(path)
    return out


# --------------------------------------------------------------------------- reuse by the main reports

@dataclass
class SurveyMaterials:
    """A finished survey run, for the consultation reports to add a survey section."""

    tables: dict[str, pd.DataFrame]
    quotes: pd.DataFrame
    run_info: dict
    findings: list[Finding]
    charts: dict[str, Path]


def load_survey_run(folder: str | Path) -> SurveyMaterials:
    """Read a survey run folder (run.json, aggregates/survey_*.csv, survey_quotes.csv, charts/survey_*.png).

    Example:
        >>> survey = load_survey_run("outputs/demo/survey")  # doctest: +SKIP
        >>> [f.text for f in survey.findings][:1]  # doctest: +SKIP
        ['回答者は720人（紙 464人、Web 256人）。']
    """
    import json

    folder = Path(folder)
    run_info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    tables = {}
    for path in sorted((folder / "aggregates").glob("survey_*.csv")):
        table = pd.read_csv(path, encoding="utf-8-sig", dtype={"age_band": str, "answer": str, "score_band": str})
        for column in ("suppressed", "reference"):
            if column in table:
                table[column] = table[column].astype(str).str.lower().eq("true")
        if "respondents" in table:
            table["respondents"] = table["respondents"].astype("Int64")
        tables[path.stem] = table
    quotes_path = folder / "survey_quotes.csv"
    quotes = pd.read_csv(quotes_path, encoding="utf-8-sig") if quotes_path.exists() else pd.DataFrame()
    charts = {p.stem: p for p in sorted((folder / "charts").glob("survey_*.png"))}
    return SurveyMaterials(tables, quotes, run_info, findings(tables, run_info), charts)
