"""The run parameters defined once (nlp/runs/config.py) and the run.json record (nlp/runs/run_info.py)."""

from __future__ import annotations

import inspect
import tomllib
from datetime import date
from pathlib import Path

import pytest

from nlp.runs.config import ConfigError, RunConfig, SurveyConfig, UpdateConfig, default

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("model, extra", [(RunConfig, {"inputs": []}), (UpdateConfig, {"inputs": []}),
                                          (SurveyConfig, {"input": "a.xlsx"})])
@pytest.mark.parametrize("value", [0, -3, True, "10", 2.5])
def test_min_cell_is_an_int_of_at_least_one_everywhere(model, extra, value):
    with pytest.raises(ConfigError) as caught:
        model(**extra, min_cell=value)
    assert str(caught.value) == f"The 'min_cell' parameter must be an int >= 1. Got {value!r}."


def test_other_ranges_and_unknown_names_fail_in_one_sentence():
    with pytest.raises(ValueError, match=r"^The 'workers' parameter must be an int >= 1. Got 0.$"):
        RunConfig(inputs=[], workers=0)
    with pytest.raises(ValueError, match=r"^The 'batch_bytes' parameter must be an int >= 1. Got 0.$"):
        UpdateConfig(inputs=[], batch_bytes=0)
    with pytest.raises(ValueError, match=r"^The 'quotes_per_theme' parameter must be an int >= 0. Got -1.$"):
        SurveyConfig(input="a.xlsx", quotes_per_theme=-1)
    assert SurveyConfig(input="a.xlsx", quotes_per_theme=0).quotes_per_theme == 0
    with pytest.raises(ValueError, match=r"^The 'min_cells' parameter is not valid: Extra inputs are not permitted"):
        RunConfig(inputs=[], min_cells=5)
    with pytest.raises(ValueError, match=r"--until 2024-07-01 is before --since 2024-08-01"):
        RunConfig(inputs=[], since="2024-08-01", until="2024-07-01")
    with pytest.raises(ValueError, match="month"):
        UpdateConfig(inputs=[], months=["2024-13"])


def test_dates_from_yaml_or_json_become_dates_and_run_json_lists_them_as_text():
    config = RunConfig(inputs=["a.csv"], since="2024-04-01", until=date(2025, 3, 31), events=["夏:2024-07-01:2024-08-31"])
    assert config.since == date(2024, 4, 1)
    parameters = config.parameters()
    assert list(parameters)[:7] == ["inputs", "out", "fmt", "mapping", "since", "until", "min_cell"]
    assert parameters["since"] == "2024-04-01" and parameters["until"] == "2025-03-31"
    assert config.ingest_range() == (date(2024, 3, 31), date(2025, 4, 1))
    assert set(UpdateConfig(inputs=[]).parameters()) == set(UpdateConfig.model_fields)
    assert set(SurveyConfig(input="x").parameters()) == set(SurveyConfig.model_fields)
    assert set(config.parameters()) == set(RunConfig.model_fields)


def _defaults(function) -> dict:
    return {name: p.default for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty}


@pytest.mark.parametrize("flow_path, model, differs", [
    ("flows.adhoc:adhoc_run", RunConfig, {"events"}),
    ("flows.store_flow:update_run", UpdateConfig, set()),
    ("flows.monthly:monthly_run", UpdateConfig, {"topics"}),  # the monthly report has topics by default
    ("flows.survey:survey_run", SurveyConfig, set()),
])
def test_flow_defaults_are_the_configs(flow_path, model, differs):
    import importlib

    module, _, name = flow_path.partition(":")
    flow = getattr(importlib.import_module(module), name)
    shared = {k: v for k, v in _defaults(flow.fn).items() if k in model.model_fields and k not in differs}
    assert shared, flow_path
    assert shared == {k: default(k, model) for k in shared}


def test_cli_defaults_are_the_configs():
    from flows import cli

    run = {k: p.default.default for k, p in inspect.signature(cli.run).parameters.items()}
    assert run["min_cell"] == default("min_cell") and run["workers"] == default("workers")
    assert str(run["out"]) == default("out")
    survey = {k: p.default.default for k, p in inspect.signature(cli.survey).parameters.items()}
    assert survey["quotes"] == default("quotes_per_theme", SurveyConfig)
    update = {k: p.default.default for k, p in inspect.signature(cli.update).parameters.items()}
    assert update["source"] == default("source", UpdateConfig) and update["store"] == default("store", UpdateConfig)


def test_every_prefect_yaml_deployment_has_parameters_its_config_accepts(tmp_path):
    from flows.deploy import check_parameters, load_definitions

    entries = load_definitions()
    assert {e["name"] for e in entries} >= {"monthly", "adhoc", "update"}
    for entry in entries:
        check_parameters(entry, entry.get("parameters") or {})
    adhoc = next(e for e in entries if e["name"] == "adhoc")
    with pytest.raises(ValueError, match=r"^Deployment 'adhoc': The 'min_cell' parameter must be an int >= 1. Got 0.$"):
        check_parameters(adhoc, {**adhoc["parameters"], "min_cell": 0})
    with pytest.raises(ValueError, match="has no parameter 'min_cells'"):
        check_parameters(adhoc, {**adhoc["parameters"], "min_cells": 5})


def test_one_version_the_package_metadata_and_pyproject():
    from nlp.runs import pipeline, run_info

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert run_info.VERSION == pipeline.VERSION == declared
    assert run_info.versions()["soudan"] == declared


def test_run_info_keys_in_published_order_and_update_sections_last():
    from nlp.runs.run_info import RowCounts, RunInfo

    timings = {"ingest": 0.5}
    record = RunInfo({"min_cell": 10}, [], RowCounts(3, 1, 2), "off", {}, None, timings, False)
    assert list(record.as_dict()) == ["parameters", "inputs", "rows", "topics", "versions", "theme_model",
                                      "timings_seconds", "synthetic_data"]
    record.explore, record.store, record.update_parameters = {"seconds": 1}, {"root": "s"}, {"force": False}
    found = record.as_dict()
    assert list(found)[-2:] == ["explore", "store"]
    assert found["parameters"] == {"min_cell": 10, "update": {"force": False}}
    assert found["timings_seconds"] is timings  # the caller's timer may still add the write step


def test_store_version_covers_the_taxonomy_loaders():
    from nlp.store import incremental

    assert {"taxonomy/themes.py", "taxonomy/ideation.py"} <= set(incremental.ANALYSIS_MODULES)
    assert all((ROOT / path).is_file() for path in incremental.ANALYSIS_MODULES)
