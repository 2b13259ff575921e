"""Checking a column at a time: rows factorised into their distinct cells, each checked once.

Message-level exports repeat ids, dates and attributes on every message; each distinct cell (or
combination of cells) goes once through its scalar check in :mod:`nlp.ingest.checks`, and the
results and problems are spread back to the rows by code.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Callable

import numpy as np
import pandas as pd

from nlp.ingest.dates import TOKYO, common_instants, primed
from nlp.ingest.checks import WARNING_KINDS, _consultation_id, _started_at, _text
from nlp.io.cells import NEEDS_CLEANING, as_str
from nlp.io.readers import Mapping, Table

class _ColumnReader:
    """The cells of every record by canonical name, with the mapping's value maps applied."""

    def __init__(self, table: Table, rules: Mapping) -> None:
        self.table, self.value_maps = table, rules.values
        self.rows = list(map(itemgetter(1), table.records))
        self.shortest = min(map(len, self.rows), default=0)

    def factorize(self, names: list[str]) -> _Factors:
        """:func:`_factorize` of these columns (same codes and keys); a CSV's cells are strings (None
        for a short row), so its columns are keyed without a Python tuple per row."""
        positions = [self.table.columns.get(name) for name in names]
        present = [position for position in positions if position is not None]
        if not present:  # every cell None: one key
            return _Factors(np.zeros(len(self.rows), dtype=np.intp), [(None,) * len(names)] if self.rows else [], pooled=True)
        if (self.table.format != "csv" or any(name in self.value_maps for name in names)
                or max(present) >= self.shortest):
            return _factorize([self.get(name) for name in names])
        distinct = list(dict.fromkeys(present))
        if len(distinct) == 1:
            codes, first_rows = _factorize_keys(list(map(itemgetter(distinct[0]), self.rows)))
        else:
            codes, first_rows = _factorize_runs([np.fromiter(map(itemgetter(position), self.rows), dtype=object,
                                                             count=len(self.rows)) for position in distinct])
        uniques = [tuple(self.rows[row][position] if position is not None else None for position in positions)
                   for row in first_rows]
        return _Factors(codes, uniques, pooled=True)

    def get(self, column: str) -> list[Any]:
        records = self.table.records
        position = self.table.columns.get(column)
        if position is None:
            return [None] * len(records)
        if self.shortest > position:
            values = list(map(itemgetter(position), self.rows))
        else:
            values = [cells[position] if position < len(cells) else None for cells in self.rows]
        table = self.value_maps.get(column)
        if table:
            def mapped(value: Any) -> Any:
                return table.get(unicodedata.normalize("NFKC", as_str(value)).strip(), value) if value is not None else None

            found = _factorize([values])
            results = [mapped(key[0]) for key in found.uniques]
            values = [results[code] for code in found.codes.tolist()]
        return values


@dataclass
class _Factors:
    """Rows as codes into their distinct keys (each key a tuple of cells, one per column read)."""

    codes: np.ndarray
    uniques: list[tuple]
    pooled: bool = False  # every cell is a string or None


_POOLED = frozenset({str, type(None)})


