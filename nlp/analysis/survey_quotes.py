"""Representative quotes of open answers: masked, diverse, never one that identifies its writer.

For each open question and theme with at least ``min_cell`` substantive answers, up to
``per_theme`` quotes are chosen among the answers tagged with the theme. An answer is never
quoted when it

- mentions suicidal ideation (reported as shares only, like the consultation quotes);
- holds anything that points at a person: a name, phone number, e-mail, URL, SNS id, address,
  school or company (anything :func:`nlp.text.masking.mask_text` would change), a proper noun
  (Sudachi 固有名詞: a person, place or organisation), an age in years (83歳), or one of
  ``exclude_terms`` (the survey's 地区 names);
- is shorter than ``min_chars``.

A quote is the answer's sentences that carry the theme (at most ``max_chars``), so an answer
about three things is quoted under each theme by the sentence about it. Choice is
greedy and deterministic: each next quote maximises "a writer attribute not yet shown" + "not
already quoted under another theme" − "bigram similarity to the quotes already chosen"; near
duplicates are skipped.

Each quote carries its writer's attribute (立場・年代 by default) only when at least
``min_cell`` substantive answers to the question share it; otherwise a coarser attribute, or
属性非表示.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Callable, Sequence

import pandas as pd

from nlp.analysis.survey_themes import ANSWERED, UNCLASSIFIED

QUOTE_COLUMNS = ["question", "theme", "theme_label", "rank", "quote", "attribute"]
HIDDEN = "属性非表示"
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_AGE = re.compile(r"\d+\s*(?:歳|才)")
_DIGITS = re.compile(r"\d")
_CONTACT = re.compile(r"@|＠|https?://|www\.|〒|番地|丁目|号室")
NEAR_DUPLICATE = 0.7


def short_role(value: str) -> str:
    """支援者（民生委員・ボランティア等） → 支援者."""
    return re.split(r"[（(]", value, maxsplit=1)[0].strip() or value


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text)
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def similarity(a: str, b: str) -> float:
    """Overlap of character bigrams (0 different … 1 the same, or one contained in the other)."""
    x, y = _bigrams(a), _bigrams(b)
    return len(x & y) / min(len(x), len(y))


class QuoteFilter:
    """Decides whether an answer may be quoted (see the module docstring).

    Args:
        mask: the masking function; an answer it would change is never quoted.
        tokenizer: Sudachi-compatible tokenizer, for proper nouns.
        scorer: ideation scorer with ``score_message(text).level``.
        exclude_terms: words never quoted (地区 names and the like).
    """

    def __init__(self, *, mask: Callable[[str], str], tokenizer, scorer, exclude_terms: Sequence[str] = ()) -> None:
        self.mask, self.tokenizer, self.scorer = mask, tokenizer, scorer
        self.exclude = [unicodedata.normalize("NFKC", t) for t in exclude_terms if t and t != "不明"]

    def allowed(self, text: str) -> bool:
        view = unicodedata.normalize("NFKC", text)
        if _AGE.search(view) or _CONTACT.search(view) or len(_DIGITS.findall(view)) >= 7:
            return False
        if any(term in view for term in self.exclude):
            return False
        if self.scorer.score_message(text).level >= 1:
            return False
        if any(t[2][1] == "固有名詞" for t in self.tokenizer(text)):
            return False
        return self.mask(text) == text


def excerpt(text: str, theme: str, tag: Callable[[str], Sequence[str]], *, max_chars: int = 120) -> str:
    """The sentences of an answer that carry ``theme``, on one line (at most ``max_chars``);
    the whole answer when no single sentence carries it (its evidence spans sentences)."""
    sentences = [" ".join(s.split()) for s in _SENTENCE.findall(text) if s.strip()]
    chosen = [s for s in sentences if theme in tag(s)] if len(sentences) > 1 else sentences
    out = ""
    for sentence in chosen:
        if out and len(out) + len(sentence) > max_chars:
            break
        out += sentence
    if not out:
        out = " ".join(text.split())
    return out if len(out) <= max_chars else out[: max_chars - 1] + "…"


def attribute_tags(rows: pd.DataFrame, columns: Sequence[str], min_cell: int) -> pd.Series:
    """Per answer, the finest attribute combination shared by at least ``min_cell`` answers."""
    present = [c for c in columns if c in rows.columns]
    values = pd.DataFrame({c: rows[c].astype(str).map(short_role if c == "role" else str) for c in present}, index=rows.index)
    tags = pd.Series(HIDDEN, index=rows.index, dtype=object)
    for k in range(len(present), 0, -1):
        used = present[:k]
        known = (values[used] != "不明").all(axis=1)
        keys = values[used].agg("・".join, axis=1)
        sizes = keys.map(keys.value_counts())
        fits = (tags == HIDDEN) & known & (sizes >= min_cell)
        tags[fits] = keys[fits]
    return tags


def select_survey_quotes(
    answers: pd.DataFrame,
    labels: dict[str, str],
    *,
    allowed: Callable[[str], bool],
    tag: Callable[[str], Sequence[str]],
    per_theme: int = 3,
    min_cell: int = 10,
    min_chars: int = 10,
    max_chars: int = 120,
    attribute_columns: Sequence[str] = ("role", "age_band"),
    seed: int = 0,
) -> pd.DataFrame:
    """Up to ``per_theme`` quotes per (open question, theme).

    Args:
        answers: one row per respondent × open question with question (label), status, themes,
            text, and the attribute columns.
        labels: theme id → label (the order of the output).
        allowed: :meth:`QuoteFilter.allowed` or any predicate on the answer text.
        tag: text → theme ids (to cut long answers to the theme's sentences).
        attribute_columns: the writer attribute shown with a quote, finest first.

    Returns:
        DataFrame with QUOTE_COLUMNS; ``quote`` is masked-safe text on one line.
    """
    out: list[tuple] = []
    verdict: dict[str, bool] = {}
    for question, rows in answers[answers["status"] == ANSWERED].groupby("question", sort=False):
        tags = attribute_tags(rows, attribute_columns, min_cell)
        quoted: set[str] = set()
        for theme in labels:
            if theme == UNCLASSIFIED:
                continue
            members = rows[rows["themes"].map(lambda ts, t=theme: t in ts)]
            if len(members) < min_cell:
                continue
            pool: dict[str, tuple[str, str]] = {}  # excerpt → (sort key, attribute)
            for index, text in members["text"].items():
                if text not in verdict:
                    verdict[text] = allowed(text)
                if not verdict[text]:
                    continue
                quote = excerpt(text, theme, tag, max_chars=max_chars)
                if len(quote) >= min_chars and quote not in pool:
                    pool[quote] = (hashlib.sha256(f"{seed}:{quote}".encode()).hexdigest(), tags[index])
            chosen = _diverse(pool, quoted, per_theme)
            for rank, quote in enumerate(chosen, 1):
                out.append((question, theme, labels[theme], rank, quote, pool[quote][1]))
                quoted.add(quote)
    return pd.DataFrame(out, columns=QUOTE_COLUMNS)


def _diverse(pool: dict[str, tuple[str, str]], quoted: set[str], k: int) -> list[str]:
    candidates = sorted(pool, key=lambda q: pool[q][0])
    chosen: list[str] = []
    shown: set[str] = set()
    while candidates and len(chosen) < k:
        def value(q: str) -> float:
            closest = max((similarity(q, c) for c in chosen), default=0.0)
            return (pool[q][1] not in shown) + 0.5 * (q not in quoted) - closest

        best = max(candidates, key=value)  # max keeps the first of equals: the hash order
        candidates.remove(best)
        if any(similarity(best, c) >= NEAR_DUPLICATE for c in chosen):
            continue
        chosen.append(best)
        shown.add(pool[best][1])
    return chosen
