"""Correspondence analysis of words × attribute groups (age band, occupation, period), for a biplot.

The contingency table counts, for each word and group, the documents of the group containing
the word. Rows are the ``top_words`` words in the most documents (each in >= ``min_cell``);
columns are the groups that :func:`nlp.analysis.explore.frequency.group_table` shows (不明 left out).
The table itself is never published, only the principal coordinates of words and groups.
Fitted with :class:`prince.CA` (maintained CA implementation; SVD of the standardised residuals),
axes signed so that the group with the largest absolute coordinate is positive, so re-runs
are identical.

Example:
    >>> result = correspondence(corpus, attributes, "age_band", groups, min_cell=10)  # doctest: +SKIP
    >>> result.coordinates.columns.tolist()
    ['dimension', 'kind', 'label', 'dim1', 'dim2', 'documents']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nlp.analysis.explore.documents import Corpus
from nlp.ingest.schema import UNKNOWN

COORDINATE_COLUMNS = ["dimension", "kind", "label", "dim1", "dim2", "documents"]


@dataclass
class Correspondence:
    """Principal coordinates (kind 'word' or 'group') and the share of inertia of the two axes."""

    dimension: str
    coordinates: pd.DataFrame
    inertia: tuple[float, float]


def contingency(corpus: Corpus, attributes: pd.DataFrame, dimension: str, groups: pd.DataFrame, *,
                min_cell: int, top_words: int) -> pd.DataFrame:
    """Words × shown groups, counting documents (not published; the input of the analysis)."""
    shown = groups[(groups["dimension"] == dimension) & ~groups["suppressed"] & (groups["group"] != UNKNOWN)]
    names = shown["group"].tolist()
    if dimension not in attributes or len(names) < 2:
        return pd.DataFrame()
    docs = corpus.documents_per_word()
    words = np.asarray(corpus.words, dtype=object)
    eligible = [i for i in np.flatnonzero(docs >= max(min_cell, 1))]
    chosen = sorted(eligible, key=lambda i: (-docs[i], words[i]))[:top_words]
    values = attributes[dimension].astype(str).to_numpy()
    table = pd.DataFrame({g: corpus.documents_per_word(values == g)[chosen] for g in names},
                         index=pd.Index(words[chosen], name="word"))
    return table[(table.sum(axis=1) > 0)]


def correspondence(corpus: Corpus, attributes: pd.DataFrame, dimension: str, groups: pd.DataFrame, *,
                   min_cell: int, top_words: int = 40) -> Correspondence | None:
    """Correspondence analysis of the words × ``dimension`` table; None when it has < 2 rows or < 3 columns."""
    table = contingency(corpus, attributes, dimension, groups, min_cell=min_cell, top_words=top_words)
    if table.shape[0] < 3 or table.shape[1] < 3:
        return None
    rows, cols, inertia = fit_ca(table)
    doc_counts = dict(zip(corpus.words, corpus.documents_per_word()))
    sizes = groups[groups["dimension"] == dimension].set_index("group")["documents"]
    frame = pd.concat([
        pd.DataFrame({"dimension": dimension, "kind": "word", "label": table.index, "dim1": rows[:, 0], "dim2": rows[:, 1],
                      "documents": [int(doc_counts[w]) for w in table.index]}),
        pd.DataFrame({"dimension": dimension, "kind": "group", "label": table.columns, "dim1": cols[:, 0],
                      "dim2": cols[:, 1], "documents": [int(sizes[g]) for g in table.columns]}),
    ], ignore_index=True)
    frame[["dim1", "dim2"]] = frame[["dim1", "dim2"]].round(6)
    return Correspondence(dimension, frame[COORDINATE_COLUMNS], inertia)


def fit_ca(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """Row and column principal coordinates on two axes, and each axis' share of total inertia."""
    import prince

    ca = prince.CA(n_components=2, n_iter=10, random_state=0, engine="scipy").fit(table.astype(float))
    rows = np.array(ca.row_coordinates(table.astype(float)).to_numpy()[:, :2], dtype=float)
    cols = np.array(ca.column_coordinates(table.astype(float)).to_numpy()[:, :2], dtype=float)
    if rows.shape[1] < 2:  # a table of rank 1 has one axis
        rows, cols = np.c_[rows, np.zeros(len(rows))], np.c_[cols, np.zeros(len(cols))]
    for axis in range(2):
        if cols[np.argmax(np.abs(cols[:, axis])), axis] < 0:
            rows[:, axis], cols[:, axis] = -rows[:, axis], -cols[:, axis]
    shares = (np.asarray(ca.eigenvalues_)[:2] / ca.total_inertia_).tolist() + [0.0, 0.0]
    return rows, cols, (round(float(shares[0]), 6), round(float(shares[1]), 6))
