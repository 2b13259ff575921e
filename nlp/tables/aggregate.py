"""Aggregate tables over the consultations table, with disclosure control.

Every table is tidy: its dimension columns, then ``consultations`` (Int64, <NA> when
suppressed), ``share`` (float 0–1, NaN when suppressed), ``suppressed`` (bool) and
``reference`` (bool, the share's denominator n <= 30 → 参考値).

Table families and their share denominators:

- ``by_X`` (X = month, weekday, hour, age_band, gender, occupation, prefecture): consultations
  per category of X; share = count / all consultations. Lines for secondary suppression: the
  whole table (it sums to the total).
- ``by_theme``: consultations having theme T (a consultation counts under every theme in its
  ``themes`` list, once); share = count / all consultations. Themes overlap, so shares do not
  add to 1 and the table has no additive line.
- ``theme_by_X``: consultations in group X having theme T; share = that count / consultations
  in group X (the multi-label ``themes`` list, not ``primary_theme``). Lines: each theme across
  all groups (sums to the by_theme count).
- ``by_ideation`` / ``ideation_by_X``: one row per group and ``measure``:
  ``any`` = ideation_level >= 1 (希死念慮・自殺念慮あり), ``suicidal`` = ideation_level >= 2
  (自殺念慮以上), ``strong`` = ideation_strength == 強い. share = count / consultations in the
  group. Measures overlap; lines: each measure across all groups.

Denominator rule: when a group's count is suppressed in ``by_X`` (primary or secondary), every
cell of that group in ``theme_by_X`` / ``ideation_by_X`` is suppressed too, since a published
share and count would reveal the hidden n.

Categories come in canonical order and are complete: schema.AGE_BANDS, GENDERS, WEEKDAYS,
hours 0–23, every month from the first to the last present (a month with none is a zero row),
theme ids in :data:`THEME_IDS` order; prefectures present, in schema order, 不明 last;
occupations present, in :data:`OCCUPATION_ORDER` then by name, 不明 last.

Counting runs in pandas or DuckDB (``engine``); suppression and shares are shared code, so the
two engines give identical frames.

Example:
    >>> tables = build_aggregates(consultations, min_cell=10, engine="duckdb")  # doctest: +SKIP
    >>> tables["theme_by_age_band"].head(2)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from nlp.ingest import schema
from nlp.tables.disclosure import check_min_cell, finish_table, lines_along, primary_suppress, secondary_suppress

THEME_IDS = [
    "school", "family", "couple", "mental", "work", "career", "romance", "relationships",
    "money", "health", "gender", "violence", "internet", "loneliness",
]
THEME_LABELS = {
    "school": "学校", "family": "家族", "couple": "夫婦・パートナー", "mental": "メンタル",
    "work": "職場・仕事", "career": "進路・キャリア", "romance": "恋愛", "relationships": "友人・人間関係",
    "money": "お金・生活", "health": "健康・身体", "gender": "性・ジェンダー", "violence": "暴力・被害",
    "internet": "ネット・SNS", "loneliness": "孤独・孤立",
}
IDEATION_MEASURES = {
    "any": "希死念慮・自殺念慮あり（レベル1以上）",
    "suicidal": "自殺念慮以上（レベル2以上）",
    "strong": "強い",
}
OCCUPATION_ORDER = [
    "小学生", "中学生", "高校生", "専門学校生", "大学生", "大学院生", "学生", "会社員", "公務員",
    "自営業", "パート・アルバイト", "派遣・契約社員", "主婦・主夫", "無職", "年金生活", "その他",
]
GROUP_DIMENSIONS = ["month", "weekday", "hour", "age_band", "gender", "occupation", "prefecture"]


@dataclass(frozen=True)
class TableSpec:
    kind: str  # "count" | "theme" | "ideation"
    dim: str | None


SPECS: dict[str, TableSpec] = {
    **{f"by_{d}": TableSpec("count", d) for d in GROUP_DIMENSIONS},
    "by_theme": TableSpec("theme", None),
    **{f"theme_by_{d}": TableSpec("theme", d)
       for d in ["age_band", "gender", "occupation", "prefecture", "month"]},
    "by_ideation": TableSpec("ideation", None),
    **{f"ideation_by_{d}": TableSpec("ideation", d) for d in ["age_band", "gender", "hour", "month"]},
}
TABLES: list[str] = list(SPECS)
"""Table names in report order."""


# --------------------------------------------------------------------------- preparation

def prepare(consultations: pd.DataFrame) -> pd.DataFrame:
    """The columns aggregation reads, cleaned: unknown categories → 不明, time columns derived
    from ``started_at`` when missing, ``themes`` as de-duplicated lists of str.

    Args:
        consultations: the consultations table (schema.CONSULTATION_COLUMNS).

    Returns:
        A new frame with consultation_id, the group dimensions, themes, ideation_level,
        ideation_strength.
    """
    df = consultations
    missing = [c for c in ["consultation_id", "themes", "ideation_level"] if c not in df.columns]
    if "started_at" not in df.columns and not {"month", "weekday", "hour"} <= set(df.columns):
        missing.append("started_at")
    if missing:
        raise ValueError(f"The consultations table lacks column(s) {missing}; columns are {list(df.columns)}.")
    out = pd.DataFrame({"consultation_id": df["consultation_id"].astype(str).to_numpy()})
    if {"month", "weekday", "hour"} <= set(df.columns):
        out["month"] = df["month"].astype(str).to_numpy()
        out["weekday"] = df["weekday"].astype(str).to_numpy()
        out["hour"] = pd.to_numeric(df["hour"]).astype("int64").to_numpy()
    else:
        started = tokyo_time(df["started_at"])
        out["month"] = started.dt.strftime("%Y-%m").to_numpy()
        out["weekday"] = np.array(schema.WEEKDAYS, dtype=object)[started.dt.day_of_week.to_numpy()]
        out["hour"] = started.dt.hour.astype("int64").to_numpy()
    for column in ["age_band", "gender", "occupation", "prefecture"]:
        values = df[column] if column in df.columns else pd.Series(schema.UNKNOWN, index=df.index)
        cleaned = values.astype(object).where(values.notna(), schema.UNKNOWN).astype(str).str.strip()
        out[column] = cleaned.replace("", schema.UNKNOWN).to_numpy()
    out["themes"] = [_theme_list(v) for v in df["themes"]]
    out["ideation_level"] = pd.to_numeric(df["ideation_level"]).fillna(0).astype("int64").to_numpy()
    strength = df["ideation_strength"] if "ideation_strength" in df.columns else pd.Series("なし", index=df.index)
    out["ideation_strength"] = strength.astype(object).where(strength.notna(), "なし").astype(str).to_numpy()
    return out


def tokyo_time(started_at: pd.Series) -> pd.Series:
    """``started_at`` as Asia/Tokyo timestamps (naive values are taken as Tokyo time)."""
    ts = pd.to_datetime(started_at)
    if ts.dt.tz is None:
        return ts.dt.tz_localize("Asia/Tokyo")
    return ts.dt.tz_convert("Asia/Tokyo")


def _theme_list(value) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):  # "school|family" from a CSV
        value = value.replace(",", "|").split("|")
    return list(dict.fromkeys(v for v in map(str.strip, map(str, value)) if v))


def categories(prep: pd.DataFrame, dim: str) -> list:
    """Canonical, complete category list of one dimension (see module docstring)."""
    present = set(pd.unique(prep[dim]).tolist())
    if dim == "hour":
        return schema.HOURS + sorted(present - set(schema.HOURS))
    if dim == "month":
        if not present:
            return []
        months = pd.period_range(min(present), max(present), freq="M")
        return [str(m) for m in months]
    fixed = {"weekday": schema.WEEKDAYS, "age_band": schema.AGE_BANDS, "gender": schema.GENDERS}
    if dim in fixed:
        base = fixed[dim]
        extras = sorted(present - set(base))
        if schema.UNKNOWN in base:  # unexpected values go before 不明
            return base[:-1] + extras + [schema.UNKNOWN]
        return base + extras
    order = schema.PREFECTURES if dim == "prefecture" else OCCUPATION_ORDER
    known = [c for c in order if c in present]
    extras = sorted(present - set(order) - {schema.UNKNOWN})
    return known + extras + ([schema.UNKNOWN] if schema.UNKNOWN in present else [])


def theme_ids(prep: pd.DataFrame) -> list[str]:
    present = {t for themes in prep["themes"] for t in themes}
    return THEME_IDS + sorted(present - set(THEME_IDS))


# --------------------------------------------------------------------------- counting engines

class PandasCounter:
    """Raw counts with pandas: dicts keyed by category (or (category, theme/measure))."""

    def __init__(self, prep: pd.DataFrame) -> None:
        self.prep = prep

    def count_by(self, dim: str) -> dict:
        return self.prep.groupby(dim, sort=False).size().to_dict()

    def count_theme_by(self, dim: str | None) -> dict:
        long = self.prep[["themes"] + ([dim] if dim else [])].explode("themes").dropna(subset=["themes"])
        if dim is None:
            return long.groupby("themes").size().to_dict()
        return long.groupby([dim, "themes"]).size().to_dict()

    def count_ideation_by(self, dim: str | None) -> dict:
        flags = _measure_flags(self.prep)
        if dim is None:
            return {m: int(flags[m].sum()) for m in IDEATION_MEASURES}
        flags[dim] = self.prep[dim]
        sums = flags.groupby(dim, sort=False)[list(IDEATION_MEASURES)].sum()
        return {(k, m): int(sums.at[k, m]) for k in sums.index for m in IDEATION_MEASURES}


def _measure_flags(prep: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "any": prep["ideation_level"] >= 1,
        "suicidal": prep["ideation_level"] >= 2,
        "strong": prep["ideation_strength"] == "強い",
    })


class DuckDBCounter:
    """The same raw counts computed by DuckDB SQL over the prepared frame."""

    def __init__(self, prep: pd.DataFrame) -> None:
        import duckdb
        import pyarrow as pa

        def column(name: str):
            if name == "themes":
                return pa.array(list(prep[name]), type=pa.list_(pa.string()))
            kind = pa.int64() if name in {"hour", "ideation_level"} else pa.string()
            return pa.array(prep[name].to_numpy(dtype=object if kind == pa.string() else "int64"), type=kind)

        table = pa.table({name: column(name) for name in prep.columns})
        self.con = duckdb.connect()
        self.con.register("c", table)

    def _rows(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def count_by(self, dim: str) -> dict:
        return {k: int(n) for k, n in self._rows(f'SELECT "{dim}", COUNT(*) FROM c GROUP BY 1')}

    def count_theme_by(self, dim: str | None) -> dict:
        if dim is None:
            sql = "SELECT t, COUNT(*) FROM (SELECT UNNEST(themes) AS t FROM c) GROUP BY 1"
            return {t: int(n) for t, n in self._rows(sql)}
        sql = f'SELECT k, t, COUNT(*) FROM (SELECT "{dim}" AS k, UNNEST(themes) AS t FROM c) GROUP BY 1, 2'
        return {(k, t): int(n) for k, t, n in self._rows(sql)}

    def count_ideation_by(self, dim: str | None) -> dict:
        measures = ("SUM(CASE WHEN ideation_level >= 1 THEN 1 ELSE 0 END), "
                    "SUM(CASE WHEN ideation_level >= 2 THEN 1 ELSE 0 END), "
                    "SUM(CASE WHEN ideation_strength = '強い' THEN 1 ELSE 0 END)")
        if dim is None:
            row = self._rows(f"SELECT {measures} FROM c")[0]
            return {m: int(v or 0) for m, v in zip(IDEATION_MEASURES, row)}
        out = {}
        for k, *values in self._rows(f'SELECT "{dim}", {measures} FROM c GROUP BY 1'):
            out.update({(k, m): int(v) for m, v in zip(IDEATION_MEASURES, values)})
        return out


ENGINES: dict[str, Callable[[pd.DataFrame], object]] = {"pandas": PandasCounter, "duckdb": DuckDBCounter}


# --------------------------------------------------------------------------- tables

def build_aggregates(
    consultations: pd.DataFrame, *, min_cell: int = 10, engine: str = "pandas"
) -> dict[str, pd.DataFrame]:
    """Every table of :data:`TABLES`, suppressed and marked.

    Args:
        consultations: the consultations table (one row per consultation).
        min_cell: cells below this count are suppressed (DESIGN.md --min-cell, default 10).
        engine: "pandas" or "duckdb"; both give identical frames.

    Returns:
        Table name → tidy DataFrame, in :data:`TABLES` order.
    """
    min_cell = check_min_cell(min_cell)
    if engine not in ENGINES:
        raise ValueError(f"The 'engine' parameter must be one of {sorted(ENGINES)}. Got {engine!r}.")
    return build_tables(prepare(consultations), min_cell=min_cell, engine=engine)


def build_tables(prep: pd.DataFrame, *, min_cell: int, engine: str = "pandas",
                 names: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """:func:`build_aggregates` over an already :func:`prepare`-d frame.

    Args:
        prep: output of :func:`prepare`.
        min_cell: primary suppression threshold.
        engine: "pandas" or "duckdb".
        names: only these tables (the by_X tables they depend on are built as well).

    Returns:
        Table name → DataFrame, in :data:`TABLES` order.
    """
    wanted = set(TABLES if names is None else names)
    wanted |= {f"by_{SPECS[n].dim}" for n in list(wanted) if SPECS[n].kind != "count" and SPECS[n].dim}
    counter = ENGINES[engine](prep)
    total = len(prep)
    themes = theme_ids(prep)
    tables: dict[str, pd.DataFrame] = {}
    group_sizes: dict[str, dict] = {}
    for name, spec in SPECS.items():
        if name not in wanted:
            continue
        if spec.kind == "count":
            group_sizes[spec.dim] = counter.count_by(spec.dim)
            tables[name] = _count_table(spec.dim, categories(prep, spec.dim), group_sizes[spec.dim],
                                        total, min_cell)
            continue
        inner, inner_values, counts = (
            ("theme", themes, counter.count_theme_by(spec.dim)) if spec.kind == "theme"
            else ("measure", list(IDEATION_MEASURES), counter.count_ideation_by(spec.dim)))
        if spec.dim is None:
            tables[name] = _count_table(inner, inner_values, counts, total, min_cell, additive=False)
        else:
            by_x = tables[f"by_{spec.dim}"]
            hidden_groups = set(by_x.loc[by_x["suppressed"], spec.dim])
            tables[name] = _cross_table(spec.dim, categories(prep, spec.dim), inner, inner_values, counts,
                                        group_sizes[spec.dim], hidden_groups, min_cell)
    return tables


def _count_table(dim: str, cats: list, counts: dict, total: int, min_cell: int,
                 *, additive: bool = True) -> pd.DataFrame:
    values = np.array([counts.get(c, 0) for c in cats], dtype="int64")
    mask = primary_suppress(values, min_cell)
    if additive:
        mask = secondary_suppress(values, mask, [np.arange(len(cats))])
    dims = pd.DataFrame({dim: cats})
    return finish_table(dims, values, np.full(len(cats), total), mask)


def _cross_table(dim: str, cats: list, inner: str, inner_values: list, counts: dict,
                 group_sizes: dict, hidden_groups: set, min_cell: int) -> pd.DataFrame:
    dims = pd.DataFrame({dim: [c for c in cats for _ in inner_values],
                         inner: [v for _ in cats for v in inner_values]})
    keys = list(zip(dims[dim], dims[inner]))
    values = np.array([counts.get(k, 0) for k in keys], dtype="int64")
    denominators = np.array([group_sizes.get(c, 0) for c in dims[dim]], dtype="int64")
    mask = primary_suppress(values, min_cell) | dims[dim].isin(hidden_groups).to_numpy()
    mask = secondary_suppress(values, mask, lines_along(dims, [inner]))
    return finish_table(dims, values, denominators, mask)
