"""The exploratory stage: documents → frequency lists, networks, correspondence analysis → files.

Outputs in the run folder::

    explore/groups.csv              dimension, group, documents, suppressed
    explore/word_frequency.csv      dimension, group, rank, word, pos, documents, share, frequency
    explore/network_nodes.csv       network, title, word, pos, documents, community, degree
    explore/network_edges.csv       network, title, source, target, jaccard, co_documents, community
    explore/correspondence.csv      dimension, kind (word/group), label, dim1, dim2, documents
    explore/correspondence_inertia.csv   dimension, axis, inertia_share
    charts/explore_*.png

Example:
    >>> result = explore_consultations(analysis.consultations, analysis.messages, min_cell=10)  # doctest: +SKIP
    >>> write_explore(result, out_dir)  # doctest: +SKIP
    >>> sorted(explore_tables(out_dir))  # doctest: +SKIP
    ['correspondence', 'correspondence_inertia', 'groups', 'network_edges', 'network_nodes', 'word_frequency']
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from nlp.io import outputs
from nlp.analysis.explore.config import ExploreConfig, NetworkGroup, load_explore_config
from nlp.analysis.explore.cooccurrence import EDGE_COLUMNS, NODE_COLUMNS, Network, cooccurrence_network
from nlp.analysis.explore.correspondence import COORDINATE_COLUMNS, Correspondence, correspondence
from nlp.analysis.explore.documents import Corpus, build_corpus
from nlp.analysis.explore.frequency import OVERALL, group_table, word_frequencies
from nlp.text.tokenize import Tokenizer

TABLES = ("groups", "word_frequency", "network_nodes", "network_edges", "correspondence", "correspondence_inertia")


@dataclass
class NetworkView:
    key: str  # file-name part: overall, group1, group2 …
    title: str
    network: Network


@dataclass
class ExploreResult:
    """Everything the exploratory stage shows; only words and groups that passed --min-cell."""

    groups: pd.DataFrame
    frequencies: pd.DataFrame
    networks: list[NetworkView]
    correspondences: list[Correspondence]
    not_shown: list[str] = field(default_factory=list)  # network groups under --min-cell
    min_cell: int = 10
    top_words: int = 30
    label_words: int = 25
    seconds: float = 0.0

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tidy tables written to ``explore/*.csv``, by name."""
        nodes = [v.network.nodes.assign(network=v.key, title=v.title) for v in self.networks if not v.network.empty]
        edges = [v.network.edges.assign(network=v.key, title=v.title) for v in self.networks if not v.network.empty]
        inertia = [(c.dimension, axis + 1, c.inertia[axis]) for c in self.correspondences for axis in range(2)]
        return {
            "groups": self.groups,
            "word_frequency": self.frequencies,
            "network_nodes": _concat(nodes, ["network", "title", *NODE_COLUMNS]),
            "network_edges": _concat(edges, ["network", "title", *EDGE_COLUMNS]),
            "correspondence": _concat([c.coordinates for c in self.correspondences], COORDINATE_COLUMNS),
            "correspondence_inertia": pd.DataFrame(inertia, columns=["dimension", "axis", "inertia_share"]),
        }


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def consultation_attributes(consultations: pd.DataFrame) -> pd.DataFrame:
    """The attributes the views break down by, one row per consultation; period is the quarter (2024Q3)."""
    frame = consultations.reindex(columns=["age_band", "gender", "occupation", "prefecture", "primary_theme",
                                           "month", "ideation_level"]).copy()
    months = pd.to_datetime(frame["month"].astype(str) + "-01", errors="coerce")
    frame["period"] = [f"{m.year}Q{(m.month - 1) // 3 + 1}" if pd.notna(m) else "不明" for m in months]
    frame["primary_theme"] = frame["primary_theme"].fillna("none").astype(str)
    frame["ideation_level"] = pd.to_numeric(frame["ideation_level"], errors="coerce").fillna(0).astype(int)
    return frame.reset_index(drop=True)


