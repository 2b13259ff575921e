"""Survey runs: one row per respondent → theme, choice and loneliness tables, quotes, reports.

Stages (plain functions; ``flows/survey.py`` wraps each in a Prefect task):

1. :func:`read_stage` — :func:`nlp.io.survey_read.read_survey`: header found under title rows,
   columns recognised or named in the mapping, rows refused to rejects.
2. :func:`analyse_stage` — each open answer gets a status (記述あり / 特になし / 無回答) and
   its themes (survey taxonomy + consultation taxonomy, :mod:`nlp.analysis.survey_themes`).
3. :func:`tables_stage` — tidy tables with suppression and 参考値 (:mod:`nlp.tables.survey_tables`),
   the benchmark side by side, and masked quotes (:mod:`nlp.analysis.survey_quotes`).
4. :func:`write_stage` — everything into a staging folder that replaces ``out`` atomically.

Outputs in ``out``::

    aggregates/survey_*.csv       tidy tables (UTF-8 with BOM)
    survey_quotes.csv             masked representative quotes with the writer's attribute
    survey_respondents.parquet    one row per respondent: attributes, answers, themes (no free text)
    rejects.csv                   refused rows: source, row, column, reason
    survey_report.xlsx / .pptx / .html, survey_summary.md, charts/survey_*.png
    run.json                      parameters, input hash, questions found, counts, versions, timings

Example:
    >>> info = run_survey("data/survey/survey_synthetic.xlsx", "outputs/survey",
    ...                   reference="data/survey/reference_example.csv")  # doctest: +SKIP
    >>> info["rows"]["respondents"]  # doctest: +SKIP
    720
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd

from nlp.io import outputs
from nlp.runs.config import SurveyConfig, default
from nlp.tables.loneliness import direct_answer, ucla_scores
from nlp.ingest.survey_columns import ATTRIBUTES, SurveyMapping, load_survey_mapping
from nlp.analysis.survey_quotes import QuoteFilter, select_survey_quotes
from nlp.io.survey_read import SurveyData, read_survey
from nlp.tables.survey_tables import (
    Benchmark, ChoiceQuestion, OpenQuestion, choice_tables, loneliness_survey_tables, open_tables, read_benchmark,
    respondents_by,
)
from nlp.analysis.survey_themes import SurveyThemes, SurveyThemeTagger, answer_status, load_survey_themes

EXTRA_ATTRIBUTES = ["response_mode", "occupation"]  # tabulated alone, not used for breakdowns


# The survey parameters are nlp.runs.config.SurveyConfig; SurveyOptions is its former name, kept for callers.
SurveyOptions = SurveyConfig


@dataclass
class SurveyAnalysis:
    """Open answers tagged (text kept in memory only, never written) and the respondents table."""

    answers: pd.DataFrame  # respondent_id, question (key), label, status, themes, text, attributes
    respondents: pd.DataFrame  # what survey_respondents.parquet holds (no free text)
    themes: SurveyThemes
    tagger: SurveyThemeTagger
    attributes: list[str]
    shadowed_keywords: int = 0


@dataclass
class SurveyResult:
    tables: dict[str, pd.DataFrame]
    quotes: pd.DataFrame
    benchmark: str | None = None


def read_stage(options: SurveyOptions) -> SurveyData:
    """Read the survey file (see :func:`nlp.io.survey_read.read_survey`)."""
    return read_survey(options.input, mapping=_mapping(options))


def _mapping(options: SurveyOptions) -> SurveyMapping:
    return load_survey_mapping(options.mapping)


def analyse_stage(data: SurveyData, options: SurveyOptions, tagger: SurveyThemeTagger | None = None) -> SurveyAnalysis:
    """Status and themes of every open answer; the respondents table without free text."""
    if tagger is None:
        themes_path = options.themes or _mapping(options).themes
        tagger = SurveyThemeTagger(load_survey_themes(themes_path))
    respondents = data.respondents
    attributes = [a for a in ATTRIBUTES if a in respondents.columns]
    rows = []
    table = respondents.drop(columns=[q.key for q in data.questions if q.kind == "open"])
    for question in (q for q in data.questions if q.kind == "open"):
        texts = respondents[question.key].tolist()
        statuses = [answer_status(t) for t in texts]
        themes = [list(tagger.tag(t)) if s == "記述あり" else [] for t, s in zip(texts, statuses)]
        table[f"{question.key}_status"] = statuses
        table[f"{question.key}_themes"] = themes
        frame = pd.DataFrame({"respondent_id": respondents["respondent_id"], "question": question.key,
                              "label": question.label, "status": statuses, "themes": themes, "text": texts})
        for column in attributes:
            frame[column] = respondents[column].to_numpy()
        rows.append(frame)
    if "loneliness_direct" in table:
        table["loneliness_direct"] = table["loneliness_direct"].map(lambda v: direct_answer(v) or "無回答")
    if {"ucla_1", "ucla_2", "ucla_3"} <= set(respondents.columns):
        table["ucla_score"] = ucla_scores(respondents)
    answers = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["respondent_id", "question", "label", "status", "themes", "text", *attributes])
    return SurveyAnalysis(answers, table, tagger.themes, tagger, attributes, len(tagger.shadowed))


def tables_stage(data: SurveyData, analysis: SurveyAnalysis, options: SurveyOptions,
                 mask: Callable[[str], str] | None = None) -> SurveyResult:
    """Every table, the benchmark comparison and the quotes."""
    from nlp.analysis.ideation import IdeationScorer
    from nlp.text.masking import mask_text

    respondents, min_cell = data.respondents, options.min_cell
    tables: dict[str, pd.DataFrame] = {}
    for column in analysis.attributes + [c for c in EXTRA_ATTRIBUTES if c in respondents.columns]:
        tables[f"survey_respondents_by_{column}"] = respondents_by(respondents, column, min_cell=min_cell)
    open_questions = [OpenQuestion(q.key, q.label) for q in data.questions if q.kind == "open"]
    tables.update(open_tables(analysis.answers, open_questions, analysis.themes.labels, analysis.themes.survey_ids,
                              analysis.attributes, min_cell=min_cell))
    choices = [ChoiceQuestion(q.key, q.label, q.order) for q in data.questions if q.kind == "choice"]
    tables.update(choice_tables(respondents, choices, analysis.attributes, min_cell=min_cell))
    benchmark: Benchmark | None = read_benchmark(options.reference) if options.reference else None
    tables.update(loneliness_survey_tables(respondents, min_cell=min_cell, benchmark=benchmark))
    quotes = pd.DataFrame(columns=["question", "theme", "theme_label", "rank", "quote", "attribute"])
    if options.quotes_per_theme and len(analysis.answers):
        districts = sorted(set(respondents["district"])) if "district" in respondents else []
        gate = QuoteFilter(mask=mask or mask_text, tokenizer=analysis.tagger.tokenizer, scorer=IdeationScorer(),
                           exclude_terms=districts)
        labelled = analysis.answers.assign(question=analysis.answers["label"])
        quotes = select_survey_quotes(labelled, analysis.themes.labels, allowed=gate.allowed, tag=analysis.tagger.tag,
                                      per_theme=options.quotes_per_theme, min_cell=min_cell,
                                      attribute_columns=_quote_attributes(analysis.attributes))
    return SurveyResult(tables, quotes, benchmark.name if benchmark else None)


def _quote_attributes(attributes: list[str]) -> tuple[str, ...]:
    return ("role", "age_band") if "role" in attributes else ("age_band", "gender")


def write_stage(out: Path, options: SurveyOptions, data: SurveyData, analysis: SurveyAnalysis, result: SurveyResult,
                timings: dict[str, float]) -> dict:
    """Write every output into ``out`` (a staging folder) and return run.json's content."""
    from nlp.runs.run_info import VERSION, versions, write_run_info

    (out / "aggregates").mkdir(parents=True, exist_ok=True)
    for name, table in result.tables.items():
        outputs.write_csv(out / "aggregates" / f"{name}.csv", table)
    outputs.write_csv(out / "survey_quotes.csv", result.quotes)
    outputs.write_csv(out / "rejects.csv", data.rejects)
    analysis.respondents.to_parquet(out / "survey_respondents.parquet", index=False)
    open_q = [q for q in data.questions if q.kind == "open"]
    run_info = {
        "kind": "survey",
        "parameters": options.parameters(),
        "inputs": [data.source],
        "rows": {
            "respondents": int(len(data.respondents)),
            "rejected": int(len(data.rejects)),
            "open_answers": {q.label: int((analysis.answers.query("question == @q.key")["status"] == "記述あり").sum())
                             for q in open_q},
        },
        "questions": [{"key": q.key, "kind": q.kind, "label": q.label} for q in data.questions],
        "attributes": analysis.attributes,
        "loneliness": [c for c in ("loneliness_direct", "ucla_1", "ucla_2", "ucla_3") if c in data.respondents],
        "ignored_columns": data.ignored,
        "warnings": data.warnings,
        "themes": {"version": analysis.themes.version, "file": analysis.themes.path,
                   "survey_themes": list(analysis.themes.survey_ids),
                   "consultation_keywords_overridden": analysis.shadowed_keywords},
        "benchmark": result.benchmark,
        "tables": sorted(result.tables),
        "quotes": int(len(result.quotes)),
        "min_cell": options.min_cell,
        "versions": {**versions(), "soudan_survey": VERSION},
        "timings_seconds": timings,
        "synthetic_data": "synthetic" in Path(options.input).name.lower(),
    }
    explore = None
    if options.explore:
        from nlp.analysis.explore.stage import explore_answers, write_explore_timed

        found = explore_answers(analysis.answers, min_cell=options.min_cell)
        charts, run_info["explore"] = write_explore_timed(found, out, charts=options.reports, prefix="survey_explore")
        explore = (found, charts)
    if options.reports:
        from nlp.report.write import write_survey_reports

        write_survey_reports(out, result.tables, result.quotes, run_info, analysis.themes.labels, explore=explore)
    return write_run_info(out, run_info)


