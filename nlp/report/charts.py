"""Charts for the meeting materials: matplotlib (Agg) with the bundled IPAexGothic font.

One PNG per table, named after it (``by_month.png``, ``theme_by_age_band.png`` …), plus
``weekday_hour.png`` (heat map), ``compare_<name>.png`` and ``topics.png``. Colours are the
Okabe–Ito palette (distinguishable with colour-vision deficiency); heat maps use one hue.
Suppressed cells are drawn empty and labelled 秘匿; reference groups (n ≤ 30) get ※ and a note.

Example:
    >>> paths = draw_charts(tables, Path("out/charts"))   # doctest: +SKIP
    >>> paths["by_month"].name
    'by_month.png'
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

# chart_style sets the Agg backend and the bundled font; its names are part of this module's interface.
from nlp.report.chart_style import (  # noqa: F401
    ACCENT, FONT, HEAT_CMAP, MAIN, MAX_BAR_GROUPS, MUTED, PALETTE, REFERENCE_FOOTNOTE, _flags, _footnote, _numbers,
    _save, _style, _tick_rotation, in_natural_order,
)
from nlp.report.comparison_charts import comparison_composition_chart, comparison_items_chart
from nlp.report.labels import SUPPRESSED_MARK, WEEKDAY_LONG, dimension_columns, measure_label, table_title, value_label
from nlp.ingest.schema import WEEKDAYS


def bar_chart(df: pd.DataFrame, dim: str, title: str, *, value: str = "consultations",
              top: int | None = None, horizontal: bool = False) -> plt.Figure:
    """Bars per group; suppressed groups show 秘匿 instead of a bar, reference groups ※."""
    df = in_natural_order(df, dim)
    if top and len(df) > top:
        df = df.assign(_v=_numbers(df[value])).sort_values("_v", ascending=False).head(top).drop(columns="_v")
        title = f"{title}（上位{top}）"
    values = _numbers(df[value])
    if value == "share":
        values = values * 100
    suppressed, reference = _flags(df, "suppressed"), _flags(df, "reference")
    labels = [value_label(dim, v) + ("※" if r else "") for v, r in zip(df[dim], reference)]
    if dim == "hour":
        labels = [str(int(v)) for v in df[dim]]
    n = len(labels)
    if horizontal:
        fig, ax = plt.subplots(figsize=(10, max(3.0, 0.42 * n + 1.2)))
        pos = np.arange(n)[::-1]
        bars = ax.barh(pos, np.nan_to_num(values), color=[MUTED if r else MAIN for r in reference],
                       hatch=None)
        ax.set_yticks(pos, labels)
        ax.grid(axis="y", visible=False)
        top_value = np.nanmax(values) if np.isfinite(values).any() else 1
        for bar, v, s in zip(bars, values, suppressed):
            text = SUPPRESSED_MARK if s or not np.isfinite(v) else (f"{v:.1f}%" if value == "share" else f"{int(v):,}")
            ax.text(bar.get_width() + top_value * 0.01, bar.get_y() + bar.get_height() / 2, text,
                    va="center", fontsize=10, color="#333333")
        ax.set_xlim(0, top_value * 1.15)
        ax.set_xlabel("割合（%）" if value == "share" else "件数")
    else:
        fig, ax = plt.subplots(figsize=(10, 4.6))
        pos = np.arange(n)
        bars = ax.bar(pos, np.nan_to_num(values), color=[MUTED if r else MAIN for r in reference], width=0.75)
        ax.set_xticks(pos, labels, **_tick_rotation(labels))
        ax.grid(axis="x", visible=False)
        top_value = np.nanmax(values) if np.isfinite(values).any() else 1
        for bar, v, s in zip(bars, values, suppressed):
            if s or not np.isfinite(v):
                ax.text(bar.get_x() + bar.get_width() / 2, top_value * 0.02, SUPPRESSED_MARK, ha="center",
                        va="bottom", fontsize=9, rotation=90, color="#555555")
            elif n <= 14:
                ax.text(bar.get_x() + bar.get_width() / 2, v + top_value * 0.01,
                        f"{v:.1f}%" if value == "share" else f"{int(v):,}", ha="center", va="bottom", fontsize=10)
        ax.set_ylabel("割合（%）" if value == "share" else "件数")
        ax.set_ylim(0, top_value * 1.12)
        if dim == "hour":
            ax.set_xlabel("時（0〜23時台）")
    ax.set_title(title, loc="left")
    _footnote(fig, [REFERENCE_FOOTNOTE] if reference.any() else [])
    return fig


def _pivot(df: pd.DataFrame, row: str, col: str, value: str = "share") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matrix of values (percent for shares) and a boolean matrix of suppressed cells."""
    frame = df.assign(_v=_numbers(df[value]) * (100 if value == "share" else 1), _s=_flags(df, "suppressed"))
    rows = list(dict.fromkeys(in_natural_order(frame, row)[row]))
    cols = list(dict.fromkeys(in_natural_order(frame, col)[col]))
    values = frame.pivot_table(index=row, columns=col, values="_v", aggfunc="first", dropna=False).reindex(index=rows, columns=cols)
    masked = frame.pivot_table(index=row, columns=col, values="_s", aggfunc="max", dropna=False).reindex(index=rows, columns=cols)
    return values, masked.fillna(False).astype(bool)


