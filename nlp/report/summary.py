"""Key findings as Japanese sentences computed from the aggregate tables, each naming its table.

Every number in a sentence is read from one row of one table (``Finding.table``); a suppressed
cell is never used, a reference row (n ≤ 30) is marked 参考値, and a missing table simply
yields no sentence. Nothing here guesses: no table, no finding.

Example:
    >>> findings = summarize(tables)                                  # doctest: +SKIP
    >>> findings[0]
    Finding(text='相談件数は2024年8月が最多（184件、全体の12.3%）でした。', table='by_month')
"""

from __future__ import annotations

import math

import pandas as pd

from nlp.report.labels import (
    WEEKDAY_LONG, column_label, measure_label, run_info_label, table_title, theme_label, value_label,
)
from nlp.report.document import Finding

UNKNOWN = "不明"
SIGNIFICANCE_LEVEL = 0.05


def _usable(df: pd.DataFrame, dim: str | None = None) -> pd.DataFrame:
    """Rows with a number: not suppressed, share present, and (for a dimension) not 不明."""
    out = df
    if "suppressed" in out:
        out = out[~out["suppressed"].fillna(False).astype(bool)]
    out = out[pd.to_numeric(out["share"], errors="coerce").notna()] if "share" in out else out
    if dim is not None:
        out = out[out[dim].astype(str) != UNKNOWN]
    return out


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _ref(row) -> str:
    """、参考値 when the row's group has n ≤ 30, else nothing."""
    try:
        return "、参考値" if bool(row.get("reference", False)) else ""
    except (TypeError, ValueError):  # pd.NA
        return ""


def _name(dim: str, value) -> str:
    if dim == "weekday":
        return WEEKDAY_LONG.get(str(value), str(value))
    return value_label(dim, value)


def by_label(dim: str) -> str:
    """年代別, 性別 (not 性別別), 時間帯別 …"""
    return "性別" if dim == "gender" else f"{column_label(dim)}別"


def _month_findings(df: pd.DataFrame) -> list[Finding]:
    found: list[Finding] = []
    counts = pd.to_numeric(df["consultations"], errors="coerce")
    if len(df) and counts.notna().all():
        first, last = _name("month", df["month"].min()), _name("month", df["month"].max())
        found.append(Finding(f"対象期間（{first}〜{last}）の相談件数は合計{int(counts.sum()):,}件でした。", "by_month"))
    rows = _usable(df)
    if len(rows) >= 2:
        top = rows.loc[pd.to_numeric(rows["share"]).idxmax()]
        low = rows.loc[pd.to_numeric(rows["share"]).idxmin()]
        found.append(Finding(
            f"相談件数は{_name('month', top['month'])}が最多（{int(top['consultations']):,}件、全体の{_pct(top['share'])}）、"
            f"最少は{_name('month', low['month'])}（{int(low['consultations']):,}件、{_pct(low['share'])}）でした。", "by_month"))
    return found


def _weekday_finding(df: pd.DataFrame) -> list[Finding]:
    rows = _usable(df)
    if len(rows) < 2:
        return []
    share = pd.to_numeric(rows["share"])
    top, low = rows.loc[share.idxmax()], rows.loc[share.idxmin()]
    return [Finding(f"曜日別では{_name('weekday', top['weekday'])}が最も多く（全体の{_pct(top['share'])}）、"
                    f"最も少ないのは{_name('weekday', low['weekday'])}（{_pct(low['share'])}）でした。", "by_weekday")]


def _hour_finding(df: pd.DataFrame, window: int = 4) -> list[Finding]:
    rows = _usable(df)
    if len(rows) < 2:
        return []
    top = rows.loc[pd.to_numeric(rows["share"]).idxmax()]
    text = f"時間帯別では{int(top['hour'])}時台が最多（全体の{_pct(top['share'])}）"
    by_hour = dict(zip(pd.to_numeric(df["hour"]).astype(int), pd.to_numeric(df["share"], errors="coerce")))
    best = None
    for start in range(24):
        hours = [(start + k) % 24 for k in range(window)]
        values = [by_hour.get(h, math.nan) for h in hours]
        if all(isinstance(v, float) and not math.isnan(v) for v in values) and (best is None or sum(values) > best[1]):
            best = (start, sum(values))
    if best is not None and len(by_hour) == 24:
        end = (best[0] + window - 1) % 24
        text += f"で、{best[0]}〜{end}時台の{window}時間に全体の{_pct(best[1])}が集中しています"
    return [Finding(text + "。", "by_hour")]


