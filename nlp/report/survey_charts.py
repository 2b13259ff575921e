"""Charts of the survey tables: matplotlib (Agg) with the bundled IPAexGothic font.

Same conventions as :mod:`nlp.report.charts`: Okabe–Ito colours, suppressed cells drawn empty and
labelled 秘匿, 参考値 groups (n ≤ 30) marked ※. Files go to ``charts/survey_*.png``.

- ``survey_themes_<open key>.png``: theme shares of one open question (bars, highest first);
- ``survey_themes_by_<attr>_<open key>.png``: theme × group heat map of one open question, for the
  attribute (立場, 年代 or 地区) whose groups leave the most cells unsuppressed;
- ``survey_loneliness_direct.png``: answer shares overall, beside the benchmark when given;
- ``survey_loneliness_by_age.png``: direct-question answers × age band (heat map);
- ``survey_ucla_score.png``: UCLA score bands overall, beside the benchmark;
- ``survey_choice_<key>.png``: answer shares of one choice question.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib_fontja  # noqa: E402,F401  (registers IPAexGothic)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from nlp.report.labels import SUPPRESSED_MARK  # noqa: E402
from nlp.tables.loneliness import ALL, DIRECT_ANSWERS  # noqa: E402

FONT = "IPAexGothic"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
MAIN, BENCH = PALETTE[0], PALETTE[1]
LONELY = DIRECT_ANSWERS[:3]  # しばしばある・常にある + 時々ある + たまにある = 孤独感がある（計）
LONELY_LABEL = "孤独感がある（計）"
MAX_THEMES = 12
ATTRIBUTE_TITLES = {"role": "立場", "age_band": "年代", "district": "地区"}
DPI = 110


def _style() -> None:
    plt.rcParams.update({
        "font.family": FONT, "font.size": 11, "axes.titlesize": 14, "axes.spines.top": False,
        "axes.spines.right": False, "axes.grid": True, "grid.color": "#E5E5E5", "axes.axisbelow": True,
        "axes.unicode_minus": False,
    })


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return path


def short_label(value: str) -> str:
    """A group label without its parenthesised explanation: 支援者(民生委員・ボランティア等) → 支援者."""
    return re.split(r"[（(]", str(value), maxsplit=1)[0].strip() or str(value)


def short_question(label: str, limit: int = 24) -> str:
    """問11 地域のつながりや… (the question number and the start of its wording)."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


def theme_bars(table: pd.DataFrame, title: str) -> plt.Figure:
    """Horizontal bars of theme shares (highest first, at most MAX_THEMES; suppressed last as 秘匿)."""
    shown = table.assign(_s=table["share"].fillna(-1)).sort_values("_s", ascending=False).head(MAX_THEMES)
    shown = shown.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * len(shown) + 1.4))
    values = shown["share"].fillna(0).to_numpy() * 100
    ax.barh(shown["theme_label"], values, color=MAIN)
    for y, (value, hidden) in enumerate(zip(values, shown["suppressed"])):
        ax.text(value + 0.5, y, SUPPRESSED_MARK if hidden else f"{value:.1f}%", va="center", fontsize=10,
                color="#777777" if hidden else "#222222")
    ax.set_xlabel("記述ありの回答に占める割合（%）　1件に複数テーマあり")
    ax.set_xlim(0, max(values.max(initial=0) * 1.2, 10))
    ax.set_title(title, loc="left")
    return fig