def heatmap(values: pd.DataFrame, suppressed: pd.DataFrame | None, title: str, *, row_labels: list[str],
            col_labels: list[str], fmt: str = "{:.0f}", unit: str = "%", annotate: bool = True) -> plt.Figure:
    """A one-hue heat map; suppressed cells are grey with 秘匿, missing cells blank."""
    n_rows, n_cols = values.shape
    fig, ax = plt.subplots(figsize=(min(16, max(8, 0.62 * n_cols + 2.5)), max(3.2, 0.42 * n_rows + 1.8)))
    data = values.to_numpy(dtype=float)
    image = ax.imshow(np.ma.masked_invalid(data), cmap=HEAT_CMAP, aspect="auto", vmin=0,
                      vmax=np.nanmax(data) if np.isfinite(data).any() else 1)
    mask = suppressed.to_numpy(dtype=bool) if suppressed is not None else np.zeros_like(data, dtype=bool)
    if mask.any():
        ax.imshow(np.ma.masked_where(~mask, np.ones_like(data)), cmap=matplotlib.colors.ListedColormap(["#D9D9D9"]),
                  aspect="auto", vmin=0, vmax=1)
    ax.set_xticks(range(n_cols), col_labels, rotation=45 if max(map(len, col_labels), default=0) > 3 else 0,
                  ha="right" if max(map(len, col_labels), default=0) > 3 else "center")
    ax.set_yticks(range(n_rows), row_labels)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    high = np.nanmax(data) if np.isfinite(data).any() else 1
    if annotate:
        small = 8 if n_cols > 16 else 9
        for i in range(n_rows):
            for j in range(n_cols):
                if mask[i, j]:
                    ax.text(j, i, SUPPRESSED_MARK, ha="center", va="center", fontsize=small - 1, color="#555555")
                elif np.isfinite(data[i, j]):
                    ax.text(j, i, fmt.format(data[i, j]), ha="center", va="center", fontsize=small,
                            color="white" if data[i, j] > 0.6 * high else "#222222")
    bar = fig.colorbar(image, ax=ax, fraction=0.025, pad=0.01)
    bar.set_label(unit)
    ax.set_title(title, loc="left")
    return fig


