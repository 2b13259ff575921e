"""The scheduled monthly flow: one calendar month into the processed store and its own folder.

The month's store partition and its folder are replaced whole on every re-run. Deployed by
prefect.yaml with a cron schedule at 06:00 Asia/Tokyo on the 1st (``month`` left empty: the
previous month).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from flows.store_flow import run_update
from nlp.runs.config import UpdateConfig, default

KEY_TABLES = ("by_age_band", "theme_by_age_band", "ideation_by_age_band")


def previous_month(today: date | None = None) -> str:
    """The month before ``today`` (Asia/Tokyo) as YYYY-MM: what the 1st-of-month schedule processes."""
    today = today or datetime.now(ZoneInfo("Asia/Tokyo")).date()
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def month_range(month: str) -> tuple[date, date]:
    """First and last day of a YYYY-MM month; a clear ValueError otherwise."""
    try:
        year, number = (int(part) for part in month.split("-"))
        last = calendar.monthrange(year, number)[1]
    except (ValueError, calendar.IllegalMonthError):
        raise ValueError(f"The 'month' parameter must look like 2024-08. Got {month!r}.") from None
    return date(year, number, 1), date(year, number, last)


def publish_artifacts(out: Path, month: str) -> None:
    """The summary and key tables as Prefect artifacts (aggregates only: no text)."""
    summary = out / "summary.md"
    if summary.exists():
        create_markdown_artifact(summary.read_text(encoding="utf-8"), key=f"soudan-summary-{month}", description=f"soudan {month}")
    for name in KEY_TABLES:
        path = out / "aggregates" / f"{name}.csv"
        if path.exists():
            table = pd.read_csv(path, encoding="utf-8-sig").astype(object).where(lambda t: t.notna(), None)
            create_table_artifact(table.to_dict("records"), key=f"soudan-{name.replace('_', '-')}-{month}")


_D = partial(default, model=UpdateConfig)


@flow(name="soudan-monthly", log_prints=False)
def monthly_run(
    inputs: list[str],
    month: str | None = None,
    out_root: str = "outputs/monthly",
    fmt: str = _D("fmt"),
    mapping: str | None = _D("mapping"),
    min_cell: int = _D("min_cell"),
    workers: int = _D("workers"),
    topics: bool = True,  # unlike a run: the monthly report has topics unless asked not to
    compare_region: str | None = _D("compare_region"),
    store: str = _D("store"),
    source: str = _D("source"),
    runner: str = "local",
    dask_address: str | None = None,
) -> dict:
    """Process one month (default: the previous one, Asia/Tokyo) into the store and write its
    tables and reports to ``out_root/YYYY-MM``.

    Only the month's consultations are kept from ``inputs`` (a consultation belongs to the month
    of its first client message); its partition is reanalysed only when its input, the pipeline
    or the taxonomy changed, and replaced whole. Topics are on by default; with too few
    consultations run.json and the reports say so instead of failing.
    """
    month = month or previous_month()
    month_range(month)
    out = Path(out_root) / month
    options = UpdateConfig(
        inputs=list(inputs), store=store, out=str(out), source=source, fmt=fmt, mapping=mapping, months=[month],
        min_cell=min_cell, workers=workers, topics=topics, compare_region=compare_region,
    )
    run_info = run_update(options, runner, dask_address)
    publish_artifacts(out, month)
    return run_info
