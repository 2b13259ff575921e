"""Prefect flows (ad-hoc, monthly, incremental update on local processes and on Dask) and the
deployments of prefect.yaml. Flow runs need a temporary Prefect server: they are marked slow."""

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from flows.deploy import PREFECT_YAML, build_deployments, load_definitions, next_runs
from flows.monthly import month_range, previous_month
from flows.store_flow import make_task_runner
from nlp.store.processed_store import ProcessedStore
from fixtures.store_inbox import CHATS, write_month

# --------------------------------------------------------------------------- deployments (no server)


def test_monthly_deployment_runs_at_six_on_the_first_in_tokyo_for_the_previous_month():
    monthly = next(d for d in build_deployments(parameters={"inputs": ["/srv/exports"]}) if d.name == "monthly")
    schedule = monthly.schedules[0].schedule
    assert (schedule.cron, schedule.timezone) == ("0 6 1 * *", "Asia/Tokyo")
    assert monthly.flow_name == "soudan-monthly" and monthly.entrypoint == "flows.monthly.monthly_run"
    assert monthly.parameters["inputs"] == ["/srv/exports"] and "month" not in monthly.parameters
    for when in next_runs("monthly", count=3):
        assert (when.day, when.hour, when.minute, when.utcoffset().total_seconds()) == (1, 6, 0, 9 * 3600)
    # the run at 06:00 on 1 September processes August
    assert previous_month(date(2024, 9, 1)) == "2024-08"
    assert previous_month(date(2025, 1, 1)) == "2024-12"


def test_prefect_yaml_is_valid_for_prefect_deploy_and_declares_adhoc_with_parameters():
    from prefect.cli.deploy._models import PrefectYamlModel

    model = PrefectYamlModel.model_validate(yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8")))
    names = [d.name for d in model.deployments]
    assert names == ["monthly", "adhoc", "update"]
    adhoc = next(d for d in load_definitions() if d["name"] == "adhoc")
    assert adhoc["entrypoint"] == "flows/adhoc.py:adhoc_run" and "inputs" in adhoc["parameters"]
    assert not adhoc.get("schedules")


def test_task_runner_choice_is_validated():
    assert type(make_task_runner("local", 1)).__name__ == "ThreadPoolTaskRunner"
    assert type(make_task_runner("local", 3)).__name__ == "ProcessPoolTaskRunner"
    assert type(make_task_runner("dask", 2)).__name__ == "DaskTaskRunner"
    with pytest.raises(ValueError, match="'runner'.*'spark'"):
        make_task_runner("spark")
    with pytest.raises(ValueError, match="dask_address"):
        make_task_runner("local", 1, "tcp://10.0.0.5:8786")
    with pytest.raises(ValueError, match="2024-13"):
        month_range("2024-13")


# --------------------------------------------------------------------------- flow runs


@pytest.fixture(scope="session")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def inbox(tmp_path):
    for month, rows in CHATS.items():
        write_month(tmp_path / "inbox", month, rows)
    return tmp_path / "inbox"


def _aggregates(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "aggregates").glob("*.csv"))}


@pytest.mark.slow
def test_update_flow_gives_identical_results_on_local_processes_and_on_dask(prefect_server, inbox, tmp_path):
    from flows.store_flow import update_run

    results = {}
    for name, runner, workers in (("thread", "local", 1), ("processes", "local", 2), ("dask", "dask", 2)):
        run_info = update_run(inputs=[str(inbox)], store=str(tmp_path / name / "store"), out=str(tmp_path / name / "out"),
                              source="chatline", workers=workers, runner=runner, reports=False)
        assert run_info["store"]["processed"] == ["chatline/2024-07", "chatline/2024-08"]
        results[name] = (ProcessedStore(tmp_path / name / "store").read(), _aggregates(tmp_path / name / "out"))
    store, tables = results["thread"]
    assert len(store) == 5 and "by_month.csv" in tables
    for name in ("processes", "dask"):
        pd.testing.assert_frame_equal(results[name][0], store)
        assert results[name][1] == tables  # byte-identical aggregate CSVs

    again = update_run(inputs=[str(inbox)], store=str(tmp_path / "dask" / "store"), out=str(tmp_path / "again"),
                       source="chatline", runner="dask", workers=1, reports=False)
    assert (again["store"]["partitions_processed"], again["store"]["partitions_skipped"]) == (0, 2)
    assert _aggregates(tmp_path / "again") == tables


@pytest.mark.slow
def test_monthly_flow_processes_one_month_into_the_store_and_its_folder(prefect_server, inbox, tmp_path):
    from flows.monthly import monthly_run

    run_info = monthly_run(inputs=[str(inbox)], month="2024-07", out_root=str(tmp_path / "monthly"),
                           store=str(tmp_path / "store"), source="chatline", topics=False, min_cell=1)
    assert run_info["store"]["processed"] == ["chatline/2024-07"]
    assert list(ProcessedStore(tmp_path / "store").partitions()) and all(
        k.month == "2024-07" for k in ProcessedStore(tmp_path / "store").partitions())
    folder = tmp_path / "monthly" / "2024-07"
    saved = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert saved["store"]["months"] == ["2024-07"] and saved["rows"]["consultations"] == 3
    by_month = pd.read_csv(folder / "aggregates" / "by_month.csv", encoding="utf-8-sig")
    assert by_month["month"].tolist() == ["2024-07"] and by_month["consultations"].tolist() == [3]
    assert (folder / "report.xlsx").exists() and (folder / "summary.md").exists()
    # re-running the month replaces it and reanalyses nothing
    again = monthly_run(inputs=[str(inbox)], month="2024-07", out_root=str(tmp_path / "monthly"),
                        store=str(tmp_path / "store"), source="chatline", topics=False, min_cell=1)
    assert (again["store"]["partitions_processed"], again["store"]["partitions_skipped"]) == (0, 1)


@pytest.mark.slow
def test_adhoc_flow_writes_tables_for_the_period(prefect_server, inbox, tmp_path):
    from flows.adhoc import adhoc_run

    run_info = adhoc_run(inputs=[str(inbox)], out=str(tmp_path / "adhoc"), since=date(2024, 8, 1),
                         until=date(2024, 8, 31), min_cell=1)
    assert run_info["rows"]["consultations"] == 2
    by_month = pd.read_csv(tmp_path / "adhoc" / "aggregates" / "by_month.csv", encoding="utf-8-sig")
    assert by_month["month"].tolist() == ["2024-08"]
