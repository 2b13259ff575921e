"""Serve or register the deployments declared in prefect.yaml (one definition for both).

``soudan serve`` (or ``python -m flows.deploy serve``) runs them from this process with
``prefect.serve``: the monthly schedule fires at 06:00 Asia/Tokyo on the 1st, ad-hoc runs are
started from the UI or ``prefect deployment run``. ``prefect deploy --all`` reads the same
prefect.yaml for a work-pool setup.

Example:
    >>> [d.name for d in build_deployments()]  # doctest: +SKIP
    ['monthly', 'adhoc', 'update']
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

import flows  # noqa: F401  (privacy and offline environment before Prefect is imported)

PREFECT_YAML = Path(__file__).resolve().parents[1] / "prefect.yaml"


def load_definitions(path: str | Path = PREFECT_YAML) -> list[dict[str, Any]]:
    """The ``deployments`` entries of prefect.yaml.

    Raises:
        ValueError: an entry lacks ``name`` or ``entrypoint``.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    entries = data.get("deployments") or []
    for i, entry in enumerate(entries):
        for key in ("name", "entrypoint"):
            if not entry.get(key):
                raise ValueError(f"{path}: deployments[{i}] needs '{key}'. Got {entry.get(key)!r}.")
    return entries


def load_flow(entrypoint: str):
    """``flows/monthly.py:monthly_run`` → the flow object (imported as the module flows.monthly)."""
    file, _, name = entrypoint.partition(":")
    module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


# The config that checks each flow's parameters (the flows build it from the same fields).
CONFIG_OF_FLOW = {"soudan-adhoc": "RunConfig", "soudan-update": "UpdateConfig", "soudan-monthly": "UpdateConfig",
                  "soudan-survey": "SurveyConfig"}


def check_parameters(entry: dict[str, Any], parameters: dict[str, Any]) -> None:
    """Refuse a deployment whose parameters the flow does not take or its config rejects.

    Raises:
        ValueError: naming the deployment and the parameter, e.g.
            "Deployment 'adhoc': The 'min_cell' parameter must be an int >= 1. Got 0."
    """
    import inspect

    from nlp.runs import config

    flow = load_flow(entry["entrypoint"])
    accepted = inspect.signature(flow.fn).parameters
    unknown = sorted(set(parameters) - set(accepted))
    if unknown:
        raise ValueError(f"Deployment {entry['name']!r}: {flow.name} has no parameter {unknown[0]!r}.")
    model = getattr(config, CONFIG_OF_FLOW[flow.name])
    fields = {k: v for k, v in parameters.items() if k in model.model_fields}
    try:
        model(**{"inputs": [], **fields} if "inputs" in model.model_fields else fields)
    except ValueError as error:
        raise ValueError(f"Deployment {entry['name']!r}: {error}") from None


def schedules_of(entry: dict[str, Any]) -> list:
    """Cron schedules (with their time zone) of one prefect.yaml entry."""
    from prefect.schedules import Cron

    found = []
    for spec in entry.get("schedules") or ([entry["schedule"]] if entry.get("schedule") else []):
        if "cron" not in spec:
            raise ValueError(f"Deployment {entry['name']!r}: only cron schedules are supported here. Got {spec!r}.")
        found.append(Cron(spec["cron"], timezone=spec.get("timezone"), active=spec.get("active", True)))
    return found


def build_deployments(
    path: str | Path = PREFECT_YAML, *, parameters: dict[str, Any] | None = None, names: list[str] | None = None
) -> list:
    """RunnerDeployments for ``prefect.serve``, from prefect.yaml.

    Args:
        parameters: values that override every deployment's parameters of the same name
            (e.g. ``{"inputs": ["/data/exports"]}``); unknown names are ignored per flow.
        names: only these deployments.
    """
    import inspect

    from prefect.types.entrypoint import EntrypointType

    deployments = []
    for entry in load_definitions(path):
        if names and entry["name"] not in names:
            continue
        flow = load_flow(entry["entrypoint"])
        accepted = inspect.signature(flow.fn).parameters
        params = {**(entry.get("parameters") or {}),
                  **{k: v for k, v in (parameters or {}).items() if k in accepted and v is not None}}
        check_parameters(entry, params)
        deployments.append(flow.to_deployment(
            entry["name"], schedules=schedules_of(entry), parameters=params, description=entry.get("description"),
            tags=entry.get("tags"), concurrency_limit=entry.get("concurrency_limit"),
            entrypoint_type=EntrypointType.MODULE_PATH,
        ))
    return deployments


def serve(path: str | Path = PREFECT_YAML, *, parameters: dict[str, Any] | None = None, limit: int | None = None) -> None:
    """Serve every deployment of prefect.yaml until interrupted (schedules run while it runs)."""
    from prefect import serve as prefect_serve

    prefect_serve(*build_deployments(path, parameters=parameters), limit=limit)


def register(path: str | Path = PREFECT_YAML, *, parameters: dict[str, Any] | None = None) -> list[str]:
    """Register the deployments with the Prefect API (as ``serve`` does, without serving); returns their names."""
    names = []
    for deployment in build_deployments(path, parameters=parameters):
        deployment.apply()
        names.append(f"{deployment.flow_name}/{deployment.name}")
    return names


def next_runs(entry_name: str = "monthly", count: int = 3, path: str | Path = PREFECT_YAML) -> list[datetime]:
    """The next ``count`` times a deployment's first schedule fires (in its time zone)."""
    from prefect.server.schemas.schedules import CronSchedule  # the server's class computes dates

    entry = next(e for e in load_definitions(path) if e["name"] == entry_name)
    spec = (entry.get("schedules") or [entry.get("schedule")])[0]
    schedule = CronSchedule(cron=spec["cron"], timezone=spec.get("timezone"))
    return list(asyncio.run(schedule.get_dates(n=count)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m flows.deploy", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["serve", "register", "show"])
    parser.add_argument("--inputs", nargs="*", help="Input files or folders for every deployment.")
    args = parser.parse_args(argv)
    parameters = {"inputs": args.inputs} if args.inputs else None
    if args.command == "serve":
        serve(parameters=parameters)
    elif args.command == "register":
        for name in register(parameters=parameters):
            print(f"registered {name}")
    else:
        for entry in load_definitions():
            print(entry["name"], entry.get("entrypoint"), entry.get("schedules") or "no schedule")
        print("monthly next runs:", ", ".join(d.isoformat() for d in next_runs()))


if __name__ == "__main__":
    main()