@dataclass(frozen=True)
class SurveyStages:
    """The stage functions :func:`run_survey` calls; the Prefect flow passes task-wrapped ones."""

    read: Callable = read_stage
    analyse: Callable = analyse_stage
    tables: Callable = tables_stage
    write: Callable = write_stage


def run_survey(
    input: str | Path,
    out: str | Path = default("out", SurveyConfig),
    *,
    mapping: str | Path | None = None,
    min_cell: int = default("min_cell", SurveyConfig),
    reference: str | Path | None = None,
    themes: str | Path | None = None,
    quotes_per_theme: int = default("quotes_per_theme", SurveyConfig),
    reports: bool = True,
    stages: SurveyStages = SurveyStages(),
    explore: bool = False,
) -> dict:
    """Read → tag → tabulate → write, atomically into ``out``.

    Args:
        input: the survey export (XLSX, CSV in any Japanese encoding, Parquet, JSONL).
        out: the output folder (replaced whole; refused if it holds files soudan did not write).
        mapping: survey mapping YAML (columns, open_questions, choice_questions, values …).
        min_cell: cells with fewer respondents are suppressed.
        reference: a reference table (e.g. national shares) shown beside the loneliness tables.
        themes: a survey themes YAML (default taxonomy/survey_themes.yaml).
        quotes_per_theme: quotes per open question and theme (0: none).
        reports: also write survey_report.xlsx/.pptx/.html, survey_summary.md and charts.
        explore: also write explore/*.csv and the 語の分析 charts and report section.

    Returns:
        The content of run.json.
    """
    options = SurveyConfig(input=str(input), out=str(out), mapping=str(mapping) if mapping else None,
                           min_cell=min_cell, reference=str(reference) if reference else None,
                           themes=str(themes) if themes else None, quotes_per_theme=quotes_per_theme,
                           reports=reports, explore=explore)
    return run_survey_options(options, stages)


def run_survey_options(options: SurveyOptions, stages: SurveyStages = SurveyStages()) -> dict:
    """:func:`run_survey` with a :class:`SurveyOptions`."""
    timings: dict[str, float] = {}

    def timed(name: str, function: Callable, *args):
        start = time.perf_counter()
        try:
            return function(*args)
        finally:
            timings[name] = round(time.perf_counter() - start, 3)

    outputs.check_output_dir(Path(options.out).resolve())
    data = timed("read", stages.read, options)
    analysis = timed("analyse", stages.analyse, data, options)
    result = timed("tables", stages.tables, data, analysis, options)
    with outputs.staged_output(options.out) as staging:
        start = time.perf_counter()
        info = stages.write(staging, options, data, analysis, result, timings)
        info["timings_seconds"]["write"] = round(time.perf_counter() - start, 3)
        from nlp.runs.run_info import write_run_info

        write_run_info(staging, info)  # again, with the write step's time
    return info


__all__ = ["SurveyOptions", "SurveyAnalysis", "SurveyResult", "SurveyStages", "read_stage", "analyse_stage",
           "tables_stage", "write_stage", "run_survey", "run_survey_options"]
