"""The run's stages as plain functions, and ``run_pipeline`` that chains them without Prefect.

The Prefect flows in ``flows/`` call the same stage functions as tasks; ``run_pipeline`` is the
same sequence for the benchmark and for library use.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from nlp.io import outputs
from nlp.tables.aggregate import build_aggregates
from nlp.analysis.analyse import Analyser, analyse_consultations, group_consultations
from nlp.runs.config import RunConfig
from nlp.ingest.messages import IngestResult, read_inputs
from nlp.text.masking import mask_text
from nlp.analysis.quotes import select_quotes
from nlp.runs.run_info import VERSION, RowCounts, RunInfo, versions, write_run_info  # noqa: F401  (VERSION, versions: re-exported)

# The run parameters are nlp.runs.config.RunConfig; RunOptions is its former name, kept for callers.
RunOptions = RunConfig


def starts_within(frame: pd.DataFrame, windows: list[tuple[date | None, date | None]]) -> pd.Series:
    """True for rows whose Tokyo start date lies in any window (bounds inclusive, None = open)."""
    days = frame["started_at"].dt.tz_convert("Asia/Tokyo").dt.date
    keep = pd.Series(False, index=frame.index)
    for since, until in windows:
        inside = pd.Series(True, index=frame.index)
        if since is not None:
            inside &= days >= since
        if until is not None:
            inside &= days <= until
        keep |= inside
    return keep


def in_period(consultations: pd.DataFrame, since: date | None, until: date | None) -> pd.DataFrame:
    """Consultations whose Tokyo start date lies in since..until (both inclusive, None = open)."""
    return consultations[starts_within(consultations, [(since, until)])].reset_index(drop=True)


@dataclass
class Analysis:
    consultations: pd.DataFrame
    quotes: dict[str, list[str]]
    messages: list[list[str]]  # client messages per consultation, in memory only (never written)
    comparison_base: pd.DataFrame | None = None  # period plus comparison windows, when wider
    timings: dict[str, float] = field(default_factory=dict)  # seconds grouping, analysing, picking quotes


class StageTimer(dict):
    """Seconds per stage name; ``with timer("ingest"): …`` adds to that stage's entry."""

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self[name] = round(self.get(name, 0.0) + time.perf_counter() - start, 3)


def ingest_stage(options: RunOptions) -> IngestResult:
    """Read the inputs over since..until and the comparison windows (rejects for bad rows)."""
    since, until = options.ingest_range()
    return read_inputs(options.inputs, fmt=options.fmt, mapping=options.mapping, since=since, until=until,
                       workers=options.workers)


def make_analyser(options: RunOptions) -> Analyser:
    if options.model:
        from nlp.analysis.theme_model import ThemeModel

        return Analyser(theme_model=ThemeModel.load(options.model))
    return Analyser()


def analyse_stage(
    ingested: IngestResult, options: RunOptions, progress: Callable[[int, int], None] | None = None
) -> Analysis:
    """Group messages into consultations, analyse them and pick masked quotes."""
    timer = StageTimer()
    with timer("group"):
        groups = group_consultations(ingested.messages)
        groups = groups[starts_within(groups, options.analysis_windows())].reset_index(drop=True)
    with timer("tag_and_score"):
        consultations = analyse_consultations(
            groups, analyser=make_analyser(options), workers=options.workers,
            keep_text=options.keep_text, progress=progress,
        )
    messages = groups["messages"].tolist()
    base = None
    if options.context_windows():
        in_period = starts_within(consultations, [(options.since, options.until)])
        messages = [m for m, keep in zip(messages, in_period) if keep]
        base, consultations = consultations, consultations[in_period].reset_index(drop=True)
    with timer("quotes"):
        quotes = select_quotes(consultations, messages, mask=mask_text, min_cell=options.min_cell)
    return Analysis(consultations, quotes, messages, base, dict(timer))


def aggregate_stage(analysis: Analysis, options: RunOptions) -> tuple[dict, dict]:
    """Tables over since..until; year and event comparisons also see the windows read for them."""
    period = analysis.consultations
    consultations = analysis.comparison_base if analysis.comparison_base is not None else period
    tables = build_aggregates(period, min_cell=options.min_cell)
    comparisons: dict[str, pd.DataFrame] = {}
    if len(period):
        from nlp.tables import compare

        if options.compare_region:
            comparisons["region"] = compare.compare_region(period, options.compare_region, min_cell=options.min_cell, published=tables)
        if options.compare_previous_year:
            comparisons["year_over_year"] = compare.compare_periods(consultations, options.since, options.until, min_cell=options.min_cell, published=tables)
        for spec in options.events:
            name, start, end = compare.parse_event(spec)
            comparisons["event_" + re.sub(r"[^\w]+", "_", name)] = compare.compare_event(consultations, name, start, end, min_cell=options.min_cell, published=tables)
    return tables, comparisons