def theme_heatmap(table: pd.DataFrame, column: str, title: str, groups: list[str],
                  note: str = "数値は各グループの記述ありの回答に占める割合（%）。") -> plt.Figure:
    """Theme × group shares (rows × columns); suppressed cells blank with 秘匿, 参考値 groups marked ※."""
    themes = list(dict.fromkeys(table["theme_label"]))
    grid = np.full((len(themes), len(groups)), np.nan)
    hidden = np.zeros_like(grid, dtype=bool)
    reference = {}
    for row in table.itertuples(index=False):
        row = row._asdict()
        if row[column] not in groups:
            continue
        i, j = themes.index(row["theme_label"]), groups.index(row[column])
        grid[i, j] = row["share"] * 100 if not row["suppressed"] else np.nan
        hidden[i, j] = bool(row["suppressed"])
        reference[row[column]] = bool(row["reference"])
    fig, ax = plt.subplots(figsize=(1.1 * len(groups) + 3.5, 0.38 * len(themes) + 1.8))
    ax.imshow(np.nan_to_num(grid, nan=0), cmap="Blues", aspect="auto", vmin=0, vmax=max(np.nanmax(grid, initial=0), 10))
    ax.grid(False)
    for i in range(len(themes)):
        for j in range(len(groups)):
            text = SUPPRESSED_MARK if hidden[i, j] else f"{grid[i, j]:.0f}"
            dark = not hidden[i, j] and grid[i, j] > 0.6 * np.nanmax(grid, initial=1)
            ax.text(j, i, text, ha="center", va="center", fontsize=9, color="white" if dark else "#333333")
    ax.set_yticks(range(len(themes)), themes)
    shown = [short_label(g) + ("※" if reference.get(g) else "") for g in groups]
    ax.set_xticks(range(len(groups)), shown, rotation=30 if sum(map(len, shown)) > 40 else 0,
                  ha="right" if sum(map(len, shown)) > 40 else "center")
    ax.set_title(title, loc="left")
    ax.set_xlabel(note + ("※ 参考値（母数30人以下）。" if any(reference.values()) else ""), fontsize=9, color="#444444")
    return fig


def paired_bars(labels: list[str], ours: list[float], benchmark: list[float] | None, hidden: list[bool],
                title: str, bench_name: str | None) -> plt.Figure:
    """Our shares (and the benchmark's) per answer, as grouped vertical bars."""
    x = np.arange(len(labels))
    width = 0.38 if benchmark is not None else 0.6
    fig, ax = plt.subplots(figsize=(max(7.5, 1.3 * len(labels) + 2), 4.6))
    values = np.nan_to_num(np.asarray(ours, dtype=float)) * 100
    ax.bar(x - (width / 2 if benchmark is not None else 0), values, width, color=MAIN, label="本調査")
    for xi, value, h in zip(x, values, hidden):
        ax.text(xi - (width / 2 if benchmark is not None else 0), value + 0.6, SUPPRESSED_MARK if h else f"{value:.1f}",
                ha="center", fontsize=9, color="#777777" if h else "#222222")
    if benchmark is not None:
        bench = np.asarray([np.nan if b is None else b for b in benchmark], dtype=float) * 100
        ax.bar(x + width / 2, np.nan_to_num(bench), width, color=BENCH, label=_short(bench_name or "比較対象"))
        for xi, value in zip(x, bench):
            if not np.isnan(value):
                ax.text(xi + width / 2, value + 0.6, f"{value:.1f}", ha="center", fontsize=9)
        ax.legend(frameon=False, loc="upper right")
    ax.set_xticks(x, labels, rotation=0 if sum(map(len, labels)) < 40 else 20, ha="center" if sum(map(len, labels)) < 40 else "right")
    ax.set_ylabel("割合（%）")
    ax.set_title(title, loc="left")
    return fig


def _short(name: str, limit: int = 20) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def lonely_by_age(direct: pd.DataFrame, bands: list[str]) -> plt.Figure | None:
    """Direct-question answers × age band (全体 gender) as a heat map; suppressed cells 秘匿."""
    rows = direct[(direct["gender"] == ALL) & direct["age_band"].isin(bands)]
    if rows["age_band"].nunique() < 2:
        return None
    table = rows.rename(columns={"answer": "theme_label"})
    fig = theme_heatmap(table, "age_band", "年代別の孤独感（直接質問）", [b for b in bands if b in set(rows["age_band"])],
                        note="数値は各年代の回答者に占める割合（%）。")
    return fig


def bars(labels: list[str], shares: list[float], hidden: list[bool], title: str) -> plt.Figure:
    """Simple horizontal bars (a choice question's answers)."""
    fig, ax = plt.subplots(figsize=(8.5, 0.45 * len(labels) + 1.3))
    values = np.nan_to_num(np.asarray(shares, dtype=float)) * 100
    ax.barh(labels[::-1], values[::-1], color=MAIN)
    for y, (value, h) in enumerate(zip(values[::-1], hidden[::-1])):
        ax.text(value + 0.5, y, SUPPRESSED_MARK if h else f"{value:.1f}%", va="center", fontsize=10)
    ax.set_xlim(0, max(values.max(initial=0) * 1.2, 10))
    ax.set_xlabel("回答者に占める割合（%）")
    ax.set_title(title, loc="left")
    return fig