def group_heatmap(df: pd.DataFrame, dim: str, col: str, title: str, *, top: int = MAX_BAR_GROUPS) -> plt.Figure:
    """Group × theme (or measure) shares as a heat map, groups limited to the ``top`` largest."""
    if df[dim].nunique() > top:
        size = df.assign(_c=_numbers(df["consultations"])).groupby(dim)["_c"].sum().sort_values(ascending=False)
        df = df[df[dim].isin(size.index[:top])]
        title = f"{title}（件数上位{top}）"
    values, suppressed = _pivot(df, dim, col)
    reference = df.groupby(dim)["reference"].max().reindex(values.index).fillna(False) if "reference" in df else None
    rows = [value_label(dim, v) + ("※" if reference is not None and bool(reference[v]) else "") for v in values.index]
    cols = [value_label(col, v) for v in values.columns]
    fig = heatmap(values, suppressed, title, row_labels=rows, col_labels=cols)
    _footnote(fig, ["数値は各グループに占める割合（%）"] + ([REFERENCE_FOOTNOTE] if reference is not None and reference.any() else []))
    return fig


def ideation_chart(df: pd.DataFrame, dim: str, title: str) -> plt.Figure:
    """Ideation shares per group: stacked 強い / 少し when those are the measures, grouped otherwise."""
    measure = "measure" if "measure" in df.columns else next(c for c in dimension_columns(df) if c != dim)
    values, suppressed = _pivot(df, dim, measure)
    reference = df.groupby(dim)["reference"].max().reindex(values.index).fillna(False) if "reference" in df else pd.Series(False, index=values.index)
    labels = [value_label(dim, v) + ("※" if bool(reference[v]) else "") for v in values.index]
    if dim == "hour":
        labels = [str(int(v)) for v in values.index]
    measures = list(values.columns)
    fig, ax = plt.subplots(figsize=(10, 4.8))
    pos = np.arange(len(labels))
    strengths = [m for m in measures if measure_label(m) in ("強い", "少し")]
    if len(strengths) == len(measures):
        order = sorted(measures, key=lambda m: measure_label(m) != "強い")
        bottom = np.zeros(len(pos))
        for m, color in zip(order, [ACCENT, PALETTE[1]]):
            v = np.nan_to_num(values[m].to_numpy(dtype=float))
            ax.bar(pos, v, bottom=bottom, color=color, label=measure_label(m), width=0.7)
            bottom += v
        for p, top_, col_mask in zip(pos, bottom, suppressed.any(axis=1)):
            if col_mask:
                ax.text(p, top_ + 0.2, SUPPRESSED_MARK, ha="center", va="bottom", fontsize=9, rotation=90, color="#555555")
    else:
        width = 0.8 / max(1, len(measures))
        for k, (m, color) in enumerate(zip(measures, PALETTE)):
            v = values[m].to_numpy(dtype=float)
            ax.bar(pos - 0.4 + width * (k + 0.5), np.nan_to_num(v), width=width, color=color, label=measure_label(m))
            for p, s in zip(pos, suppressed[m].to_numpy()):
                if s:
                    ax.text(p - 0.4 + width * (k + 0.5), 0.1, SUPPRESSED_MARK, ha="center", va="bottom",
                            fontsize=8, rotation=90, color="#555555")
    ax.set_xticks(pos, labels, **_tick_rotation(labels))
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("割合（%）")
    ax.legend(frameon=False, loc="upper right")
    ax.set_title(title, loc="left")
    _footnote(fig, ["キーワード検出による推定（カウンセラーの判断に代わるものではありません）"]
              + ([REFERENCE_FOOTNOTE] if reference.any() else []))
    return fig


def weekday_hour_chart(weekday_hour: pd.DataFrame) -> plt.Figure:
    """Weekday × hour heat map of counts, from a tidy (weekday, hour, consultations) or 7×24 frame."""
    if {"weekday", "hour"}.issubset(weekday_hour.columns):
        values, suppressed = _pivot(weekday_hour, "weekday", "hour", value="consultations")
        values = values.reindex(index=[d for d in WEEKDAYS if d in values.index], columns=sorted(values.columns))
        suppressed = suppressed.reindex_like(values).fillna(False).astype(bool)
    else:
        values, suppressed = weekday_hour.astype(float), None
    fig = heatmap(values, suppressed, "曜日×時間帯の相談件数", row_labels=[WEEKDAY_LONG.get(str(d), str(d)) for d in values.index],
                  col_labels=[str(int(h)) for h in values.columns], unit="件数", annotate=True)
    fig.axes[0].set_xlabel("時（0〜23時台）")
    return fig


