"""Comparison charts: a region or period against the rest (stacked composition, theme shares)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from nlp.report.chart_style import ACCENT, MAIN, PALETTE, _flags, _footnote, _numbers, in_natural_order
from nlp.report.labels import SUPPRESSED_MARK, column_label, value_label


def _composition(ax, block: pd.DataFrame, dimension: str, groups: tuple[str, str]) -> None:
    """Two stacked 100 % bars (group A, group B) of one additive block; hidden parts grey."""
    block = in_natural_order(block.rename(columns={"category": dimension}), dimension)
    cats = list(block[dimension])
    colors = (PALETTE if len(cats) <= len(PALETTE) - 1
              else [matplotlib.colormaps["viridis"](x) for x in np.linspace(0.0, 0.92, len(cats))])
    for y, column in ((1, "a_share"), (0, "b_share")):
        left = 0.0
        for k, (cat, share) in enumerate(zip(cats, _numbers(block[column]) * 100)):
            if not np.isfinite(share) or share <= 0:
                continue
            ax.barh(y, share, left=left, color=colors[k % len(colors)], edgecolor="white", height=0.6,
                    label=value_label(dimension, cat) if y == 1 else None)
            if share >= 5:
                rgb = matplotlib.colors.to_rgb(colors[k % len(colors)])
                dark = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] < 0.5
                ax.text(left + share / 2, y, f"{share:.0f}%", ha="center", va="center", fontsize=9,
                        color="white" if dark else "#222222")
            left += share
        if left < 99.5:
            ax.barh(y, 100 - left, left=left, color="#D9D9D9", edgecolor="white", height=0.6,
                    label=SUPPRESSED_MARK if y == 1 else None)
    ax.set_yticks([1, 0], list(groups))
    ax.set_xlim(0, 100)
    ax.grid(False)
    ax.set_title(f"{column_label(dimension)}の構成比", loc="left", fontsize=13)
    ax.legend(ncol=min(len(cats) + 1, 6), frameon=False, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.12))


def comparison_composition_chart(df: pd.DataFrame, name: str) -> plt.Figure | None:
    """Stacked 100 % bars by age band and by gender, group A against group B (e.g. 熊本県 vs 以外)."""
    from nlp.report.labels import comparison_groups

    blocks = [d for d in ("age_band", "gender") if (df["dimension"] == d).any()]
    if not blocks:
        return None
    groups = comparison_groups(df)
    fig, axes = plt.subplots(len(blocks), 1, figsize=(10, 2.6 * len(blocks) + 0.6), squeeze=False)
    for ax, dimension in zip(axes[:, 0], blocks):
        _composition(ax, df[df["dimension"] == dimension], dimension, groups)
    fig.suptitle(f"属性の構成比：{groups[0]} と {groups[1]}", x=0.02, ha="left", fontsize=15)
    fig.tight_layout()
    _footnote(fig, ["灰色は秘匿（最小セル数未満）"] if _flags(df[df["dimension"].isin(blocks)], "suppressed").any() else [])
    return fig


def comparison_items_chart(df: pd.DataFrame, name: str) -> plt.Figure | None:
    """Theme and ideation shares, group A against group B, with ＊ on significant differences."""
    from nlp.report.labels import category_label, comparison_groups

    rows = df[df["dimension"].isin(["theme", "ideation"])]
    if rows.empty:
        return None
    groups = comparison_groups(df)
    labels = [("念慮が" if d == "ideation" and category_label(d, c) == "強い" else "") + category_label(d, c)
              for d, c in zip(rows["dimension"], rows["category"])]
    fig, ax = plt.subplots(figsize=(12, 5.4))
    pos = np.arange(len(labels))
    a, b = _numbers(rows["a_share"]) * 100, _numbers(rows["b_share"]) * 100
    ax.bar(pos - 0.2, np.nan_to_num(a), width=0.38, color=MAIN, label=groups[0])
    ax.bar(pos + 0.2, np.nan_to_num(b), width=0.38, color=PALETTE[1], label=groups[1])
    high = np.nanmax(np.r_[a, b, 1])
    for p, va, vb, sig, hidden in zip(pos, a, b, _flags(rows, "significant"), _flags(rows, "suppressed")):
        if hidden:
            ax.text(p, high * 0.01, SUPPRESSED_MARK, ha="center", va="bottom", rotation=90, fontsize=9, color="#555555")
        elif sig:
            ax.text(p, max(va, vb) + high * 0.02, f"＊\n{va - vb:+.1f}pt", ha="center", va="bottom", fontsize=9, color=ACCENT)
    ax.set_xticks(pos, labels, rotation=45, ha="right")
    ax.set_ylim(0, high * 1.2)
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("割合（%）")
    ax.legend(frameon=False, loc="upper right")
    ax.set_title(f"テーマ・念慮の割合：{groups[0]} と {groups[1]}", loc="left")
    _footnote(fig, ["＊ 有意差あり（二標本比率の検定、Holm補正 p<0.05）"])
    return fig
