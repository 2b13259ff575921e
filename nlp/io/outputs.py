"""Atomic output directories: a run writes into a staging folder and swaps it in at the end.

A run killed midway leaves the previous outputs untouched; a re-run replaces them whole, so a
month re-run never mixes old and new files.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

MARKER = "run.json"


class OutputDirError(RuntimeError):
    pass


def check_output_dir(out: Path) -> None:
    """Refuse to replace a non-empty directory that soudan did not write (no run.json in it)."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise OutputDirError(
            f"Output directory {out} exists and was not written by soudan (no {MARKER}); "
            "choose an empty or new directory with --out."
        )


@contextmanager
def staged_output(out: str | Path) -> Iterator[Path]:
    """Yield a staging directory beside ``out``; on success it replaces ``out`` atomically.

    On any exception the staging directory is removed and ``out`` is left as it was.
    """
    out = Path(out).resolve()
    check_output_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _recover(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    backup = out.with_name(f".{out.name}.previous")
    if out.exists():
        shutil.rmtree(backup, ignore_errors=True)
        os.replace(out, backup)
    os.replace(staging, out)
    shutil.rmtree(backup, ignore_errors=True)


def _recover(out: Path) -> None:
    """A crash between the two renames leaves only the backup: put it back."""
    backup = out.with_name(f".{out.name}.previous")
    if backup.exists() and not out.exists():
        os.replace(backup, out)
    for stale in out.parent.glob(f".{out.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write a single file via a temporary file and rename (readers never see half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, payload: dict) -> None:
    atomic_write_bytes(path, json.dumps(payload, ensure_ascii=False, indent=2, default=str).encode("utf-8"))


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """UTF-8 with BOM so Excel on Windows opens Japanese text correctly."""
    atomic_write_bytes(path, frame.to_csv(index=False).encode("utf-8-sig"))
