"""Co-occurrence network of words, as KH Coder draws it: Jaccard over documents, top edges.

For two words a and b, Jaccard = |D(a) ∩ D(b)| / |D(a) ∪ D(b)|, where D(w) is the set of
documents containing w. Nodes are the ``max_nodes`` words in the most documents among those
in at least ``min_documents``; an edge needs ``co_documents`` >= ``min_documents`` (a pair
used together by fewer people is a small cell too); the ``top_edges`` strongest are kept (ties:
more co-documents, then the words' order), and only words on a kept edge are drawn.
Communities: :func:`networkx.algorithms.community.greedy_modularity_communities` on the kept
edges weighted by Jaccard (deterministic), numbered 1… by size, then by first word.

Example:
    >>> net = cooccurrence_network(corpus, min_documents=10)  # doctest: +SKIP
    >>> net.edges.columns.tolist()
    ['source', 'target', 'jaccard', 'co_documents', 'community']
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from nlp.analysis.explore.documents import Corpus

NODE_COLUMNS = ["word", "pos", "documents", "community", "degree"]
EDGE_COLUMNS = ["source", "target", "jaccard", "co_documents", "community"]


@dataclass
class Network:
    """The drawn words (nodes) and edges of one group; ``community`` 0 on an edge between communities."""

    nodes: pd.DataFrame
    edges: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.edges.empty


def jaccard_matrix(presence, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Co-document counts and Jaccard coefficients of the words ``columns`` (binary doc × word matrix)."""
    sub = presence[:, columns].astype("int64")
    co = np.asarray((sub.T @ sub).todense(), dtype="int64")
    docs = np.diag(co).copy()
    union = docs[:, None] + docs[None, :] - co
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.where(union > 0, co / np.where(union > 0, union, 1), 0.0)
    return co, jaccard


def cooccurrence_network(corpus: Corpus, *, min_documents: int, rows: np.ndarray | None = None,
                         max_nodes: int = 60, top_edges: int = 60) -> Network:
    """The co-occurrence network of the documents ``rows`` (all by default).

    Args:
        corpus: word counts per document.
        min_documents: a word and a pair of words need at least this many documents (--min-cell).
        rows: boolean mask of the documents of the group.
        max_nodes: most frequent words considered.
        top_edges: strongest edges kept.

    Returns:
        The :class:`Network` (empty frames when no pair qualifies).
    """
    presence = corpus.presence() if rows is None else corpus.presence()[rows]
    docs = np.asarray(presence.sum(axis=0)).ravel()
    eligible = np.flatnonzero(docs >= max(min_documents, 1))
    words = np.asarray(corpus.words, dtype=object)
    order = sorted(eligible, key=lambda i: (-docs[i], words[i]))[:max_nodes]
    order = np.array(sorted(order, key=lambda i: words[i]), dtype=int)
    if len(order) < 2:
        return _empty()
    co, jaccard = jaccard_matrix(presence, order)
    i, j = np.triu_indices(len(order), k=1)
    keep = co[i, j] >= max(min_documents, 1)
    pairs = pd.DataFrame({"source": words[order[i[keep]]], "target": words[order[j[keep]]],
                          "jaccard": jaccard[i[keep], j[keep]], "co_documents": co[i[keep], j[keep]]})
    if pairs.empty:
        return _empty()
    pairs = pairs.sort_values(["jaccard", "co_documents", "source", "target"], ascending=[False, False, True, True],
                              kind="stable").head(top_edges).reset_index(drop=True)
    graph = nx.Graph()
    graph.add_weighted_edges_from(pairs[["source", "target", "jaccard"]].itertuples(index=False), weight="jaccard")
    community = _communities(graph)
    pairs["community"] = [community[s] if community[s] == community[t] else 0
                          for s, t in zip(pairs["source"], pairs["target"])]
    index = {w: k for k, w in enumerate(corpus.words)}
    drawn = sorted(graph.nodes, key=lambda w: (community[w], -docs[index[w]], w))
    nodes = pd.DataFrame({"word": drawn, "pos": [corpus.pos[index[w]] for w in drawn],
                          "documents": [int(docs[index[w]]) for w in drawn],
                          "community": [community[w] for w in drawn], "degree": [graph.degree[w] for w in drawn]})
    pairs["jaccard"] = pairs["jaccard"].round(6)
    return Network(nodes[NODE_COLUMNS], pairs[EDGE_COLUMNS])


def _communities(graph: nx.Graph) -> dict[str, int]:
    found = nx.algorithms.community.greedy_modularity_communities(graph, weight="jaccard")
    ranked = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return {w: k for k, members in enumerate(ranked, start=1) for w in members}


def _empty() -> Network:
    return Network(pd.DataFrame(columns=NODE_COLUMNS), pd.DataFrame(columns=EDGE_COLUMNS))
