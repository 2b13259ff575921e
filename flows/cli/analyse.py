"""The analysis commands: run, update, serve, demo, survey, kwic."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import List, Optional

import typer

from nlp.runs.config import SurveyConfig, UpdateConfig, default  # the defaults, defined once
from flows.cli.app import (
    DEMO_INPUT, DEMO_SURVEY, InputFormat, _parse_date, _report_run, app, err, execute_run, friendly_errors,
)


@app.command()
def run(
    input: List[Path] = typer.Option(..., "--input", "-i", help="Input files or directories (repeatable)."),
    format: InputFormat = typer.Option(InputFormat.auto, "--format", "-f", help="Input format; auto goes by file suffix."),
    mapping: Optional[Path] = typer.Option(None, help="YAML mapping of source headers to canonical columns."),
    since: Optional[str] = typer.Option(None, help="First day to include, YYYY-MM-DD (Asia/Tokyo)."),
    until: Optional[str] = typer.Option(None, help="Last day to include, YYYY-MM-DD (Asia/Tokyo)."),
    out: Path = typer.Option(Path(default("out")), help="Output directory (replaced whole, atomically)."),
    min_cell: int = typer.Option(default("min_cell"), help="Cells with fewer consultations are suppressed."),
    workers: int = typer.Option(default("workers"), help="Worker processes for analysis."),
    topics: bool = typer.Option(False, "--topics/--no-topics", help="Discover topics with BERTopic (offline)."),
    keep_text: bool = typer.Option(False, "--keep-text", help="Keep client text in consultations.parquet (off: privacy)."),
    model: Optional[Path] = typer.Option(None, help="Theme model from `soudan train` to set primary_theme."),
    compare_region: Optional[str] = typer.Option(None, help="Compare this prefecture with all others, e.g. 熊本県."),
    compare_previous_year: bool = typer.Option(False, "--compare-previous-year", help="Compare --since..--until with the same dates a year before."),
    event: List[str] = typer.Option([], help="Campaign window NAME:START:END compared with the same length before."),
    prefect: bool = typer.Option(False, "--prefect/--no-prefect", help="Run as the Prefect flow soudan-adhoc (starts a local server)."),
    explore: bool = typer.Option(False, "--explore/--no-explore", help="Word frequencies, co-occurrence networks, correspondence analysis (explore/)."),
) -> None:
    """Analyse consultation logs and write tables, charts and reports."""
    with friendly_errors():
        from nlp.runs.pipeline import RunOptions

        options = RunOptions(
            inputs=[str(p) for p in input], out=str(out), fmt=format.value,
            mapping=str(mapping) if mapping else None, since=_parse_date(since, "--since"),
            until=_parse_date(until, "--until"), min_cell=min_cell, workers=workers, topics=topics,
            keep_text=keep_text, model=str(model) if model else None, compare_region=compare_region,
            compare_previous_year=compare_previous_year, events=list(event), explore=explore,
        )
        _report_run(execute_run(options, prefect), str(out))


@app.command()
def update(
    input: List[Path] = typer.Option(..., "--input", "-i", help="Input files or directories (repeatable)."),
    store: str = typer.Option(default("store", UpdateConfig), help="Processed store: a folder or an fsspec URL (s3://…)."),
    out: Optional[Path] = typer.Option(Path(default("out", UpdateConfig)), help="Tables and reports over the store's months."),
    source: str = typer.Option(default("source", UpdateConfig), help="Name these inputs are filed under (source=NAME partitions)."),
    format: InputFormat = typer.Option(InputFormat.auto, "--format", "-f"),
    mapping: Optional[Path] = typer.Option(None),
    month: List[str] = typer.Option([], help="Only these months, YYYY-MM (repeatable); default all."),
    since: Optional[str] = typer.Option(None, help="Tables from this day, YYYY-MM-DD (whole months are processed)."),
    until: Optional[str] = typer.Option(None, help="Tables up to this day, YYYY-MM-DD."),
    min_cell: int = typer.Option(default("min_cell", UpdateConfig)),
    workers: int = typer.Option(default("workers", UpdateConfig), help="Worker processes (or Dask LocalCluster workers)."),
    dask: bool = typer.Option(False, "--dask", help="Run the analysis tasks on Dask (Prefect flow soudan-update)."),
    dask_address: Optional[str] = typer.Option(None, help="Dask scheduler address; default a LocalCluster."),
    reports: bool = typer.Option(True, "--reports/--no-reports"),
    topics: bool = typer.Option(False, "--topics/--no-topics"),
    force: bool = typer.Option(False, "--force", help="Reprocess unchanged months too."),
) -> None:
    """Incremental: reprocess only (source, month) partitions whose input, pipeline or taxonomy changed."""
    with friendly_errors():
        from nlp.store.update import UpdateOptions, update_store

        options = UpdateOptions(
            inputs=[str(p) for p in input], store=store, out=str(out) if out else None, source=source,
            fmt=format.value, mapping=str(mapping) if mapping else None, months=list(month) or None,
            since=_parse_date(since, "--since"), until=_parse_date(until, "--until"), min_cell=min_cell,
            workers=workers, reports=reports, topics=topics, force=force,
        )
        if dask or dask_address:
            from flows.store_flow import update_run

            params = {k: v for k, v in options.model_dump().items() if k in update_run.parameters.properties}
            run_info = update_run(**params, runner="dask", dask_address=dask_address)
        else:
            run_info = update_store(options)
        s = run_info["store"]
        err.print(f"[green]soudan: {s['partitions_processed']} partitions processed, {s['partitions_skipped']} unchanged, "
                  f"{s['partitions_stale']} stale; store {store}" + (f"; outputs in {out}" if out else "") + "[/green]",
                  highlight=False)


@app.command()
def serve(
    inputs: List[str] = typer.Option([], "--input", "-i", help="Override the deployments' inputs (repeatable)."),
    limit: Optional[int] = typer.Option(None, help="Most flow runs at once."),
) -> None:
    """Serve the deployments of prefect.yaml (monthly at 06:00 Asia/Tokyo on the 1st, adhoc, update)."""
    with friendly_errors():
        from flows.deploy import serve as serve_deployments

        serve_deployments(parameters={"inputs": list(inputs)} if inputs else None, limit=limit)


@app.command()
def demo(
    out: Path = typer.Option(Path("outputs/demo"), help="Output directory."),
    topics: bool = typer.Option(True, "--topics/--no-topics", help="Include BERTopic topics."),
) -> None:
    """Run on the bundled SYNTHETIC demo data (data/demo) and write every output."""
    with friendly_errors():
        from nlp.runs.pipeline import RunOptions

        inputs = sorted(str(p) for p in DEMO_INPUT.glob("consultations*.csv"))
        if not inputs:
            raise FileNotFoundError(f"No demo data in {DEMO_INPUT}; regenerate it with python data/generate_demo.py.")
        # The demo reports fiscal 2024 against fiscal 2023, 熊本県 against the rest, and the
        # synthetic summer campaign in 熊本県 against the two months before it.
        options = RunOptions(
            inputs=inputs, out=str(out), topics=topics, since=date(2024, 4, 1), until=date(2025, 3, 31),
            compare_region="熊本県", compare_previous_year=True, events=["夏キャンペーン:2024-07-01:2024-08-31"],
            explore=True,
        )
        _report_run(execute_run(options, prefect=False), str(out))
        # After the main run: it replaces `out` whole, which would remove an earlier survey folder.
        from nlp.runs.survey import run_survey

        survey = run_survey(DEMO_SURVEY / "survey_synthetic.xlsx", out / "survey", reference=DEMO_SURVEY / "reference_example.csv",
                            explore=True)
        err.print(f"[green]soudan: survey demo ({survey['rows']['respondents']} synthetic respondents) in {out / 'survey'}[/green]", highlight=False)


@app.command()
def survey(
    input: Path = typer.Option(..., "--input", "-i", help="Survey export: XLSX, CSV (UTF-8 or CP932), Parquet or JSONL; one row per respondent."),
    mapping: Optional[Path] = typer.Option(None, help="Survey mapping YAML: columns, open_questions, choice_questions, values."),
    out: Path = typer.Option(Path(default("out", SurveyConfig)), help="Output directory (replaced whole, atomically)."),
    min_cell: int = typer.Option(default("min_cell", SurveyConfig), help="Cells with fewer respondents are suppressed."),
    reference: Optional[Path] = typer.Option(None, help="Reference shares (e.g. the national survey) shown beside the loneliness tables."),
    themes: Optional[Path] = typer.Option(None, help="Survey themes YAML (default taxonomy/survey_themes.yaml)."),
    quotes: int = typer.Option(default("quotes_per_theme", SurveyConfig), help="Masked quotes per open question and theme (0: none)."),
    reports: bool = typer.Option(True, "--reports/--no-reports", help="Write survey_report.xlsx/.pptx/.html and survey_summary.md."),
    prefect: bool = typer.Option(False, "--prefect/--no-prefect", help="Run as the Prefect flow soudan-survey."),
    explore: bool = typer.Option(False, "--explore/--no-explore", help="Word frequencies, co-occurrence networks, correspondence analysis of the open answers."),
) -> None:
    """Analyse a resident survey or event questionnaire: open-answer themes, choices, loneliness."""
    with friendly_errors():
        parameters = dict(mapping=str(mapping) if mapping else None, min_cell=min_cell,
                          reference=str(reference) if reference else None, themes=str(themes) if themes else None,
                          quotes_per_theme=quotes, reports=reports, explore=explore)
        if prefect:
            from flows.survey import survey_run

            info = survey_run(str(input), str(out), **parameters)
        else:
            from nlp.runs.survey import run_survey

            info = run_survey(str(input), str(out), **parameters)
        rows = info["rows"]
        answered = ", ".join(f"{label[:12]}… {n}" for label, n in rows["open_answers"].items()) or "none"
        err.print(f"[green]soudan survey: {rows['respondents']} respondents, {rows['rejected']} rows rejected "
                  f"(see rejects.csv); open answers: {answered}; outputs in {out}[/green]", highlight=False)
        for warning in info.get("warnings", []):
            err.print(f"[yellow]{warning}[/yellow]", highlight=False)


@app.command()
def kwic(
    term: str = typer.Argument(..., help="The word to look up (matched by its Sudachi normalised form)."),
    input: List[Path] = typer.Option(..., "--input", "-i", help="Input files or directories (repeatable)."),
    format: InputFormat = typer.Option(InputFormat.auto, "--format", "-f"),
    mapping: Optional[Path] = typer.Option(None),
    min_cell: int = typer.Option(default("min_cell"), help="No line unless the term occurs in at least this many consultations (and the group has as many)."),
    width: Optional[int] = typer.Option(None, help="Characters of context each side (default taxonomy/explore.yaml)."),
    limit: Optional[int] = typer.Option(None, help="Most lines shown (default taxonomy/explore.yaml)."),
    where: List[str] = typer.Option([], help="Only consultations with COLUMN=VALUE, e.g. age_band=10代 (repeatable)."),
    include_ideation: bool = typer.Option(False, "--include-ideation", help="Also read messages with suicide-ideation content (off: never quoted)."),
    out: Optional[Path] = typer.Option(None, help="Write the lines to this CSV (left, keyword, right) instead of printing."),
) -> None:
    """Keyword in context: masked client-text lines around TERM."""
    with friendly_errors():
        from nlp.io import outputs
        from nlp.analysis.explore.config import load_explore_config
        from nlp.analysis.explore.kwic import concordance, read_documents, text_lines

        config = load_explore_config()
        documents = read_documents([str(p) for p in input], fmt=format.value, mapping=str(mapping) if mapping else None,
                                   where=where)
        result = concordance(documents, term, min_cell=min_cell, width=width or config.kwic_width,
                             limit=limit or config.kwic_limit, include_ideation=include_ideation)
        if result.reason:
            err.print(f"[yellow]soudan kwic: {result.reason}[/yellow]", highlight=False)
        if out is not None:
            outputs.write_csv(out, result.lines)
        else:
            for line in text_lines(result.lines, width or config.kwic_width):
                typer.echo(line)
        if not result.reason:
            err.print(f"[green]soudan kwic: {len(result.lines)} lines from {result.documents} consultations"
                      + (" (ideation content included)" if include_ideation else "") + (f"; written to {out}" if out else "")
                      + "[/green]", highlight=False)
