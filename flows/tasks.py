"""Prefect tasks: each one wraps one stage function of nlp.runs.pipeline and nothing else.

Results are never persisted or cached (they hold consultation text); only I/O stages retry.
"""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE

from nlp.runs import pipeline

_private = dict(cache_policy=NO_CACHE, persist_result=False, log_prints=False)

ingest = task(pipeline.ingest_stage, name="ingest", retries=2, retry_delay_seconds=5, **_private)
analyse = task(pipeline.analyse_stage, name="analyse", **_private)
aggregate = task(pipeline.aggregate_stage, name="aggregate", **_private)
topics = task(pipeline.topics_stage, name="topics", **_private)
explore = task(pipeline.explore_stage, name="explore", **_private)
