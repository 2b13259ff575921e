"""Japanese labels for the meeting materials: tables, columns, themes, measures and sections.

Every report (xlsx, html, pptx, summary) takes its wording from here, so a label changes in one
place. Unknown names fall back to themselves, never to an error: a new table or measure still
renders, only with its technical name.

Example:
    >>> column_label("age_band"), theme_label("school"), table_title("by_month")
    ('年代', '学校', '月別の相談件数')
    >>> value_label("month", "2024-08"), value_label("hour", 22)
    ('2024年8月', '22時台')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nlp.report.document import REFERENCE_MARK, SUPPRESSED_MARK, format_cell  # noqa: F401  (one format_cell for every report)

REFERENCE_NOTE = "参考値：母数が30件以下のため、割合は参考として扱ってください。"
SUPPRESSED_NOTE = "秘匿：件数が最小セル数未満のため、件数・割合を表示していません。"

THEME_LABELS: dict[str, str] = {
    "school": "学校", "family": "家族", "couple": "夫婦・パートナー", "mental": "メンタル",
    "work": "職場・仕事", "career": "進路・キャリア", "romance": "恋愛",
    "relationships": "友人・人間関係", "money": "お金・生活", "health": "健康・身体",
    "gender": "性・ジェンダー", "violence": "暴力・被害", "internet": "ネット・SNS",
    "loneliness": "孤独・孤立", "other": "その他", "none": "該当なし",
}

COLUMN_LABELS: dict[str, str] = {
    "month": "月", "weekday": "曜日", "hour": "時間帯", "age_band": "年代", "gender": "性別",
    "occupation": "職業", "prefecture": "都道府県", "municipality": "市区町村", "year": "年",
    "theme": "テーマ", "primary_theme": "主テーマ", "measure": "指標", "level": "念慮レベル",
    "ideation_strength": "念慮の強さ", "strength": "念慮の強さ",
    "consultations": "件数", "share": "割合", "denominator": "母数", "n": "母数",
    "total": "母数", "suppressed": "秘匿", "reference": "参考値", "note": "注記",
    "region": "地域", "national": "全国", "region_share": "地域の割合",
    "national_share": "全国の割合", "share_region": "地域の割合", "share_national": "全国の割合",
    "diff": "差", "diff_pt": "差（pt）", "difference": "差", "p_value": "p値", "pvalue": "p値",
    "significant": "有意", "ci_low": "信頼区間下限", "ci_high": "信頼区間上限",
    "previous": "前年", "current": "当年", "previous_share": "前年の割合",
    "current_share": "当年の割合", "change": "変化", "ratio": "比",
    "topic": "トピック", "topic_id": "トピック番号", "label": "ラベル", "name": "名称",
    "size": "件数", "count": "件数", "keywords": "キーワード", "words": "キーワード",
    "representation": "キーワード", "top_words": "上位語", "excerpts": "抜粋（匿名化済み）",
    "ideation_share": "念慮ありの割合", "main_themes": "主なテーマ", "new_topic": "新しいトピック",
    "growth": "増減",
}

MEASURE_LABELS: dict[str, str] = {
    "any": "念慮あり", "suicidal": "自殺念慮以上", "ideation": "念慮あり", "ideation_any": "念慮あり", "has_ideation": "念慮あり",
    "passive": "希死念慮", "active": "自殺念慮", "plan": "計画・準備", "attempt": "行為",
    "level_1plus": "念慮あり（レベル1以上）", "level_2plus": "自殺念慮以上（レベル2以上）",
    "level_3plus": "計画・準備以上（レベル3以上）", "level_4": "行為（レベル4）",
    "strong": "強い", "weak": "少し", "mild": "少し", "none": "なし",
    "強い": "強い", "少し": "少し", "なし": "なし",
    "past_attempt": "過去の行為", "third_party": "第三者の念慮", "self_harm": "自傷",
    "level_0": "なし（レベル0）", "level_1": "希死念慮（レベル1）", "level_2": "自殺念慮（レベル2）",
    "level_3": "計画・準備（レベル3）",
}

WEEKDAY_LONG = {"月": "月曜日", "火": "火曜日", "水": "水曜日", "木": "木曜日", "金": "金曜日",
                "土": "土曜日", "日": "日曜日"}

_ATTRIBUTE_TITLES = {
    "month": "月別", "weekday": "曜日別", "hour": "時間帯別", "age_band": "年代別",
    "gender": "性別", "occupation": "職業別", "prefecture": "都道府県別",
}

TABLE_TITLES: dict[str, str] = {
    "by_month": "月別の相談件数", "by_weekday": "曜日別の相談件数", "by_hour": "時間帯別の相談件数",
    "by_age_band": "年代別の相談件数", "by_gender": "性別の相談件数",
    "by_occupation": "職業別の相談件数", "by_prefecture": "都道府県別の相談件数",
    "weekday_hour": "曜日×時間帯の相談件数", "by_theme": "相談テーマの割合（全体）",
    "by_ideation": "自殺念慮の割合（全体）",
}
TABLE_SHORT: dict[str, str] = {
    "by_month": "月別", "by_weekday": "曜日別", "by_hour": "時間帯別", "by_age_band": "年代別",
    "by_gender": "性別", "by_occupation": "職業別", "by_prefecture": "都道府県別",
    "weekday_hour": "曜日×時間帯", "by_theme": "テーマ_全体", "by_ideation": "念慮_全体",
}
for _dim, _title in _ATTRIBUTE_TITLES.items():
    TABLE_TITLES[f"theme_by_{_dim}"] = f"{_title}の相談テーマ"
    TABLE_SHORT[f"theme_by_{_dim}"] = f"テーマ_{_title}"
    TABLE_TITLES[f"ideation_by_{_dim}"] = f"{_title}の自殺念慮"
    TABLE_SHORT[f"ideation_by_{_dim}"] = f"念慮_{_title}"

TABLE_DESCRIPTIONS: dict[str, str] = {
    "by_": "相談件数と全体に占める割合。",
    "theme_by_": "各グループの相談のうち、そのテーマを含む相談の割合（1件に複数テーマあり、合計は100%を超えます）。",
    "ideation_by_": "各グループの相談のうち、キーワードで検出した希死念慮・自殺念慮を含む相談の割合。カウンセラーの判断に代わるものではありません。",
}


@dataclass(frozen=True)
class Section:
    """One section of the meeting materials: the same order in pptx, html and xlsx."""

    key: str
    title: str
    tables: tuple[str, ...] = ()


SECTIONS: tuple[Section, ...] = (
    Section("findings", "主な所見"),
    Section("time", "時間的な傾向（月・曜日・時間帯）", ("by_month", "by_weekday", "by_hour", "weekday_hour")),
    Section("attributes", "相談者の属性", ("by_age_band", "by_gender", "by_occupation", "by_prefecture")),
    Section("themes", "属性別の相談テーマ", ("by_theme", "theme_by_age_band", "theme_by_gender", "theme_by_occupation",
                                       "theme_by_prefecture", "theme_by_month")),
    Section("ideation", "自殺念慮（キーワード検出）", ("by_ideation", "ideation_by_age_band", "ideation_by_gender",
                                               "ideation_by_month", "ideation_by_hour")),
    Section("comparisons", "比較（地域・前年同期・イベント）"),
    Section("topics", "トピック（自動抽出）"),
    Section("quotes", "相談内容の例（匿名化済み）"),
    Section("method", "方法と秘匿処理について"),
)

RUN_INFO_LABELS: dict[str, str] = {
    "period": "対象期間", "start": "開始", "end": "終了", "min_cell": "最小セル数（秘匿基準）",
    "reference_n": "参考値の基準（母数）", "input_files": "入力ファイル", "inputs": "入力ファイル",
    "rows": "行数", "n_consultations": "相談件数", "consultations": "相談件数",
    "n_rejects": "除外行数", "rejects": "除外行数", "versions": "バージョン",
    "parameters": "実行パラメータ", "params": "実行パラメータ", "run_id": "実行ID",
    "started_at": "実行日時", "created_at": "作成日時", "region": "対象地域",
    "taxonomy_version": "テーマ辞書のバージョン", "lexicon_version": "念慮辞書のバージョン",
    "topics": "トピック分析", "keep_text": "本文の保持", "out": "出力先", "sha256": "SHA-256",
    "path": "パス", "file": "ファイル", "name": "名前", "fmt": "入力形式", "format": "形式",
    "mapping": "列対応ファイル", "workers": "並列数", "model": "テーマ分類モデル",
    "compare_region": "比較地域", "compare_previous_year": "前年同期との比較", "events": "イベント比較",
    "reports": "レポート作成", "since": "開始日", "until": "終了日",
    "messages_accepted": "受理したメッセージ数", "rejected": "除外行数", "encoding": "文字コード",
    "rows_read": "読込行数", "rows_accepted": "受理行数", "rows_rejected": "除外行数",
    "rows_excluded": "期間外の行数", "timings_seconds": "処理時間（秒）", "synthetic_data": "合成データ",
    "ingest": "読込", "analyse": "解析", "aggregate": "集計", "write": "書き出し",
}


def theme_label(theme_id: object) -> str:
    """Japanese label of a theme id; unknown ids are returned unchanged."""
    return THEME_LABELS.get(str(theme_id), str(theme_id))


def measure_label(measure: object) -> str:
    """Japanese label of an ideation measure; unknown values are returned unchanged."""
    return MEASURE_LABELS.get(str(measure), str(measure))


def column_label(column: str) -> str:
    """Japanese header of a column (``age_band`` → 年代); unknown columns are returned unchanged."""
    return COLUMN_LABELS.get(column, column)


def table_title(name: str) -> str:
    """Japanese title of a table (``theme_by_age_band`` → 年代別の相談テーマ)."""
    if name in TABLE_TITLES:
        return TABLE_TITLES[name]
    if name.startswith("by_"):
        parts = name[3:].split("_and_")
        return "×".join(column_label(p) for p in parts) + "別の相談件数"
    return name


def table_short(name: str) -> str:
    """A short Japanese name (≤ 31 characters, no sheet-name specials) for an Excel sheet."""
    short = TABLE_SHORT.get(name, name)
    if name == "topics":
        short = "トピック"
    elif name.startswith("compare_"):
        rest = name[len("compare_"):]
        short = {"region": "比較_地域", "year_over_year": "比較_前年同期"}.get(rest, "比較_" + rest.removeprefix("event_"))
    for ch in '[]:*?/\\':
        short = short.replace(ch, "_")
    return short[:31]


def table_description(name: str) -> str:
    """One sentence saying what the table counts and over which denominator."""
    if name.startswith("compare_"):
        return "2つのグループの割合の比較（二標本比率の検定、Holm補正 p<0.05）。差は前者−後者（pt）。"
    if name == "topics":
        return "BERTopic による自動抽出。ラベルは上位語、抜粋は匿名化済み。"
    if name == "by_theme":
        return "全相談のうち、そのテーマを含む相談の割合（1件に複数テーマあり、合計は100%を超えます）。"
    if name == "by_ideation":
        return "全相談のうち、キーワードで検出した念慮を含む相談の割合。指標は重なります（念慮あり ⊇ 自殺念慮以上）。"
    for prefix in ("theme_by_", "ideation_by_", "by_"):
        if name.startswith(prefix):
            return TABLE_DESCRIPTIONS[prefix]
    if name == "weekday_hour":
        return "曜日と時間帯の組み合わせごとの相談件数。"
    return ""


def month_label(month: str, *, with_year: bool = True) -> str:
    """``2024-08`` → ``2024年8月`` (or ``8月``); other strings are returned unchanged."""
    text = str(month)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        return f"{text[:4]}年{int(text[5:])}月" if with_year else f"{int(text[5:])}月"
    return text


def value_label(column: str, value: object) -> str:
    """Display text of one dimension value: month, hour, theme and measure ids get Japanese labels."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "不明"
    if column == "month":
        return month_label(str(value))
    if column == "hour":
        try:
            return f"{int(value)}時台"
        except (TypeError, ValueError):
            return str(value)
    if column in ("theme", "primary_theme"):
        return theme_label(value)
    if column == "main_themes":
        return "、".join(theme_label(t) for t in str(value).split("、") if t)
    if column in ("measure", "level", "strength", "ideation_strength"):
        return measure_label(value)
    return str(value)


