"""The one entry point the pipeline calls: charts, summary.md, report.xlsx, report.html, report.pptx.

Example:
    >>> paths = write_reports(Path("outputs/run"), tables, run_info)   # doctest: +SKIP
    >>> sorted(paths)[:3]
    ['charts', 'html', 'pptx']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nlp.charts import draw_charts
from nlp.labels import SECTIONS, Section
from nlp.report_html import write_html
from nlp.report_pptx import write_pptx
from nlp.report_xlsx import write_xlsx
from nlp.summary import Finding, artifact_markdown, summarize, summary_markdown

MAX_QUOTES_PER_THEME = 3
MAX_QUOTE_CHARS = 120


@dataclass
class ReportData:
    """Everything a report writer renders; built once by :func:`write_reports`."""

    tables: dict[str, pd.DataFrame]
    run_info: dict
    findings: list[Finding]
    charts: dict[str, Path] = field(default_factory=dict)
    comparisons: dict[str, pd.DataFrame] = field(default_factory=dict)
    topics: pd.DataFrame | None = None
    quotes: dict[str, list[str]] = field(default_factory=dict)
    explore: object | None = None  # nlp.explore.report.ExploreSection, with --explore

    def present(self, section: Section) -> list[str]:
        """Names of the section's tables that this run produced (weekday_hour counts via its chart)."""
        return [n for n in section.tables if self.has(n)]

    def missing(self, section: Section) -> list[str]:
        """Names of the section's tables that this run did not produce."""
        return [n for n in section.tables if not self.has(n)]

    def has(self, name: str) -> bool:
        table = self.tables.get(name)
        return (table is not None and not table.empty) or name in self.charts


def clean_quotes(quotes: dict[str, list[str]] | None) -> dict[str, list[str]]:
    """At most three quotes per theme, one line each, cut at 120 characters (already masked upstream)."""
    out: dict[str, list[str]] = {}
    for theme, texts in (quotes or {}).items():
        kept = []
        for text in texts[:MAX_QUOTES_PER_THEME]:
            line = " ".join(str(text).split())
            kept.append(line if len(line) <= MAX_QUOTE_CHARS else line[: MAX_QUOTE_CHARS - 1] + "…")
        if kept:
            out[str(theme)] = kept
    return out


def min_cell_of(run_info: dict, default: int = 10) -> int:
    """The run's min_cell (parameters.min_cell, or min_cell at the top), else ``default``."""
    params = run_info.get("parameters") or run_info.get("params") or {}
    value = params.get("min_cell", run_info.get("min_cell", default))
    return int(value) if value is not None else default


def suppress_weekday_hour(weekday_hour: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Tidy weekday × hour counts with the same disclosure rules as the aggregate tables.

    A table that already has a ``suppressed`` column is returned unchanged. Otherwise cells under
    ``min_cell`` are suppressed, then complementary cells so that no weekday row (sums to
    by_weekday) or hour column (sums to by_hour) has exactly one hidden cell.

    Args:
        weekday_hour: tidy (weekday, hour, consultations) or a weekday × hour matrix of counts.
        min_cell: primary suppression threshold.

    Returns:
        Columns weekday, hour, consultations (Int64, <NA> when suppressed), share (of all
        consultations), suppressed, reference.
    """
    from nlp.disclosure import finish_table, lines_along, primary_suppress, secondary_suppress
    from nlp.schema import WEEKDAYS

    if "suppressed" in weekday_hour.columns:
        return weekday_hour
    if not {"weekday", "hour"}.issubset(weekday_hour.columns):
        weekday_hour = weekday_hour.rename_axis(index="weekday", columns="hour").stack().rename("consultations").reset_index()
    counts = weekday_hour.groupby(["weekday", "hour"])["consultations"].sum()
    dims = pd.DataFrame([(d, h) for d in WEEKDAYS for h in range(24)], columns=["weekday", "hour"])
    values = dims.apply(lambda r: int(counts.get((r["weekday"], r["hour"]), 0)), axis=1).to_numpy()
    mask = primary_suppress(values, min_cell)
    mask = secondary_suppress(values, mask, lines_along(dims, ["weekday"]) + lines_along(dims, ["hour"]))
    return finish_table(dims, values, [int(values.sum())] * len(values), mask)


def write_reports(
    out_dir: Path,
    tables: dict[str, pd.DataFrame],
    run_info: dict,
    *,
    comparisons: dict[str, pd.DataFrame] | None = None,
    topics: pd.DataFrame | None = None,
    quotes: dict[str, list[str]] | None = None,
    weekday_hour: pd.DataFrame | None = None,
    explore: tuple | None = None,
) -> dict[str, Path]:
    """Write charts/*.png, summary.md, report.xlsx, report.html and report.pptx into ``out_dir``.

    Args:
        out_dir: the run folder (created if needed).
        tables: tidy aggregate tables by name; any may be missing (its section says so).
        run_info: run parameters, inputs, row counts, versions; rendered as far as present.
        comparisons: comparison tables by name (region, year_over_year, event_…).
        topics: topic table (size and label / keyword columns).
        quotes: masked quotes by theme id; only these ever reach the reports.
        weekday_hour: tidy weekday × hour counts for the heat map (or a ``weekday_hour`` table).
        explore: (nlp.explore ExploreResult, its charts) for the 語の分析 section, or None.

    Returns:
        {"summary", "xlsx", "html", "pptx", "charts"} → paths.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {name: df for name, df in tables.items() if df is not None}
    comparisons = {name: df for name, df in (comparisons or {}).items() if df is not None}
    if weekday_hour is not None and "weekday_hour" not in tables:
        tables = {**tables, "weekday_hour": weekday_hour}
    if tables.get("weekday_hour") is not None:
        tables["weekday_hour"] = suppress_weekday_hour(tables["weekday_hour"], min_cell_of(run_info))
    charts = draw_charts(tables, out_dir / "charts", topics=topics, comparisons=comparisons)
    findings = summarize(tables, comparisons=comparisons, topics=topics)
    data = ReportData(tables, run_info, findings, charts, comparisons, topics, clean_quotes(quotes))
    if explore is not None:
        from nlp.explore.report import ExploreSection

        data.explore = ExploreSection.of(explore)
    paths = {"summary": out_dir / "summary.md", "xlsx": out_dir / "report.xlsx",
             "html": out_dir / "report.html", "pptx": out_dir / "report.pptx", "charts": out_dir / "charts"}
    paths["summary"].write_text(summary_markdown(findings, run_info), encoding="utf-8")
    write_xlsx(paths["xlsx"], data)
    write_html(paths["html"], data)
    write_pptx(paths["pptx"], data)
    return paths


__all__ = ["ReportData", "SECTIONS", "artifact_markdown", "write_reports"]
