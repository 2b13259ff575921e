"""The tool commands: validate, score, train, app, taxonomy check."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from flows.cli.app import InputFormat, app, err, friendly_errors, taxonomy_app


@app.command()
def validate(
    input: List[Path] = typer.Option(..., "--input", "-i", help="Input files or directories."),
    format: InputFormat = typer.Option(InputFormat.auto, "--format", "-f"),
    mapping: Optional[Path] = typer.Option(None),
) -> None:
    """Check input files and report every problem at once, grouped by kind, with row numbers."""
    from nlp.ingest.validate import validate_inputs

    with friendly_errors():
        report = validate_inputs([str(p) for p in input], fmt=format.value, mapping=str(mapping) if mapping else None)
        typer.echo(report.format())
        raise typer.Exit(0 if report.ok else 1)


@app.command()
def score(
    text: List[str] = typer.Argument(None, help="Texts to score (each one a message or consultation)."),
    input: Optional[Path] = typer.Option(None, "--input", "-i", help="A UTF-8 text file: one text per line."),
) -> None:
    """Print one JSON object per text: ideation level, strength, flags, evidence and themes."""
    from nlp.analysis.ideation import IdeationScorer
    from nlp.analysis.themes import ThemeTagger

    with friendly_errors():
        texts = list(text or [])
        if input is not None:
            texts += input.read_text(encoding="utf-8-sig").splitlines()
        if not texts:
            texts = [line.rstrip("\n") for line in sys.stdin] if not sys.stdin.isatty() else []
        scorer, tagger = IdeationScorer(), ThemeTagger()
        for item in texts:
            themes = tagger.tag(item)
            result = {
                **scorer.score_consultation([item]).as_dict(),
                "themes": list(themes.themes),
                "primary_theme": themes.primary_theme,
                "theme_evidence": list(themes.evidence),
            }
            typer.echo(json.dumps(result, ensure_ascii=False))


@app.command()
def train(
    input: Path = typer.Option(..., "--input", "-i", help="Labelled CSV/XLSX/JSONL/Parquet."),
    label_column: str = typer.Option(..., help="Column holding the theme label."),
    text_column: str = typer.Option("text", help="Column holding the text (相談内容 is recognised too)."),
    out: Path = typer.Option(Path("model.joblib"), help="Where to save the model."),
    label_map: Optional[Path] = typer.Option(None, help="YAML mapping your labels to theme ids (職場問題: work); null drops a label."),
) -> None:
    """Train a supervised primary-theme model and print its cross-validation report."""
    with friendly_errors():
        import yaml

        from nlp.analysis.theme_model import train_theme_model

        mapping = None
        if label_map is not None:
            mapping = yaml.safe_load(label_map.read_text(encoding="utf-8")) or {}
            if not isinstance(mapping, dict):
                raise ValueError(f"{label_map}: expected a mapping like `職場問題: work`, got {type(mapping).__name__}.")
        frame = _read_table(input)
        text_col = text_column if text_column in frame else ("相談内容" if "相談内容" in frame else text_column)
        for column in (text_col, label_column):
            if column not in frame:
                raise ValueError(f"{input}: column {column!r} not found; columns are {list(frame.columns)}.")
        frame = frame[frame[text_col].notna() & frame[label_column].notna()]
        model, report = train_theme_model(
            frame[text_col].astype(str).tolist(), frame[label_column].astype(str).tolist(), label_map=mapping
        )
        typer.echo(str(report))
        model.save(out)
        err.print(f"[green]model saved to {out}[/green]")


def _read_table(path: Path):
    import pandas as pd

    suffix = path.suffix.lower()
    if suffix == ".csv":
        from charset_normalizer import from_path

        best = from_path(path).best()
        return pd.read_csv(path, encoding=best.encoding if best else "utf-8")
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path)
    if suffix == ".jsonl":
        return pd.read_json(path, lines=True)
    if suffix == ".parquet":
        return pd.read_parquet(path)
    raise ValueError(f"{path}: unsupported file type {suffix!r}; use .csv, .xlsx, .jsonl or .parquet.")


@app.command("app")
def app_command(
    port: Optional[int] = typer.Option(None, help="Port on 127.0.0.1 (default: a free one). The app never binds another address."),
) -> None:
    """Open the browser app (upload, check, run, browse tables and charts, download reports), local only."""
    with friendly_errors():
        from flows.app.launch import serve

        serve(port)


@taxonomy_app.command("check")
def taxonomy_check(path: Optional[Path] = typer.Argument(None, help="A themes YAML; default the packaged one.")) -> None:
    """Check a themes YAML: unknown parents, duplicate keywords, empty themes."""
    from nlp.analysis.theme_check import check_taxonomy

    with friendly_errors():
        problems = check_taxonomy(path)
        if problems:
            for problem in problems:
                err.print(f"[red]- {problem}[/red]", highlight=False)
            raise typer.Exit(1)
        typer.echo("taxonomy OK")