def run_info_label(key: str) -> str:
    """Japanese label of a run_info key; unknown keys are returned unchanged."""
    return RUN_INFO_LABELS.get(key, key)


# --- display of tidy tables -------------------------------------------------------------------

VALUE_COLUMNS = ("consultations", "share", "suppressed", "reference")


def dimension_columns(df) -> list[str]:
    """The dimension columns of a tidy table: everything before ``consultations``.

    Tables without a ``consultations`` column (topics, comparisons) have every non-numeric
    column as a dimension.
    """
    cols = list(df.columns)
    if "consultations" in cols:
        return [c for c in cols[: cols.index("consultations")] if c not in VALUE_COLUMNS]
    return [c for c in cols if df[c].dtype == object or str(df[c].dtype) in ("string", "category")]


def _flag(row, column: str) -> bool:
    value = row.get(column, False)
    try:
        return bool(value) and not (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):  # pd.NA
        return False


def display_table(df) -> tuple[list[str], list[list[object]], list[str]]:
    """A tidy table as Japanese headers, cell values and column kinds, ready for any writer.

    Dimension values get their labels (テーマ ids, months, hours); ``suppressed`` and
    ``reference`` become one 注記 column; a suppressed row shows 秘匿 in every number cell.

    Args:
        df: a tidy aggregate table (or any frame; unknown columns pass through).

    Returns:
        (headers, rows, kinds) with kinds in {"text", "count", "share", "number", "note"}.
        Count cells are ``int`` or 秘匿, share cells ``float`` (0–1) or 秘匿, text cells ``str``.
    """
    dims = dimension_columns(df)
    value_cols = [c for c in df.columns if c not in dims and c not in ("suppressed", "reference")]
    has_note = "suppressed" in df.columns or "reference" in df.columns
    headers = [column_label(c) for c in dims + value_cols] + ([column_label("note")] if has_note else [])
    kinds = ["text"] * len(dims)
    for c in value_cols:
        if c in ("consultations", "size", "count", "n", "denominator", "total") or str(df[c].dtype) in ("Int64", "int64", "int32"):
            kinds.append("count")
        elif "share" in c or c in ("ratio",):
            kinds.append("share")
        elif str(df[c].dtype).startswith(("float", "Float")):
            kinds.append("number")
        else:
            kinds.append("text")
    if has_note:
        kinds.append("note")
    rows: list[list[object]] = []
    for rec in df.to_dict("records"):
        suppressed, reference = _flag(rec, "suppressed"), _flag(rec, "reference")
        row: list[object] = [value_label(c, rec[c]) for c in dims]
        for c, kind in zip(value_cols, kinds[len(dims):]):
            value = rec[c]
            missing = value is None or _is_missing(value)
            if kind in ("count", "share", "number") and (missing or (suppressed and c in ("consultations", "share"))):
                row.append(SUPPRESSED_MARK if suppressed else "")
            elif kind == "count":
                row.append(int(value))
            elif kind in ("share", "number"):
                row.append(float(value))
            else:
                row.append("" if missing else (value_label(c, value) if c in ("measure", "theme", "main_themes") else _text(value)))
        if has_note:
            row.append(SUPPRESSED_MARK if suppressed else (REFERENCE_MARK if reference else ""))
        rows.append(row)
    return headers, rows, kinds


