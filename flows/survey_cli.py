"""``soudan survey``: the survey command, registered on the main Typer app.

Importing this module registers the command on ``flows.cli.app``. flows/cli.py activates it
at its end with::

    from flows.survey_cli import register as _register_survey  # noqa: E402
    _register_survey(app)

which also covers ``python -m flows.cli`` (there ``app`` lives in ``__main__``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from flows.cli import app, err, friendly_errors


def survey(
    input: Path = typer.Option(..., "--input", "-i", help="Survey export: XLSX, CSV (UTF-8 or CP932), Parquet or JSONL; one row per respondent."),
    mapping: Optional[Path] = typer.Option(None, help="Survey mapping YAML: columns, open_questions, choice_questions, values."),
    out: Path = typer.Option(Path("outputs/survey"), help="Output directory (replaced whole, atomically)."),
    min_cell: int = typer.Option(10, help="Cells with fewer respondents are suppressed."),
    reference: Optional[Path] = typer.Option(None, help="Reference shares (e.g. the national survey) shown beside the loneliness tables."),
    themes: Optional[Path] = typer.Option(None, help="Survey themes YAML (default taxonomy/survey_themes.yaml)."),
    quotes: int = typer.Option(3, help="Masked quotes per open question and theme (0: none)."),
    reports: bool = typer.Option(True, "--reports/--no-reports", help="Write survey_report.xlsx/.pptx/.html and survey_summary.md."),
    prefect: bool = typer.Option(False, "--prefect/--no-prefect", help="Run as the Prefect flow soudan-survey."),
) -> None:
    """Analyse a resident survey or event questionnaire: open-answer themes, choices, loneliness."""
    with friendly_errors():
        parameters = dict(mapping=str(mapping) if mapping else None, min_cell=min_cell,
                          reference=str(reference) if reference else None, themes=str(themes) if themes else None,
                          quotes_per_theme=quotes, reports=reports)
        if prefect:
            from flows.survey import survey_run

            info = survey_run(str(input), str(out), **parameters)
        else:
            from nlp.survey import run_survey

            info = run_survey(str(input), str(out), **parameters)
        rows = info["rows"]
        answered = ", ".join(f"{label[:12]}… {n}" for label, n in rows["open_answers"].items()) or "none"
        err.print(f"[green]soudan survey: {rows['respondents']} respondents, {rows['rejected']} rows rejected "
                  f"(see rejects.csv); open answers: {answered}; outputs in {out}[/green]", highlight=False)
        for warning in info.get("warnings", []):
            err.print(f"[yellow]{warning}[/yellow]", highlight=False)


def register(target: typer.Typer = app) -> None:
    """Add ``survey`` to a Typer app (once)."""
    if not any(command.name == "survey" for command in target.registered_commands):
        target.command("survey")(survey)


register()
