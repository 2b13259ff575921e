"""Which input files fed which months, so unchanged files need not even be read again.

The store keeps ``_inputs.json``: for each input file read before, keyed by the SHA-256 of its
bytes and of the reading configuration (source name, format, mapping, ingest code), the months
its consultations fell in. A month can be skipped without reading anything when the files that
touch it now are exactly the files recorded in its partition and the pipeline and taxonomy
versions match; every file that touches a month to be processed is read in full, so a
partition is always rebuilt from all of its inputs.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from nlp.store.processed_store import PartitionInfo, PartitionKey, ProcessedStore

INDEX_FILE = "_inputs.json"
_ROOT = Path(__file__).resolve().parents[2]
READER_MODULES = [
    "nlp/io/readers.py", "nlp/io/formats.py", "nlp/io/grid.py", "nlp/io/cells.py",
    "nlp/ingest/messages.py", "nlp/ingest/checks.py", "nlp/ingest/columns.py", "nlp/ingest/rows.py",
    "nlp/ingest/repeats.py", "nlp/ingest/dates.py", "nlp/ingest/attributes.py", "nlp/ingest/schema.py",
    "nlp/store/incremental.py",
]


def reader_config(source: str, fmt: str, mapping: str | None) -> str:
    """Hash of everything besides a file's bytes that decides what reading it gives."""
    digest = hashlib.sha256(json.dumps([source, fmt]).encode())
    digest.update(Path(mapping).read_bytes() if mapping else b"<no mapping>")
    for name in READER_MODULES:
        path = _ROOT / name
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()[:12]


def file_key(path: str | Path, config: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return f"{digest.hexdigest()[:32]}-{config}"


def read_index(store: ProcessedStore) -> dict[str, list[str]]:
    """File key → months it touched (empty when the store has no index yet)."""
    path = f"{store.path}/{INDEX_FILE}"
    if not store.fs.exists(path):
        return {}
    with store.fs.open(path, "rb") as handle:
        return json.loads(handle.read().decode("utf-8")).get("files", {})


def write_index(store: ProcessedStore, entries: dict[str, list[str]]) -> None:
    """Merge ``entries`` into the index, written atomically."""
    merged = {**read_index(store), **entries}
    data = json.dumps({"format": 1, "files": dict(sorted(merged.items()))}, ensure_ascii=False, indent=1).encode("utf-8")
    store.fs.makedirs(store.path, exist_ok=True)
    tmp = f"{store.path}/.{INDEX_FILE}.{uuid.uuid4().hex}.tmp"
    store.fs.pipe_file(tmp, data)
    store.fs.mv(tmp, f"{store.path}/{INDEX_FILE}")


@dataclass
class ReadPlan:
    """Files to read after the new ones, and months skipped without reading."""

    to_read: list[str]
    skipped: list[PartitionKey]


def plan_known_files(
    known: dict[str, tuple[str, list[str]]],
    new_months: set[str],
    existing: dict[PartitionKey, PartitionInfo],
    *,
    source: str,
    versions: tuple[str, str],
    wanted: Callable[[str], bool],
    must_read: set[str],
    force: bool,
) -> ReadPlan:
    """Decide which already-seen files must be read again.

    Args:
        known: path → (file key, months it touched) for files in the index.
        new_months: months touched by the files just read (new or changed).
        existing: the store's partitions.
        versions: current (pipeline, taxonomy) versions.
        wanted: whether a month is in this run's scope.
        must_read: months whose text is needed anyway (quotes and topics).
    """
    touching: dict[str, set[str]] = defaultdict(set)
    for key, months in known.values():
        for month in months:
            touching[month].add(key)

    def skippable(month: str) -> bool:
        info = existing.get(PartitionKey(source, month))
        return (not force and month not in new_months and month not in must_read and info is not None
                and (info.pipeline_version, info.taxonomy_version) == versions
                and sorted(info.input_files) == sorted(touching[month]))

    to_read = [path for path, (_, months) in known.items() if any(wanted(m) and not skippable(m) for m in months)]
    skipped = sorted(PartitionKey(source, m) for m in touching if wanted(m) and skippable(m))
    return ReadPlan(to_read, skipped)
