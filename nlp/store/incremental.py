"""Incremental processing into the processed store (:mod:`nlp.store.processed_store`).

1. **Scan**: input files are read in batches of about ``batch_bytes``; each batch's messages
   are split by (source, month of the consultation's first client message), hashed
   (:func:`nlp.store.processed_store.content_hash`) and spilled to a temporary folder, so memory holds one
   batch, not the corpus. Reading runs on the executor's workers.
2. **Plan**: a partition whose hash, pipeline version and taxonomy version match the store is
   skipped. (A partition filled from several files is loaded and hashed whole.)
3. **Analyse**: each changed partition is one unit of work, or a few parts of it when there
   are fewer partitions than workers or it holds more than ``chunk_chars`` characters of client
   text: the worker loads the spilled messages, groups them into consultations and analyses its
   part. Units run on an executor (in-process, a process pool, or Prefect tasks on a Dask
   cluster); the main process only plans and writes.
4. **Write**: a partition is written atomically once all its parts are back.

The results do not depend on the executor, the number of workers or the parts.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterator, Protocol

import numpy as np
import pandas as pd

from nlp.runs.config import DEFAULT_BATCH_BYTES, DEFAULT_CHUNK_CHARS, DEFAULT_SOURCE  # noqa: F401  (defined once there)
from nlp.store.processed_store import HASHED_COLUMNS, PartitionInfo, PartitionKey, ProcessedStore, check_source_name, content_hash

_PACKAGE_ROOT = Path(__file__).resolve().parents[2]
# Code whose change alters a consultation's row: hashed into the pipeline version. The taxonomy
# loaders hold scoring defaults (weights, thresholds used when the YAML leaves them out).
ANALYSIS_MODULES = [
    "nlp/analysis/analyse.py", "nlp/text/tokenize.py", "nlp/text/normalize.py", "nlp/analysis/themes.py",
    "nlp/analysis/ideation.py", "nlp/analysis/ideation_context.py", "nlp/analysis/ideation_scan.py",
    "nlp/ingest/schema.py", "nlp/store/incremental.py", "nlp/store/processed_store.py",
    "taxonomy/ideation.py", "taxonomy/themes.py",
]
TAXONOMY_FILES = ["taxonomy/themes.yaml", "taxonomy/ideation.yaml"]


class Executor(Protocol):
    """``concurrent.futures``-style: ``submit(fn, *args)`` returns something with ``.result()``."""

    def submit(self, fn: Callable, /, *args): ...


class SerialExecutor:
    """Runs each call at once in this process (workers = 1)."""

    def submit(self, fn: Callable, /, *args) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future


@contextmanager
def local_executor(workers: int) -> Iterator[Executor]:
    """In-process for one worker, a process pool otherwise."""
    if workers < 1:
        raise ValueError(f"The 'workers' parameter must be an int >= 1. Got {workers!r}.")
    if workers == 1:
        yield SerialExecutor()
        return
    # The workers build their own analysers; the stage-2 parser (ja_ginza, ~270 MB) loaded here
    # first is inherited by every forked worker and its pages shared, instead of one copy each.
    from nlp.analysis.analyse import frozen_for_workers
    from nlp.analysis.ideation_context import load_ginza

    load_ginza()
    with frozen_for_workers(), ProcessPoolExecutor(max_workers=workers) as pool:
        yield pool


def _files_hash(paths: list[str]) -> str:
    digest = hashlib.sha256()
    for name in paths:
        path = _PACKAGE_ROOT / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()[:16]


@lru_cache(maxsize=4)
def pipeline_version() -> str:
    """soudan version, analysis code hash and tokenizer versions: a change reprocesses everything."""
    from nlp.runs.pipeline import VERSION

    found = []
    for package in ("sudachipy", "sudachidict-core"):
        try:
            found.append(f"{package}={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package}=none")
    return f"soudan={VERSION};code={_files_hash(ANALYSIS_MODULES)};" + ";".join(found)


def taxonomy_version(model: str | None = None) -> str:
    """Theme taxonomy and ideation lexicon (versions and content), and the theme model file if any."""
    content = _files_hash(TAXONOMY_FILES)
    parts = [f"themes={_themes_version(content)}", f"yaml={content}"]
    if model:
        parts.append(f"model={hashlib.sha256(Path(model).read_bytes()).hexdigest()[:16]}")
    return ";".join(parts)


@lru_cache(maxsize=8)
def _themes_version(content_hash: str) -> str:
    try:
        from taxonomy.themes import load_taxonomy

        return str(load_taxonomy().version)
    except Exception:  # a broken taxonomy fails the analysis itself, with its own message
        return "unreadable"


@lru_cache(maxsize=2)
def cached_analyser(model: str | None = None):
    """One Analyser per process (and per model): building it tokenises the whole taxonomy."""
    from nlp.runs.pipeline import RunOptions, make_analyser

    return make_analyser(RunOptions(inputs=[], model=model))


def analyse_groups(groups: pd.DataFrame, model: str | None = None) -> pd.DataFrame:
    """The consultations rows of grouped consultations (a chunk)."""
    from nlp.analysis.analyse import analyse_consultations

    return analyse_consultations(groups, analyser=cached_analyser(model), workers=1, chunk_size=max(len(groups), 1))


def analyse_partition(paths: list[str], model: str | None = None, part: int = 0, parts: int = 1) -> pd.DataFrame:
    """Load a partition's spilled messages, group them into consultations and analyse part
    ``part`` of ``parts`` (consecutive consultations of about equal client text); runs in a worker."""
    from nlp.analysis.analyse import group_consultations

    groups = group_consultations(read_spill(paths))
    start, stop = part_bounds([sum(map(len, m)) for m in groups["messages"]], parts)[part]
    return analyse_groups(groups.iloc[start:stop], model)


def part_bounds(sizes: list[int], parts: int) -> list[tuple[int, int]]:
    """``parts`` consecutive (start, stop) ranges of ``sizes`` of about equal total (some may be empty)."""
    ends = np.cumsum(np.asarray(sizes, dtype=np.int64))
    total = int(ends[-1]) if len(ends) else 0
    cuts = [0] + [int(np.searchsorted(ends, total * k / parts, side="left")) + 1 for k in range(1, parts)] + [len(sizes)]
    cuts = [min(max(c, 0), len(sizes)) for c in cuts]
    cuts = list(np.maximum.accumulate(cuts))
    return [(int(cuts[k]), int(cuts[k + 1])) for k in range(parts)]


def consultation_months(messages: pd.DataFrame) -> pd.Series:
    """Per message row: YYYY-MM of its consultation's first client message (Asia/Tokyo)."""
    if not len(messages):
        return pd.Series([], dtype=object, index=messages.index)
    client = messages["role"].fillna("client") != "counselor" if "role" in messages else True
    started = messages["started_at"].where(client)
    # per consultation, then spread to its rows: formatting each row's month is the slow part
    codes = pd.factorize(messages["consultation_id"])[0]  # -1: no id, no month
    first = started.groupby(codes).min().fillna(messages["started_at"].groupby(codes).min()).drop(-1, errors="ignore")
    months = first.dt.tz_convert("Asia/Tokyo").dt.strftime("%Y-%m")
    return pd.Series(months.reindex(codes).array, index=messages.index, name=months.name)


