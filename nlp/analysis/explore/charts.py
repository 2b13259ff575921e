"""Charts of the exploratory views (matplotlib, IPAexGothic via nlp.report.charts): every label is a
word or group that passed --min-cell, since the charts draw only the tables' rows.

- ``explore_frequency.png``: the most frequent words overall, nouns beside verbs/adjectives;
- ``explore_frequency_<dimension>.png``: word × group heat map (share of the group's documents);
- ``explore_network_<key>.png``: co-occurrence network, node size by documents, colour by
  community, edge width by Jaccard;
- ``explore_ca_<dimension>.png``: correspondence-analysis biplot (groups as squares, words as dots).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd

from nlp.report.charts import MAIN, PALETTE, _footnote, _save, _style, heatmap
from nlp.report.labels import column_label, value_label

MAX_HEATMAP_GROUPS = 15
HEATMAP_WORDS = 25
# Okabe–Ito without its grey and yellow (too pale for labels); further communities are grey.
_COMMUNITY_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
_OTHER_COMMUNITY = "#AAAAAA"


def _label(dimension: str, value: str) -> str:
    if dimension == "primary_theme":
        return value_label("theme", value)
    if dimension == "question":
        return value if len(value) <= 14 else value[:13] + "…"
    return value_label(dimension, value)


def frequency_chart(freq: pd.DataFrame, top: int) -> plt.Figure | None:
    """Top words overall: nouns (left) and verbs, adjectives, adjectival nouns (right)."""
    overall = freq[freq["dimension"] == "全体"]
    if overall.empty:
        return None
    panels = [("名詞", overall[overall["pos"] == "名詞"].head(top)),
              ("動詞・形容詞・形状詞", overall[overall["pos"] != "名詞"].head(top))]
    panels = [(t, p) for t, p in panels if not p.empty]
    rows = max(len(p) for _, p in panels)
    fig, axes = plt.subplots(1, len(panels), figsize=(12, max(3.5, 0.32 * rows + 1.5)), squeeze=False)
    for ax, (title, part) in zip(axes[0], panels):
        pos = np.arange(len(part))[::-1]
        ax.barh(pos, part["documents"], color=MAIN if title == "名詞" else PALETTE[2])
        ax.set_yticks(pos, part["word"].tolist())
        ax.grid(axis="y", visible=False)
        high = part["documents"].max()
        for p, v in zip(pos, part["documents"]):
            ax.text(v + high * 0.01, p, f"{int(v):,}", va="center", fontsize=9, color="#333333")
        ax.set_xlim(0, high * 1.15)
        ax.set_xlabel("出現文書数")
        ax.set_title(title, loc="left", fontsize=13)
    fig.suptitle("よく使われる語（上位）", x=0.02, ha="left", fontsize=15)
    fig.tight_layout()
    return fig


def frequency_heatmap(freq: pd.DataFrame, groups: pd.DataFrame, dimension: str, words: int = HEATMAP_WORDS) -> plt.Figure | None:
    """The most frequent words overall × the groups of ``dimension``: share of the group's documents (%)."""
    shown = groups[(groups["dimension"] == dimension) & ~groups["suppressed"]]
    if len(shown) < 2 or len(shown) > MAX_HEATMAP_GROUPS:
        return None
    top = freq[freq["dimension"] == "全体"].head(words)["word"].tolist()
    cells = freq[(freq["dimension"] == dimension) & freq["word"].isin(top)]
    if cells.empty:
        return None
    values = cells.pivot_table(index="word", columns="group", values="share", aggfunc="first")
    values = values.reindex(index=top, columns=shown["group"].tolist()) * 100
    hidden = values.isna()  # under --min-cell in that group (or complementary): not shown
    name = "主なテーマ" if dimension == "primary_theme" else "設問" if dimension == "question" else column_label(dimension)
    fig = heatmap(values, hidden, f"語の出現率：{name if name.endswith('別') else name + '別'}",
                  row_labels=top, col_labels=[_label(dimension, g) for g in values.columns])
    _footnote(fig, ["数値は各グループの文書のうちその語を含む割合（%）。秘匿＝最小セル数未満（表示しない）"])
    return fig


