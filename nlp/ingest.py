"""Ingest: every input file to one messages table, bad rows to rejects, fatal problems to InputError.

Each row is checked and normalised on its own (dates to Asia/Tokyo, attributes to their
categories, text kept as given minus control characters). A refused row goes to ``rejects``
with its source, row number, column and reason, and the run goes on; a file that cannot be
used at all stops the run with one :class:`InputError` sentence naming the file and column.

Duplicates: rows that are whole consultations (no role column) must have unique ids: a second
row with the same id and text is kept once, one with the same id and another text is refused.
Rows that are messages (a role column, or KokoroChat) share ids; there only identical
messages (id, started_at, role, text and, for KokoroChat, the message's own time) are dropped.

Example:
    >>> result = read_inputs(["data/examples/consultations_cp932.csv"])  # doctest: +SKIP
    >>> result.messages.columns.tolist()[:3], len(result.rejects)  # doctest: +SKIP
    (['consultation_id', 'started_at', 'text'], 2)
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import re
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from nlp import attributes
from nlp.dates import TOKYO, common_instants, has_time, parse_datetime, primed, wall_time
from nlp.readers import (
    COLUMN_LABELS,
    InputError,
    Mapping,
    Table,
    check_format,
    expand_paths,
    load_mapping,
    read_table,
)
from nlp.schema import UNKNOWN

__all__ = ["InputError", "IngestResult", "Problem", "read_inputs", "ingest", "clean_text", "KIND_LABELS"]

MESSAGE_COLUMNS = [
    "consultation_id", "started_at", "text", "role", "age_band", "gender", "occupation", "prefecture",
    "municipality", "source", "row",
]
REJECT_COLUMNS = ["source", "row", "column", "reason"]
# Every kind of problem, with the label `soudan validate` groups it under. Refused rows first.
KIND_LABELS = {
    "empty_id": "相談IDが空",
    "empty_datetime": "相談日時が空",
    "bad_datetime": "相談日時を解釈できない",
    "empty_text": "相談内容が空",
    "not_text": "相談内容が文字列でない",
    "empty_role": "発言者が空",
    "bad_role": "発言者を解釈できない",
    "duplicate_row": "重複行（1件だけ採用）",
    "duplicate_id": "相談IDの重複（本文が異なる）",
    "column_count": "列の数が見出しより多い",
    "bad_json": "JSON として読めない行",
    # Warnings: the row is accepted.
    "date_without_time": "時刻がない（0時として集計）",
    "unknown_age": "年代・年齢を解釈できない（不明として扱う）",
    "unknown_gender": "性別を解釈できない（不明として扱う）",
    "unknown_prefecture": "都道府県を解釈できない（不明として扱う）",
}
WARNING_KINDS = {"date_without_time", "unknown_age", "unknown_gender", "unknown_prefecture"}
# C0 and C1 control characters except tab and newline, stray BOMs and non-characters, and lone
# surrogates (a JSON "\ud800" escape makes one; SudachiPy cannot encode it). Emoji ZWJs are kept.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff]")


@dataclass
class IngestResult:
    """Messages accepted, rows refused, and what was read from each file (for run.json)."""

    messages: pd.DataFrame
    rejects: pd.DataFrame  # source, row, column, reason
    sources: list[dict]  # path, format, encoding, sha256, rows_read, rows_accepted, rows_rejected, rows_excluded
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds reading, checking, deduplicating, framing


@dataclass(frozen=True)
class Problem:
    """One refused row (or, for WARNING_KINDS, one noted value) with the column it concerns."""

    source: str
    row: int
    column: str
    kind: str
    reason: str

    @property
    def refused(self) -> bool:
        return self.kind not in WARNING_KINDS


@dataclass
class Ingested:
    """Everything :func:`ingest` found: the result, every problem, and fatal file errors."""

    result: IngestResult
    problems: list[Problem]
    fatal: list[str]


def read_inputs(
    paths: Sequence[str | Path],
    *,
    fmt: str = "auto",
    mapping: str | Path | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    workers: int = 1,
) -> IngestResult:
    """Read every input into one messages table.

    Args:
        paths: files or directories (a directory gives its supported files, sorted by name).
        fmt: "auto" (by content and suffix; .json is KokoroChat), "csv", "xlsx", "jsonl", "parquet" or "kokorochat".
        mapping: a YAML file mapping canonical columns to the source's headers, and values.
        since: keep rows started on or after this date (Asia/Tokyo).
        until: keep rows started on or before this date (Asia/Tokyo).
        workers: processes reading and checking files (many files are read in parallel); the
            result does not depend on it.

    Returns:
        IngestResult with messages (MESSAGE_COLUMNS), rejects (REJECT_COLUMNS) and sources.

    Raises:
        InputError: a file is missing, unreadable or empty, or lacks a required column.
    """
    return ingest(paths, fmt=fmt, mapping=mapping, since=since, until=until, workers=workers).result


def ingest(
    paths: Sequence[str | Path],
    *,
    fmt: str = "auto",
    mapping: str | Path | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    keep_going: bool = False,
    workers: int = 1,
) -> Ingested:
    """:func:`read_inputs` with every problem kept; with ``keep_going`` a fatal file is noted, not raised."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    fatal: list[str] = []
    check_format(fmt)  # a wrong --format is a usage error even for validate
    try:
        rules = load_mapping(mapping)
        files = expand_paths(paths, fmt) if not keep_going else _expand_each(paths, fmt, fatal)
    except InputError as error:
        if not keep_going:
            raise
        return Ingested(IngestResult(_messages_frame([]), _rejects_frame([]), []), [], [str(error)])
    parts: list[_Rows] = []
    problems: list[Problem] = []
    sources: list[dict] = []
    warnings: list[str] = []
    dedup = _Deduplicator()
    with _no_cycle_collection():
        seconds = _read_files(files, fmt, rules, since, until, keep_going, dedup, parts, problems, sources, warnings,
                              fatal, workers)
        start = time.perf_counter()
        messages = _messages_frame(parts)
        seconds["frame"] = time.perf_counter() - start
    rejects = [p for p in problems if p.refused]
    result = IngestResult(messages, _rejects_frame(rejects), sources, warnings,
                          {name: round(value, 3) for name, value in seconds.items()})
    return Ingested(result, problems, fatal)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Reading builds millions of small lists and tuples that hold no reference cycles; the cyclic
    garbage collector would re-scan them again and again (a third of the time on a large file)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_files(files: list[Path], fmt: str, rules: Mapping, since: dt.date | None, until: dt.date | None,
                keep_going: bool, dedup: _Deduplicator, parts: list[_Rows], problems: list[Problem],
                sources: list[dict], warnings: list[str], fatal: list[str], workers: int = 1) -> dict[str, float]:
    """Read and check each file (in ``workers`` processes when there are several files), then drop
    repeats across all of them at once, adding to ``parts``, ``problems``, ``sources``,
    ``warnings`` and ``fatal`` in file order.

    Returns:
        Seconds spent reading files, checking rows (summed over the workers) and deduplicating.
    """
    chunks = _file_chunks(files, workers)
    if len(chunks) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = [future.result() for future in [pool.submit(_read_checked, chunk, fmt, rules, since, until, keep_going)
                                                      for chunk in chunks]]
    else:
        results = [_read_checked(files, fmt, rules, since, until, keep_going)]
    read: list[tuple[Table, _Rows, list[Problem], int, int]] = []
    seconds = {"read": 0.0, "validate": 0.0}
    for chunk_read, chunk_warnings, chunk_fatal, chunk_seconds in results:
        read += chunk_read
        warnings += chunk_warnings
        fatal += chunk_fatal
        for name, value in chunk_seconds.items():
            seconds[name] += value
    start = time.perf_counter()
    kept = dedup.filter_all([(accepted, found, "role" in table.columns) for table, accepted, found, _, _ in read])
    for (table, _, found, excluded, rows_read), accepted in zip(read, kept):
        parts.append(accepted)
        problems += found
        refused_rows = {p.row for p in found if p.refused}
        sources.append({
            "path": str(table.path), "format": table.format, "encoding": table.encoding, "sha256": table.sha256,
            **({"sheet": table.sheet} if table.sheet else {}),
            "rows_read": rows_read, "rows_accepted": len(accepted),
            "rows_rejected": len(refused_rows), "rows_excluded": excluded,
        })
    seconds["deduplicate"] = time.perf_counter() - start
    return seconds