def _objects(values: list[Any]) -> np.ndarray:
    """A 1-d object array (lists and tuples stay cells)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _factorize(columns: list[list[Any]]) -> _Factors:
    """Codes for rows by their cells. Strings and None are pooled; any other cell stands alone, so
    that 1, 1.0 and True (equal to Python, not to the checks) and unhashable cells never meet."""
    pooled = _POOLED
    if all(set(map(type, column)) <= pooled for column in columns):
        keys = columns[0] if len(columns) == 1 else list(zip(*columns))
        index = {key: code for code, key in enumerate(dict.fromkeys(keys))}
        codes = np.fromiter(map(index.__getitem__, keys), dtype=np.intp, count=len(keys))
        return _Factors(codes, [(key,) for key in index] if len(columns) == 1 else list(index), pooled=True)
    keys = list(zip(*columns))
    uniques: list[tuple] = []
    codes = np.empty(len(keys), dtype=np.intp)
    index: dict[tuple, int] = {}
    for position, key in enumerate(keys):
        if all(type(cell) in pooled for cell in key):
            code = index.setdefault(key, len(uniques))
            if code == len(uniques):
                uniques.append(key)
        else:
            code = len(uniques)
            uniques.append(key)
        codes[position] = code
    return _Factors(codes, uniques)


def _factorize_keys(keys: list[Any]) -> tuple[np.ndarray, list[int]]:
    """Codes for hashable keys, numbered in order of first appearance, and the first row of each."""
    index = {key: code for code, key in enumerate(dict.fromkeys(keys))}
    codes = np.fromiter(map(index.__getitem__, keys), dtype=np.intp, count=len(keys))
    return codes, np.unique(codes, return_index=True)[1].tolist()


def _factorize_runs(columns: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
    """:func:`_factorize_keys` of rows keyed by their cells in these object columns of strings and
    None. They are the cells of a consultation repeated on each of its messages: only the rows where
    a cell changes from the row before are keyed."""
    rows = len(columns[0])
    starts = np.ones(rows, dtype=bool)
    if rows > 1:
        changed = np.zeros(rows - 1, dtype=bool)
        for column in columns:
            changed |= column[1:] != column[:-1]
        starts[1:] = changed
    heads = np.flatnonzero(starts)
    head_codes, first_heads = _factorize_keys(list(zip(*[column[heads].tolist() for column in columns])))
    codes = np.repeat(head_codes, np.diff(np.append(heads, rows)))
    return codes, heads[first_heads].tolist()


@dataclass
class _Checked:
    """A scalar check run once per distinct key: its results and problems, and the rows' codes."""

    codes: np.ndarray
    uniques: list[Any]  # the check's result per key
    problems: list[tuple[tuple[str, str, str], ...]]  # (column, kind, reason) per key
    refused: np.ndarray  # per key: a problem refuses the row
    noted: np.ndarray  # per key: any problem

    def values(self, keep: np.ndarray) -> np.ndarray:
        return _objects(self.uniques)[self.codes[keep]]


def _check(factors: _Factors, positions: list[int], function: Callable[..., Any]) -> _Checked:
    """``function(*cells, problem)`` for each distinct key, on the cells at ``positions``; each
    distinct run of strings and None is checked once (other cells, as in :func:`_factorize`, alone)."""
    memo: dict[tuple, tuple] = {}
    uniques, problems = [], []
    for key in factors.uniques:
        cells = tuple([key[position] for position in positions])
        pooled = factors.pooled or all(type(cell) in _POOLED for cell in cells)
        outcome = memo.get(cells) if pooled else None
        if outcome is None:
            found: list[tuple[str, str, str]] = []
            result = function(*cells, lambda column, kind, reason, found=found: found.append((column, kind, reason)))
            outcome = (result, tuple(found))
            if pooled:
                memo[cells] = outcome
        uniques.append(outcome[0])
        problems.append(outcome[1])
    refused = np.array([any(kind not in WARNING_KINDS for _, kind, _ in found) for found in problems], dtype=bool)
    noted = np.array([bool(found) for found in problems], dtype=bool)
    return _Checked(factors.codes, uniques, problems, refused, noted)


def _no_problems(rows: int) -> _Checked:
    """A check that found nothing in any of ``rows`` rows (its one result unused)."""
    return _Checked(np.zeros(rows, dtype=np.intp), [None], [()], np.zeros(1, dtype=bool), np.zeros(1, dtype=bool))


def _joined(checks: list[tuple[np.ndarray, _Checked]], rows: int) -> _Checked:
    """Checks of disjoint sets of rows (each given with its rows) as one check of all ``rows`` rows."""
    codes = np.zeros(rows, dtype=np.intp)
    uniques: list[Any] = []
    problems: list[tuple] = []
    for positions, checked in checks:
        codes[positions] = checked.codes + len(uniques)
        uniques += checked.uniques
        problems += checked.problems
    return _Checked(codes, uniques, problems, np.concatenate([checked.refused for _, checked in checks]),
                    np.concatenate([checked.noted for _, checked in checks]))


@dataclass
class _Dates:
    """The date of every row: the check's problems, and the instant as int64 nanoseconds (UTC), the
    ``value`` of the Timestamp parse_datetime gives (0 where no date was understood)."""

    checked: _Checked
    instant: np.ndarray
    understood: np.ndarray  # bool per row

    @classmethod
    def of(cls, checked: _Checked) -> _Dates:
        """From a scalar check whose results are Timestamps or None."""
        instants = np.array([stamp.value if stamp is not None else 0 for stamp in checked.uniques], dtype=np.int64)
        understood = np.array([stamp is not None for stamp in checked.uniques], dtype=bool)
        return cls(checked, instants[checked.codes], understood[checked.codes])