def topics_chart(topics: pd.DataFrame) -> plt.Figure | None:
    """The largest topics as horizontal bars labelled with their key words."""
    size = next((c for c in ("size", "count", "consultations", "n") if c in topics.columns), None)
    label = next((c for c in ("label", "name", "keywords", "words", "representation") if c in topics.columns), None)
    if size is None or label is None or topics.empty:
        return None
    top = topics.assign(_n=_numbers(topics[size])).sort_values("_n", ascending=False).head(10)
    texts = [_short(v) for v in top[label]]
    fig, ax = plt.subplots(figsize=(10, max(3.0, 0.45 * len(texts) + 1.2)))
    pos = np.arange(len(texts))[::-1]
    ax.barh(pos, top["_n"].fillna(0), color=PALETTE[2])
    ax.set_yticks(pos, texts)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("件数")
    ax.set_title("主なトピック（自動抽出）", loc="left")
    return fig


def _short(value: object, limit: int = 24) -> str:
    text = "・".join(map(str, value[:4])) if isinstance(value, (list, tuple, np.ndarray)) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def draw_charts(tables: dict[str, pd.DataFrame], out_dir: Path, *, topics: pd.DataFrame | None = None,
                weekday_hour: pd.DataFrame | None = None, comparisons: dict[str, pd.DataFrame] | None = None,
                dpi: int = 150) -> dict[str, Path]:
    """Draw one PNG per known table (and per comparison, topics, weekday × hour) into ``out_dir``.

    Args:
        tables: tidy aggregate tables by name; unknown or empty tables are skipped.
        out_dir: folder for the PNG files (created).
        topics: topic table with a size column and a label / keywords column.
        weekday_hour: tidy (weekday, hour, consultations[, suppressed]) or a 7 × 24 matrix.
        comparisons: nlp.tables.compare tables by name: ``compare_<name>`` (age band and gender
            composition, stacked 100 %) and ``compare_<name>_items`` (theme / ideation shares).
        dpi: resolution of the PNG files.

    Returns:
        Chart name → PNG path, in section order.
    """
    _style()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    charts: dict[str, Path] = {}

    def save(name: str, fig) -> None:
        if fig is not None:
            charts[name] = _save(fig, out_dir / f"{name}.png", dpi)

    for name, df in tables.items():
        if df is None or df.empty:
            continue
        dims = dimension_columns(df)
        title = table_title(name)
        if name.startswith("by_") and len(dims) == 1:
            dim = dims[0]
            if dim in ("month", "weekday", "hour"):
                save(name, bar_chart(df, dim, title))
            else:
                save(name, bar_chart(df, dim, title.replace("件数", "割合"), value="share",
                                     horizontal=True, top=MAX_BAR_GROUPS))
        elif name.startswith("theme_by_") and "theme" in dims:
            save(name, group_heatmap(df, name[len("theme_by_"):], "theme", title))
        elif name.startswith("ideation_by_") and len(dims) >= 2:
            save(name, ideation_chart(df, name[len("ideation_by_"):], title))
    if weekday_hour is None:
        weekday_hour = tables.get("weekday_hour", tables.get("by_weekday_hour"))
    if weekday_hour is not None and not weekday_hour.empty:
        save("weekday_hour", weekday_hour_chart(weekday_hour))
    for name, df in (comparisons or {}).items():
        if df is not None and not df.empty and {"dimension", "a_share", "b_share"}.issubset(df.columns):
            save(f"compare_{name}", comparison_composition_chart(df, name))
            save(f"compare_{name}_items", comparison_items_chart(df, name))
    if topics is not None and not topics.empty:
        save("topics", topics_chart(topics))
    return charts


