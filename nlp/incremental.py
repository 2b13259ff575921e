"""Incremental processing into the processed store (:mod:`nlp.store`).

1. **Scan**: input files are read in batches of about ``batch_bytes``; each batch's messages
   are split by (source, month of the consultation's first client message) and spilled to a
   temporary folder, so memory holds one batch, not the corpus.
2. **Plan**: each partition's messages are hashed (:func:`nlp.store.content_hash`); a partition
   whose hash, pipeline version and taxonomy version match the store is skipped.
3. **Analyse**: changed partitions are grouped into consultations and cut into chunks of about
   ``chunk_chars`` characters, submitted to an executor (in-process, a process pool, or Prefect
   tasks on a Dask cluster); a bounded window of chunks is in flight at once.
4. **Write**: a partition is written atomically once all its chunks are back.

The chunk results do not depend on the executor or the number of workers.
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

import pandas as pd

from nlp.store import PartitionInfo, PartitionKey, ProcessedStore, check_source_name, content_hash

DEFAULT_SOURCE = "default"
DEFAULT_CHUNK_CHARS = 200_000
DEFAULT_BATCH_BYTES = 8 * 2**20
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]
# Code whose change alters a consultation's row: hashed into the pipeline version.
ANALYSIS_MODULES = ["nlp/analyse.py", "nlp/tokenize.py", "nlp/normalize.py", "nlp/themes.py", "nlp/ideation.py",
                    "nlp/schema.py", "nlp/incremental.py", "nlp/store.py"]
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
    with ProcessPoolExecutor(max_workers=workers) as pool:
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
    from nlp.pipeline import VERSION

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
    from nlp.pipeline import RunOptions, make_analyser

    return make_analyser(RunOptions(inputs=[], model=model))


def analyse_groups(groups: pd.DataFrame, model: str | None = None) -> pd.DataFrame:
    """The consultations rows of grouped consultations (a chunk); runs in a worker."""
    from nlp.analyse import analyse_consultations

    return analyse_consultations(groups, analyser=cached_analyser(model), workers=1, chunk_size=max(len(groups), 1))


def consultation_months(messages: pd.DataFrame) -> pd.Series:
    """Per message row: YYYY-MM of its consultation's first client message (Asia/Tokyo)."""
    if not len(messages):
        return pd.Series([], dtype=object, index=messages.index)
    client = messages["role"].fillna("client") != "counselor" if "role" in messages else True
    started = messages["started_at"].where(client)
    first = started.groupby(messages["consultation_id"]).transform("min").fillna(
        messages.groupby("consultation_id")["started_at"].transform("min"))
    return first.dt.tz_convert("Asia/Tokyo").dt.strftime("%Y-%m")


def chunk_groups(groups: pd.DataFrame, chunk_chars: int) -> list[pd.DataFrame]:
    """Consecutive slices of ``groups`` of about ``chunk_chars`` characters (one consultation at least)."""
    sizes = [sum(len(m) for m in messages) for messages in groups["messages"]]
    chunks, start, total = [], 0, 0
    for i, size in enumerate(sizes):
        total += size
        if total >= chunk_chars:
            chunks.append(groups.iloc[start : i + 1])
            start, total = i + 1, 0
    if start < len(groups):
        chunks.append(groups.iloc[start:])
    return chunks


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

    def merge(self, other: "Scan") -> "Scan":
        pieces = {k: self.pieces.get(k, []) + other.pieces.get(k, []) for k in sorted({*self.pieces, *other.pieces})}
        contributors = {k: self.contributors.get(k, set()) | other.contributors.get(k, set())
                        for k in {*self.contributors, *other.contributors}}
        return Scan(self.spill_dir, pieces, pd.concat([self.rejects, other.rejects], ignore_index=True),
                    self.sources + other.sources, self.warnings + other.warnings, self.messages + other.messages,
                    {**self.file_months, **other.file_months}, contributors)

    def without(self, keys: set[PartitionKey]) -> "Scan":
        return Scan(self.spill_dir, {k: v for k, v in self.pieces.items() if k not in keys}, self.rejects, self.sources,
                    self.warnings, self.messages, self.file_months,
                    {k: v for k, v in self.contributors.items() if k not in keys})


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
    """Read ``inputs`` batch by batch and spill each (source, month) piece as Parquet.

    Whole months only: a partition never holds part of a month.

    Args:
        months: keep only consultations of these YYYY-MM months (others are read and dropped).
        first_month, last_month: keep only months in this range (YYYY-MM, inclusive; None = open).
        executor: reads batches in parallel (workers must see ``spill_dir``); default in turn.
        min_batches: split the files into at least this many batches (when there are enough files).
        file_keys: path → key recorded as the file's identity (:mod:`nlp.input_index`); default the path.
        tag: prefix of the spill file names (scans into one spill folder must differ).

    Raises:
        nlp.ingest.InputError: as :func:`nlp.ingest.read_inputs`.
    """
    from nlp.readers import expand_paths

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
    from nlp.ingest import read_inputs

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
            path = Path(spill_dir) / source / month / f"{name}-{number:05d}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            piece.to_parquet(path, index=False)
            found.pieces[key] = [str(path)]
            found.contributors[key] = {file_keys[file]}
            found.messages += len(piece)
        scan = scan.merge(found)
    return scan


