"""Write one run's reports: charts, then the Report rendered to xlsx, markdown, html and pptx.

Example:
    >>> paths = write_consultation_reports(Path("outputs/run"), tables, run_info)   # doctest: +SKIP
    >>> sorted(paths)
    ['charts', 'html', 'pptx', 'summary', 'xlsx']
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from nlp.tables.disclosure import suppress_weekday_hour
from nlp.report.build_consultations import ReportInputs, build_consultations, clean_quotes, min_cell_of
from nlp.report.build_survey import build_survey
from nlp.report.document import Report
from nlp.report.explore_blocks import ExploreSection
from nlp.report.render_html import render_html
from nlp.report.render_markdown import summary_markdown
from nlp.report.render_pptx import render_pptx
from nlp.report.render_xlsx import render_xlsx


def render(report: Report, out_dir: Path) -> dict[str, Path]:
    """The report's summary, xlsx, html and pptx files in ``out_dir``; their paths (and charts/)."""
    paths = {**{key: out_dir / name for key, name in report.files.items()}, "charts": out_dir / "charts"}
    paths["summary"].write_text(summary_markdown(report), encoding="utf-8")
    render_xlsx(report, paths["xlsx"])
    render_html(report, paths["html"])
    render_pptx(report, paths["pptx"])
    return paths


def consultation_inputs(tables: dict[str, pd.DataFrame], run_info: dict, *, charts: dict[str, Path] | None = None,
                        comparisons: dict[str, pd.DataFrame] | None = None, topics: pd.DataFrame | None = None,
                        quotes: dict[str, list[str]] | None = None, explore=None) -> ReportInputs:
    """The builder's inputs: weekday × hour suppressed, findings computed, quotes cleaned."""
    from nlp.report.summary import summarize

    tables = {name: df for name, df in tables.items() if df is not None}
    comparisons = {name: df for name, df in (comparisons or {}).items() if df is not None}
    if tables.get("weekday_hour") is not None:
        tables["weekday_hour"] = suppress_weekday_hour(tables["weekday_hour"], min_cell_of(run_info))
    findings = summarize(tables, comparisons=comparisons, topics=topics)
    return ReportInputs(tables, run_info, findings, dict(charts or {}), comparisons, topics, clean_quotes(quotes),
                        ExploreSection.of(explore) if explore is not None else None)


def write_consultation_reports(
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
        explore: (nlp.analysis.explore ExploreResult, its charts) for the 語の分析 section, or None.

    Returns:
        {"summary", "xlsx", "html", "pptx", "charts"} → paths.
    """
    from nlp.report.charts import draw_charts

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {name: df for name, df in tables.items() if df is not None}
    if weekday_hour is not None and "weekday_hour" not in tables:
        tables["weekday_hour"] = weekday_hour
    data = consultation_inputs(tables, run_info, comparisons=comparisons, topics=topics, quotes=quotes, explore=explore)
    data.charts = draw_charts(data.tables, out_dir / "charts", topics=topics, comparisons=data.comparisons)
    report = build_consultations(data)
    return render(report, out_dir)


def write_survey_reports(out_dir: Path, tables: dict[str, pd.DataFrame], quotes: pd.DataFrame, run_info: dict,
                         labels: dict[str, str] | None = None, explore: tuple | None = None) -> dict[str, Path]:
    """Write charts/survey_*.png, survey_summary.md, survey_report.xlsx, .html and .pptx into ``out_dir``.

    Args:
        out_dir: the run folder.
        tables: the survey tables by name.
        quotes: the masked quotes (nlp.analysis.survey_quotes.QUOTE_COLUMNS).
        run_info: run.json's content (questions, rows, benchmark, min_cell, synthetic_data).
        labels: theme id → label (unused labels are fine).
        explore: (nlp.analysis.explore ExploreResult, its charts) for the 語の分析 section, or None.

    Returns:
        {"summary", "xlsx", "html", "pptx", "charts"} → paths.
    """
    from nlp.report.survey_charts import draw_survey_charts
    from nlp.report.survey_report import findings

    out_dir = Path(out_dir)
    charts = draw_survey_charts(tables, run_info.get("questions", []), out_dir / "charts", run_info.get("benchmark"))
    found = findings(tables, run_info)
    section = ExploreSection.of(explore) if explore is not None else None
    report = build_survey(tables, quotes, found, run_info, charts, section)
    return render(report, out_dir)