def _group_rows(attributes: pd.DataFrame, group: NetworkGroup) -> np.ndarray | None:
    rows = np.ones(len(attributes), dtype=bool)
    for column, value in group.where:
        if column not in attributes:
            return None
        rows &= (attributes[column].astype(str) == value).to_numpy()
    if group.ideation:
        if "ideation_level" not in attributes:
            return None
        rows &= (attributes["ideation_level"] >= 1).to_numpy()
    return rows


def explore_documents(
    texts: Sequence[str],
    attributes: pd.DataFrame,
    *,
    min_cell: int,
    dimensions: Sequence[str],
    ca_dimensions: Sequence[str],
    network_groups: Sequence[NetworkGroup] = (),
    config: ExploreConfig | None = None,
    tokenizer: Tokenizer | None = None,
) -> ExploreResult:
    """Frequency lists, co-occurrence networks and correspondence analyses of the documents.

    Args:
        texts: one text per document (a consultation's client text, an open answer).
        attributes: one row per document: the dimension columns (and ideation_level for groups).
        min_cell: smallest number of documents a word, an edge or a group needs to be shown.
        dimensions: attribute columns of the frequency lists.
        ca_dimensions: attribute columns analysed against words.
        network_groups: subsets drawn as their own networks besides the whole.
        config: stop words, parts of speech and sizes (default taxonomy/explore.yaml).
        tokenizer: Sudachi-compatible tokenizer.
    """
    start = time.perf_counter()
    config = config or load_explore_config()
    attributes = attributes.reset_index(drop=True)
    corpus = build_corpus(texts, config, tokenizer)
    dims = [d for d in dimensions if d in attributes]
    groups = group_table(attributes, sorted(set(dims) | {d for d in ca_dimensions if d in attributes},
                                            key=lambda d: (list(dimensions) + list(ca_dimensions)).index(d)), min_cell)
    frequencies = word_frequencies(corpus, attributes, dims, min_cell=min_cell, groups=groups)
    networks, not_shown = _networks(corpus, attributes, network_groups, min_cell, config)
    analyses = [c for d in ca_dimensions if d in attributes
                for c in [correspondence(corpus, attributes, d, groups, min_cell=min_cell, top_words=config.ca_top_words)]
                if c is not None]
    return ExploreResult(groups, frequencies, networks, analyses, not_shown, min_cell, config.top_words,
                         config.ca_label_words, round(time.perf_counter() - start, 3))


def _networks(corpus: Corpus, attributes: pd.DataFrame, network_groups: Sequence[NetworkGroup], min_cell: int,
              config: ExploreConfig) -> tuple[list[NetworkView], list[str]]:
    views, not_shown = [], []
    selections: list[tuple[str, str, np.ndarray | None]] = [("overall", OVERALL, None)]
    selections += [(f"group{k}", g.name, _group_rows(attributes, g)) for k, g in enumerate(network_groups, start=1)]
    for key, title, rows in selections:
        size = corpus.n_documents if rows is None else int(rows.sum())
        if size < min_cell:  # a small group is not drawn at all
            not_shown.append(title)
            continue
        network = cooccurrence_network(corpus, min_documents=min_cell, rows=rows, max_nodes=config.max_nodes,
                                       top_edges=config.top_edges)
        views.append(NetworkView(key, title, network))
    return views, not_shown


def explore_consultations(consultations: pd.DataFrame, messages: Sequence[Sequence[str]], *, min_cell: int,
                          config: ExploreConfig | None = None) -> ExploreResult:
    """The exploratory views of consultations, from their client messages (aligned with the rows)."""
    config = config or load_explore_config()
    return explore_documents(["\n".join(m) for m in messages], consultation_attributes(consultations),
                             min_cell=min_cell, dimensions=config.dimensions, ca_dimensions=config.ca_dimensions,
                             network_groups=config.network_groups, config=config)