def draw_survey_charts(tables: dict[str, pd.DataFrame], questions: list[dict], out_dir: Path,
                       bench_name: str | None = None) -> dict[str, Path]:
    """Every chart the survey tables allow; returns chart name → PNG path.

    Args:
        tables: the survey tables by name.
        questions: run.json's ``questions`` (key, kind, label).
        out_dir: the charts folder.
        bench_name: the benchmark's name for legends.
    """
    _style()
    charts: dict[str, Path] = {}
    themes = tables.get("survey_open_themes")
    for q in (q for q in questions if q["kind"] == "open"):
        if themes is not None and (themes["question"] == q["label"]).any():
            name = f"survey_themes_{q['key']}"
            charts[name] = _save(theme_bars(themes[themes["question"] == q["label"]], short_question(q["label"], 40)),
                                 out_dir / f"{name}.png")
        best = None
        for column in ("role", "age_band", "district"):
            by = tables.get(f"survey_open_themes_by_{column}")
            if by is None or themes is None:
                continue
            part = by[by["question"] == q["label"]]
            top = themes[(themes["question"] == q["label"]) & ~themes["suppressed"]].nlargest(8, "share")["theme_label"]
            part = part[part["theme_label"].isin(top) & (part[column] != "不明")]
            visible = (~part["suppressed"].astype(bool)).sum() - part[column].nunique()  # beyond one cell per group
            if len(part) and part[column].nunique() >= 2 and (best is None or visible > best[0]):
                best = (visible, column, part)
        if best is not None:
            _, column, part = best
            name = f"survey_themes_by_{column}_{q['key']}"
            title = f"{short_question(q['label'], 30)}：{ATTRIBUTE_TITLES[column]}別"
            charts[name] = _save(theme_heatmap(part, column, title, list(dict.fromkeys(part[column]))),
                                 out_dir / f"{name}.png")
    direct = tables.get("survey_loneliness_direct")
    if direct is not None:
        overall = direct[(direct["gender"] == ALL) & (direct["age_band"] == ALL)]
        bench = tables.get("survey_loneliness_direct_benchmark")
        bench_overall = bench[(bench["gender"] == ALL) & (bench["age_band"] == ALL)] if bench is not None else None
        values = bench_overall.set_index("answer")["benchmark_share"] if bench_overall is not None and len(bench_overall) else None
        charts["survey_loneliness_direct"] = _save(paired_bars(
            overall["answer"].tolist(), overall["share"].tolist(),
            [values.get(a) for a in overall["answer"]] if values is not None else None,
            overall["suppressed"].tolist(), "孤独感（直接質問）の回答分布（全体）", bench_name), out_dir / "survey_loneliness_direct.png")
        present = tables.get("survey_respondents_by_age_band")
        bands = [b for b in present["age_band"] if b != "不明"] if present is not None else []
        fig = lonely_by_age(direct, bands)
        if fig is not None:
            charts["survey_loneliness_by_age"] = _save(fig, out_dir / "survey_loneliness_by_age.png")
    ucla = tables.get("survey_ucla_score")
    if ucla is not None:
        overall = ucla[(ucla["gender"] == ALL) & (ucla["age_band"] == ALL)]
        bench = tables.get("survey_ucla_score_benchmark")
        values = bench.set_index("score_band")["benchmark_share"] if bench is not None and len(bench) else None
        if values is not None:
            values = values[~values.index.duplicated()]
        charts["survey_ucla_score"] = _save(paired_bars(
            overall["score_band"].tolist(), overall["share"].tolist(),
            [values.get(a) for a in overall["score_band"]] if values is not None else None,
            overall["suppressed"].tolist(), "UCLA孤独感尺度（3項目）の得点分布（全体）", bench_name), out_dir / "survey_ucla_score.png")
    choice = tables.get("survey_choice")
    for q in (q for q in questions if q["kind"] == "choice"):
        if choice is None:
            break
        rows = choice[choice["question"] == q["label"]]
        if rows.empty:
            continue
        name = f"survey_choice_{q['key']}"
        charts[name] = _save(bars(rows["answer"].tolist(), rows["share"].tolist(), rows["suppressed"].tolist(),
                                  short_question(q["label"], 40)), out_dir / f"{name}.png")
    return charts
