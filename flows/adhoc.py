"""The ad-hoc flow: any inputs, any period, outputs swapped in atomically."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger

from flows import tasks
from nlp import pipeline

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


@flow(name="soudan-adhoc", log_prints=False)
def adhoc_run(
    inputs: list[str],
    out: str = "outputs/run",
    fmt: str = "auto",
    mapping: str | None = None,
    since: date | None = None,
    until: date | None = None,
    min_cell: int = 10,
    workers: int = 1,
    topics: bool = False,
    keep_text: bool = False,
    model: str | None = None,
    compare_region: str | None = None,
    compare_previous_year: bool = False,
    events: list[str] | None = None,
    explore: bool = False,
) -> dict:
    """Analyse the given files and write tables, charts and reports to ``out``."""
    options = pipeline.RunOptions(
        inputs=inputs, out=out, fmt=fmt, mapping=mapping, since=since, until=until, min_cell=min_cell,
        workers=workers, topics=topics, keep_text=keep_text, model=model,
        compare_region=compare_region, compare_previous_year=compare_previous_year, events=events or [],
        explore=explore,
    )
    return run_with_tasks(options)
