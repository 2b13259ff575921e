"""The run parameters, defined once: defaults and checks for the CLI, the flows, prefect.yaml and the app.

``RunConfig`` is one ``soudan run``; ``UpdateConfig`` one store update (``soudan update``, the
update and monthly flows); ``SurveyConfig`` one survey run. They share ``CommonConfig``.
Building one validates it; a bad value fails with one sentence (a ``ConfigError``, a
``ValueError``), e.g. "The 'min_cell' parameter must be an int >= 1. Got 0."

Example:
    >>> RunConfig(inputs=["data/examples"], min_cell=5).min_cell
    5
    >>> default("min_cell")
    10
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

# The store's defaults are run parameters too; nlp.store.incremental imports them from here.
DEFAULT_SOURCE = "default"
DEFAULT_CHUNK_CHARS = 8_000_000
DEFAULT_BATCH_BYTES = 8 * 2**20


class ConfigError(ValueError):
    """A run parameter out of range; the message is one sentence naming it."""


def _message(error: ValidationError) -> str:
    first = error.errors()[0]
    if first["type"] == "value_error":  # our own check: its sentence as it is
        return str(first.get("ctx", {}).get("error", first["msg"]))
    name = ".".join(str(part) for part in first["loc"]) or "value"
    return f"The '{name}' parameter is not valid: {first['msg']}. Got {first.get('input')!r}."


class CommonConfig(BaseModel):
    """Fields every kind of run has."""

    model_config = ConfigDict(extra="forbid", validate_default=True)
    _at_least: ClassVar[dict[str, int]] = {"min_cell": 1}

    mapping: str | None = None
    min_cell: int = 10  # cells (consultations or respondents) below this are suppressed
    reports: bool = True

    _positional: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **data: Any) -> None:
        if len(args) > len(self._positional):
            raise ConfigError(f"{type(self).__name__} takes at most {len(self._positional)} positional values.")
        data.update(zip(self._positional, args))  # as the former dataclasses: SurveyOptions("a.xlsx", min_cell=3)
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise ConfigError(_message(error)) from None

    @classmethod
    def checked(cls, data: dict[str, Any]):
        """``cls(**data)``, as prefect.yaml parameters and JSON are checked."""
        return cls(**data)

    @model_validator(mode="before")
    @classmethod
    def _ints_in_range(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, low in cls._at_least.items():
                if name in data:
                    value = data[name]
                    if isinstance(value, bool) or not isinstance(value, int) or value < low:
                        raise ValueError(f"The '{name}' parameter must be an int >= {low}. Got {value!r}.")
        return data


class RunConfig(CommonConfig):
    """One ``soudan run``: what to read, the period, comparisons, what to write."""

    _at_least: ClassVar[dict[str, int]] = {"min_cell": 1, "workers": 1}
    _positional: ClassVar[tuple[str, ...]] = ("inputs",)

    inputs: list[str]
    out: str = "outputs/run"
    fmt: str = "auto"
    since: date | None = None
    until: date | None = None
    workers: int = 1
    topics: bool = False
    keep_text: bool = False
    model: str | None = None
    compare_region: str | None = None
    compare_previous_year: bool = False
    events: list[str] = []
    explore: bool = False  # word frequencies, co-occurrence networks, correspondence analysis (nlp/explore)

    @model_validator(mode="after")
    def _period(self) -> "RunConfig":
        if self.compare_previous_year and not (self.since and self.until):
            raise ValueError("--compare-previous-year needs --since and --until (the period to compare).")
        if self.since and self.until and self.until < self.since:
            raise ValueError(f"--until {self.until} is before --since {self.since}.")
        return self

    def parameters(self) -> dict[str, Any]:
        """The fields as run.json lists them (dates as YYYY-MM-DD), in the historical order."""
        return {k: (str(v) if isinstance(v, date) else v) for k, v in _ordered(self, RUN_FIELDS).items()}

    def context_windows(self) -> list[tuple[date, date]]:
        """Periods read besides since..until, only to compare with: the year before, pre-event windows."""
        from nlp.tables.compare import parse_event

        windows = []
        if self.compare_previous_year:
            windows.append((_year_before(self.since), _year_before(self.until)))
        for spec in self.events:
            _, start, end = parse_event(spec)
            windows.append((start - (end - start) - timedelta(days=1), end))
        return windows

    def analysis_windows(self) -> list[tuple[date | None, date | None]]:
        """The report period and the comparison windows: consultations starting in any are analysed."""
        return [(self.since, self.until), *self.context_windows()]

    def ingest_range(self) -> tuple[date | None, date | None]:
        """Messages to read: the analysis windows, a day wider on each side.

        A consultation belongs to the day of its first message, and a chat that starts at 23:50
        goes on after midnight, so messages just outside the windows are read and the
        consultations are filtered by their start after grouping.
        """
        since, until = self.since, self.until
        for start, end in self.context_windows():
            since = min(since, start) if since else None
            until = max(until, end) if until else None
        return (since - timedelta(days=1) if since else None, until + timedelta(days=1) if until else None)


class UpdateConfig(CommonConfig):
    """One store update: the run's fields plus where the store is and how work is cut.

    Attributes:
        store: store root, a local folder or an fsspec URL.
        out: folder for tables and reports over the store; None writes none.
        source: the name these inputs are filed under (``source=<name>`` partitions).
        months: process and report only these YYYY-MM months (default: all in the inputs / store).
        force: reprocess even unchanged partitions.
        chunk_chars: a partition with more client text than this is analysed in parts (units of work).
        batch_bytes: input bytes read at once (memory bound of the scan).
        spill_dir: where messages are spilled between reading and analysis (default the system
            temporary folder); on a remote Dask cluster, a folder the workers share, as the inputs.
    """

    _at_least: ClassVar[dict[str, int]] = {"min_cell": 1, "workers": 1, "chunk_chars": 1, "batch_bytes": 1}
    _positional: ClassVar[tuple[str, ...]] = ("inputs",)

    inputs: list[str]
    store: str = "outputs/store"
    out: str | None = "outputs/latest"
    source: str = DEFAULT_SOURCE
    fmt: str = "auto"
    since: date | None = None
    until: date | None = None
    months: list[str] | None = None
    workers: int = 1
    topics: bool = False
    model: str | None = None
    compare_region: str | None = None
    compare_previous_year: bool = False
    events: list[str] = []
    force: bool = False
    chunk_chars: int = DEFAULT_CHUNK_CHARS
    batch_bytes: int = DEFAULT_BATCH_BYTES
    spill_dir: str | None = None

    @model_validator(mode="after")
    def _store_checks(self) -> "UpdateConfig":
        from nlp.store.processed_store import PartitionKey, check_source_name

        check_source_name(self.source)
        for month in self.months or []:
            PartitionKey(self.source, month)  # validates YYYY-MM
        self.run_options()  # the run parameters' own checks (period, comparisons)
        return self

    def run_options(self) -> RunConfig:
        """The :class:`RunConfig` of the tables written over the store."""
        return RunConfig(
            inputs=list(self.inputs), out=self.out or "", fmt=self.fmt, mapping=self.mapping, since=self.since,
            until=self.until, min_cell=self.min_cell, workers=self.workers, topics=self.topics, model=self.model,
            compare_region=self.compare_region, compare_previous_year=self.compare_previous_year,
            events=list(self.events), reports=self.reports,
        )

    def parameters(self) -> dict[str, Any]:
        """The fields as run.json's ``parameters.update`` lists them, in the historical order."""
        return {k: (str(v) if isinstance(v, date) else v) for k, v in _ordered(self, UPDATE_FIELDS).items()}