def explore_answers(answers: pd.DataFrame, *, min_cell: int, config: ExploreConfig | None = None) -> ExploreResult:
    """The exploratory views of survey open answers (rows with status 記述あり; ``label`` names the question).

    --min-cell counts people: the overall lists, the attribute breakdowns, the network and the
    correspondence analysis by attribute treat each respondent as one document (all their open
    answers together), so one person's three answers never count as three; only the breakdown by
    question (where each respondent answers once) uses the answers themselves.
    """
    config = config or load_explore_config()
    written = answers[answers["status"] == "記述あり"].reset_index(drop=True)
    written = written.assign(question=written["label"] if "label" in written else written["question"])
    columns = [c for c in written.columns if c not in ("text", "themes", "status", "label", "question", "respondent_id")]
    people = (written.groupby("respondent_id", sort=True)
              .agg(text=("text", lambda t: "\n".join(map(str, t))), **{c: (c, "first") for c in columns}).reset_index())
    groups = [g for g in config.network_groups if not g.ideation and all(k != "question" for k, _ in g.where)]
    by_person = explore_documents(people["text"].tolist(), people[columns], min_cell=min_cell,
                                  dimensions=[d for d in config.survey_dimensions if d != "question"],
                                  ca_dimensions=[d for d in config.ca_survey_dimensions if d != "question"],
                                  network_groups=groups, config=config)
    if "question" not in config.survey_dimensions + config.ca_survey_dimensions:
        return by_person
    by_answer = explore_documents(written["text"].astype(str).tolist(), written[["question"]], min_cell=min_cell,
                                  dimensions=["question"] if "question" in config.survey_dimensions else [],
                                  ca_dimensions=["question"] if "question" in config.ca_survey_dimensions else [],
                                  config=config)
    question = by_answer.groups["dimension"] == "question"
    by_person.groups = pd.concat([by_person.groups, by_answer.groups[question]], ignore_index=True)
    by_person.frequencies = pd.concat([by_person.frequencies,
                                       by_answer.frequencies[by_answer.frequencies["dimension"] == "question"]],
                                      ignore_index=True)
    by_person.correspondences += by_answer.correspondences
    by_person.seconds = round(by_person.seconds + by_answer.seconds, 3)
    return by_person


def write_explore(result: ExploreResult, out_dir: str | Path, *, charts: bool = True, prefix: str = "explore") -> dict[str, Path]:
    """Write ``explore/*.csv`` and (unless ``charts`` is False) ``charts/explore_*.png`` into ``out_dir``.

    Returns:
        Chart name → PNG path.
    """
    out_dir = Path(out_dir)
    (out_dir / "explore").mkdir(parents=True, exist_ok=True)
    for name, table in result.tables().items():
        outputs.write_csv(out_dir / "explore" / f"{name}.csv", table)
    if not charts:
        return {}
    from nlp.analysis.explore.charts import draw_explore_charts

    return draw_explore_charts(result, out_dir / "charts", prefix=prefix)


def write_explore_timed(result: ExploreResult, out_dir: str | Path, *, charts: bool = True,
                        prefix: str = "explore") -> tuple[dict[str, Path], dict]:
    """:func:`write_explore`, and the run.json ``explore`` record: stage and write seconds, groups not shown."""
    started = time.perf_counter()
    paths = write_explore(result, out_dir, charts=charts, prefix=prefix)
    record = {"seconds": result.seconds, "write_seconds": round(time.perf_counter() - started, 3),
              "not_shown": result.not_shown}
    return paths, record


def explore_tables(out_dir: str | Path) -> dict[str, pd.DataFrame]:
    """The explore tables of a finished run folder (what an app shows), by name; missing ones left out."""
    folder = Path(out_dir) / "explore"
    return {name: pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig") for name in TABLES
            if (folder / f"{name}.csv").exists()}
