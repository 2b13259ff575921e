"""Comparison tables: a region against all others, a period against the same period a year
before, a campaign window against the window of the same length just before.

One row per (dimension, category), in blocks: ``age_band``, ``gender``, ``occupation``,
``theme`` (multi-label, as in theme_by_X), ``ideation`` (measures any / suicidal / strong) and,
for periods and events, ``total`` (the consultation counts themselves). Columns:

    group_a, group_b, dimension, category,
    a_n, a_consultations, a_share, b_n, b_consultations, b_share,
    difference (a_share - b_share), z, p_value, p_holm, significant, marker, suppressed, reference

``a_n``/``b_n`` are the denominators (consultations in each group); shares are
count / n. Test: two-sided two-proportion z-test with pooled variance (equal to the 2×2
chi-square without continuity correction); for the ``total`` row an exact binomial test of
a_count out of a_count + b_count against the ratio of the window lengths. p-values are
Holm-corrected within each dimension block; ``significant`` is p_holm < alpha and ``marker``
reads e.g. "有意（p<0.05）".

Never significant: a row that is suppressed (either count below ``min_cell``), or whose
groups have n <= 30 (``reference``); those rows have no z or p at all.

Disclosure: a row is suppressed on both sides when either count is below ``min_cell``, since
a + b is a published national or period total. In additive blocks (age_band, gender,
occupation) a block with exactly one suppressed row also loses its row with the smallest
count. Region comparisons also honour the suppression of the aggregate tables built from the
same frame (by_prefecture, by_X, by_theme, theme_by_prefecture, by_ideation), and period or
event windows made of whole calendar months honour by_month, theme_by_month and
ideation_by_month, so the comparison cannot be combined with those tables to recover a
hidden cell. Windows that cut months can still be differenced against the monthly tables:
prefer whole-month windows for published material.

Example:
    >>> compare_region(consultations, "熊本県", min_cell=10)  # doctest: +SKIP
    >>> name, start, end = parse_event("夏キャンペーン:2024-07-01:2024-08-31")  # doctest: +SKIP
    >>> compare_event(consultations, name, start, end)  # doctest: +SKIP
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from nlp.ingest import schema
from nlp.tables.aggregate import IDEATION_MEASURES, PandasCounter, build_tables, categories, prepare, theme_ids, tokyo_time
from nlp.tables.disclosure import REFERENCE_MAX_N, check_min_cell, holm


def _stats():
    """scipy.stats, imported when a comparison is tested (importing it takes ~1 s)."""
    from scipy import stats

    return stats


BLOCKS = ["age_band", "gender", "occupation", "theme", "ideation"]
ADDITIVE_BLOCKS = {"age_band", "gender", "occupation"}
COLUMNS = [
    "group_a", "group_b", "dimension", "category", "a_n", "a_consultations", "a_share",
    "b_n", "b_consultations", "b_share", "difference", "z", "p_value", "p_holm",
    "significant", "marker", "suppressed", "reference",
]


# --------------------------------------------------------------------------- statistics

def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float]:
    """Two-sided two-proportion z-test with pooled variance.

    Example (30/100 vs 15/100): pooled p = 45/200 = 0.225,
    se = sqrt(0.225 * 0.775 * (1/100 + 1/100)) = 0.059055, z = 0.15 / 0.059055 = 2.540,
    p = 2 * (1 - Φ(2.540)) = 0.0111.

    Returns:
        (z, p); (nan, nan) when a group is empty or the pooled share is 0 or 1.
    """
    if n1 <= 0 or n2 <= 0:
        return float("nan"), float("nan")
    pooled = (x1 + x2) / (n1 + n2)
    if pooled <= 0 or pooled >= 1:
        return float("nan"), float("nan")
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x1 / n1 - x2 / n2) / se
    return float(z), float(2 * _stats().norm.sf(abs(z)))


def significance_marker(alpha: float) -> str:
    return f"有意（p<{alpha:g}）"


# --------------------------------------------------------------------------- public API

def compare_region(
    consultations: pd.DataFrame, region: str, *, min_cell: int = 10, alpha: float = 0.05,
    published: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """A prefecture against all other consultations (other prefectures and 不明).

    Args:
        consultations: the consultations table.
        region: a prefecture name, with or without suffix ("熊本県" or "熊本").
        min_cell: suppression threshold.
        alpha: significance level after Holm correction.
        published: the aggregate tables built from the same frame (build_aggregates output),
            whose suppression is honoured; rebuilt from ``consultations`` when not given.

    Returns:
        The comparison table (module docstring).
    """
    min_cell = check_min_cell(min_cell)
    region = normalize_region(region)
    prep = prepare(consultations)
    in_a = (prep["prefecture"] == region).to_numpy()
    needed = ["by_age_band", "by_gender", "by_occupation", "by_theme", "by_ideation", "theme_by_prefecture"]
    if published is not None and all(name in published for name in needed + ["by_prefecture"]):
        tables = published
    else:
        tables = build_tables(prep, min_cell=min_cell, names=needed)
    by_pref = tables["by_prefecture"]
    hidden_n = bool(by_pref.loc[by_pref["prefecture"] == region, "suppressed"].any())
    honour: set[tuple[str, object]] = set()
    for block, table, column in [("age_band", "by_age_band", "age_band"), ("gender", "by_gender", "gender"),
                                 ("occupation", "by_occupation", "occupation"), ("theme", "by_theme", "theme"),
                                 ("ideation", "by_ideation", "measure")]:
        t = tables[table]
        honour |= {(block, c) for c in t.loc[t["suppressed"], column]}
    t = tables["theme_by_prefecture"]
    honour |= {("theme", c) for c in t.loc[t["suppressed"] & (t["prefecture"] == region), "theme"]}
    return _comparison(prep, in_a, ~in_a, region, f"{region}以外", min_cell=min_cell, alpha=alpha,
                       honour=honour, hidden_n=hidden_n, lengths=None)


def compare_periods(
    consultations: pd.DataFrame, start, end, *, min_cell: int = 10, alpha: float = 0.05,
    published: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """A period (inclusive dates, Asia/Tokyo) against the same dates one year before.

    Args:
        consultations: the consultations table.
        start, end: first and last day (date, datetime or "YYYY-MM-DD").
        min_cell: suppression threshold.
        alpha: significance level after Holm correction.
        published: the aggregate tables published beside this comparison (build_aggregates
            output); a whole-month window they cover honours their suppression. Without them,
            or for months they lack, the month tables are rebuilt from ``consultations``.

    Returns:
        The comparison table; group_b is the same period one year earlier (29 Feb → 28 Feb).
    """
    start, end = _window(start, end)
    b_start = (pd.Timestamp(start) - pd.DateOffset(years=1)).date()
    b_end = (pd.Timestamp(end) - pd.DateOffset(years=1)).date()
    return _period_comparison(consultations, (start, end), (b_start, b_end),
                              f"{start}〜{end}", f"{b_start}〜{b_end}（前年同期）", min_cell, alpha, published)


def compare_event(
    consultations: pd.DataFrame, name: str, start, end, *, min_cell: int = 10, alpha: float = 0.05,
    published: dict[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """A campaign window against the window of the same number of days just before it.

    Args:
        consultations: the consultations table.
        name: campaign name, used in the group labels.
        start, end: first and last day of the window (inclusive).
        min_cell: suppression threshold.
        alpha: significance level after Holm correction.
        published: as in :func:`compare_periods`.

    Returns:
        The comparison table.
    """
    start, end = _window(start, end)
    days = (end - start).days + 1
    b_start, b_end = start - timedelta(days=days), start - timedelta(days=1)
    return _period_comparison(consultations, (start, end), (b_start, b_end),
                              f"{name}（{start}〜{end}）", f"{name}直前（{b_start}〜{b_end}）", min_cell, alpha, published)


_EVENT_FORMAT = "NAME:START:END, e.g. 夏キャンペーン:2024-07-01:2024-08-31"


def parse_event(spec: str) -> tuple[str, date, date]:
    """Parse ``--event NAME:START:END`` (dates YYYY-MM-DD or YYYY/MM/DD; the name may hold colons).

    Raises:
        ValueError: naming the spec and the expected format.
    """
    parts = str(spec).rsplit(":", 2)
    if len(parts) != 3 or not parts[0].strip():
        raise ValueError(f"--event {spec!r} is not {_EVENT_FORMAT}.")
    name = parts[0].strip()
    try:
        start, end = _as_date(parts[1]), _as_date(parts[2])
    except ValueError:
        raise ValueError(f"--event {spec!r}: START and END must be dates YYYY-MM-DD ({_EVENT_FORMAT}).") from None
    if end < start:
        raise ValueError(f"--event {spec!r}: END {end} is before START {start}.")
    return name, start, end


def normalize_region(region: str) -> str:
    """"熊本" → "熊本県", "東京" → "東京都"; raise ValueError for anything that is not a prefecture."""
    name = str(region).strip()
    if name in schema.PREFECTURES:
        return name
    for pref in schema.PREFECTURES:
        if pref != "北海道" and pref[:-1] == name:
            return pref
    raise ValueError(f"The region {region!r} is not one of the 47 prefectures (e.g. 熊本県).")


# --------------------------------------------------------------------------- internals

def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}", text):
        raise ValueError(f"Not a date YYYY-MM-DD: {value!r}")
    y, m, d = map(int, re.split(r"[-/]", text))
    return date(y, m, d)


def _window(start, end) -> tuple[date, date]:
    start, end = _as_date(start), _as_date(end)
    if end < start:
        raise ValueError(f"The period end {end} is before its start {start}.")
    return start, end


def _whole_months(start: date, end: date) -> list[str] | None:
    """The months a window is made of, or None when it does not start/end on month edges."""
    if start.day != 1 or end.day != calendar.monthrange(end.year, end.month)[1]:
        return None
    return [str(p) for p in pd.period_range(start, end, freq="M")]


_MONTH_TABLES = ["by_month", "theme_by_month", "ideation_by_month"]


def _period_comparison(consultations, window_a, window_b, label_a, label_b, min_cell, alpha, published=None):
    min_cell = check_min_cell(min_cell)
    prep = prepare(consultations)
    days = tokyo_time(consultations["started_at"]).dt.date.to_numpy()
    in_a = (days >= window_a[0]) & (days <= window_a[1])
    in_b = (days >= window_b[0]) & (days <= window_b[1])
    honour: set[tuple[str, object]] = set()
    hidden_n = False
    built = None
    for months in (_whole_months(*window_a), _whole_months(*window_b)):
        if not months:
            continue
        if _covers(published, months):
            tables = published
        else:
            built = built or build_tables(prep, min_cell=min_cell, names=_MONTH_TABLES)
            tables = built
        t = tables["by_month"]
        hidden_n |= int((t["suppressed"] & t["month"].isin(months)).sum()) == 1
        for block, table, column in [("theme", "theme_by_month", "theme"),
                                     ("ideation", "ideation_by_month", "measure")]:
            t = tables[table]
            hidden = t[t["suppressed"] & t["month"].isin(months)].groupby(column).size()
            honour |= {(block, c) for c, k in hidden.items() if k == 1}
    lengths = ((window_a[1] - window_a[0]).days + 1, (window_b[1] - window_b[0]).days + 1)
    return _comparison(prep, in_a, in_b, label_a, label_b, min_cell=min_cell, alpha=alpha,
                       honour=honour, hidden_n=hidden_n, lengths=lengths)


def _covers(published: dict[str, pd.DataFrame] | None, months: list[str]) -> bool:
    """True when the published aggregate tables hold every month of the window."""
    return (published is not None and all(name in published for name in _MONTH_TABLES)
            and set(months) <= set(published["by_month"]["month"]))


def _side_counts(prep: pd.DataFrame) -> dict[str, dict]:
    counter = PandasCounter(prep)
    out = {b: counter.count_by(b) for b in ADDITIVE_BLOCKS}
    out["theme"] = counter.count_theme_by(None)
    out["ideation"] = counter.count_ideation_by(None)
    return out


def _comparison(prep, in_a, in_b, label_a, label_b, *, min_cell, alpha, honour, hidden_n, lengths):
    side_a, side_b = prep[np.asarray(in_a)], prep[np.asarray(in_b)]
    n_a, n_b = len(side_a), len(side_b)
    counts_a, counts_b = _side_counts(side_a), _side_counts(side_b)
    both = prep[np.asarray(in_a) | np.asarray(in_b)]
    block_categories = {
        "age_band": categories(both, "age_band"), "gender": categories(both, "gender"),
        "occupation": categories(both, "occupation"), "theme": theme_ids(both),
        "ideation": list(IDEATION_MEASURES),
    }
    hidden_n = hidden_n or n_a < min_cell or n_b < min_cell
    reference = n_a <= REFERENCE_MAX_N or n_b <= REFERENCE_MAX_N
    frames = []
    if lengths is not None:
        frames.append(_total_block(n_a, n_b, lengths, hidden_n, reference, alpha))
    for block in BLOCKS:
        cats = block_categories[block]
        a = np.array([counts_a[block].get(c, 0) for c in cats], dtype="int64")
        b = np.array([counts_b[block].get(c, 0) for c in cats], dtype="int64")
        hidden = (a < min_cell) | (b < min_cell) | np.array([(block, c) in honour for c in cats], dtype=bool)
        hidden |= hidden_n
        if block in ADDITIVE_BLOCKS and hidden.sum() == 1 and len(cats) > 1:
            smaller = np.where(hidden, np.iinfo("int64").max, np.minimum(a, b))
            hidden[np.argmin(smaller)] = True
        frames.append(_block(block, cats, a, b, n_a, n_b, hidden, reference, alpha))
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "group_b", label_b)
    out.insert(0, "group_a", label_a)
    out["a_n"] = pd.array([pd.NA if hidden_n else n_a] * len(out), dtype="Int64")
    out["b_n"] = pd.array([pd.NA if hidden_n else n_b] * len(out), dtype="Int64")
    return out[COLUMNS]


def _block(block, cats, a, b, n_a, n_b, hidden, reference, alpha) -> pd.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):
        share_a = np.where(hidden | (n_a == 0), np.nan, a / max(n_a, 1))
        share_b = np.where(hidden | (n_b == 0), np.nan, b / max(n_b, 1))
    z = np.full(len(cats), np.nan)
    p = np.full(len(cats), np.nan)
    if not reference:
        for i in np.flatnonzero(~hidden):
            z[i], p[i] = two_proportion_test(int(a[i]), n_a, int(b[i]), n_b)
    return _finish(block, cats, a, b, share_a, share_b, share_a - share_b, z, p, hidden, reference, alpha)


def _total_block(n_a, n_b, lengths, hidden, reference, alpha) -> pd.DataFrame:
    p = np.array([np.nan])
    if not (hidden or reference):
        expected = lengths[0] / (lengths[0] + lengths[1])
        p[0] = _stats().binomtest(n_a, n_a + n_b, expected).pvalue
    nan = np.array([np.nan])
    return _finish("total", ["consultations"], np.array([n_a]), np.array([n_b]), nan, nan, nan, nan.copy(),
                   p, np.array([hidden]), reference, alpha)


def _finish(block, cats, a, b, share_a, share_b, difference, z, p, hidden, reference, alpha) -> pd.DataFrame:
    p_holm = holm(p)
    significant = ~np.isnan(p_holm) & (p_holm < alpha)
    a_counts = pd.array(np.where(hidden, 0, a), dtype="Int64")
    b_counts = pd.array(np.where(hidden, 0, b), dtype="Int64")
    a_counts[hidden] = pd.NA
    b_counts[hidden] = pd.NA
    return pd.DataFrame({
        "dimension": block, "category": [str(c) for c in cats],
        "a_consultations": a_counts, "a_share": np.asarray(share_a, dtype=float),
        "b_consultations": b_counts, "b_share": np.asarray(share_b, dtype=float),
        "difference": np.asarray(difference, dtype=float), "z": z, "p_value": p, "p_holm": p_holm,
        "significant": significant,
        "marker": [significance_marker(alpha) if s else "" for s in significant],
        "suppressed": np.asarray(hidden, dtype=bool), "reference": reference,
    })