# Fewest input bytes read in parallel (below, starting the processes costs more than it saves).
_PARALLEL_BYTES = 4 * 2**20


def _file_chunks(files: list[Path], workers: int) -> list[list[Path]]:
    """Consecutive runs of files, about equal in bytes, a few per worker (one run when not worth it)."""
    if workers <= 1 or len(files) < 2:
        return [files]
    sizes = np.cumsum([path.stat().st_size for path in files])
    if sizes[-1] < _PARALLEL_BYTES:
        return [files]
    count = min(len(files), 4 * workers)
    cuts = np.searchsorted(sizes, sizes[-1] * np.arange(1, count) / count, side="left") + 1
    bounds = [0, *sorted(set(np.minimum(cuts, len(files)).tolist())), len(files)]
    return [files[start:stop] for start, stop in zip(bounds, bounds[1:]) if stop > start]


def _read_checked(files: list[Path], fmt: str, rules: Mapping, since: dt.date | None, until: dt.date | None,
                  keep_going: bool) -> tuple[list[tuple[Table, _Rows, list[Problem], int, int]], list[str], list[str], dict]:
    """Read and check ``files`` in turn (in a worker when reading in parallel): per file (table
    without its records, accepted rows, problems, rows excluded, rows read), the warnings, the
    fatal errors (with ``keep_going``) and seconds reading and checking."""
    read: list[tuple[Table, _Rows, list[Problem], int, int]] = []
    warnings: list[str] = []
    fatal: list[str] = []
    seconds = {"read": 0.0, "validate": 0.0}
    waiting: list[Table] = []  # read, not yet checked: small files of one layout are checked together
    records = 0

    def check(tables: list[Table]) -> None:
        start = time.perf_counter()
        read.extend(_read_batch(tables, rules, since, until))
        seconds["validate"] += time.perf_counter() - start

    with _no_cycle_collection():
        for path in files:
            start = time.perf_counter()
            try:
                table = read_table(path, fmt, rules)
            except InputError as error:
                if not keep_going:
                    raise
                fatal.append(str(error))
                continue
            finally:
                seconds["read"] += time.perf_counter() - start
            warnings += table.warnings + _mapping_warnings(table, rules)
            if waiting and (_layout(waiting[0]) != _layout(table) or records >= _BATCH_RECORDS):
                check(waiting)
                waiting, records = [], 0
            waiting.append(table)
            records += len(table.records)
        if waiting:
            check(waiting)
    return read, warnings, fatal, seconds


