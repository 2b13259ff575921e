"""Chart style shared by every chart module: font, palette, order of categories, saving.

matplotlib runs headless (Agg) with the bundled IPAexGothic font (matplotlib-fontja).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib_fontja  # noqa: E402,F401   (registers IPAexGothic and selects it)
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from nlp.report.labels import THEME_LABELS  # noqa: E402
from nlp.ingest.schema import AGE_BANDS, GENDERS, PREFECTURES, UNKNOWN, WEEKDAYS  # noqa: E402

FONT = "IPAexGothic"  # the family matplotlib_fontja registers (ipaexg.ttf)
# Okabe & Ito (2008), colour-blind safe; blue first for single series.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"]
MAIN, ACCENT, MUTED = PALETTE[0], PALETTE[5], "#BBBBBB"
HEAT_CMAP = "Blues"
REFERENCE_FOOTNOTE = "※ 参考値（母数30件以下）"
MAX_BAR_GROUPS = 15  # prefectures / occupations beyond this are left to the tables


def _style() -> None:
    plt.rcParams.update({
        "font.family": FONT, "font.size": 12, "axes.titlesize": 15, "axes.labelsize": 12,
        "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True,
        "grid.color": "#E5E5E5", "axes.axisbelow": True, "figure.dpi": 100,
        "axes.unicode_minus": False, "svg.fonttype": "none",
    })


def _flags(df: pd.DataFrame, column: str) -> np.ndarray:
    if column not in df.columns:
        return np.zeros(len(df), dtype=bool)
    return df[column].fillna(False).astype(bool).to_numpy()


def _numbers(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").astype(float).to_numpy()


def _save(fig, path: Path, dpi: int) -> Path:
    fig.savefig(path, dpi=dpi, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    return path


def _footnote(fig, notes: list[str]) -> None:
    """Notes under everything the axes draw (tick labels included), left aligned."""
    if not notes:
        return
    renderer = fig.canvas.get_renderer()
    bottom = min(ax.get_tightbbox(renderer).y0 for ax in fig.axes) / fig.bbox.height
    fig.text(0.01, bottom - 0.02, "　".join(notes), fontsize=10, color="#444444", ha="left", va="top")


def _tick_rotation(labels: list[str], width_chars: int = 70) -> dict:
    """Rotate category labels when they would not fit side by side."""
    total = sum(len(label) + 1 for label in labels)
    return {"rotation": 45, "ha": "right"} if total > width_chars else {"rotation": 0, "ha": "center"}


_ORDERS = {"weekday": WEEKDAYS, "age_band": AGE_BANDS, "gender": GENDERS, "prefecture": PREFECTURES + [UNKNOWN],
           "theme": list(THEME_LABELS)}


def in_natural_order(df: pd.DataFrame, dim: str) -> pd.DataFrame:
    """Rows in the natural order of the dimension (月→日, 10代未満→不明, 0→23時 …), else as given."""
    if dim in _ORDERS:
        rank = {v: i for i, v in enumerate(_ORDERS[dim])}
        return df.assign(_o=df[dim].map(lambda v: rank.get(v, len(rank)))).sort_values("_o", kind="stable").drop(columns="_o")
    if dim in ("hour", "month"):
        return df.sort_values(dim, kind="stable")
    return df