@dataclass
class Scan:
    """Inputs read and spilled: partition → spill files, plus rejects and per-file information."""

    spill_dir: str
    pieces: dict[PartitionKey, list[str]]
    rejects: pd.DataFrame
    sources: list[dict]
    warnings: list[str] = field(default_factory=list)
    messages: int = 0
    file_months: dict[str, list[str]] = field(default_factory=dict)  # file key → every month it touched
    contributors: dict[PartitionKey, set[str]] = field(default_factory=dict)  # partition → file keys
    piece_hashes: dict[str, str] = field(default_factory=dict)  # spill file → content hash of its messages
    piece_chars: dict[str, int] = field(default_factory=dict)  # spill file → characters of client text

    def merge(self, other: "Scan") -> "Scan":
        pieces = {k: self.pieces.get(k, []) + other.pieces.get(k, []) for k in sorted({*self.pieces, *other.pieces})}
        contributors = {k: self.contributors.get(k, set()) | other.contributors.get(k, set())
                        for k in {*self.contributors, *other.contributors}}
        return Scan(self.spill_dir, pieces, pd.concat([self.rejects, other.rejects], ignore_index=True),
                    self.sources + other.sources, self.warnings + other.warnings, self.messages + other.messages,
                    {**self.file_months, **other.file_months}, contributors, {**self.piece_hashes, **other.piece_hashes},
                    {**self.piece_chars, **other.piece_chars})

    def without(self, keys: set[PartitionKey]) -> "Scan":
        return Scan(self.spill_dir, {k: v for k, v in self.pieces.items() if k not in keys}, self.rejects, self.sources,
                    self.warnings, self.messages, self.file_months,
                    {k: v for k, v in self.contributors.items() if k not in keys}, self.piece_hashes, self.piece_chars)

    def client_chars(self, key: PartitionKey) -> int:
        return sum(self.piece_chars.get(path, 0) for path in self.pieces[key])


