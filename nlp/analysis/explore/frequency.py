"""Word frequency lists, overall and by attribute, with the disclosure rules of every table.

Rules:

- a group (one age band, one gender …) with fewer than ``min_cell`` documents is suppressed,
  and complementary groups are suppressed so its size cannot be recovered from the total
  (:func:`nlp.tables.disclosure.secondary_suppress`, one line per dimension); a suppressed group
  shows no words at all;
- a word is listed for a group only when it occurs in at least ``min_cell`` documents of that
  group; across one dimension the word's cells get complementary suppression too, so a hidden
  cell cannot be recovered from the overall count. A word that is not shown is not in any
  output: the tables hold no row for it.

Example:
    >>> table = word_frequencies(corpus, attributes, ["age_band"], min_cell=10)  # doctest: +SKIP
    >>> table.columns.tolist()
    ['dimension', 'group', 'rank', 'word', 'pos', 'documents', 'share', 'frequency']
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from nlp.tables.disclosure import check_min_cell, secondary_suppress
from nlp.analysis.explore.documents import Corpus

OVERALL = "全体"
FREQUENCY_COLUMNS = ["dimension", "group", "rank", "word", "pos", "documents", "share", "frequency"]
GROUP_COLUMNS = ["dimension", "group", "documents", "suppressed"]


def _natural_groups(values: pd.Series, dimension: str) -> list[str]:
    from nlp.report.charts import in_natural_order

    frame = pd.DataFrame({dimension: sorted(pd.unique(values.astype(str)), key=lambda v: (v in ("不明", "none"), v))})
    return list(in_natural_order(frame, dimension)[dimension])


def group_table(attributes: pd.DataFrame, dimensions: Sequence[str], min_cell: int) -> pd.DataFrame:
    """Documents per group of each dimension; suppressed groups (primary and complementary) show <NA>.

    Args:
        attributes: one row per document with the dimension columns.
        dimensions: the columns to group by (missing ones are skipped).
        min_cell: smallest number of documents a group may show.

    Returns:
        dimension, group, documents (Int64), suppressed; the overall row first.
    """
    min_cell = check_min_cell(min_cell)
    n = len(attributes)
    rows = [(OVERALL, OVERALL, n, n < min_cell)]
    for dim in dimensions:
        if dim not in attributes:
            continue
        values = attributes[dim].astype(str)
        groups = _natural_groups(values, dim)
        counts = values.value_counts().reindex(groups, fill_value=0).to_numpy()
        hidden = secondary_suppress(counts, counts < min_cell, [np.arange(len(groups))])
        rows += [(dim, g, int(c), bool(h)) for g, c, h in zip(groups, counts, hidden)]
    table = pd.DataFrame(rows, columns=GROUP_COLUMNS)
    table["documents"] = pd.array(np.where(table["suppressed"], 0, table["documents"]), dtype="Int64")
    table.loc[table["suppressed"], "documents"] = pd.NA
    return table


def _ranked(corpus: Corpus, dimension: str, group: str, documents: np.ndarray, frequency: np.ndarray,
            shown: np.ndarray, n: int) -> pd.DataFrame:
    idx = np.flatnonzero(shown)
    frame = pd.DataFrame({
        "dimension": dimension, "group": group, "word": [corpus.words[i] for i in idx],
        "pos": [corpus.pos[i] for i in idx], "documents": documents[idx].astype("int64"),
        "share": documents[idx] / n if n else np.nan, "frequency": frequency[idx].astype("int64"),
    })
    frame = frame.sort_values(["documents", "frequency", "word"], ascending=[False, False, True], kind="stable")
    frame.insert(2, "rank", np.arange(1, len(frame) + 1))
    return frame


def word_frequencies(corpus: Corpus, attributes: pd.DataFrame, dimensions: Sequence[str], *,
                     min_cell: int, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Words with their documents (and share of the group's documents) and token frequency.

    Args:
        corpus: the word counts, one row per document aligned with ``attributes``.
        attributes: one row per document with the dimension columns.
        dimensions: attribute columns to break down by; the overall list comes first.
        min_cell: smallest number of documents a word (and a group) needs to be shown.
        groups: the result of :func:`group_table` (computed when omitted).

    Returns:
        dimension (全体 for the overall list), group, rank, word, pos, documents, share, frequency.
    """
    min_cell = check_min_cell(min_cell)
    groups = groups if groups is not None else group_table(attributes, dimensions, min_cell)
    n = corpus.n_documents
    overall_docs = corpus.documents_per_word()
    candidate = overall_docs >= max(min_cell, 1)
    parts = []
    if n >= min_cell:
        parts.append(_ranked(corpus, OVERALL, OVERALL, overall_docs, corpus.frequency_per_word(), candidate, n))
    for dim in dimensions:
        block = groups[groups["dimension"] == dim]
        if block.empty or n < min_cell:
            continue
        values = attributes[dim].astype(str).to_numpy()
        names = block["group"].tolist()
        docs = np.vstack([corpus.documents_per_word(values == g) for g in names])  # groups × words
        freq = np.vstack([corpus.frequency_per_word(values == g) for g in names])
        hidden = (docs < max(min_cell, 1)) | block["suppressed"].to_numpy()[:, None]
        line = [np.arange(len(names))]
        for w in np.flatnonzero(candidate):
            if hidden[:, w].sum() == 1:  # only then can a cell be recovered by subtraction
                hidden[:, w] = secondary_suppress(docs[:, w], hidden[:, w], line)
        for k, (g, size) in enumerate(zip(names, block["documents"])):
            shown = candidate & ~hidden[k]
            if shown.any():
                parts.append(_ranked(corpus, dim, g, docs[k], freq[k], shown, int(size)))
    if not parts:
        return pd.DataFrame(columns=FREQUENCY_COLUMNS)
    return pd.concat(parts, ignore_index=True)[FREQUENCY_COLUMNS]