def network_chart(nodes: pd.DataFrame, edges: pd.DataFrame, title: str) -> plt.Figure | None:
    """The co-occurrence network: Kamada–Kawai layout (deterministic), communities coloured."""
    if edges.empty:
        return None
    graph = nx.Graph()
    graph.add_nodes_from(nodes["word"])
    for s, t, j in edges[["source", "target", "jaccard"]].itertuples(index=False):
        graph.add_edge(s, t, weight=float(j))
    start = nx.spring_layout(graph, weight="weight", seed=17, k=2.2 / np.sqrt(max(len(graph), 1)), iterations=300)
    layout = _spread(start, {w: w for w in graph.nodes})
    docs = dict(zip(nodes["word"], nodes["documents"]))
    community = dict(zip(nodes["word"], nodes["community"]))
    high = max(docs.values())
    fig, ax = plt.subplots(figsize=(12, 9))
    for s, t, j, c in edges[["source", "target", "jaccard", "community"]].itertuples(index=False):
        (x1, y1), (x2, y2) = layout[s], layout[t]
        ax.plot([x1, x2], [y1, y2], color="#999999" if c == 0 else _colour(c), alpha=0.55,
                linewidth=0.6 + 4 * float(j), zorder=1, linestyle="--" if c == 0 else "-")
    for word in graph.nodes:
        x, y = layout[word]
        size = 250 + 2200 * (docs[word] / high)
        ax.scatter([x], [y], s=size, color=_colour(community[word]), alpha=0.35, edgecolors="white", zorder=2)
        ax.text(x, y, word, ha="center", va="center", fontsize=11, zorder=3, color="#111111")
    ax.set_axis_off()
    ax.margins(0.08)
    ax.set_title(title, loc="left", fontsize=15)
    fig.text(0.01, 0.02, "円の大きさ＝出現文書数、色＝語のまとまり（コミュニティ）、線の太さ＝Jaccard係数（破線はまとまり間）",
             fontsize=10, color="#444444", ha="left")
    return fig


def _colour(community: int) -> str:
    k = int(community) - 1
    return _COMMUNITY_COLOURS[k] if 0 <= k < len(_COMMUNITY_COLOURS) else _OTHER_COMMUNITY


def _spread(layout: dict, labels: dict[str, str], rounds: int = 300) -> dict:
    """Move nodes apart until no two label boxes overlap (deterministic; positions scaled to [-1, 1])."""
    words = sorted(layout)
    pos = np.array([layout[w] for w in words], dtype=float)
    pos = pos / max(np.abs(pos).max(), 1e-9)
    half_w = np.array([0.022 * max(len(labels[w]), 1) + 0.03 for w in words])  # about 11 pt characters
    half_h = 0.045
    for _ in range(rounds):
        dx = pos[:, None, 0] - pos[None, :, 0]
        dy = pos[:, None, 1] - pos[None, :, 1]
        over_x = half_w[:, None] + half_w[None, :] - np.abs(dx)
        over_y = 2 * half_h - np.abs(dy)
        clash = (over_x > 0) & (over_y > 0)
        np.fill_diagonal(clash, False)
        if not clash.any():
            break
        # push along the axis that needs the smaller move; ties (same spot) by index order
        along_x = clash & (over_x / half_w[:, None] < over_y / half_h)
        along_y = clash & ~along_x
        sign_x = np.where(dx == 0, np.sign(np.subtract.outer(np.arange(len(pos)), np.arange(len(pos)))), np.sign(dx))
        sign_y = np.where(dy == 0, np.sign(np.subtract.outer(np.arange(len(pos)), np.arange(len(pos)))), np.sign(dy))
        pos[:, 0] += 0.25 * (np.where(along_x, over_x, 0) * sign_x).sum(axis=1)
        pos[:, 1] += 0.25 * (np.where(along_y, over_y, 0) * sign_y).sum(axis=1)
    return {w: pos[i] for i, w in enumerate(words)}


