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
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import pandas as pd

from nlp.ingest.checks import KIND_LABELS, WARNING_KINDS, Problem
from nlp.ingest.repeats import _Deduplicator
from nlp.ingest.rows import MESSAGE_COLUMNS, REJECT_COLUMNS, _messages_frame, _read_many, _rejects_frame, _Rows
from nlp.io.cells import clean_text
from nlp.io.readers import InputError, Mapping, Table, check_format, expand_paths, load_mapping, read_table

__all__ = ["InputError", "IngestResult", "Problem", "read_inputs", "ingest", "clean_text", "KIND_LABELS",
           "WARNING_KINDS", "MESSAGE_COLUMNS", "REJECT_COLUMNS"]


@dataclass
class IngestResult:
    """Messages accepted, rows refused, and what was read from each file (for run.json)."""

    messages: pd.DataFrame
    rejects: pd.DataFrame  # source, row, column, reason
    sources: list[dict]  # path, format, encoding, sha256, rows_read, rows_accepted, rows_rejected, rows_excluded
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds reading, checking, deduplicating, framing


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
