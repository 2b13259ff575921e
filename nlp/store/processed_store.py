"""The processed store: the consultations table as Parquet, one file per source and month.

Layout under a root that is a local path or any fsspec URL (``s3://bucket/soudan``,
``memory://store``)::

    ROOT/source=<source>/month=<YYYY-MM>/part.parquet

Each file is written to a temporary name beside its final name and renamed into place, so a
reader sees the old partition or the new one, never half of one; re-running a month replaces
its file. The file's Parquet footer carries the partition's :class:`PartitionInfo` (content
hash of its input messages, pipeline and taxonomy versions), so the store is its own manifest
and no second file can disagree with the data. No raw text is stored.

Example:
    >>> store = ProcessedStore("memory://doc-store")
    >>> store.partitions()
    {}
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

STORE_FORMAT = 1
PART_FILE = "part.parquet"
METADATA_KEY = b"soudan.partition"
_SOURCE_NAME = re.compile(r"^[^\W_][\w.-]*$")  # letters (any script), digits, _ . -; no leading dot
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Ingested message columns whose content decides a partition's analysis (not source or row numbers).
HASHED_COLUMNS = [
    "consultation_id", "started_at", "text", "role", "age_band", "gender", "occupation",
    "prefecture", "municipality",
]


class StoreError(ValueError):
    """A bad store root, source name or month; the message names the value received."""


@dataclass(frozen=True, order=True)
class PartitionKey:
    """One partition: a named input source and a calendar month (Asia/Tokyo)."""

    source: str
    month: str

    def __post_init__(self) -> None:
        check_source_name(self.source)
        if not _MONTH.match(self.month):
            raise StoreError(f"A partition month must look like 2024-08. Got {self.month!r}.")

    def __str__(self) -> str:
        return f"{self.source}/{self.month}"


@dataclass(frozen=True)
class PartitionInfo:
    """What produced a partition; stored in its Parquet footer.

    Attributes:
        input_hash: :func:`content_hash` of the partition's ingested messages.
        pipeline_version: soudan and tokenizer versions (:func:`nlp.fingerprint.pipeline_version`).
        taxonomy_version: themes and ideation lexicon versions and content hash.
        consultations: rows in the partition.
        written_at: UTC time the file was written (informative, not compared).
        input_files: keys of the input files that fed it (:mod:`nlp.store.input_index`).
    """

    input_hash: str
    pipeline_version: str
    taxonomy_version: str
    consultations: int
    written_at: str = ""
    store_format: int = STORE_FORMAT
    input_files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_files", tuple(sorted(self.input_files)))

    def is_current(self, input_hash: str, pipeline_version: str, taxonomy_version: str) -> bool:
        return (self.input_hash, self.pipeline_version, self.taxonomy_version, self.store_format) == (
            input_hash, pipeline_version, taxonomy_version, STORE_FORMAT)


def check_source_name(source: str) -> str:
    """A source name becomes a folder name: letters of any script, digits, ``_ . -``.

    Raises:
        StoreError: naming the value received.
    """
    if not isinstance(source, str) or not _SOURCE_NAME.match(source) or len(source) > 100:
        raise StoreError(
            "The 'source' name must start with a letter or digit and contain only letters, digits, "
            f"'_', '.' or '-' (at most 100 characters), e.g. 'chatline' or '熊本'. Got {source!r}."
        )
    return source


def content_hash(messages: pd.DataFrame) -> str:
    """SHA-256 of a partition's messages, independent of file names, row numbers, column dtypes
    and row order between consultations (the order of one consultation's messages counts).

    Each column is hashed as its bytes (Arrow offsets and UTF-8 data; started_at as UTC
    nanoseconds), so equal content gives the equal hash and any change to a value changes it.

    Args:
        messages: ingested message rows (``nlp.ingest.messages.MESSAGE_COLUMNS``).

    Returns:
        64 hex digits.
    """
    columns = [c for c in HASHED_COLUMNS if c in messages.columns]
    order = [c for c in ("consultation_id", "started_at", "row") if c in messages.columns]
    frame = messages.sort_values(order, kind="stable")[columns] if len(messages) else messages[columns]
    digest = hashlib.sha256(json.dumps([columns, len(frame)]).encode())
    for name in columns:
        if name == "started_at":
            digest.update(frame[name].dt.tz_convert("UTC").dt.as_unit("ns").astype("int64").to_numpy().tobytes())
        else:
            digest.update(_string_bytes(frame[name]))
    return digest.hexdigest()


def _string_bytes(values: pd.Series) -> bytes:
    """A string column as bytes that identify its values: missing ones as "\x00null", then each
    value's end offset and the UTF-8 data."""
    try:
        array = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all strings: hash their text
        array = pa.array(values.astype(object).where(values.notna(), None).map(str, na_action="ignore"), type=pa.large_string())
    array = pa.concat_arrays([array.fill_null("\x00null")])  # one buffer from offset 0
    offsets = array.buffers()[1]
    ends = memoryview(offsets)[8 : 8 * (len(array) + 1)]
    data = array.buffers()[2]
    used = int.from_bytes(bytes(memoryview(offsets)[8 * len(array) : 8 * (len(array) + 1)]), "little")
    return bytes(ends) + (bytes(memoryview(data)[:used]) if data is not None else b"")


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ProcessedStore:
    """Read and write partitions under ``root`` (a local path or an fsspec URL).

    Args:
        root: where the store lives; a local folder is created on first write.
        storage_options: passed to fsspec (credentials, endpoint …) for remote roots.
    """

    def __init__(self, root: str | Path, *, storage_options: dict | None = None) -> None:
        self.root = str(root)
        try:
            self.fs, path = fsspec.core.url_to_fs(self.root, **(storage_options or {}))
        except (ValueError, ImportError) as error:
            raise StoreError(f"The store root {self.root!r} is not a usable path or fsspec URL: {error}") from None
        self.path = path.rstrip("/")

    def __repr__(self) -> str:
        return f"ProcessedStore({self.root!r})"

    def partition_dir(self, key: PartitionKey) -> str:
        return f"{self.path}/source={key.source}/month={key.month}"

    def partition_file(self, key: PartitionKey) -> str:
        return f"{self.partition_dir(key)}/{PART_FILE}"

    def partitions(self) -> dict[PartitionKey, PartitionInfo]:
        """Every partition in the store with the info from its footer, sorted by key."""
        found: dict[PartitionKey, PartitionInfo] = {}
        for file in sorted(self.fs.glob(f"{self.path}/source=*/month=*/{PART_FILE}")):
            key = _key_from_path(file)
            if key is None:
                continue
            with self.fs.open(file, "rb") as handle:
                metadata = pq.read_schema(handle).metadata or {}
            raw = metadata.get(METADATA_KEY)
            info = PartitionInfo(**json.loads(raw)) if raw else PartitionInfo("", "", "", 0, store_format=0)
            found[key] = info
        return dict(sorted(found.items()))

    def write(self, key: PartitionKey, table: pd.DataFrame, info: PartitionInfo) -> str:
        """Replace one partition atomically with ``table`` (no ``source`` column needed).

        Returns:
            The partition file's path.
        """
        frame = table.drop(columns=["source"], errors="ignore")
        if len(frame) and "month" in frame and set(frame["month"].unique()) != {key.month}:
            raise StoreError(f"Partition {key} got consultations of months {sorted(frame['month'].unique())}.")
        arrow = _settle_types(pa.Table.from_pandas(frame, preserve_index=False))
        info = PartitionInfo(**{**asdict(info), "consultations": len(frame), "written_at": info.written_at or utc_now()})
        arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), METADATA_KEY: json.dumps(asdict(info)).encode()})
        buffer = io.BytesIO()
        pq.write_table(arrow, buffer, compression="zstd")
        final = self.partition_file(key)
        tmp = f"{self.partition_dir(key)}/.{PART_FILE}.{uuid.uuid4().hex}.tmp"
        self.fs.makedirs(self.partition_dir(key), exist_ok=True)
        self.fs.pipe_file(tmp, buffer.getvalue())
        try:
            self.fs.mv(tmp, final)
        except BaseException:
            self.fs.rm(tmp)
            raise
        return final

    def read(
        self,
        keys: Iterable[PartitionKey] | None = None,
        *,
        months: Iterable[str] | None = None,
        sources: Iterable[str] | None = None,
        columns: list[str] | None = None,
    ) -> pd.DataFrame:
        """Consultations of the chosen partitions with a ``source`` column, sorted by
        started_at, consultation_id and source (the same rows always come out in the same order).

        Args:
            keys: partitions to read; default every partition.
            months: keep only these YYYY-MM months.
            sources: keep only these sources.
            columns: columns to read (``source`` is always added).
        """
        chosen = sorted(keys) if keys is not None else list(self.partitions())
        month_set = set(months) if months is not None else None
        source_set = set(sources) if sources is not None else None
        frames = []
        for key in chosen:
            if (month_set is not None and key.month not in month_set) or (source_set is not None and key.source not in source_set):
                continue
            with self.fs.open(self.partition_file(key), "rb") as handle:
                frame = pq.read_table(handle, columns=columns).to_pandas()
            frame.insert(0, "source", key.source)
            frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=["source"] + (columns or []))
        frame = pd.concat(frames, ignore_index=True)
        order = [c for c in ("started_at", "consultation_id", "source") if c in frame]
        return frame.sort_values(order, kind="stable").reset_index(drop=True)

    def delete(self, key: PartitionKey) -> None:
        """Remove one partition (its folder)."""
        if self.fs.exists(self.partition_dir(key)):
            self.fs.rm(self.partition_dir(key), recursive=True)

    def clean_temporary(self) -> int:
        """Remove temporary files left by writes that were killed; returns how many."""
        stale = self.fs.glob(f"{self.path}/source=*/month=*/.{PART_FILE}.*.tmp")
        for file in stale:
            self.fs.rm(file)
        return len(stale)


def _settle_type(kind: pa.DataType) -> pa.DataType:
    if pa.types.is_null(kind) or pa.types.is_large_string(kind):
        return pa.string()
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return pa.list_(_settle_type(kind.value_type))
    return kind


def _settle_types(table: pa.Table) -> pa.Table:
    """One schema for every partition: all-null columns become strings, large strings plain strings."""
    schema = pa.schema([f.with_type(_settle_type(f.type)) for f in table.schema], metadata=table.schema.metadata)
    return table.cast(schema)


def _key_from_path(file: str) -> PartitionKey | None:
    parts = file.rstrip("/").split("/")
    if len(parts) < 3 or not parts[-3].startswith("source=") or not parts[-2].startswith("month="):
        return None
    try:
        return PartitionKey(parts[-3][len("source="):], parts[-2][len("month="):])
    except StoreError:
        return None