# Records of small files checked in one pass (each file alone costs ~15 column operations).
_BATCH_RECORDS = 200_000


def _layout(table: Table) -> tuple:
    return table.format, tuple(sorted(table.columns.items())), table.header_width


def _read_batch(tables: list[Table], rules: Mapping, since: dt.date | None,
                until: dt.date | None) -> list[tuple[Table, _Rows, list[Problem], int, int]]:
    """(table, accepted rows, problems, rows excluded, rows read) of each table, checked together."""
    found = _read_many(tables, rules, since, until)
    read = []
    for table, (accepted, problems, excluded) in zip(tables, found):
        read.append((table, accepted, problems, excluded, len(table.records) + len(table.bad_rows)))
        table.records = []  # the rows are in ``accepted`` now; the cells may go
    return read


def _expand_each(paths: Sequence[str | Path], fmt: str, fatal: list[str]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        try:
            files += expand_paths([path], fmt)
        except InputError as error:
            fatal.append(str(error))
    return files


def _mapping_warnings(table: Table, rules: Mapping) -> list[str]:
    return [
        f"{table.path.name}: マッピングの見出し '{source}'（{canonical}）が見つからないため、この列は空として扱います"
        for canonical, source in rules.columns.items() if canonical not in table.columns
        and not (canonical == "started_at" and "date" in table.columns)
    ]


def clean_text(value: str) -> str:
    """The text as given, minus control characters and lone surrogates; CR LF and lone CR become LF."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", value)


def _read_rows(table: Table, rules: Mapping, since: dt.date | None, until: dt.date | None) -> tuple[_Rows, list[Problem], int]:
    """:func:`_read_many` of one table."""
    return _read_many([table], rules, since, until)[0]


def _read_many(tables: list[Table], rules: Mapping, since: dt.date | None,
               until: dt.date | None) -> list[tuple[_Rows, list[Problem], int]]:
    """Normalise every record of tables of one layout (format, columns and width alike) in one pass;
    returns per table (accepted rows, problems, rows excluded by date or role), exactly what
    reading each table alone gives: every check is a function of its cells only.

    Column by column: each distinct cell (message-level exports repeat ids, dates and attributes
    on every message) goes once through the scalar checks below, whose results and problems are
    then spread back to the rows. Problems come out in row order, then in the order of the checks.
    """
    table = tables[0]
    if len(tables) > 1:  # one table of all the records; ``owner`` says whose each record is
        table = Table(table.path, table.format, table.encoding, "", table.columns,
                      [record for each in tables for record in each.records], header_width=table.header_width)
    owner = np.repeat(np.arange(len(tables)), [len(each.records) for each in tables])
    names = [each.path.name for each in tables]
    problems_of = [[Problem(each.path.name, row, column, kind, reason) for row, column, kind, reason in each.bad_rows]
                   for each in tables]
    numbers = np.fromiter(map(itemgetter(0), table.records), dtype=np.int64, count=len(table.records))
    cells = _ColumnReader(table, rules)
    # Cells repeat: the consultation's own cells on each of its messages, roles down the file. Each
    # group of columns is factorised together and each distinct combination checked once (each check
    # remembering its own distinct cells). A started_at column is parsed column-wise.
    groups = [["age_band", *(["age"] if "age" in table.columns else []), "gender", "occupation",
               "prefecture", "municipality"], ["date", "time"], ["role"]]
    factors: dict[int, _Factors] = {}  # a group is factorised when first checked

    def check(columns: list[str], function: Callable[..., Any]) -> _Checked:
        group = next(group for group in groups if columns[0] in group)
        if id(group) not in factors:
            factors[id(group)] = cells.factorize(group)
        return _check(factors[id(group)], [group.index(column) for column in columns], function)

    if "started_at" in table.columns:
        dates = _started_at_column(cells.get("started_at"))
    else:  # a date column and maybe a time column
        dates = _Dates.of(check(["date", "time"], lambda date, time, problem: _started_at(_join_date_time(date, time), "date", problem)))
    ids = cells.get("consultation_id")
    checks = [_ids(ids), dates.checked]
    roles = check(["role"], _role) if "role" in table.columns else None
    checks += [roles] if roles is not None else []
    if "age" in table.columns:
        age = _attribute("age_band", attributes.age_band, "unknown_age")
        ages = check(["age_band", "age"], lambda band, value, problem: age(band if attributes.is_stated(band) else value, problem))
    else:
        ages = check(["age_band"], _attribute("age_band", attributes.age_band, "unknown_age"))
    attribute = {
        "age_band": ages,
        "gender": check(["gender"], _attribute("gender", attributes.gender, "unknown_gender")),
        "occupation": check(["occupation"], _attribute("occupation", attributes.free_value)),
        "prefecture": check(["prefecture"], _attribute("prefecture", attributes.prefecture, "unknown_prefecture")),
        "municipality": check(["municipality"], _attribute("municipality", attributes.free_value)),
    }
    checks += [attribute["age_band"], attribute["gender"], attribute["prefecture"]]
    outside = _outside(dates, since, until)
    counselor = np.array([table.format == "kokorochat" and role == "counselor" for role in roles.uniques], dtype=bool)[roles.codes] \
        if roles is not None else np.zeros(len(numbers), dtype=bool)
    texts = _texts(cells.get("text"))
    checks.insert(2, texts)  # problems in the order of the checks: id, date, text, role, attributes
    considered = ~outside & ~counselor
    excluded = np.bincount(owner[~considered], minlength=len(tables)).tolist()
    refused = np.zeros(len(numbers), dtype=bool)
    noted = np.zeros(len(numbers), dtype=bool)
    for found_check in checks:
        if found_check.noted.any():
            refused |= found_check.refused[found_check.codes]
            noted |= found_check.noted[found_check.codes]
    for index in np.flatnonzero(considered & noted).tolist():
        for found_check in checks:
            problems_of[owner[index]] += [Problem(names[owner[index]], int(numbers[index]), *found)
                                           for found in found_check.problems[found_check.codes[index]]]
    keep = np.flatnonzero(considered & ~refused)
    rows = _Rows(
        source=names[0], row=numbers[keep], consultation_id=checks[0].values(keep), instant=dates.instant[keep],
        text=texts.values(keep), role=roles.values(keep) if roles is not None else np.full(len(keep), None, dtype=object),
        attributes={name: check.values(keep) for name, check in attribute.items()},
        message_time=_objects(cells.get("message_time"))[keep] if "message_time" in table.columns
        else np.full(len(keep), None, dtype=object),
    )
    bounds = np.searchsorted(owner[keep], np.arange(len(tables) + 1)).tolist()
    return [(rows.take(slice(bounds[k], bounds[k + 1]), names[k]), problems_of[k], excluded[k]) for k in range(len(tables))]


@dataclass
class _Rows:
    """Accepted rows of one file, as columns (object arrays; ``row`` int64)."""

    source: str
    row: np.ndarray
    consultation_id: np.ndarray
    instant: np.ndarray  # started_at as int64 nanoseconds (UTC): equal exactly when the Timestamps are equal
    text: np.ndarray
    role: np.ndarray
    attributes: dict[str, np.ndarray]
    message_time: np.ndarray

    def __len__(self) -> int:
        return len(self.row)

    def take(self, keep: np.ndarray | slice, source: str | None = None) -> _Rows:
        return _Rows(source or self.source, self.row[keep], self.consultation_id[keep], self.instant[keep], self.text[keep],
                     self.role[keep], {name: values[keep] for name, values in self.attributes.items()},
                     self.message_time[keep])


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
        if (self.table.format != "csv" or not present or any(name in self.value_maps for name in names)
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
                return table.get(unicodedata.normalize("NFKC", _as_str(value)).strip(), value) if value is not None else None

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


# What clean_text changes; a text without any of these is kept as it is.
_NEEDS_CLEANING = re.compile("[\r\u2028\u2029" + _CONTROL.pattern[1:])


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
    if _NEEDS_CLEANING.search(joined):
        ends = np.cumsum(np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)))
        found = np.fromiter((match.start() for match in _NEEDS_CLEANING.finditer(joined)), dtype=np.int64)
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


def _blank(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _as_str(value: Any) -> str:
    """Cell to string: 1001.0 → "1001", anything else str()."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _show(value: Any) -> str:
    """A short, printable rendering of a refused value (never used for message text)."""
    text = _CONTROL.sub("", _as_str(value)).replace("\n", " ")
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


def _consultation_id(value: Any, problem) -> str | None:
    if _blank(value):
        problem("consultation_id", "empty_id", "相談IDが空です")
        return None
    return clean_text(_as_str(value)).strip()


def _started_at(raw: Any, column: str, problem) -> pd.Timestamp | None:
    if _blank(raw):
        problem(column, "empty_datetime", "相談日時が空です")
        return None
    stamp = parse_datetime(raw)
    if stamp is None and wall_time(raw) is not None:  # read, but a time the clocks skipped
        problem(column, "bad_datetime", f"相談日時が存在しない時刻です（夏時刻の始まりで飛ばされた時刻）: {_show(raw)}")
    elif stamp is None:
        problem(column, "bad_datetime", f"相談日時を解釈できません: {_show(raw)}")
    elif not has_time(raw):
        problem(column, "date_without_time", f"時刻がないため 0時として扱います: {_show(raw)}")
    return stamp


def _join_date_time(date: Any, time: Any) -> Any:
    """A date cell and a time cell as one value parse_datetime understands (a naive wall time:
    the day's wall time, even when its midnight was skipped by summer time, plus the time)."""
    if _blank(time) or _blank(date):
        return date
    day = wall_time(date)
    if day is None:
        return date
    if isinstance(time, dt.datetime):
        time = time.time()
    if isinstance(time, dt.time):
        return day.replace(hour=time.hour, minute=time.minute, second=time.second)
    if isinstance(time, float) and 0 <= time < 1:  # an Excel time serial
        return (day + pd.Timedelta(days=time)).round("s")
    return f"{day:%Y-%m-%d} {_as_str(time).strip()}"


def _outside(dates: _Dates, since: dt.date | None, until: dt.date | None) -> np.ndarray:
    """Rows whose day in Tokyo is before ``since`` or after ``until`` (never a row without a date)."""
    outside = np.zeros(len(dates.instant), dtype=bool)
    if since is None and until is None:
        return outside
    days = _tokyo_times(dates.instant).tz_localize(None).to_numpy().astype("datetime64[D]")
    if since is not None:
        outside |= days < np.datetime64(since, "D")
    if until is not None:
        outside |= days > np.datetime64(until, "D")
    return outside & dates.understood


def _text(value: Any, problem) -> str | None:
    if isinstance(value, (dict, list, bytes)):
        problem("text", "not_text", "相談内容が文字列ではありません")
        return None
    text = clean_text(_as_str(value)) if not _blank(value) else ""
    if not text.strip():
        problem("text", "empty_text", "相談内容が空です")
        return None
    return text


def _role(raw: Any, problem) -> str | None:
    if _blank(raw):
        problem("role", "empty_role", "発言者が空です")
        return None
    role = attributes.role(raw)
    if role is None:
        problem("role", "bad_role", f"発言者を解釈できません（client / counselor、相談者 / 相談員 など）: {_show(raw)}")
    return role


def _attribute(column: str, normalise: Callable[[Any], str], kind: str | None = None) -> Callable[..., str]:
    """The check of one attribute column: its normalised value, and (with ``kind``) a warning when a
    stated value cannot be understood."""
    def check(raw: Any, problem) -> str:
        value = normalise(raw)
        if kind is not None and value == UNKNOWN and attributes.is_stated(raw):
            problem(column, kind, f"{COLUMN_LABELS[column]}を解釈できないため不明として扱います: {_show(raw)}")
        return value

    return check


class _Deduplicator:
    """Refuses repeats among the rows of all files of a run (see the module docstring).

    Rows are compared by a 64-bit hash of their key first: a row whose hash no other row of the run
    has is no repeat. Only the others (in real exports a few, when any) are compared by their keys,
    in file and row order, so a repeat names the first accepted row with its key. Consultations
    and messages are deduplicated apart.
    """

    def filter_all(self, parts: list[tuple[_Rows, list[Problem], bool]]) -> list[_Rows]:
        """Each file's rows without the repeats, a problem added to the file's list for each
        (in row order, after the file's other problems).

        Args:
            parts: per file in reading order: its accepted rows, its problems, whether its rows are messages.
        """
        kept = [rows for rows, _, _ in parts]
        for message_mode in (False, True):
            chosen = [number for number, (rows, _, mode) in enumerate(parts) if mode == message_mode and len(rows)]
            if not chosen:
                continue
            texts = [list(map(str.strip, parts[number][0].text.tolist())) for number in chosen]  # accepted texts are strings
            hashes = [_key_hashes(parts[number][0], text, message_mode) for number, text in zip(chosen, texts)]
            repeated_hash = pd.Series(np.concatenate(hashes)).duplicated(keep=False).to_numpy()
            if not repeated_hash.any():
                continue
            ends = np.cumsum([len(h) for h in hashes])
            seen: dict[Any, tuple[str, int, str]] = {}  # key → (source, row, text) of its first accepted row
            repeated = [np.zeros(len(h), dtype=bool) for h in hashes]
            for place in np.flatnonzero(repeated_hash).tolist():
                which = int(np.searchsorted(ends, place, side="right"))
                position = place - (int(ends[which - 1]) if which else 0)
                rows, problems, _ = parts[chosen[which]]
                key = _key(rows, texts[which], position, message_mode)
                first = seen.get(key)
                if first is None:
                    seen[key] = (rows.source, int(rows.row[position]), texts[which][position])
                    continue
                repeated[which][position] = True
                problems.append(_repeat_problem(rows.source, int(rows.row[position]), first, texts[which][position],
                                                message_mode))
            for which, number in enumerate(chosen):
                if repeated[which].any():
                    kept[number] = parts[number][0].take(np.flatnonzero(~repeated[which]))
        return kept


def _repeat_problem(source: str, number: int, first: tuple[str, int, str], text: str, message_mode: bool) -> Problem:
    if message_mode:
        return Problem(source, number, "text", "duplicate_row", f"重複行: {first[0]} の {first[1]} 行目と同じ発言です（1件だけ採用）")
    if first[2] == text:
        return Problem(source, number, "consultation_id", "duplicate_row",
                       f"重複行: {first[0]} の {first[1]} 行目と相談IDも本文も同じです（1件だけ採用）")
    return Problem(source, number, "consultation_id", "duplicate_id",
                   f"相談IDの重複: {first[0]} の {first[1]} 行目に同じ相談IDで本文の異なる行があります")


def _key(rows: _Rows, texts: list[str], position: int, message_mode: bool) -> Any:
    """What makes a row a repeat: the id for a consultation; id, time, role, text and the message's
    own time for a message."""
    if not message_mode:
        return rows.consultation_id[position]
    return (rows.consultation_id[position], int(rows.instant[position]), rows.role[position], texts[position],
            str(rows.message_time[position]))


def _key_hashes(rows: _Rows, texts: list[str], message_mode: bool) -> np.ndarray:
    """A 64-bit hash of each row's key (of part of it: the message's own time is left out), the same
    for equal keys in every file of the run."""
    combined = _hashes(rows.consultation_id.tolist())
    if message_mode:
        for part in (rows.instant.view(np.uint64), _hashes(rows.role.tolist()), _hashes(texts)):
            combined = combined * np.uint64(0x100000001B3) ^ part
    return combined


def _hashes(values: list[Any]) -> np.ndarray:
    """Python's hash of each value (strings and None): equal values hash alike within a process."""
    return np.fromiter(map(hash, values), dtype=np.int64, count=len(values)).view(np.uint64)


def _messages_frame(parts: list[_Rows]) -> pd.DataFrame:
    parts = [part for part in parts if len(part)]
    if not parts:
        frame = pd.DataFrame([], columns=MESSAGE_COLUMNS)
        frame["started_at"] = pd.Series([], dtype=f"datetime64[ns, {TOKYO}]")
        frame["row"] = frame["row"].astype("int64")
        frame["role"] = frame["role"].astype(object).where(frame["role"].notna(), None)
        return frame
    columns = {
        "consultation_id": np.concatenate([part.consultation_id for part in parts]),
        "started_at": _tokyo_times(np.concatenate([part.instant for part in parts])).as_unit(_stamp_unit()).array,
        "text": np.concatenate([part.text for part in parts]),
        "role": pd.Series(np.concatenate([part.role for part in parts]), dtype=object),
        **{name: _few_strings(np.concatenate([part.attributes[name] for part in parts]))
           for name in ("age_band", "gender", "occupation", "prefecture", "municipality")},
        "source": _few_strings(np.concatenate([np.full(len(part), part.source, dtype=object) for part in parts])),
        "row": np.concatenate([part.row for part in parts]).astype("int64"),
    }
    frame = pd.DataFrame(columns, columns=MESSAGE_COLUMNS)
    frame["role"] = frame["role"].astype(object).where(frame["role"].notna(), None)
    return frame


def _tokyo_times(instants: np.ndarray) -> pd.DatetimeIndex:
    """Instants (int64 nanoseconds, UTC) as Tokyo times."""
    return pd.DatetimeIndex(instants.view("datetime64[ns]")).tz_localize("UTC").tz_convert(TOKYO)


@lru_cache(maxsize=1)
def _stamp_unit() -> str:
    """The unit of the column pandas makes of parse_datetime's Timestamps ("us" in pandas 3)."""
    return pd.to_datetime(pd.Series([parse_datetime("2000-01-01 00:00")])).dtype.unit


def _few_strings(values: np.ndarray) -> Any:
    """A column of few distinct strings as the array pandas would infer for it, built from the
    distinct values (converting each row is the slow part)."""
    codes, uniques = pd.factorize(values)
    return pd.Series(uniques).array.take(codes, allow_fill=True)


def _rejects_frame(problems: list[Problem]) -> pd.DataFrame:
    frame = pd.DataFrame([(p.source, p.row, p.column, p.reason) for p in problems], columns=REJECT_COLUMNS)
    frame["row"] = frame["row"].astype("int64")
    return frame