def _attribute_finding(df: pd.DataFrame, dim: str, name: str) -> list[Finding]:
    rows = _usable(df, dim)
    if rows.empty:
        return []
    rows = rows.assign(_s=pd.to_numeric(rows["share"])).sort_values("_s", ascending=False)
    parts = [f"{_name(dim, r[dim])}（{_pct(r['share'])}）" for _, r in rows.head(2).iterrows()]
    lead = {"gender": "性別では", "age_band": "年代別では", "occupation": "職業別では", "prefecture": "都道府県別では"}[dim]
    if dim == "gender":
        text = lead + "、".join(f"{_name(dim, r[dim])}が{_pct(r['share'])}" for _, r in rows.head(2).iterrows()) + "でした。"
    else:
        text = f"{lead}{parts[0].replace('（', 'が最多（', 1)}" + (f"、次いで{parts[1]}" if len(parts) > 1 else "") + "でした。"
    if (df[dim].astype(str) == UNKNOWN).any():
        text = text[:-1] + "（不明を除く）。"
    return [Finding(text, name)]


def _theme_findings(df: pd.DataFrame, dim: str, name: str, max_groups: int = 4) -> list[Finding]:
    """The most frequent theme of the largest groups: 10代では「学校」（45.2%）…"""
    rows = _usable(df, dim)
    if rows.empty or "theme" not in rows:
        return []
    size = pd.to_numeric(df["consultations"], errors="coerce").groupby(df[dim]).sum()
    groups = [g for g in size.sort_values(ascending=False).index if str(g) != UNKNOWN and g in set(rows[dim])]
    if dim in ("age_band", "month"):
        groups = sorted(groups[:max_groups], key=list(df[dim]).index)
    parts = []
    for group in groups[:max_groups]:
        sub = rows[rows[dim] == group]
        top = sub.loc[pd.to_numeric(sub["share"]).idxmax()]
        parts.append(f"{_name(dim, group)}では「{theme_label(top['theme'])}」（{_pct(top['share'])}{_ref(top)}）")
    if not parts:
        return []
    return [Finding(f"{by_label(dim)}に最も多い相談テーマは、" + "、".join(parts) + "でした。", name)]


def _overall_theme_finding(df: pd.DataFrame) -> list[Finding]:
    rows = _usable(df)
    if rows.empty:
        return []
    rows = rows.assign(_s=pd.to_numeric(rows["share"])).sort_values("_s", ascending=False).head(3)
    parts = "、".join(f"「{theme_label(r['theme'])}」（{_pct(r['share'])}）" for _, r in rows.iterrows())
    return [Finding(f"相談テーマ（1件に複数可）で多いのは{parts}でした。", "by_theme")]


def _overall_ideation_finding(df: pd.DataFrame) -> list[Finding]:
    rows = _usable(df)
    shares = {measure_label(m): s for m, s in zip(rows["measure"], pd.to_numeric(rows["share"]))}
    if "念慮あり" not in shares:
        return []
    extra = [f"「{label}」は{_pct(shares[label])}" for label in ("自殺念慮以上", "強い") if label in shares]
    return [Finding(f"キーワード検出で希死念慮・自殺念慮ありとされた相談は全体の{_pct(shares['念慮あり'])}"
                    + (f"で、うち{'、'.join(extra)}" if extra else "") + "でした。", "by_ideation")]


def ideation_any(df: pd.DataFrame, dim: str) -> pd.DataFrame:
    """Per group, the share with any ideation: the ``any``-like measure, or 強い + 少し.

    Returns:
        Columns ``dim``, ``share``, ``reference``, ``strong`` (share 強い or NaN); groups whose
        needed cells are suppressed are left out.
    """
    measure = "measure" if "measure" in df else next((c for c in df.columns if c not in (dim, "consultations", "share", "suppressed", "reference")), None)
    if measure is None:
        return pd.DataFrame(columns=[dim, "share", "reference", "strong"])
    labels = {m: measure_label(m) for m in df[measure].unique()}
    any_measures = [m for m, label in labels.items() if label.startswith("念慮あり")]
    strong = [m for m, label in labels.items() if label == "強い"]
    parts = any_measures[:1] or [m for m, label in labels.items() if label in ("強い", "少し")] or list(labels)[:1]
    out = []
    for group, sub in df.groupby(dim, sort=False):
        chosen = sub[sub[measure].isin(parts)]
        if chosen.empty or chosen["suppressed"].fillna(False).astype(bool).any() or len(chosen) < len(parts):
            continue
        strong_rows = _usable(sub[sub[measure].isin(strong)])
        out.append({dim: group, "share": float(pd.to_numeric(chosen["share"]).sum()),
                    "reference": bool(chosen.get("reference", pd.Series([False])).fillna(False).astype(bool).any()),
                    "strong": float(strong_rows["share"].iloc[0]) if len(strong_rows) else math.nan})
    return pd.DataFrame(out, columns=[dim, "share", "reference", "strong"])


