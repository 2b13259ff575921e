"""The parts of a topic table: excerpts, main themes, ideation share and topics over time.

Split from :mod:`nlp.analysis.topics` (model fitting there, summarising the fitted topics here).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Sequence

import numpy as np
import pandas as pd

from nlp.tables.disclosure import finish_table, lines_along, primary_suppress, secondary_suppress
from nlp.text.tokenize import Token

MAX_EXCERPT_CHARS = 60
MIN_EXCERPT_CHARS = 12
OVER_TIME_COLUMNS = ["month", "topic_id", "label", "consultations", "share", "suppressed", "reference"]
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)


def _display_forms(words: Sequence[Sequence[Token]]) -> dict[str, str]:
    """Show nouns as people write them (苛々 → イライラ, 遣る気 → やる気); verbs keep their lemma."""
    seen: dict[str, Counter] = {}
    for tokens in words:
        for t in tokens:
            if t.pos[0] in ("名詞", "形状詞"):
                seen.setdefault(t.lemma, Counter())[t.surface] += 1
    return {lemma: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for lemma, c in seen.items()}


def _surfaces(words: Sequence[Sequence[Token]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for tokens in words:
        for t in tokens:
            found.setdefault(t.lemma, {t.lemma}).add(t.surface)
    return found


def _centrality(embeddings: np.ndarray, topics: Sequence[int]) -> np.ndarray:
    """Cosine of each document to its topic's mean (on centred, unit-length embeddings)."""
    unit = _unit_rows(embeddings - embeddings.mean(axis=0))
    topics = np.asarray(topics)
    scores = np.zeros(len(topics))
    for topic in np.unique(topics):
        rows = topics == topic
        scores[rows] = unit[rows] @ _unit_rows(unit[rows].mean(axis=0, keepdims=True))[0]
    return scores


def _excerpts(texts, members, top_words, surfaces, mask, limit, scan: int = 30) -> list[str]:
    """Short masked sentences with the most topic words, from the most central documents."""
    weights = [(surfaces.get(w, {w}), 1.0 / (1 + rank)) for rank, w in enumerate(top_words)]
    candidates = []
    for rank, i in enumerate(members[:scan]):
        best = (0.0, "")
        for match in _SENTENCE.finditer(texts[i] or ""):
            sentence = match.group().strip()
            if MIN_EXCERPT_CHARS <= len(sentence) <= MAX_EXCERPT_CHARS:
                score = sum(w for forms, w in weights if any(f in sentence for f in forms))
                best = max(best, (score, sentence), key=lambda c: c[0])
        if best[0] > 0:
            candidates.append((-best[0], rank, best[1]))
    chosen: list[str] = []
    for _, _, sentence in sorted(candidates):
        masked = mask(sentence).strip()
        masked = masked if len(masked) <= MAX_EXCERPT_CHARS else masked[: MAX_EXCERPT_CHARS - 1] + "…"
        if masked and all(_similarity(masked, c) < 0.5 for c in chosen):
            chosen.append(masked)
        if len(chosen) == limit:
            break
    return chosen


def _similarity(a: str, b: str) -> float:
    """Jaccard overlap of character bigrams, to skip near-duplicate excerpts."""
    grams_a, grams_b = {a[i : i + 2] for i in range(len(a) - 1)}, {b[i : i + 2] for i in range(len(b) - 1)}
    return len(grams_a & grams_b) / max(1, len(grams_a | grams_b))


def _main_themes(theme_lists: Sequence[Sequence[str]], min_share: float = 0.2, limit: int = 3) -> list[str]:
    counts = Counter(theme for themes in theme_lists if themes is not None for theme in {str(t) for t in themes})
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [t for t, c in ranked if c >= min_share * len(theme_lists)][:limit]


def _ideation_share(levels: np.ndarray | None, members: list[int], min_cell: int) -> float:
    if levels is None or not members:
        return math.nan
    count = int(np.sum(levels[members] >= 1))
    return math.nan if count < min_cell else count / len(members)


def _month_counts(doc_topics: Sequence[int], months: Sequence[str], labels: dict[int, str]) -> pd.DataFrame:
    """Unsuppressed month × topic counts (zeros included), month totals and shares."""
    frame = pd.DataFrame({"month": [str(m) for m in months], "topic_id": list(doc_topics)})
    totals = frame.groupby("month").size()
    counts = frame[frame.topic_id >= 0].groupby(["month", "topic_id"]).size()
    index = pd.MultiIndex.from_product([sorted(totals.index), sorted(labels)], names=["month", "topic_id"])
    raw = counts.reindex(index, fill_value=0).rename("count").reset_index()
    raw.insert(2, "label", raw["topic_id"].map(labels))
    raw["total"] = raw["month"].map(totals)
    raw["share"] = raw["count"] / raw["total"]
    return raw


def _over_time(raw: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """The published table: cells under ``min_cell`` suppressed, with complementary cells along
    each month (across topics) and each topic (across months), as in nlp.tables.disclosure."""
    dims = raw[["month", "topic_id", "label"]]
    values = raw["count"].to_numpy()
    hidden = np.zeros(len(raw), dtype=bool)
    if min_cell:
        lines = lines_along(dims, ["month"]) + lines_along(dims, ["topic_id"])
        hidden = secondary_suppress(values, primary_suppress(values, min_cell), lines)
    return finish_table(dims, values, raw["total"].to_numpy(), hidden)[OVER_TIME_COLUMNS]


def _last_two_months(raw: pd.DataFrame) -> list[str]:
    return sorted(raw["month"].unique())[-2:]


def _growth(raw: pd.DataFrame) -> dict[int, float]:
    """Share in the last month minus share in the month before (empty with one month)."""
    months = _last_two_months(raw)
    if len(months) < 2:
        return {}
    share = raw.pivot(index="topic_id", columns="month", values="share")
    return (share[months[1]] - share[months[0]]).to_dict()


def _published(over_time: pd.DataFrame, topic: int) -> bool:
    """True when the topic's cells in the last two months are not suppressed."""
    months = sorted(over_time["month"].unique())[-2:]
    cells = over_time[(over_time["topic_id"] == topic) & over_time["month"].isin(months)]
    return not cells["suppressed"].any()


def _new_flags(growth: dict[int, float], raw: pd.DataFrame, n_new: int, min_count: int = 3) -> dict[int, bool]:
    """The ``n_new`` topics that grew most, with growth > 0 and ≥ ``min_count`` consultations last month."""
    if not growth:
        return {}
    last = raw[raw["month"] == _last_two_months(raw)[-1]].set_index("topic_id")["count"]
    eligible = sorted((-g, t) for t, g in growth.items() if g > 0 and last.get(t, 0) >= min_count)
    return {t: True for _, t in eligible[:n_new]}