class SurveyConfig(CommonConfig):
    """One survey run (``soudan survey``, the survey flow)."""

    _at_least: ClassVar[dict[str, int]] = {"min_cell": 1, "quotes_per_theme": 0}
    _positional: ClassVar[tuple[str, ...]] = ("input", "out")

    input: str
    out: str = "outputs/survey"
    reference: str | None = None
    themes: str | None = None
    quotes_per_theme: int = 3
    explore: bool = False  # word frequencies, networks, correspondence analysis of the open answers

    def parameters(self) -> dict[str, Any]:
        """The fields as run.json lists them, in the historical order."""
        return _ordered(self, SURVEY_FIELDS)


# run.json's parameter order (the order of the former dataclasses): kept so run.json is unchanged.
RUN_FIELDS = ("inputs", "out", "fmt", "mapping", "since", "until", "min_cell", "workers", "topics", "keep_text",
              "model", "compare_region", "compare_previous_year", "events", "reports", "explore")
UPDATE_FIELDS = ("inputs", "store", "out", "source", "fmt", "mapping", "since", "until", "months", "min_cell",
                 "workers", "topics", "model", "compare_region", "compare_previous_year", "events", "reports",
                 "force", "chunk_chars", "batch_bytes", "spill_dir")
SURVEY_FIELDS = ("input", "out", "mapping", "min_cell", "reference", "themes", "quotes_per_theme", "reports", "explore")


def _ordered(config: BaseModel, names: tuple[str, ...]) -> dict[str, Any]:
    dumped = config.model_dump()
    return {name: dumped[name] for name in names}


def default(name: str, model: type[BaseModel] = RunConfig) -> Any:
    """A field's default, for signatures (flows, CLI options) that must not repeat it."""
    return model.model_fields[name].get_default(call_default_factory=True)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
