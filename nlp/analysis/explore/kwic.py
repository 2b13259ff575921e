"""KWIC concordance: a term in its context, from masked client messages only.

Each message is masked whole (:func:`nlp.text.masking.mask_text`) before the window is cut, so a
window can never hold part of a name, number or address the mask would have hidden. The term is
found by Sudachi normalised form (行きたくない finds 行く), never inside a placeholder.
Rules:

- messages with any ideation signal (level >= 1, past attempt, self-harm, someone else's
  ideation) are skipped unless ``include_ideation``;
- no line is shown when the term occurs in fewer than ``min_cell`` documents (consultations or
  answers) of the eligible messages, or when the selected group has fewer than ``min_cell``
  documents: a rare term, or a small group, can identify its writer;
- lines carry no id or attribute, only left context, keyword and right context.

Example:
    >>> result = concordance([["学校に行きたくない"]] * 10, "学校", min_cell=10)  # doctest: +SKIP
    >>> result.lines.iloc[0].tolist()
    ['', '学校', 'に行きたくない']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, Sequence

import pandas as pd

from nlp.text.masking import PLACEHOLDERS, mask_text
from nlp.text.tokenize import SudachiTokenizer, Tokenizer

KWIC_COLUMNS = ["left", "keyword", "right"]
_PLACEHOLDER = re.compile("|".join(map(re.escape, PLACEHOLDERS.values())))


@dataclass
class Concordance:
    """The lines and why there are none (``reason`` is empty when lines are shown)."""

    term: str
    lines: pd.DataFrame
    documents: int  # documents with a hit (0 when not shown, so a small count never leaks)
    reason: str = ""


def _term_lemmas(term: str, tokenizer: Tokenizer) -> list[str]:
    tokens = tokenizer(unicodedata.normalize("NFKC", term.strip()))
    return [t.lemma for t in tokens if t.surface.strip()]


def _hits(text: str, lemmas: list[str], tokenizer: Tokenizer) -> list[tuple[int, int]]:
    """Character spans of the token sequences whose normalised forms (or surfaces) are ``lemmas``."""
    tokens = tokenizer(text)
    offsets, pos = [], 0
    for t in tokens:
        offsets.append((pos, pos + len(t.surface)))
        pos += len(t.surface)
    blocked = [m.span() for m in _PLACEHOLDER.finditer(text)]
    n, out = len(lemmas), []
    for i in range(len(tokens) - n + 1):
        if all(tokens[i + k].lemma == lemmas[k] or tokens[i + k].surface == lemmas[k] for k in range(n)):
            start, end = offsets[i][0], offsets[i + n - 1][1]
            if not any(s < end and start < e for s, e in blocked):
                out.append((start, end))
    return out


def _one_line(text: str) -> str:
    return " ".join(text.split())


def concordance(
    documents: Sequence[Sequence[str]],
    term: str,
    *,
    min_cell: int = 10,
    width: int = 20,
    limit: int = 100,
    include_ideation: bool = False,
    mask: Callable[[str], str] | None = None,
    tokenizer: Tokenizer | None = None,
    scorer=None,
) -> Concordance:
    """Masked keyword-in-context lines of ``term``.

    Args:
        documents: each document's client messages (a consultation) or one answer in a list.
        term: the word to find (any spelling; matched by Sudachi normalised form).
        min_cell: smallest number of documents the term (and the group given) must occur in.
        width: characters of context each side.
        limit: most lines returned (in document order).
        include_ideation: also read messages with ideation content (the analyst's explicit choice).
        mask: the masking function (default :func:`nlp.text.masking.mask_text`).
        tokenizer: Sudachi-compatible tokenizer (default SudachiTokenizer mode C).
        scorer: an :class:`nlp.analysis.ideation.IdeationScorer` (default the packaged lexicon).

    Returns:
        A :class:`Concordance`; its lines are empty with a reason when a rule forbids showing them.
    """
    if not term or not term.strip():
        raise ValueError("The 'term' parameter must be a non-empty word. Got an empty string.")
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 1:
        raise ValueError(f"The 'min_cell' parameter must be an integer >= 1. Got {min_cell!r}.")
    if width < 1 or limit < 1:
        raise ValueError(f"The 'width' and 'limit' parameters must be integers >= 1. Got {width!r}, {limit!r}.")
    tokenizer = tokenizer or SudachiTokenizer()
    mask = mask or (lambda text: mask_text(text, tokenizer=tokenizer))
    if scorer is None and not include_ideation:
        from nlp.analysis.ideation import IdeationScorer

        scorer = IdeationScorer()
    lemmas = _term_lemmas(term, tokenizer)
    empty = pd.DataFrame(columns=KWIC_COLUMNS)
    if len(documents) < min_cell:
        return Concordance(term, empty, 0, f"対象の文書が最小セル数（{min_cell}）未満のため表示しません。")
    if not lemmas:
        return Concordance(term, empty, 0, "語を認識できませんでした。")
    lines: list[tuple[str, str, str]] = []
    with_hit = 0
    for messages in documents:
        found = False
        for message in messages:
            if not message or not include_ideation and _ideation_content(scorer, message):
                continue
            if not _hits(unicodedata.normalize("NFKC", message), lemmas, tokenizer):
                continue  # a cheap look before masking
            masked = mask(message)
            for start, end in _hits(masked, lemmas, tokenizer):
                found = True
                lines.append((_one_line(masked[max(0, start - width):start]), masked[start:end],
                              _one_line(masked[end:end + width])))
        with_hit += found
    if with_hit < min_cell:
        return Concordance(term, empty, 0, f"「{term}」を含む文書が最小セル数（{min_cell}）未満のため表示しません。")
    return Concordance(term, pd.DataFrame(lines[:limit], columns=KWIC_COLUMNS), with_hit)


def text_lines(lines: pd.DataFrame, width: int) -> list[str]:
    """The concordance as ``soudan kwic`` prints it: left context right-aligned to ``width``, 【term】, right."""
    return [f"{left:>{width}}【{keyword}】{right}" for left, keyword, right in lines.itertuples(index=False)]


def _ideation_content(scorer, message: str) -> bool:
    scored = scorer.score_message(message)
    return scored.level >= 1 or scored.past_attempt or scored.self_harm or scored.third_party


def read_documents(inputs: Sequence[str], *, fmt: str = "auto", mapping: str | None = None,
                   where: Sequence[str] = ()) -> list[list[str]]:
    """Client messages of each consultation of the input files, keeping those matching ``where``.

    Args:
        inputs: files or folders, as for ``soudan run``.
        fmt: input format (auto, csv, xlsx, jsonl, parquet, kokorochat).
        mapping: column mapping YAML.
        where: ``COLUMN=VALUE`` filters (age_band=10代, gender=女性, prefecture=熊本県 …), all must hold.

    Raises:
        ValueError: a filter is not COLUMN=VALUE or names an unknown column.
    """
    from nlp.analysis.analyse import ATTRIBUTE_COLUMNS, group_consultations
    from nlp.ingest.messages import read_inputs

    filters = []
    for item in where:
        column, sep, value = item.partition("=")
        if not sep or column.strip() not in ATTRIBUTE_COLUMNS:
            raise ValueError(f"The '--where' option must be COLUMN=VALUE with COLUMN one of {ATTRIBUTE_COLUMNS}. Got {item!r}.")
        filters.append((column.strip(), value.strip()))
    groups = group_consultations(read_inputs(list(inputs), fmt=fmt, mapping=mapping).messages)
    for column, value in filters:
        groups = groups[groups[column].astype(str) == value]
    return [list(m) for m in groups["messages"]]
