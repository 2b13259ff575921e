"""The ``soudan`` Typer app: error handling, progress and run reporting shared by every command.

Every expected failure (unreadable file, missing column, bad parameter, broken taxonomy) ends
with one line on stderr and exit code 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import flows  # noqa: F401  (sets the privacy and offline environment before anything else)

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="soudan (相談): Japanese consultation logs → trend tables, charts and slides.")
taxonomy_app = typer.Typer(no_args_is_help=True, help="Theme taxonomy tools.")
app.add_typer(taxonomy_app, name="taxonomy")
err = Console(stderr=True)
REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_INPUT = REPO_ROOT / "data" / "demo"
DEMO_SURVEY = REPO_ROOT / "data" / "survey"
_state = {"debug": False}


class InputFormat(str, Enum):
    auto = "auto"
    csv = "csv"
    xlsx = "xlsx"
    jsonl = "jsonl"
    parquet = "parquet"
    kokorochat = "kokorochat"


@app.callback()
def main(debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks on errors.")) -> None:
    _state["debug"] = debug


def _expected_errors() -> tuple[type[BaseException], ...]:
    from nlp.ingest.messages import InputError
    from nlp.io.outputs import OutputDirError

    found: list[type[BaseException]] = [InputError, OutputDirError, ValueError, FileNotFoundError]
    try:
        from taxonomy.themes import TaxonomyError

        found.append(TaxonomyError)
    except ImportError:
        pass
    return tuple(found)


@contextmanager
def friendly_errors() -> Iterator[None]:
    """One clear line and a non-zero exit instead of a traceback (unless --debug)."""
    try:
        yield
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        err.print("[red]soudan: interrupted; previous outputs were left as they were.[/red]")
        raise typer.Exit(130)
    except Exception as error:  # noqa: BLE001 — the point is that users never see a traceback
        if _state["debug"]:
            raise
        if isinstance(error, _expected_errors()):
            err.print(f"[red]soudan: {error}[/red]", highlight=False)
            raise typer.Exit(2)
        err.print(f"[red]soudan: unexpected error ({type(error).__name__}: {error}). Rerun with --debug for details.[/red]", highlight=False)
        raise typer.Exit(1)


def _parse_date(value: Optional[str], name: str) -> Optional[date]:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"{name} must be a date like 2024-08-01. Got {value!r}.") from None


@contextmanager
def analysis_progress(enabled: bool) -> Iterator:
    """A rich progress bar over consultations analysed; silent when stderr is not a terminal."""
    if not enabled:
        yield None
        return
    with Progress(TextColumn("相談を分析中"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True) as bar:
        task_id = bar.add_task("analyse", total=None)

        def advance(step: int, total: int) -> None:
            bar.update(task_id, advance=step, total=total)

        yield advance


def _report_run(run_info: dict, out: str) -> None:
    rows = run_info["rows"]
    err.print(
        f"[green]soudan: {rows['consultations']} consultations analysed, {rows['rejected']} rows rejected "
        f"(see rejects.csv); outputs in {out}[/green]", highlight=False,
    )
    if "topics" in run_info and run_info["topics"] not in ("off",) and not str(run_info["topics"]).endswith("topics"):
        err.print(f"[yellow]topics: {run_info['topics']}[/yellow]", highlight=False)


def execute_run(options, prefect: bool) -> dict:
    from nlp.runs import pipeline

    with analysis_progress(err.is_terminal) as progress:
        if prefect:
            from flows.adhoc import adhoc_run

            return adhoc_run(**options.model_dump(exclude={"reports"}))
        return pipeline.run_pipeline(options, progress)