def load_partition(scan: Scan, key: PartitionKey) -> pd.DataFrame:
    """The spilled messages of one partition, in consultation and time order."""
    frame = pd.concat([pd.read_parquet(p) for p in scan.pieces[key]], ignore_index=True)
    return frame.sort_values(["consultation_id", "started_at", "row"], kind="stable").reset_index(drop=True)


def write_partition(store_root: str, key: PartitionKey, table: pd.DataFrame, info: PartitionInfo) -> str:
    """Write one partition (an I/O step; the Prefect flow retries it)."""
    return ProcessedStore(store_root).write(key, table, info)


@dataclass
class UpdateResult:
    """What an update did, for run.json and the command line."""

    processed: list[str]
    skipped: list[str]
    stale: list[str]  # in the store, not in these inputs, made by another pipeline or taxonomy version
    consultations_processed: int
    messages_read: int
    scan: Scan
    timings: dict[str, float]

    def summary(self) -> dict:
        return {
            "partitions_processed": len(self.processed), "partitions_skipped": len(self.skipped),
            "partitions_stale": len(self.stale), "processed": self.processed, "skipped": self.skipped,
            "stale": self.stale, "consultations_processed": self.consultations_processed,
            "messages_read": self.messages_read,
        }


@dataclass
class _Pending:
    key: PartitionKey
    input_hash: str
    futures: list


def process_partitions(
    scan: Scan, store_root: str, executor: Executor, *, model: str | None = None, force: bool = False,
    chunk_chars: int = DEFAULT_CHUNK_CHARS, max_in_flight: int = 4,
    write: Callable[[str, PartitionKey, pd.DataFrame, PartitionInfo], str] = write_partition,
    analyse: Callable = analyse_groups,
) -> tuple[list[PartitionKey], list[PartitionKey], int]:
    """Analyse the changed partitions of ``scan`` and write them; returns (processed, skipped, rows)."""
    store = ProcessedStore(store_root)
    existing = store.partitions()
    pipeline, taxonomy = pipeline_version(), taxonomy_version(model)
    processed, skipped, rows = [], [], 0
    pending: deque[_Pending] = deque()

    def finish(item: _Pending) -> None:
        nonlocal rows
        tables = [future.result() for future in item.futures]
        table = pd.concat(tables, ignore_index=True)
        write(store_root, item.key, table, PartitionInfo(item.input_hash, pipeline, taxonomy, len(table),
                                                         input_files=tuple(scan.contributors.get(item.key, ()))))
        processed.append(item.key)
        rows += len(table)

    for key in scan.pieces:
        messages = load_partition(scan, key)
        input_hash = content_hash(messages)
        info = existing.get(key)
        if info is not None and not force and info.is_current(input_hash, pipeline, taxonomy):
            files = tuple(sorted(scan.contributors.get(key, ())))
            if files != info.input_files:  # same content from other file bytes: record them
                table = store.read([key]).drop(columns=["source"])
                write(store_root, key, table, PartitionInfo(**{**asdict(info), "input_files": files, "written_at": ""}))
            skipped.append(key)
            continue
        from nlp.analyse import group_consultations

        groups = group_consultations(messages)
        del messages
        chunks = chunk_groups(groups, chunk_chars) or [groups]  # counsellor-only: an empty partition
        futures = [executor.submit(analyse, chunk, model) for chunk in chunks]
        pending.append(_Pending(key, input_hash, futures))
        while len(pending) > 1 and sum(len(p.futures) for p in pending) > max_in_flight:
            finish(pending.popleft())
    while pending:
        finish(pending.popleft())
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
