"""Topic discovery without rules: BERTopic over offline embeddings of Sudachi content words.

Pipeline: tokens → topic words (content words minus ``taxonomy/topic_stopwords.yaml``, no
person names, no lemma used by fewer than ``min_word_documents`` consultations) → embeddings
(:mod:`nlp.analysis.embeddings`, default averaged ja_ginza static vectors) → a :class:`TopicModel`
(default BERTopic with centring + KMeans, so every document gets a topic and runs repeat
exactly) → tables: topics with labels, masked excerpts, ideation share, main themes and a
new-topic flag, and topics over time.

Nothing is downloaded: BERTopic gets precomputed embeddings and ``embedding_model=None``,
and ``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE`` are set before it is imported.

Example:
    >>> result = discover_topics(texts, months=months, mask=mask_text)  # doctest: +SKIP
    >>> result.topics[["topic_id", "size", "label"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

import numpy as np
import pandas as pd

from nlp.tables.disclosure import check_min_cell
from nlp.analysis.embeddings import Embedder, GinzaStaticEmbedder
from nlp.text.stopwords import filter_rare, load_topic_stopwords, topic_words
from nlp.text.tokenize import SudachiTokenizer, Token
from nlp.analysis.topic_parts import (_centrality, _unit_rows, _display_forms, _excerpts, _growth,
                             _ideation_share, _last_two_months, _main_themes, _month_counts, _new_flags, _over_time,
                             _published, _surfaces)

TOPIC_COLUMNS = ["topic_id", "size", "label", "top_words", "excerpts", "ideation_share", "main_themes",
                 "new_topic", "growth"]


def unmasked(text: str) -> str:
    """Placeholder mask that returns the text unchanged; pipelines pass nlp.text.masking.mask_text."""
    return text


class TopicTooFewDocuments(ValueError):
    """Too few consultations with usable words for topic discovery."""

    def __init__(self, count: int, minimum: int) -> None:
        self.count, self.minimum = count, minimum
        super().__init__(
            f"Topic discovery needs at least {minimum} consultations with text; got {count}. "
            f"（トピック抽出には{minimum}件以上の相談が必要です。今回は{count}件のため省略しました。）"
        )


@dataclass
class TopicResult:
    """Topic tables ready to write as CSV (list-like cells are joined into strings).

    topics: topic_id, size, label, top_words (、-joined), excerpts (｜-joined, masked),
        ideation_share (0–1; NaN without levels or under min_cell), main_themes (、-joined ids),
        new_topic (bool), growth (share last month − share the month before; NaN with one month).
    over_time: month, topic_id, label, consultations (Int64, <NA> when suppressed), share (of
        all the month's consultations), suppressed, reference (month n ≤ 30) — as aggregates.
    doc_topics: topic of each input text, -1 when it had no usable word.
    words: topic id → top words as a list.
    """

    topics: pd.DataFrame
    over_time: pd.DataFrame
    doc_topics: list[int]
    words: dict[int, list[str]] = field(default_factory=dict)


@dataclass
class TopicFit:
    doc_topics: list[int]  # 0 … k-1, 0 the largest
    words: dict[int, list[str]]  # best first


class TopicModel(Protocol):
    """Clusters documents (space-joined topic lemmas) given their embeddings, names each cluster."""

    def fit(self, documents: Sequence[str], embeddings: np.ndarray) -> TopicFit: ...


def default_n_topics(n_documents: int) -> int:
    """sqrt(n/5) topics, 2 to 30: 150 documents → 5, 659 → 11, 5,000 → 30."""
    return int(min(30, max(2, round(math.sqrt(n_documents / 5)))))


class _CentreNormalise:
    """Dimensionality step for BERTopic: subtract the corpus mean, scale rows to unit length."""

    def fit(self, X: np.ndarray, y=None) -> "_CentreNormalise":
        self.mean_ = np.asarray(X, dtype=np.float64).mean(axis=0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        return _unit_rows(np.asarray(X, dtype=np.float64) - self.mean_)


def _split_words(document: str) -> list[str]:
    return document.split()


class BERTopicModel:
    """BERTopic with precomputed embeddings, centring + KMeans and c-TF-IDF over lemmas.

    The analyzer only splits: documents arrive as space-joined lemmas already tokenised
    (in chunks) by Sudachi, so BERTopic's per-topic concatenation never meets Sudachi's
    ~48 KB limit.

    Args:
        n_topics: number of topics; None → :func:`default_n_topics`.
        seed: KMeans random state.
        top_n_words: words kept per topic.
        clusterer: any scikit-learn clusterer with ``labels_`` (replaces KMeans).
    """

    def __init__(self, *, n_topics: int | None = None, seed: int = 0, top_n_words: int = 10, clusterer=None) -> None:
        if n_topics is not None and n_topics < 2:
            raise ValueError(f"The 'n_topics' parameter must be None or >= 2. Got {n_topics}.")
        self.n_topics, self.seed, self.top_n_words, self.clusterer = n_topics, seed, top_n_words, clusterer

    def fit(self, documents: Sequence[str], embeddings: np.ndarray) -> TopicFit:
        """Args: documents: space-joined lemmas; embeddings: one row each. Returns: a TopicFit."""
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from bertopic import BERTopic
            from bertopic.vectorizers import ClassTfidfTransformer
        except ImportError as error:
            raise ImportError("topic discovery needs BERTopic: pip install bertopic==0.17.4") from error
        from sklearn.cluster import KMeans
        from sklearn.feature_extraction.text import CountVectorizer

        k = min(self.n_topics or default_n_topics(len(documents)), len(documents))
        model = BERTopic(
            language="japanese",  # "english" would strip every non-ASCII character before c-TF-IDF
            embedding_model=None,
            umap_model=_CentreNormalise(),
            hdbscan_model=self.clusterer or KMeans(n_clusters=k, random_state=self.seed, n_init=10),
            vectorizer_model=CountVectorizer(analyzer=_split_words),
            ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
            top_n_words=self.top_n_words,
            calculate_probabilities=False,
        )
        documents, embeddings = list(documents), np.asarray(embeddings, dtype=np.float64)
        topics, _ = model.fit_transform(documents, embeddings=embeddings)
        if -1 in topics:  # a density clusterer left outliers: give each its nearest topic
            topics = model.reduce_outliers(documents, topics, strategy="embeddings", embeddings=embeddings)
            model.update_topics(documents, topics=topics, vectorizer_model=model.vectorizer_model,
                                ctfidf_model=model.ctfidf_model, top_n_words=self.top_n_words)
        words = {int(t): [w for w, _ in model.get_topic(t) or [] if w] for t in sorted(set(topics))}
        return TopicFit([int(t) for t in topics], words)


def discover_topics(
    texts: Sequence[str],
    *,
    months: Sequence[str],
    ideation_levels: Sequence[int] | None = None,
    themes: Sequence[Sequence[str]] | None = None,
    tokens: Sequence[list[Token]] | None = None,
    embedder: Embedder | None = None,
    mask: Callable[[str], str] = unmasked,
    min_documents: int = 100,
    n_topics: int | None = None,
    seed: int = 0,
    n_excerpts: int = 2,
    topic_model: TopicModel | None = None,
    stopwords: frozenset[str] | None = None,
    min_word_documents: int = 3,
    min_excerpt_topic_size: int = 10,
    n_new: int = 3,
    min_cell: int = 10,
) -> TopicResult:
    """Find topics in consultations' client text and describe them for analysts.

    Args:
        texts: client text of each consultation (used only for tokens and masked excerpts).
        months: "YYYY-MM" of each consultation; the last month is compared with the one before.
        ideation_levels: 0–4 per consultation, for each topic's share with level ≥ 1.
        themes: theme ids per consultation, for each topic's main themes.
        tokens: Sudachi tokens per consultation when already computed (else tokenised here).
        embedder: document embedder; default :class:`GinzaStaticEmbedder`.
        mask: applied to every excerpt (pass nlp.text.masking.mask_text).
        min_documents: fewer consultations with usable words raise :class:`TopicTooFewDocuments`.
        n_topics: number of topics; None → :func:`default_n_topics`.
        seed: random seed of the topic model.
        n_excerpts: excerpts per topic (≤ 60 characters, from consultations without ideation).
        topic_model: replaces the default :class:`BERTopicModel`.
        stopwords: replaces the stop words of ``taxonomy/topic_stopwords.yaml``.
        min_word_documents: a lemma must occur in this many consultations to count.
        min_excerpt_topic_size: smaller topics get no excerpt (a quote could identify the writer).
        n_new: how many of the most-grown topics are flagged ``new_topic``.
        min_cell: disclosure control (nlp.tables.disclosure): topics-over-time cells under it are
            suppressed (with complementary cells), ``ideation_share`` is NaN when fewer than
            ``min_cell`` consultations of the topic have ideation, ``growth`` is NaN when either
            month's cell is suppressed. 0 turns this off.

    Returns:
        A :class:`TopicResult`.

    Raises:
        TopicTooFewDocuments: fewer than ``min_documents`` consultations with usable words.
    """
    n = len(texts)
    for name, values in (("months", months), ("tokens", tokens), ("ideation_levels", ideation_levels), ("themes", themes)):
        if values is not None and len(values) != n:
            raise ValueError(f"The '{name}' parameter must have one value per text ({n}). Got {len(values)}.")
    check_min_cell(min_cell)
    if min_documents < 2:
        raise ValueError(f"The 'min_documents' parameter must be >= 2. Got {min_documents}.")
    stop = load_topic_stopwords() if stopwords is None else stopwords
    if tokens is None:
        tokenize = SudachiTokenizer()
        tokens = [tokenize(text or "") for text in texts]
    words = filter_rare([topic_words(t, stop) for t in tokens], min_word_documents)
    usable = [i for i, w in enumerate(words) if w]
    if len(usable) < min_documents:
        raise TopicTooFewDocuments(len(usable), min_documents)

    embeddings = np.asarray((embedder or GinzaStaticEmbedder()).embed([words[i] for i in usable]))
    model = topic_model or BERTopicModel(n_topics=n_topics, seed=seed)
    fit = model.fit([" ".join(t.lemma for t in words[i]) for i in usable], embeddings)
    doc_topics = [-1] * n
    for i, topic in zip(usable, fit.doc_topics):
        doc_topics[i] = topic

    display = _display_forms(words)
    top_words = {t: list(dict.fromkeys(display.get(w, w) for w in ws)) for t, ws in fit.words.items()}
    labels = {t: "・".join(w[:3]) for t, w in top_words.items()}
    raw = _month_counts(doc_topics, months, labels)
    over_time = _over_time(raw, min_cell)
    levels = None
    if ideation_levels is not None:
        levels = pd.to_numeric(pd.Series(list(ideation_levels)), errors="coerce").fillna(0).to_numpy()
    order = [usable[j] for j in np.argsort(-_centrality(embeddings, fit.doc_topics), kind="stable")]
    growth = _growth(raw)  # from unsuppressed counts; published only where both cells are
    new = _new_flags(growth, raw, n_new)
    surfaces = _surfaces(words)  # lemma → forms seen in the text, to find excerpts
    rows = []
    for topic in sorted(fit.words):
        members = [i for i in order if doc_topics[i] == topic]  # most central first
        excerpts = []
        if len(members) >= min_excerpt_topic_size:
            eligible = [i for i in members if levels is None or levels[i] < 1]  # ideation is never quoted
            excerpts = _excerpts(texts, eligible, fit.words[topic], surfaces, mask, n_excerpts)
        rows.append({
            "topic_id": topic, "size": len(members), "label": labels[topic],
            "top_words": "、".join(top_words[topic]), "excerpts": "｜".join(excerpts),
            "ideation_share": _ideation_share(levels, members, min_cell),
            "main_themes": "、".join(_main_themes([themes[i] for i in members])) if themes is not None else "",
            "new_topic": new.get(topic, False),
            "growth": growth.get(topic, math.nan) if _published(over_time, topic) else math.nan,
        })
    table = pd.DataFrame(rows, columns=TOPIC_COLUMNS)
    return TopicResult(table, over_time, doc_topics, top_words)


def topic_growth(
    doc_topics: Sequence[int], periods: Sequence[str], labels: dict[int, str], *, n_new: int = 3, min_count: int = 3
) -> pd.DataFrame:
    """Which topics grew most from the previous period to the last one (any sortable labels:
    "2024-08", "2024-Q3", "2024"). Unsuppressed: for analysis, not for publication.

    Args:
        doc_topics: topic of each consultation (-1 ignored), e.g. ``TopicResult.doc_topics``.
        periods: period label of each consultation.
        labels: topic id → label.
        n_new: how many topics to flag.
        min_count: a flagged topic has at least this many consultations in the last period.

    Returns:
        topic_id, label, previous_share, current_share, growth, new_topic; largest growth first.
    """
    raw = _month_counts(doc_topics, periods, labels)
    growth = _growth(raw)
    new = _new_flags(growth, raw, n_new, min_count)
    share = raw.pivot(index="topic_id", columns="month", values="share")
    last = _last_two_months(raw)
    out = pd.DataFrame({"topic_id": sorted(labels)})
    out["label"] = out["topic_id"].map(labels)
    out["previous_share"] = out["topic_id"].map(share[last[0]]) if len(last) == 2 else math.nan
    out["current_share"] = out["topic_id"].map(share[last[-1]])
    out["growth"] = out["topic_id"].map(growth).astype(float)
    out["new_topic"] = out["topic_id"].map(lambda t: new.get(t, False))
    return out.sort_values(["growth", "topic_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
