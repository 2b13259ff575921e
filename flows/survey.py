"""The survey flow: one survey export → theme, choice and loneliness tables, quotes and reports.

Each task wraps one stage function of :mod:`nlp.runs.survey` and nothing else. Results are never
persisted or cached (the answers hold free text); only reading the file retries.
"""

from __future__ import annotations

from functools import partial

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from nlp.runs import survey
from nlp.runs.config import SurveyConfig, default

_private = dict(cache_policy=NO_CACHE, persist_result=False, log_prints=False)

read = task(survey.read_stage, name="survey-read", retries=2, retry_delay_seconds=5, **_private)
analyse = task(survey.analyse_stage, name="survey-analyse", **_private)
tables = task(survey.tables_stage, name="survey-tables", **_private)
write = task(survey.write_stage, name="survey-write", **_private)
TASK_STAGES = survey.SurveyStages(read=read, analyse=analyse, tables=tables, write=write)


_D = partial(default, model=SurveyConfig)


@flow(name="soudan-survey", log_prints=False)
def survey_run(
    input: str,
    out: str = _D("out"),
    mapping: str | None = _D("mapping"),
    min_cell: int = _D("min_cell"),
    reference: str | None = _D("reference"),
    themes: str | None = _D("themes"),
    quotes_per_theme: int = _D("quotes_per_theme"),
    reports: bool = _D("reports"),
    explore: bool = _D("explore"),
) -> dict:
    """Analyse one survey file and write its tables, quotes and reports to ``out`` (atomically)."""
    run_info = survey.run_survey(
        input, out, mapping=mapping, min_cell=min_cell, reference=reference, themes=themes,
        quotes_per_theme=quotes_per_theme, reports=reports, stages=TASK_STAGES, explore=explore,
    )
    get_run_logger().info(
        "wrote %s: %d respondents, %d rejected rows, %d open questions",
        out, run_info["rows"]["respondents"], run_info["rows"]["rejected"], len(run_info["rows"]["open_answers"]),
    )
    return run_info
