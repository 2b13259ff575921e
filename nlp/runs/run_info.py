"""run.json: what a run read, counted, used and how long it took; one record, written in one place.

``RunInfo`` is the record of ``soudan run`` and ``soudan update`` (the latter adds ``store`` and
``update_parameters``); :func:`write_run_info` is the only writer of run.json (the survey run's
record is a plain dict of its own keys, written by the same function). ``VERSION`` is the
installed package's version (pyproject.toml), the one every record and the store's pipeline
version use.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

MARKER = "run.json"


def _installed_version() -> str:
    try:
        return metadata.version("soudan")
    except metadata.PackageNotFoundError:  # a source tree without `pip install -e .`
        return "0+unknown"


VERSION = _installed_version()


@dataclass
class RowCounts:
    messages_accepted: int
    rejected: int
    consultations: int

    def as_dict(self) -> dict[str, int]:
        return {"messages_accepted": int(self.messages_accepted), "rejected": int(self.rejected),
                "consultations": int(self.consultations)}


@dataclass
class RunInfo:
    """run.json of a consultation run; ``as_dict`` gives its keys in their published order.

    ``timings_seconds`` is kept by reference: the caller's timer may still add the write step.
    """

    parameters: dict[str, Any]
    inputs: list[dict]
    rows: RowCounts
    topics: str
    versions: dict[str, str]
    theme_model: dict | None
    timings_seconds: dict[str, float]
    synthetic_data: bool
    explore: dict | None = None
    store: dict | None = None  # soudan update: partitions processed / skipped / stale, versions
    update_parameters: dict | None = None  # soudan update: its own parameters, under parameters.update

    def as_dict(self) -> dict[str, Any]:
        parameters = dict(self.parameters)
        if self.update_parameters is not None:
            parameters["update"] = self.update_parameters
        found: dict[str, Any] = {
            "parameters": parameters, "inputs": self.inputs, "rows": self.rows.as_dict(), "topics": self.topics,
            "versions": self.versions, "theme_model": self.theme_model, "timings_seconds": self.timings_seconds,
            "synthetic_data": self.synthetic_data,
        }
        if self.explore is not None:
            found["explore"] = self.explore
        if self.store is not None:
            found["store"] = self.store
        return found


def versions() -> dict[str, str]:
    """soudan, Python, the main libraries and the taxonomy versions (informative)."""
    found = {"soudan": VERSION, "python": platform.python_version()}
    for package in ("sudachipy", "sudachidict-core", "pandas", "scikit-learn", "bertopic", "prefect"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    try:
        from taxonomy.ideation import load_lexicon
        from taxonomy.themes import load_taxonomy

        found["themes_taxonomy"] = str(load_taxonomy().version)
        found["ideation_lexicon"] = str(load_lexicon().version)
    except Exception:  # versions are informative; a broken taxonomy fails the run elsewhere
        pass
    return found


def write_run_info(folder: Path, info: RunInfo | dict[str, Any]) -> dict[str, Any]:
    """Write ``folder/run.json`` (atomically, as every output) and return what was written."""
    from nlp.io import outputs

    content = info.as_dict() if isinstance(info, RunInfo) else info
    outputs.write_json(Path(folder) / MARKER, content)
    return content