def ca_chart(coordinates: pd.DataFrame, inertia: tuple[float, float], dimension: str, label_words: int) -> plt.Figure:
    """Biplot of a correspondence analysis: groups (squares) and the words farthest from the origin.

    Labels are placed next to their point where they overlap no other label (groups first);
    a word label that finds no free place is left out (its point stays).
    """
    words = coordinates[coordinates["kind"] == "word"]
    groups = coordinates[coordinates["kind"] == "group"]
    fig, ax = plt.subplots(figsize=(11, 8.5))
    ax.axhline(0, color="#CCCCCC", linewidth=0.8)
    ax.axvline(0, color="#CCCCCC", linewidth=0.8)
    ax.scatter(words["dim1"], words["dim2"], s=18, color="#888888", zorder=2)
    ax.scatter(groups["dim1"], groups["dim2"], s=90, marker="s", color=PALETTE[5], zorder=4)
    ax.grid(False)
    ax.margins(0.12)
    fig.canvas.draw()
    placer = _LabelPlacer(fig, ax)
    placer.block_points(groups["dim1"], groups["dim2"], 7)
    placer.block_points(words["dim1"], words["dim2"], 3)
    for _, row in groups.iterrows():
        placer.place(row["dim1"], row["dim2"], _label(dimension, row["label"]), required=True, fontsize=12,
                     color=PALETTE[5], zorder=5)
    far = words.assign(_r=np.hypot(words["dim1"], words["dim2"])).sort_values(["_r", "label"], ascending=[False, True])
    for _, row in far.head(label_words).iterrows():
        placer.place(row["dim1"], row["dim2"], row["label"], fontsize=10, color="#333333", zorder=3)
    ax.set_xlabel(f"第1軸（{inertia[0] * 100:.1f}%）")
    ax.set_ylabel(f"第2軸（{inertia[1] * 100:.1f}%）")
    name = {"primary_theme": "主なテーマ", "period": "時期（四半期）", "question": "設問"}.get(dimension) or column_label(dimension)
    ax.set_title(f"対応分析：語 × {name}", loc="left", fontsize=15, pad=12)
    fig.text(0.01, 0.01, f"■＝{name}、●＝語（原点から遠い語から順に、重ならない範囲で名前を表示）。近い点ほど結びつきが強い",
             fontsize=10, color="#444444", ha="left")
    return fig


class _LabelPlacer:
    """Puts each label at the first of a few offsets around its point where it overlaps nothing placed."""

    OFFSETS = [(0, 6, "center", "bottom"), (0, -6, "center", "top"), (8, 0, "left", "center"), (-8, 0, "right", "center"),
               (7, 6, "left", "bottom"), (-7, 6, "right", "bottom"), (7, -6, "left", "top"), (-7, -6, "right", "top"),
               (0, 16, "center", "bottom"), (0, -16, "center", "top"), (18, 0, "left", "center"), (-18, 0, "right", "center")]

    def __init__(self, fig, ax) -> None:
        self.fig, self.ax = fig, ax
        self.renderer = fig.canvas.get_renderer()
        self.boxes: list = []
        self.frame = ax.get_window_extent(self.renderer)

    def block_points(self, xs, ys, radius_px: float) -> None:
        """Markers labels must not cover."""
        from matplotlib.transforms import Bbox

        for x, y in self.ax.transData.transform(np.c_[np.asarray(xs, float), np.asarray(ys, float)]):
            self.boxes.append(Bbox([[x - radius_px, y - radius_px], [x + radius_px, y + radius_px]]))

    def place(self, x: float, y: float, text: str, *, required: bool = False, **style) -> None:
        for dx, dy, ha, va in self.OFFSETS:
            label = self.ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va, **style)
            box = label.get_window_extent(self.renderer).expanded(1.05, 1.1)
            inside = self.frame.contains(box.x0, box.y0) and self.frame.contains(box.x1, box.y1)
            if inside and not any(box.overlaps(b) for b in self.boxes):
                self.boxes.append(box)
                return
            label.remove()
        if required:  # a group is always named, even where it must overlap
            label = self.ax.annotate(text, (x, y), xytext=(0, 6), textcoords="offset points", ha="center", va="bottom", **style)
            self.boxes.append(label.get_window_extent(self.renderer))


def draw_explore_charts(result, out_dir: Path, *, prefix: str = "explore", dpi: int = 150) -> dict[str, Path]:
    """All explore charts of an :class:`nlp.analysis.explore.stage.ExploreResult` into ``out_dir``."""
    _style()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    charts: dict[str, Path] = {}

    def save(name: str, fig) -> None:
        if fig is not None:
            charts[name] = _save(fig, out_dir / f"{name}.png", dpi)

    save(f"{prefix}_frequency", frequency_chart(result.frequencies, min(result.top_words, 20)))
    for dimension in dict.fromkeys(result.frequencies["dimension"]):
        if dimension != "全体":
            save(f"{prefix}_frequency_{dimension}", frequency_heatmap(result.frequencies, result.groups, dimension))
    for view in result.networks:
        save(f"{prefix}_network_{view.key}", network_chart(view.network.nodes, view.network.edges,
                                                          f"共起ネットワーク：{view.title}"))
    for ca in result.correspondences:
        save(f"{prefix}_ca_{ca.dimension}", ca_chart(ca.coordinates, ca.inertia, ca.dimension, result.label_words))
    return charts