def _ideation_finding(df: pd.DataFrame, dim: str, name: str) -> list[Finding]:
    rows = ideation_any(df, dim)
    rows = rows[rows[dim].astype(str) != UNKNOWN]
    if len(rows) < 2:
        return []
    top, low = rows.loc[rows["share"].idxmax()], rows.loc[rows["share"].idxmin()]
    notes = [f"うち「強い」{_pct(top['strong'])}"] if not math.isnan(top["strong"]) else []
    notes += ["参考値"] if _ref(top) else []
    detail = f"（{'、'.join(notes)}）" if notes else ""
    return [Finding(f"希死念慮・自殺念慮あり（キーワード検出）の割合は、{by_label(dim)}では{_name(dim, top[dim])}が最も高く"
                    f"{_pct(top['share'])}{detail}、最も低いのは{_name(dim, low[dim])}の{_pct(low['share'])}{'（参考値）' if _ref(low) else ''}でした。", name)]


def _marker(row) -> str:
    """有意（p<0.05） → 有意、p<0.05 (no nested brackets inside a sentence's brackets)."""
    marker = str(row.get("marker") or "")
    return marker.replace("（", "、").replace("）", "") if marker else "有意差なし"


def _comparison_findings(name: str, df: pd.DataFrame, limit: int = 3) -> list[Finding]:
    """The largest significant differences of an nlp.tables.compare table, or that there were none.

    Example sentence: 「学校」（テーマ）の割合は熊本県12.0%、熊本県以外8.0%で、差は+4.0pt（有意（p<0.05））でした。
    """
    from nlp.report.labels import DIMENSION_LABELS, category_label, comparison_groups

    needed = {"dimension", "category", "a_share", "b_share", "significant"}
    if df.empty or not needed.issubset(df.columns):
        return []
    a, b = comparison_groups(df)
    table = f"compare_{name}"
    visible = df[~df["suppressed"].fillna(False).astype(bool)] if "suppressed" in df else df
    found: list[Finding] = []
    total = visible[visible["dimension"] == "total"]
    if len(total) and pd.notna(total["a_consultations"].iloc[0]) and pd.notna(total["b_consultations"].iloc[0]):
        row = total.iloc[0]
        mark = _marker(row)
        found.append(Finding(f"相談件数は{a}が{int(row['a_consultations']):,}件、{b}が{int(row['b_consultations']):,}件でした（{mark}）。", table))
    shares = visible[visible["dimension"] != "total"].dropna(subset=["a_share", "b_share"])
    significant = shares[shares["significant"].fillna(False).astype(bool)]
    significant = significant.assign(_d=pd.to_numeric(significant["difference"]).abs()).sort_values("_d", ascending=False)
    for _, row in significant.head(limit).iterrows():
        what = f"「{category_label(row['dimension'], row['category'])}」（{DIMENSION_LABELS.get(row['dimension'], row['dimension'])}）"
        found.append(Finding(
            f"{what}の割合は{a}{_pct(row['a_share'])}、{b}{_pct(row['b_share'])}で、"
            f"差は{(row['a_share'] - row['b_share']) * 100:+.1f}pt（{_marker(row)}）でした。", table))
    tested = int(pd.to_numeric(shares.get("p_holm", pd.Series(dtype=float)), errors="coerce").notna().sum())
    if significant.empty and tested:
        found.append(Finding(f"{a}と{b}の比較では、検定した{tested}項目（年代・性別・職業・テーマ・念慮）に"
                             "有意な差はありませんでした（Holm補正 p<0.05）。", table))
    return found


def _topic_finding(topics: pd.DataFrame) -> list[Finding]:
    size = next((c for c in ("size", "count", "consultations", "n") if c in topics), None)
    label = next((c for c in ("label", "name", "keywords", "words", "representation") if c in topics), None)
    if size is None or label is None or topics.empty:
        return []
    top = topics.loc[pd.to_numeric(topics[size], errors="coerce").idxmax()]
    words = top[label] if isinstance(top[label], str) else "・".join(map(str, list(top[label])[:4]))
    return [Finding(f"自動抽出したトピックは{len(topics)}個で、最大のものは「{words}」（{int(top[size]):,}件）でした。", "topics")]