def empty_scan(spill_dir: str) -> Scan:
    return Scan(spill_dir, {}, pd.DataFrame(columns=["source", "row", "column", "reason"]), [])


def file_batches(paths: list[Path], batch_bytes: int, min_batches: int = 1) -> list[list[Path]]:
    """Consecutive groups of files of at most ``batch_bytes`` (a larger file is a batch alone),
    and at least ``min_batches`` groups when there are enough files (so workers share the reading)."""
    sizes = [path.stat().st_size for path in paths]
    limit = max(1, min(batch_bytes, -(-sum(sizes) // max(min_batches, 1))))
    batches: list[list[Path]] = []
    size = 0
    for path, n in zip(paths, sizes):
        if not batches or size + n > limit:
            batches.append([])
            size = 0
        batches[-1].append(path)
        size += n
    return batches


def scan_inputs(
    inputs: list[str], spill_dir: str, *, source: str = DEFAULT_SOURCE, fmt: str = "auto", mapping: str | None = None,
    months: list[str] | None = None, first_month: str | None = None, last_month: str | None = None,
    batch_bytes: int = DEFAULT_BATCH_BYTES, executor: Executor | None = None, min_batches: int = 1,
    file_keys: dict[str, str] | None = None, tag: str = "",
) -> Scan:
    """Read ``inputs`` batch by batch and spill each (source, month) piece as an Arrow (Feather) file.

    Whole months only: a partition never holds part of a month.

    Args:
        months: keep only consultations of these YYYY-MM months (others are read and dropped).
        first_month, last_month: keep only months in this range (YYYY-MM, inclusive; None = open).
        executor: reads batches in parallel (workers must see ``spill_dir``); default in turn.
        min_batches: split the files into at least this many batches (when there are enough files).
        file_keys: path → key recorded as the file's identity (:mod:`nlp.store.input_index`); default the path.
        tag: prefix of the spill file names (scans into one spill folder must differ).

    Raises:
        nlp.ingest.messages.InputError: as :func:`nlp.ingest.messages.read_inputs`.
    """
    from nlp.io.readers import expand_paths

    check_source_name(source)
    batches = file_batches(expand_paths(inputs, fmt), batch_bytes, min_batches)
    executor = executor or SerialExecutor()
    keys = file_keys or {}
    futures = [executor.submit(scan_batch, [str(p) for p in batch], f"{tag}{number:06d}", spill_dir, source, fmt, mapping,
                               months, first_month, last_month, {str(p): keys.get(str(p), str(p)) for p in batch})
               for number, batch in enumerate(batches)]
    scan = empty_scan(spill_dir)
    for future in futures:
        scan = scan.merge(future.result())
    return scan


def scan_batch(
    files: list[str], name: str, spill_dir: str, source: str, fmt: str, mapping: str | None,
    months: list[str] | None, first_month: str | None, last_month: str | None, file_keys: dict[str, str],
) -> Scan:
    """Read one batch of files, one at a time, and spill their (source, month) pieces; runs in a worker."""
    from nlp.ingest.messages import read_inputs

    wanted = set(months) if months else None
    scan = empty_scan(spill_dir)
    for number, file in enumerate(files):
        result = read_inputs([file], fmt=fmt, mapping=mapping)
        messages = result.messages
        by_month = consultation_months(messages)
        found = Scan(spill_dir, {}, result.rejects, result.sources, result.warnings, 0,
                     {file_keys[file]: sorted(by_month.unique())}, {})
        for month, piece in messages.groupby(by_month, sort=True):
            if (wanted is not None and month not in wanted) or (first_month and month < first_month) or (
                    last_month and month > last_month):
                continue
            key = PartitionKey(source, month)
            path = Path(spill_dir) / source / month / f"{name}-{number:05d}.arrow"
            path.parent.mkdir(parents=True, exist_ok=True)
            # Arrow IPC with LZ4: written and read back in about half the time of Parquet, 1.5 × its size
            piece.reset_index(drop=True).to_feather(path, compression="lz4")
            found.pieces[key] = [str(path)]
            found.piece_hashes[str(path)] = content_hash(piece)
            found.piece_chars[str(path)] = int(client_text(piece).str.len().sum())
            found.contributors[key] = {file_keys[file]}
            found.messages += len(piece)
        scan = scan.merge(found)
    return scan


def client_text(messages: pd.DataFrame) -> pd.Series:
    """The text of the client rows (every row when there is no role column)."""
    return messages["text"][messages["role"].fillna("client") != "counselor"] if "role" in messages else messages["text"]


def read_spill(paths: list[str]) -> pd.DataFrame:
    """Spilled messages as read back. A message that two files of one partition both hold
    (an export re-sent with late chats added) is kept once, the first file's, as ingest keeps
    repeated rows once (repeats inside one file were dropped when it was read)."""
    frame = pd.concat([pd.read_feather(p) for p in paths], ignore_index=True)
    if len(paths) > 1:
        frame = frame.drop_duplicates(subset=[c for c in HASHED_COLUMNS if c in frame.columns], ignore_index=True)
    return frame


def load_partition(scan: Scan, key: PartitionKey) -> pd.DataFrame:
    """The spilled messages of one partition, in consultation and time order."""
    frame = read_spill(scan.pieces[key])
    return frame.sort_values(["consultation_id", "started_at", "row"], kind="stable").reset_index(drop=True)


def partition_hash(scan: Scan, key: PartitionKey) -> str:
    """:func:`nlp.store.processed_store.content_hash` of a partition: its piece's, hashed when read, if it has one piece."""
    paths = scan.pieces[key]
    if len(paths) == 1 and paths[0] in scan.piece_hashes:
        return scan.piece_hashes[paths[0]]
    return content_hash(load_partition(scan, key))


def write_partition(store_root: str, key: PartitionKey, table: pd.DataFrame, info: PartitionInfo) -> str:
    """Write one partition (an I/O step; the Prefect flow retries it)."""
    return ProcessedStore(store_root).write(key, table, info)


def process_partitions(
    scan: Scan, store_root: str, executor: Executor, *, model: str | None = None, force: bool = False,
    chunk_chars: int = DEFAULT_CHUNK_CHARS, workers: int = 1, max_in_flight: int = 4,
    write: Callable[[str, PartitionKey, pd.DataFrame, PartitionInfo], str] = write_partition,
    analyse: Callable = analyse_partition,
) -> tuple[list[PartitionKey], list[PartitionKey], int]:
    """Analyse the changed partitions of ``scan`` and write them; returns (processed, skipped, rows).

    Args:
        chunk_chars: a partition with more client text than this is analysed in parts.
        workers: the executor's workers: partitions are split so that each has work.
        max_in_flight: partitions submitted ahead of the one being written.
    """
    store = ProcessedStore(store_root)
    existing = store.partitions()
    pipeline, taxonomy = pipeline_version(), taxonomy_version(model)
    processed, skipped, rows = [], [], 0
    changed: list[tuple[PartitionKey, str]] = []
    for key in scan.pieces:
        input_hash = partition_hash(scan, key)
        info = existing.get(key)
        if info is not None and not force and info.is_current(input_hash, pipeline, taxonomy):
            files = tuple(sorted(scan.contributors.get(key, ())))
            if files != info.input_files:  # same content from other file bytes: record them
                table = store.read([key]).drop(columns=["source"])
                write(store_root, key, table, PartitionInfo(**{**asdict(info), "input_files": files, "written_at": ""}))
            skipped.append(key)
        else:
            changed.append((key, input_hash))

    def submit(key: PartitionKey) -> list:
        parts = max(-(-scan.client_chars(key) // chunk_chars), -(-workers // len(changed)) if workers > 1 else 1)
        return [executor.submit(analyse, scan.pieces[key], model, part, parts) for part in range(parts)]

    def finish(key: PartitionKey, input_hash: str, futures: list) -> None:
        nonlocal rows
        tables = [future.result() for future in futures]
        table = pd.concat([t for t in tables if len(t)] or tables[:1], ignore_index=True)  # an empty part has no dtypes
        write(store_root, key, table, PartitionInfo(input_hash, pipeline, taxonomy, len(table),
                                                    input_files=tuple(scan.contributors.get(key, ()))))
        processed.append(key)
        rows += len(table)

    pending: deque[tuple[PartitionKey, str, list]] = deque()
    for key, input_hash in changed:
        pending.append((key, input_hash, submit(key)))
        while len(pending) > max_in_flight:
            finish(*pending.popleft())
    while pending:
        finish(*pending.popleft())
    return processed, skipped, rows


def stale_partitions(store_root: str, seen: list[PartitionKey], model: str | None = None) -> list[PartitionKey]:
    """Partitions in the store not among ``seen`` whose pipeline or taxonomy version is not current."""
    current = (pipeline_version(), taxonomy_version(model))
    return [key for key, info in ProcessedStore(store_root).partitions().items()
            if key not in set(seen) and (info.pipeline_version, info.taxonomy_version) != current]


@contextmanager
def spill_directory(parent: str | None = None) -> Iterator[str]:
    """A private temporary folder for spilled messages (inside ``parent`` if given), removed afterwards."""
    if parent:
        Path(parent).mkdir(parents=True, exist_ok=True)
    path = tempfile.mkdtemp(prefix="soudan-spill-", dir=parent)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
