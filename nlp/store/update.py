"""``update_store``: inputs → processed store (incremental) → tables and reports over the store.

The plain-Python path used by ``soudan update`` without Prefect and by the benchmark; the
Prefect flows in ``flows/store_flow.py`` pass task-wrapped steps and a task-runner executor
(local processes or Dask) and run the very same code.

Example:
    >>> options = UpdateOptions(inputs=["exports/"], store="outputs/store", out="outputs/latest")  # doctest: +SKIP
    >>> run_info = update_store(options)  # doctest: +SKIP
    >>> run_info["store"]["partitions_processed"]  # doctest: +SKIP
    12
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterator

import pandas as pd

from nlp.store import incremental, input_index
from nlp.runs.config import UpdateConfig
from nlp.store.incremental import Executor, Scan, local_executor
from nlp.runs.pipeline import StageTimer
from nlp.store.processed_store import PartitionKey, ProcessedStore


# The update parameters are nlp.runs.config.UpdateConfig; UpdateOptions is its former name, kept for callers.
UpdateOptions = UpdateConfig


def month_of(day: date | None) -> str | None:
    return day.strftime("%Y-%m") if day else None


def output_months(options: UpdateOptions, available: list[str]) -> list[str]:
    """Months the tables cover: ``months`` if given, else the store's months within since..until."""
    chosen = options.months or available
    return sorted(m for m in chosen if (options.since is None or m >= month_of(options.since))
                  and (options.until is None or m <= month_of(options.until)))


def scan_bounds(options: UpdateOptions) -> tuple[str | None, str | None]:
    """Months to process: those of since..until and of the comparison windows, whole months."""
    windows = options.run_options().analysis_windows()
    starts, ends = [s for s, _ in windows], [e for _, e in windows]
    since = None if None in starts else min(starts)
    until = None if None in ends else max(ends)
    return month_of(since), month_of(until)


def _texts_for(scan: Scan | None, keys: list[PartitionKey]) -> dict[tuple[str, str], list[str]]:
    """(source, consultation_id) → client messages, for the partitions of ``keys`` this scan read."""
    from nlp.analysis.analyse import group_consultations

    found: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        if scan is None or key not in scan.pieces:
            continue
        groups = group_consultations(incremental.load_partition(scan, key))
        found.update({(key.source, cid): m for cid, m in zip(groups["consultation_id"], groups["messages"])})
    return found


def write_outputs(options: UpdateOptions, scan: Scan | None, store_summary: dict, timings: dict) -> dict:
    """Tables (and reports, quotes, topics when asked) over the store's months in scope, into ``options.out``.

    Quotes and topics need text: they use the consultations whose text this run's inputs held.

    Returns:
        run.json's content.
    """
    from nlp.io import outputs
    from nlp.runs import pipeline
    from nlp.ingest.messages import IngestResult
    from nlp.text.masking import mask_text
    from nlp.analysis.quotes import select_quotes

    timer = StageTimer(timings)
    store = ProcessedStore(options.store)
    keys = list(store.partitions())
    months = output_months(options, sorted({k.month for k in keys}))
    run_options = options.run_options()
    first, last = scan_bounds(options)
    windows = run_options.context_windows()
    base_keys = [k for k in keys if (k.month in set(months)) or (
        windows and (first is None or k.month >= first) and (last is None or k.month <= last))]
    scope = [k for k in keys if k.month in set(months)]
    with timer("read_store"):
        base = store.read(base_keys)
        consultations = pipeline.in_period(base[base["month"].isin(months)].reset_index(drop=True),
                                           options.since, options.until)
    messages: list[list[str]] = []
    quotes: dict = {}
    topics = None
    if options.reports or options.topics:
        with timer("quotes"):
            texts = _texts_for(scan, scope)
            messages = [texts.get(k, []) for k in zip(consultations["source"], consultations["consultation_id"])]
            quotes = select_quotes(consultations, messages, mask=mask_text, min_cell=options.min_cell)
    analysis = pipeline.Analysis(consultations, quotes, messages, base if windows else None)
    with timer("aggregate"):
        tables, comparisons = pipeline.aggregate_stage(analysis, run_options)
    if options.topics:
        with timer("topics"):
            has_text = [bool(m) for m in messages]
            subset = consultations[has_text].reset_index(drop=True)
            topics = pipeline.topics_stage(pipeline.Analysis(subset, quotes, [m for m in messages if m]), run_options)
    ingested = IngestResult(
        messages=pd.DataFrame(index=pd.RangeIndex(scan.messages if scan else 0)),
        rejects=scan.rejects if scan else pd.DataFrame(columns=["source", "row", "column", "reason"]),
        sources=scan.sources if scan else [],
        warnings=scan.warnings if scan else [],
    )
    store_section = {
        "root": options.store, "months": months, "partitions_in_tables": [str(k) for k in scope],
        "pipeline_version": incremental.pipeline_version(),
        "taxonomy_version": incremental.taxonomy_version(options.model), **store_summary,
    }
    with outputs.staged_output(options.out) as staging, timer("write"):
        return pipeline.write_stage(staging, run_options, ingested, analysis, tables, comparisons, topics, dict(timer),
                                    store=store_section, update_parameters=options.parameters())


