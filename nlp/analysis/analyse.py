"""From ingested messages to the consultations table: group, tokenise once, tag themes, score ideation.

One consultation is analysed from its client messages only (counsellor text is never read).
Work is split into chunks that can run in worker processes; the result does not depend on the
number of workers.
"""

from __future__ import annotations

import gc
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from nlp.analysis.ideation import IdeationScorer
from nlp.ingest.schema import CONSULTATION_COLUMNS, UNKNOWN, WEEKDAYS
from nlp.analysis.themes import ThemeTagger
from nlp.text.tokenize import SudachiTokenizer, Tokenizer

ATTRIBUTE_COLUMNS = ["age_band", "gender", "occupation", "prefecture", "municipality"]
DEFAULT_CHUNK_SIZE = 500


@dataclass
class Analyser:
    """Everything needed to turn one consultation's client messages into its row.

    Sub-models are injected with defaults, so a test or an organisation can swap any of them.
    """

    tokenizer: Tokenizer = field(default_factory=SudachiTokenizer)
    tagger: ThemeTagger = field(default_factory=ThemeTagger)
    scorer: IdeationScorer = field(default_factory=IdeationScorer)
    theme_model: object | None = None  # nlp.analysis.theme_model.ThemeModel; sets primary_theme when given

    def analyse(self, messages: Sequence[str]) -> dict:
        """One consultation's row (from its client messages)."""
        return self.analyse_many([messages])[0]

    def analyse_many(self, consultations: Sequence[Sequence[str]]) -> list[dict]:
        """The rows of several consultations; their ideation is scored together, so the few
        sentences that need a parse are parsed in one batch."""
        score_many = getattr(self.scorer, "score_consultations", None)  # an injected scorer may score one at a time
        ideation = score_many(consultations) if score_many else [self.scorer.score_consultation(m) for m in consultations]
        return [self._row(messages, scored) for messages, scored in zip(consultations, ideation)]

    def _row(self, messages: Sequence[str], ideation) -> dict:
        text = "\n".join(messages)
        if self.theme_model is None:
            themes = self.tagger.tag_text(text, self.tokenizer)  # with Sudachi no Token tuples: same result, cheaper
            tokens = None
        else:
            tokens = self.tokenizer(text)
            themes = self.tagger.tag_tokens(tokens)
        primary = themes.primary_theme
        if self.theme_model is not None and text.strip():
            primary = self.theme_model.predict_tokens([tokens])[0]
        return {
            "n_chars": len(text),
            "themes": list(themes.themes),
            "primary_theme": primary,
            "theme_evidence": list(themes.evidence),
            **ideation.as_dict(),
        }


def group_consultations(messages: pd.DataFrame) -> pd.DataFrame:
    """One row per consultation: first message time, attributes, and its client messages in order.

    Rows with role ``counselor`` are dropped; when no role is given every row is client text.
    An attribute is the first known value among the consultation's rows (不明 otherwise).
    """
    client = messages[messages["role"].fillna("client") != "counselor"] if "role" in messages else messages
    if client["consultation_id"].hasnans:  # a row without an id is no consultation's (ingest refuses it)
        client = client[client["consultation_id"].notna()]
    client = client.sort_values(["consultation_id", "started_at", "row"], kind="stable").reset_index(drop=True)
    # Sorted by id, a consultation is a run of rows; its earliest time is its first row's (NaT sorts last).
    ids = client["consultation_id"]
    first_row = (ids != ids.shift()).to_numpy(dtype=bool, copy=True)  # compared in Arrow, no Python string per row
    first_row[:1] = True
    starts = np.flatnonzero(first_row)
    texts = client["text"].tolist()
    ends = [*starts[1:].tolist(), len(texts)]
    out = pd.DataFrame({
        "consultation_id": pd.Index(ids.take(starts).array),  # the dtype a groupby key gets
        "started_at": client["started_at"].take(starts).reset_index(drop=True),
        # (without any consultation: the text column's dtype, as a groupby gave)
        "messages": pd.Series([texts[start:end] for start, end in zip(starts.tolist(), ends)], dtype=object)
        if len(starts) else client["text"],
    })
    group = np.cumsum(first_row) - 1  # each row's consultation
    for column in ATTRIBUTE_COLUMNS:
        out[column] = _first_known(client[column] if column in client else None, group, len(starts))
    return out.sort_values(["started_at", "consultation_id"], kind="stable").reset_index(drop=True)


