"""The ad-hoc flow: any inputs, any period, outputs swapped in atomically."""

from __future__ import annotations

from datetime import date
from functools import partial

from prefect import flow, get_run_logger

from flows import tasks
from nlp.runs import pipeline
from nlp.runs.config import RunConfig, default

TASK_STAGES = pipeline.Stages(
    ingest=tasks.ingest, analyse=tasks.analyse, aggregate=tasks.aggregate, topics=tasks.topics,
    explore=tasks.explore,
)


def run_with_tasks(options: pipeline.RunOptions, progress=None) -> dict:
    """Run the pipeline with each stage as a Prefect task, and log the row counts (never text)."""
    run_info = pipeline.run_pipeline(options, progress, stages=TASK_STAGES)
    get_run_logger().info(
        "wrote %s: %d consultations, %d rejected rows", options.out,
        run_info["rows"]["consultations"], run_info["rows"]["rejected"],
    )
    return run_info


_D = partial(default, model=RunConfig)


@flow(name="soudan-adhoc", log_prints=False)
def adhoc_run(
    inputs: list[str],
    out: str = _D("out"),
    fmt: str = _D("fmt"),
    mapping: str | None = _D("mapping"),
    since: date | None = _D("since"),
    until: date | None = _D("until"),
    min_cell: int = _D("min_cell"),
    workers: int = _D("workers"),
    topics: bool = _D("topics"),
    keep_text: bool = _D("keep_text"),
    model: str | None = _D("model"),
    compare_region: str | None = _D("compare_region"),
    compare_previous_year: bool = _D("compare_previous_year"),
    events: list[str] | None = None,
    explore: bool = _D("explore"),
) -> dict:
    """Analyse the given files and write tables, charts and reports to ``out``.

    The parameters are those of :class:`nlp.runs.config.RunConfig` (defaults and checks there).
    """
    options = RunConfig(
        inputs=inputs, out=out, fmt=fmt, mapping=mapping, since=since, until=until, min_cell=min_cell,
        workers=workers, topics=topics, keep_text=keep_text, model=model,
        compare_region=compare_region, compare_previous_year=compare_previous_year, events=events or [],
        explore=explore,
    )
    return run_with_tasks(options)