def _started_at_column(values: list[Any]) -> _Dates:
    """The started_at check of every row. Cells in a common export layout (nearly all, in a large
    export) are parsed column-wise, with no problem to report; the others go through
    :func:`_started_at` once per distinct cell, with the same results as parse_datetime's."""
    instants, understood = common_instants(values)
    if understood.all():
        return _Dates(_no_problems(len(values)), instants, understood)
    done, rest = np.flatnonzero(understood), np.flatnonzero(~understood)
    others = [values[position] for position in rest.tolist()]
    with primed(others):  # the scalar path as it always was
        scalar = _Dates.of(_check(_factorize([others]), [0], lambda raw, problem: _started_at(raw, "started_at", problem)))
    instants[rest] = scalar.instant
    understood[rest] = scalar.understood
    checked = _joined([(done, _no_problems(len(done))), (rest, scalar.checked)], len(values))
    return _Dates(checked, instants, understood)


def _plain_cells(values: list[Any], *, stripped: bool = False) -> np.ndarray:
    """Which cells are non-blank strings that the check would keep as they are: no control
    characters (found in all the strings joined, each match mapped back to its cell), and with
    ``stripped`` no surrounding spaces either."""
    if set(map(type, values)) == {str}:
        strings, positions = values, None
    else:
        positions = np.flatnonzero(np.fromiter((type(value) is str for value in values), dtype=bool, count=len(values)))
        strings = [values[position] for position in positions.tolist()]
    trimmed = list(map(str.strip, strings))
    if stripped:
        plain = np.fromiter(map(str.__eq__, trimmed, strings), dtype=bool, count=len(strings))
        plain &= np.fromiter(map(bool, trimmed), dtype=bool, count=len(strings))
    else:
        plain = np.fromiter(map(bool, trimmed), dtype=bool, count=len(strings))
    joined = "".join(strings)
    if NEEDS_CLEANING.search(joined):
        ends = np.cumsum(np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)))
        found = np.fromiter((match.start() for match in NEEDS_CLEANING.finditer(joined)), dtype=np.int64)
        plain[np.searchsorted(ends, found, side="right")] = False
    if positions is None:
        return plain
    cells = np.zeros(len(values), dtype=bool)
    cells[positions] = plain
    return cells


def _ids(values: list[Any]) -> _Checked:
    """:func:`_consultation_id` for every row. Ids repeat on each message of a consultation: each
    distinct id is looked at once, and when all are plain (see :func:`_plain_cells`) taken as given."""
    found = _factorize([values])
    keys = [key[0] for key in found.uniques]
    if not _plain_cells(keys, stripped=True).all():
        return _check(found, [0], _consultation_id)
    return _Checked(found.codes, keys, [()] * len(keys), np.zeros(len(keys), dtype=bool), np.zeros(len(keys), dtype=bool))


def _as_given(values: list[Any]) -> _Checked:
    """Each row its own value, without a problem."""
    return _Checked(np.arange(len(values)), values, [()] * len(values), np.zeros(len(values), dtype=bool),
                    np.zeros(len(values), dtype=bool))


def _texts(values: list[Any]) -> _Checked:
    """:func:`_text` for every row; plain non-blank strings (nearly all texts, mostly distinct) are
    taken as they are, only the others go through the check."""
    plain = _plain_cells(values)
    if plain.all():
        return _as_given(values)
    kept, others = np.flatnonzero(plain), np.flatnonzero(~plain)
    checked = _check(_factorize([[values[position] for position in others.tolist()]]), [0], _text)
    return _joined([(kept, _as_given([values[position] for position in kept.tolist()])), (others, checked)], len(values))


def _tokyo_times(instants: np.ndarray) -> pd.DatetimeIndex:
    """Instants (int64 nanoseconds, UTC) as Tokyo times."""
    return pd.DatetimeIndex(instants.view("datetime64[ns]")).tz_localize("UTC").tz_convert(TOKYO)
