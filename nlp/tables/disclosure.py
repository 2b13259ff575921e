"""Disclosure control for count tables: primary and secondary cell suppression, 参考値 marks.

Rules (the same for every table soudan publishes):

- **Primary suppression**: a cell whose count is below ``min_cell`` is suppressed, zero included
  (DESIGN.md: "a cell under --min-cell is suppressed"; 0 < 10).
- **Secondary (complementary) suppression**: a *line* is a set of cells whose sum is published or
  can be derived (a table's rows summing to the grand total, one theme across all age bands
  summing to that theme's total, ...). When a line holds exactly one suppressed cell, that cell
  could be recovered by subtraction, so the smallest unsuppressed cell of the line is suppressed
  too (ties: the first in the table's canonical order). This repeats until no line holds exactly
  one suppressed cell, because a new suppression can expose a cell in a crossing line.
- **Reference mark** (参考値): a share whose denominator n is at most ``REFERENCE_MAX_N`` (30) is
  published but marked ``reference=True``; no significance is claimed on it.

A suppressed cell shows ``consultations`` as <NA> and ``share`` as NaN. Example:

    >>> import numpy as np
    >>> counts = np.array([8, 6, 4, 5, 6])
    >>> secondary_suppress(counts, counts < 5, [np.arange(5)]).tolist()
    [False, False, True, True, False]
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from nlp.ingest.schema import WEEKDAYS

REFERENCE_MAX_N = 30
STAT_COLUMNS = ["consultations", "share", "suppressed", "reference"]


def check_min_cell(min_cell: int) -> int:
    """Validate the ``min_cell`` parameter (an int >= 0) and return it."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, (int, np.integer)) or min_cell < 0:
        raise ValueError(f"The 'min_cell' parameter must be an integer >= 0. Got {min_cell!r}.")
    return int(min_cell)


def primary_suppress(counts: np.ndarray, min_cell: int) -> np.ndarray:
    """Cells with a count below ``min_cell`` (zero included).

    Args:
        counts: integer counts, one per cell.
        min_cell: smallest count that may be published.

    Returns:
        Boolean mask, True where the cell is suppressed.
    """
    return np.asarray(counts) < check_min_cell(min_cell)


def secondary_suppress(
    counts: np.ndarray, suppressed: np.ndarray, lines: Iterable[Sequence[int]]
) -> np.ndarray:
    """Add complementary suppressions until no line has exactly one suppressed cell.

    Args:
        counts: integer counts, one per cell.
        suppressed: boolean mask after primary suppression (not modified).
        lines: groups of cell positions whose sum is published or derivable.

    Returns:
        The new boolean mask.
    """
    counts = np.asarray(counts)
    mask = np.array(suppressed, dtype=bool, copy=True)
    lines = [np.asarray(line, dtype=int) for line in lines if len(line) > 1]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = mask[line]
            if hidden.sum() != 1:
                continue
            open_cells = line[~hidden]
            # Smallest count first; on ties the earliest position (np.argmin returns the first).
            mask[open_cells[np.argmin(counts[open_cells])]] = True
            changed = True
    return mask


def lines_along(frame: pd.DataFrame, fixed: list[str]) -> list[np.ndarray]:
    """Lines made of the rows sharing the values of ``fixed`` columns (all rows when empty).

    Example: in theme_by_age_band, ``lines_along(t, ["theme"])`` gives, for each theme, the rows
    of every age band: they sum to the theme total.
    """
    if not fixed:
        return [np.arange(len(frame))]
    keys = frame[fixed].astype(str).agg("\x1f".join, axis=1) if len(fixed) > 1 else frame[fixed[0]]
    return [np.flatnonzero((keys == key).to_numpy()) for key in pd.unique(keys)]


def finish_table(
    dims: pd.DataFrame,
    counts: np.ndarray,
    denominators: np.ndarray,
    suppressed: np.ndarray,
    *,
    count_column: str = "consultations",
) -> pd.DataFrame:
    """Append the standard statistic columns to the dimension columns.

    Args:
        dims: the dimension columns, one row per cell, in canonical order.
        counts: cell counts.
        denominators: the n each share is computed over (0 gives NaN).
        suppressed: final suppression mask.
        count_column: name of the count column ("consultations" or "respondents").

    Returns:
        dims + count (Int64, <NA> when suppressed), share (NaN when suppressed or n = 0),
        suppressed (bool), reference (bool: n <= 30).
    """
    counts = np.asarray(counts, dtype="int64")
    denominators = np.asarray(denominators, dtype="int64")
    suppressed = np.asarray(suppressed, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(denominators > 0, counts / np.where(denominators > 0, denominators, 1), np.nan)
    share[suppressed] = np.nan
    out = dims.reset_index(drop=True).copy()
    out[count_column] = pd.array(np.where(suppressed, 0, counts), dtype="Int64")
    out.loc[suppressed, count_column] = pd.NA
    out["share"] = share.astype("float64")
    out["suppressed"] = suppressed
    out["reference"] = denominators <= REFERENCE_MAX_N
    return out


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm step-down adjusted p-values (NaN entries are left out of the family and stay NaN).

    Example:
        >>> holm(np.array([0.01, 0.04, 0.03])).round(2).tolist()
        [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    adjusted = np.full_like(p, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    m = len(tested)
    if m == 0:
        return adjusted
    order = tested[np.argsort(p[tested], kind="stable")]
    steps = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted[order] = np.maximum.accumulate(steps)
    return adjusted


def suppress_weekday_hour(weekday_hour: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Tidy weekday × hour counts with the same disclosure rules as the aggregate tables.

    A table that already has a ``suppressed`` column is returned unchanged. Otherwise cells under
    ``min_cell`` are suppressed, then complementary cells so that no weekday row (sums to
    by_weekday) or hour column (sums to by_hour) has exactly one hidden cell.

    Args:
        weekday_hour: tidy (weekday, hour, consultations) or a weekday × hour matrix of counts.
        min_cell: primary suppression threshold.

    Returns:
        Columns weekday, hour, consultations (Int64, <NA> when suppressed), share (of all
        consultations), suppressed, reference.
    """
    if "suppressed" in weekday_hour.columns:
        return weekday_hour
    if not {"weekday", "hour"}.issubset(weekday_hour.columns):
        weekday_hour = weekday_hour.rename_axis(index="weekday", columns="hour").stack().rename("consultations").reset_index()
    counts = weekday_hour.groupby(["weekday", "hour"])["consultations"].sum()
    dims = pd.DataFrame([(d, h) for d in WEEKDAYS for h in range(24)], columns=["weekday", "hour"])
    values = dims.apply(lambda r: int(counts.get((r["weekday"], r["hour"]), 0)), axis=1).to_numpy()
    mask = primary_suppress(values, min_cell)
    mask = secondary_suppress(values, mask, lines_along(dims, ["weekday"]) + lines_along(dims, ["hour"]))
    return finish_table(dims, values, [int(values.sum())] * len(values), mask)