def summarize(tables: dict[str, pd.DataFrame], *, comparisons: dict[str, pd.DataFrame] | None = None,
              topics: pd.DataFrame | None = None) -> list[Finding]:
    """Findings in section order (time, attributes, themes, ideation, comparisons, topics).

    Args:
        tables: tidy aggregate tables by name; missing or empty tables give no finding.
        comparisons: comparison tables by name (cited as ``compare_<name>``).
        topics: the topic table (cited as ``topics``).

    Returns:
        A list of :class:`Finding`; empty when nothing could be said.
    """
    def get(name: str) -> pd.DataFrame | None:
        df = tables.get(name)
        return df if df is not None and not df.empty and "share" in df else None

    found: list[Finding] = []
    if (df := get("by_month")) is not None:
        found += _month_findings(df)
    if (df := get("by_weekday")) is not None:
        found += _weekday_finding(df)
    if (df := get("by_hour")) is not None:
        found += _hour_finding(df)
    for dim in ("age_band", "gender", "occupation", "prefecture"):
        if (df := get(f"by_{dim}")) is not None:
            found += _attribute_finding(df, dim, f"by_{dim}")
    if (df := get("by_theme")) is not None:
        found += _overall_theme_finding(df)
    for dim in ("age_band", "gender", "occupation"):
        if (df := get(f"theme_by_{dim}")) is not None:
            found += _theme_findings(df, dim, f"theme_by_{dim}")
    if (df := get("by_ideation")) is not None and "measure" in df:
        found += _overall_ideation_finding(df)
    for dim in ("age_band", "gender", "hour", "month"):
        if (df := get(f"ideation_by_{dim}")) is not None:
            found += _ideation_finding(df, dim, f"ideation_by_{dim}")
    for name, df in (comparisons or {}).items():
        if df is not None:
            found += _comparison_findings(name, df)
    if topics is not None:
        found += _topic_finding(topics)
    return found


def source_title(table: str) -> str:
    """How a finding cites its table: 月別の相談件数（by_month）."""
    if table.startswith("compare_"):
        return f"{comparison_title(table[len('compare_'):])}（{table}）"
    if table == "topics":
        return "トピック（topics）"
    return f"{table_title(table)}（{table}）"


def comparison_title(name: str) -> str:
    """比較：地域 / 前年同期 / イベント名 for compare_region, compare_year_over_year, compare_event_X."""
    if name == "region":
        return "比較：地域"
    if name == "year_over_year":
        return "比較：前年同期"
    if name.startswith("event_"):
        return f"比較：{name[len('event_'):]}（前後）"
    return f"比較：{name}"


KEY_TABLES = ("by_month", "by_weekday", "by_hour", "by_age_band", "by_theme", "theme_by_age_band",
              "by_ideation", "ideation_by_age_band")


def key_findings(findings: list[Finding], limit: int = 9) -> list[Finding]:
    """The findings for the first slide: the key tables, then the first of each comparison and topics."""
    seen: set[str] = set()
    chosen = [f for f in findings if f.table in KEY_TABLES]
    for f in findings:
        if (f.table.startswith("compare_") or f.table == "topics") and f.table not in seen:
            seen.add(f.table)
            chosen.append(f)
    return chosen[:limit]


def run_info_lines(run_info: dict) -> list[tuple[str, str]]:
    """run_info flattened to (Japanese label, text) pairs for a README sheet or a method slide."""
    lines: list[tuple[str, str]] = []

    def add(prefix: str, key: str, value) -> None:
        label = f"{prefix}{run_info_label(key)}"
        if isinstance(value, dict):
            for k, v in value.items():
                add(f"{label} / ", str(k), v)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                main = item.get("path") or item.get("name") or item.get("file") or ""
                rest = "、".join(f"{run_info_label(k)}: {v}" for k, v in item.items() if k not in ("path", "name", "file"))
                lines.append((label, f"{main}（{rest}）" if rest else str(main)))
        elif isinstance(value, list):
            lines.append((label, "、".join(map(str, value)) if value else "なし"))
        else:
            lines.append((label, "なし" if value is None else str(value)))

    for key, value in run_info.items():
        add("", key, value)
    return lines


def run_facts(run_info: dict) -> list[tuple[str, str]]:
    """The few run facts a reader needs first: period, counts, min_cell, region, inputs."""
    params = run_info.get("parameters") or run_info.get("params") or {}
    rows = run_info.get("rows") or {}
    facts: list[tuple[str, str]] = []
    period = run_info.get("period")
    if isinstance(period, dict):
        period = f"{period.get('start', '')}〜{period.get('end', '')}"
    if not period and (params.get("since") or params.get("until")):
        period = f"{params.get('since') or ''}〜{params.get('until') or ''}"
    if period:
        facts.append(("対象期間", str(period)))
    n = rows.get("consultations", run_info.get("n_consultations"))
    if n is not None:
        facts.append(("相談件数", f"{int(n):,}件"))
    if rows.get("rejected") is not None:
        facts.append(("除外行数（rejects.csv）", f"{int(rows['rejected']):,}行"))
    min_cell = params.get("min_cell", run_info.get("min_cell"))
    if min_cell is not None:
        facts.append(("最小セル数（秘匿基準）", f"{min_cell}件未満を秘匿"))
    if params.get("compare_region"):
        facts.append(("比較地域", str(params["compare_region"])))
    inputs = run_info.get("inputs") or run_info.get("input_files")
    if inputs:
        facts.append(("入力ファイル数", f"{len(inputs)}"))
    return facts
