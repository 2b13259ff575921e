"""The incremental update flow: inputs → processed store → tables over the store.

The same tasks run on either task runner, chosen by parameters (so one deployment can do both):

- ``runner="local"``: ``workers`` processes on this machine (Prefect's ProcessPoolTaskRunner;
  one worker runs in the flow's own process);
- ``runner="dask"``: a Dask cluster through prefect-dask, at ``dask_address`` or, without
  one, a LocalCluster of ``workers`` single-threaded processes.

Reading input batches (retried) and analysing chunks run on the task runner; writing a
partition and the outputs run in the flow and retry. With a remote Dask cluster the inputs and
``spill_dir`` must be on storage the workers share. Results are never cached or persisted
(chunks hold consultation text).
"""

from __future__ import annotations

import inspect
from contextlib import contextmanager
from datetime import date
from functools import partial
from typing import Callable, Iterator

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from nlp.store import incremental, update
from nlp.runs.config import UpdateConfig, default

_private = dict(cache_policy=NO_CACHE, persist_result=False, log_prints=False)
RUNNERS = ("local", "dask")

analyse_partition = task(incremental.analyse_partition, name="analyse-partition", **_private)
read_batch = task(incremental.scan_batch, name="read-batch", retries=2, retry_delay_seconds=5, **_private)
write_partition = task(incremental.write_partition, name="write-partition", retries=3, retry_delay_seconds=5, **_private)
write_outputs = task(update.write_outputs, name="write-outputs", retries=2, retry_delay_seconds=5, **_private)
TASK_STEPS = update.UpdateSteps(write=write_partition, outputs=write_outputs)
TASKS = {incremental.analyse_partition: analyse_partition, incremental.scan_batch: read_batch}


def make_task_runner(runner: str = "local", workers: int = 1, dask_address: str | None = None) -> TaskRunner:
    """The task runner for chunk analysis.

    Args:
        runner: "local" or "dask".
        workers: local processes, or LocalCluster workers when no ``dask_address`` is given.
        dask_address: a running Dask scheduler, e.g. ``tcp://10.0.0.5:8786``.
    """
    if runner not in RUNNERS:
        raise ValueError(f"The 'runner' parameter must be one of {RUNNERS}. Got {runner!r}.")
    if workers < 1:
        raise ValueError(f"The 'workers' parameter must be an int >= 1. Got {workers!r}.")
    if runner == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:  # pragma: no cover - a declared dependency
            raise ImportError("runner='dask' needs prefect-dask: pip install prefect-dask 'dask[distributed]'") from None
        if dask_address:
            return DaskTaskRunner(address=dask_address)
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": None},
        )
    if dask_address:
        raise ValueError("The 'dask_address' parameter needs runner='dask'.")
    return ProcessPoolTaskRunner(max_workers=workers) if workers > 1 else ThreadPoolTaskRunner(max_workers=1)


class TaskRunnerExecutor:
    """``submit(fn, *args)`` → the Prefect task registered for ``fn``, on a started task runner."""

    def __init__(self, runner: TaskRunner, tasks: dict[Callable, object]) -> None:
        self.runner = runner
        self.tasks = tasks

    def submit(self, fn: Callable, /, *args):
        parameters = dict(inspect.signature(fn).bind(*args).arguments)
        return self.runner.submit(self.tasks[fn], parameters)


@contextmanager
def task_executor(runner: str, workers: int, dask_address: str | None) -> Iterator[TaskRunnerExecutor]:
    with make_task_runner(runner, workers, dask_address) as started:
        yield TaskRunnerExecutor(started, TASKS)


def run_update(options: update.UpdateOptions, runner: str = "local", dask_address: str | None = None) -> dict:
    """``nlp.store.update.update_store`` with Prefect tasks; call inside a flow."""
    with task_executor(runner, options.workers, dask_address) as executor:
        run_info = update.update_store(options, executor=executor, steps=TASK_STEPS)
    store = run_info["store"]
    get_run_logger().info(
        "store %s: %d partitions processed, %d unchanged, %d stale; %s",
        options.store, store["partitions_processed"], store["partitions_skipped"], store["partitions_stale"],
        f"outputs in {options.out}" if options.out else "no outputs",
    )
    return run_info


_D = partial(default, model=UpdateConfig)


@flow(name="soudan-update", log_prints=False)
def update_run(
    inputs: list[str],
    store: str = _D("store"),
    out: str | None = _D("out"),
    source: str = _D("source"),
    fmt: str = _D("fmt"),
    mapping: str | None = _D("mapping"),
    since: date | None = _D("since"),
    until: date | None = _D("until"),
    months: list[str] | None = _D("months"),
    min_cell: int = _D("min_cell"),
    workers: int = _D("workers"),
    runner: str = "local",
    dask_address: str | None = None,
    topics: bool = _D("topics"),
    model: str | None = _D("model"),
    compare_region: str | None = _D("compare_region"),
    reports: bool = _D("reports"),
    force: bool = _D("force"),
    spill_dir: str | None = _D("spill_dir"),
) -> dict:
    """Reprocess the changed (source, month) partitions of ``inputs`` into ``store`` and write
    tables and reports over the store to ``out``.

    A partition is unchanged when its messages' content hash, the pipeline version and the
    taxonomy version all match what the store recorded; ``force`` reprocesses it anyway.
    """
    options = UpdateConfig(
        inputs=list(inputs), store=store, out=out, source=source, fmt=fmt, mapping=mapping, since=since,
        until=until, months=months, min_cell=min_cell, workers=workers, topics=topics, model=model,
        compare_region=compare_region, reports=reports, force=force, spill_dir=spill_dir,
    )
    return run_update(options, runner, dask_address)