@dataclass(frozen=True)
class UpdateSteps:
    """The steps ``update_store`` calls: ``scan`` hands file batches to the executor
    (:func:`nlp.store.incremental.scan_batch`), the Prefect flows pass retried task versions of the others."""

    scan: Callable = incremental.scan_inputs
    write: Callable = incremental.write_partition
    outputs: Callable = write_outputs


def update_store(
    options: UpdateOptions, *, executor: Executor | None = None, steps: UpdateSteps = UpdateSteps(),
    analyse: Callable = incremental.analyse_partition,
) -> dict:
    """Scan inputs, reprocess changed partitions into the store, then write tables over the store.

    Args:
        options: what to read, where the store is, where outputs go.
        executor: where chunks are analysed; default in-process (workers=1) or a process pool.
        steps: I/O steps (scan, partition write, outputs).
        analyse: the chunk function given to the executor (a Prefect task in the flows).

    Returns:
        run.json's content with a ``store`` section (partitions processed / skipped / stale), or,
        when ``options.out`` is None, that section alone.
    """
    timer = StageTimer()
    first, last = scan_bounds(options)
    with incremental.spill_directory(options.spill_dir) as spill, _executor(options, executor) as pool:
        with timer("scan"):
            scan, unread = _scan(options, spill, pool, steps, first=first, last=last)
        with timer("analyse_and_write"):
            processed, skipped, rows = incremental.process_partitions(
                scan, options.store, pool, model=options.model, force=options.force, chunk_chars=options.chunk_chars,
                workers=options.workers, max_in_flight=2 * options.workers + 2, write=steps.write, analyse=analyse,
            )
            input_index.write_index(ProcessedStore(options.store), scan.file_months)
        skipped = sorted(skipped + unread)
        stale = incremental.stale_partitions(options.store, processed + skipped, options.model)
        summary = {
            "partitions_processed": len(processed), "partitions_skipped": len(skipped), "partitions_stale": len(stale),
            "processed": [str(k) for k in processed], "skipped": [str(k) for k in skipped],
            "stale": [str(k) for k in stale], "consultations_processed": rows, "messages_read": scan.messages,
            "files_read": len(scan.file_months), "partitions_skipped_unread": len(unread),
        }
        if options.out is None:
            return {"store": summary, "timings_seconds": dict(timer)}
        return steps.outputs(options, scan, summary, timer)


def _scan(options: UpdateOptions, spill: str, pool: Executor, steps: UpdateSteps, *,
          first: str | None, last: str | None) -> tuple[incremental.Scan, list[PartitionKey]]:
    """Read new and changed files, then the already-seen files that touch a month to process.

    Returns:
        The scan, and the partitions skipped without reading their files.
    """
    from nlp.io.readers import expand_paths

    store = ProcessedStore(options.store)
    config = input_index.reader_config(options.source, options.fmt, options.mapping)
    files = [str(p) for p in expand_paths(options.inputs, options.fmt)]
    keys = {path: input_index.file_key(path, config) for path in files}
    index = input_index.read_index(store)
    kwargs = dict(source=options.source, fmt=options.fmt, mapping=options.mapping, months=options.months,
                  first_month=first, last_month=last, batch_bytes=options.batch_bytes, file_keys=keys,
                  executor=pool, min_batches=2 * options.workers)  # batches are read by the workers too
    new = [path for path in files if keys[path] not in index]
    scan = steps.scan(new, spill, tag="n", **kwargs) if new else incremental.empty_scan(spill)
    known = {path: (keys[path], index[keys[path]]) for path in files if keys[path] in index}
    wanted_months = set(options.months or [])

    def wanted(month: str) -> bool:
        return (not wanted_months or month in wanted_months) and (not first or month >= first) and (
            not last or month <= last)

    plan = input_index.plan_known_files(
        known, {m for months in scan.file_months.values() for m in months}, store.partitions(),
        source=options.source, versions=(incremental.pipeline_version(), incremental.taxonomy_version(options.model)),
        wanted=wanted, must_read=wanted_months if (options.reports or options.topics) else set(), force=options.force,
    )
    if plan.to_read:
        scan = scan.merge(steps.scan(plan.to_read, spill, tag="k", **kwargs))
    return scan.without(set(plan.skipped)), plan.skipped


@contextmanager
def _executor(options: UpdateOptions, given: Executor | None) -> Iterator[Executor]:
    if given is not None:
        yield given
        return
    with local_executor(options.workers) as pool:
        yield pool