def topics_stage(analysis: Analysis, options: RunOptions):
    """BERTopic topics, or None with a printed reason when there are too few consultations."""
    from nlp.analysis.topics import TopicTooFewDocuments, discover_topics

    c = analysis.consultations
    try:
        return discover_topics(
            ["\n".join(m) for m in analysis.messages], months=c["month"].tolist(),
            ideation_levels=c["ideation_level"].tolist(), themes=c["themes"].tolist(), mask=mask_text,
            min_cell=options.min_cell,
        )
    except TopicTooFewDocuments as error:
        return str(error)


def explore_stage(analysis: Analysis, options: RunOptions):
    """The exploratory views of the period's consultations (see nlp.analysis.explore.stage)."""
    from nlp.analysis.explore.stage import explore_consultations

    return explore_consultations(analysis.consultations, analysis.messages, min_cell=options.min_cell)


def _model_info(path: str | None) -> dict | None:
    if not path:
        return None
    from nlp.analysis.theme_model import ThemeModel

    return {"path": path, **{k: v for k, v in ThemeModel.load(path).info.items()}}


def write_stage(
    out: Path,
    options: RunOptions,
    ingested: IngestResult,
    analysis: Analysis,
    tables: dict,
    comparisons: dict,
    topics,
    timings: dict[str, float],
    explore=None,
    *,
    store: dict | None = None,
    update_parameters: dict | None = None,
) -> dict:
    """Write every output into ``out`` (a staging folder) and return run.json's content.

    ``store`` and ``update_parameters`` (from ``soudan update``) go into run.json only: the
    reports are written from the run's own record.
    """
    (out / "aggregates").mkdir(parents=True, exist_ok=True)
    analysis.consultations.to_parquet(out / "consultations.parquet", index=False)
    outputs.write_csv(out / "rejects.csv", ingested.rejects)
    for name, table in tables.items():
        outputs.write_csv(out / "aggregates" / f"{name}.csv", table)
    for name, table in comparisons.items():
        outputs.write_csv(out / "aggregates" / f"compare_{name}.csv", table)
    topic_table = None
    topics_note = "off"
    if topics is not None and not isinstance(topics, str):
        (out / "topics").mkdir(exist_ok=True)
        outputs.write_csv(out / "topics" / "topics.csv", topics.topics)
        outputs.write_csv(out / "topics" / "topics_over_time.csv", topics.over_time)
        topic_table, topics_note = topics.topics, f"{len(topics.topics)} topics"
    elif isinstance(topics, str):
        topics_note = topics
    record = RunInfo(
        parameters=options.parameters(),
        inputs=ingested.sources,
        rows=RowCounts(len(ingested.messages), len(ingested.rejects), len(analysis.consultations)),
        topics=topics_note,
        versions=versions(),
        theme_model=_model_info(options.model),
        timings_seconds=timings,
        synthetic_data=any("synthetic" in str(s.get("path", "")) for s in ingested.sources),
    )
    explore_charts = {}
    if explore is not None:
        from nlp.analysis.explore.stage import write_explore_timed

        explore_charts, record.explore = write_explore_timed(explore, out, charts=options.reports)
    if options.reports:
        from nlp.report.write import write_consultation_reports as write_reports  # matplotlib: ~1 s to import

        weekday_hour = analysis.consultations.groupby(["weekday", "hour"]).size().rename("consultations").reset_index()
        write_reports(out, tables, record.as_dict(), comparisons=comparisons, topics=topic_table, quotes=analysis.quotes,
                      weekday_hour=weekday_hour, explore=(explore, explore_charts) if explore is not None else None)
    record.store, record.update_parameters = store, update_parameters
    return write_run_info(out, record)


@dataclass(frozen=True)
class Stages:
    """The stage functions ``run_pipeline`` calls; the Prefect flows pass task-wrapped ones."""

    ingest: Callable = ingest_stage
    analyse: Callable = analyse_stage
    aggregate: Callable = aggregate_stage
    topics: Callable = topics_stage
    explore: Callable = explore_stage


def run_pipeline(
    options: RunOptions, progress: Callable[[int, int], None] | None = None, stages: Stages = Stages()
) -> dict:
    """Ingest → analyse → aggregate → (topics) → write, atomically into ``options.out``.

    Returns:
        The content of run.json (parameters, inputs, row counts, versions, stage timings).
    """
    timer = StageTimer()
    with timer("ingest"):
        ingested = stages.ingest(options)
    timer.update({f"ingest_{name}": seconds for name, seconds in getattr(ingested, "timings", {}).items()})
    with timer("analyse"):
        analysis = stages.analyse(ingested, options, progress)
    timer.update({f"analyse_{name}": seconds for name, seconds in getattr(analysis, "timings", {}).items()})
    with timer("aggregate"):
        tables, comparisons = stages.aggregate(analysis, options)
    topics = None
    if options.topics:
        with timer("topics"):
            topics = stages.topics(analysis, options)
    explore = None
    if options.explore:
        with timer("explore"):
            explore = stages.explore(analysis, options)
    with outputs.staged_output(options.out) as staging, timer("write"):
        return write_stage(staging, options, ingested, analysis, tables, comparisons, topics, timer, explore)