def _is_missing(value: object) -> bool:
    try:
        return bool(value != value) or value is None or str(value) == "<NA>"
    except (TypeError, ValueError):
        return True


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


# --- comparison tables (nlp.tables.compare) ------------------------------------------------------------

DIMENSION_LABELS = {"age_band": "年代", "gender": "性別", "occupation": "職業", "theme": "テーマ",
                    "ideation": "自殺念慮", "total": "総数", "prefecture": "都道府県", "month": "月"}


def comparison_groups(df) -> tuple[str, str]:
    """The two group names of a comparison table (熊本県 / 熊本県以外, periods, events)."""
    a = str(df["group_a"].dropna().iloc[0]) if "group_a" in df and df["group_a"].notna().any() else "A"
    b = str(df["group_b"].dropna().iloc[0]) if "group_b" in df and df["group_b"].notna().any() else "B"
    return a, b


def category_label(dimension: str, category: object) -> str:
    """A comparison row's item: theme ids and ideation measures get labels, total → 相談件数."""
    if dimension == "theme":
        return theme_label(category)
    if dimension == "ideation":
        return measure_label(category)
    if dimension == "total":
        return "相談件数"
    return value_label(dimension, category)


def display_comparison(df) -> tuple[list[str], list[list[object]], list[str]]:
    """A comparison table (nlp.tables.compare) as headers, cells and kinds, like :func:`display_table`.

    Columns: 区分, 項目, A の件数 / 割合, B の件数 / 割合, 差（pt）, p値（Holm補正）, 判定, 注記.
    Suppressed rows show 秘匿 in every number cell; rows of groups with n ≤ 30 are 参考値.
    The ``pt`` kind holds the difference in percentage points.
    """
    a, b = comparison_groups(df)
    headers = ["区分", "項目", f"{a}の件数", f"{a}の割合", f"{b}の件数", f"{b}の割合", "差（pt）", "p値（Holm補正）", "判定", "注記"]
    kinds = ["text", "text", "count", "share", "count", "share", "pt", "number", "text", "note"]
    rows = []
    for rec in df.to_dict("records"):
        suppressed, reference = _flag(rec, "suppressed"), _flag(rec, "reference")
        dimension = str(rec.get("dimension", ""))
        row: list[object] = [DIMENSION_LABELS.get(dimension, dimension), category_label(dimension, rec.get("category"))]
        for column, kind in (("a_consultations", "count"), ("a_share", "share"), ("b_consultations", "count"),
                             ("b_share", "share"), ("difference", "pt"), ("p_holm", "number")):
            value = rec.get(column)
            if suppressed:
                row.append(SUPPRESSED_MARK)
            elif value is None or _is_missing(value):
                row.append("")
            elif kind == "count":
                row.append(int(value))
            elif kind == "pt":
                row.append(float(value) * 100)
            else:
                row.append(float(value))
        row.append("" if suppressed else str(rec.get("marker") or ("有意差なし" if not _is_missing(rec.get("p_holm")) else "")))
        row.append(SUPPRESSED_MARK if suppressed else (REFERENCE_MARK if reference else ""))
        rows.append(row)
    return headers, rows, kinds


def display_any(name: str, df) -> tuple[list[str], list[list[object]], list[str]]:
    """:func:`display_comparison` for ``compare_*`` tables, :func:`display_table` otherwise."""
    if name.startswith("compare_") or {"group_a", "a_share", "b_share"}.issubset(df.columns):
        return display_comparison(df)
    return display_table(df)