def _first_known(values: pd.Series | None, group: np.ndarray, groups: int) -> pd.Series:
    """Per consultation (``group``: each row's, in row order) its first known value, else 不明."""
    out = np.full(groups, UNKNOWN, dtype=object)
    if values is not None:
        known = np.flatnonzero((values.notna() & (values != UNKNOWN)).to_numpy())
        found, first = np.unique(group[known], return_index=True)
        out[found] = values.take(known[first]).to_numpy(dtype=object)
    return pd.Series(out, dtype=object).astype(str)


def add_time_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """month (YYYY-MM), weekday (月…日) and hour (0–23) from started_at in Asia/Tokyo."""
    local = frame["started_at"].dt.tz_convert("Asia/Tokyo")
    frame = frame.copy()
    frame["month"] = local.dt.strftime("%Y-%m")
    frame["weekday"] = local.dt.day_of_week.map(dict(enumerate(WEEKDAYS)))
    frame["hour"] = local.dt.hour.astype("int64")
    return frame


@contextmanager
def frozen_for_workers() -> Iterator[None]:
    """While worker processes forked from here run: the parent's objects (the stage-2 parser among
    them, loaded before the fork) are frozen, so the workers' garbage collections do not write into
    them and their pages stay shared (gc.freeze); unfrozen after, for a long-lived caller (the app)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _analyse_chunk(args: tuple[Analyser, list[list[str]]]) -> list[dict]:
    analyser, chunk = args
    return analyser.analyse_many(chunk)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def analyse_consultations(
    groups: pd.DataFrame,
    *,
    analyser: Analyser | None = None,
    workers: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    keep_text: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Analyse grouped consultations (from :func:`group_consultations`) into the consultations table.

    Args:
        groups: one row per consultation with a ``messages`` list column.
        analyser: the models to use; defaults to the packaged taxonomy and lexicon.
        workers: processes to use; 1 runs in this process.
        chunk_size: consultations per unit of work.
        keep_text: add a ``text`` column with the client text (off by default: privacy).
        progress: called as ``progress(advance, total)`` after each chunk (and once at the start).

    Returns:
        DataFrame with the columns of ``nlp.ingest.schema.CONSULTATION_COLUMNS`` (plus ``text`` if asked).
    """
    if workers < 1:
        raise ValueError(f"The 'workers' parameter must be an int >= 1. Got {workers!r}.")
    analyser = analyser or Analyser()
    texts = groups["messages"].tolist()
    chunks = [(analyser, chunk) for chunk in _chunks(texts, chunk_size)]
    rows: list[dict] = []
    if progress:
        progress(0, len(texts))
    if workers == 1 or len(chunks) <= 1:
        results: Iterator[list[dict]] = map(_analyse_chunk, chunks)
        for result in results:
            rows.extend(result)
            if progress:
                progress(len(result), len(texts))
    else:
        with frozen_for_workers(), ProcessPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(_analyse_chunk, chunks):
                rows.extend(result)
                if progress:
                    progress(len(result), len(texts))
    analysed = pd.DataFrame(rows, index=groups.index)
    table = add_time_columns(pd.concat([groups.drop(columns=["messages"]), analysed], axis=1))
    if keep_text:
        table["text"] = ["\n".join(m) for m in texts]
    columns = CONSULTATION_COLUMNS + (["text"] if keep_text else [])
    return table.reindex(columns=columns).reset_index(drop=True)
