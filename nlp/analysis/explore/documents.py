"""Documents as word counts: Sudachi normalised forms of the chosen parts of speech.

A word is dropped when it is a stop word, a proper noun of an excluded subtype (人名, 地名),
a lone kana or a symbol, or when it lies inside anything :func:`nlp.text.masking.find_spans` masks
(names before さん, schools, companies, addresses …): masked data never becomes a word.
Text is tokenised once per document; the masker reuses the same tokens.

Example:
    >>> corpus = build_corpus(["学校で先生に怒られた", "学校が怖い"], load_explore_config())
    >>> corpus.words[:2], corpus.documents_per_word().tolist()[:2]  # doctest: +SKIP
    (['学校', '先生'], [2, 1])
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import sparse

from nlp.analysis.explore.config import ExploreConfig
from nlp.text.masking import find_spans
from nlp.text.tokenize import SudachiTokenizer, Token, Tokenizer

_KANA_ONLY_1 = re.compile(r"^[\u3040-\u30ffー]$")
_NO_LETTER = re.compile(r"^[\W_\d]+$")
_EXCLUDED_NOUN_TYPES = {"数詞", "代名詞", "助動詞語幹"}


class _OnceTokenizer:
    """Remembers the tokens of the last text, so masking and counting tokenise it once."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self._text: str | None = None
        self._tokens: list[Token] = []

    def __call__(self, text: str) -> list[Token]:
        if text != self._text:
            self._text, self._tokens = text, self.tokenizer(text)
        return self._tokens


@dataclass
class Corpus:
    """Word counts of the documents: ``counts[d, w]`` is how often word ``words[w]`` occurs in d."""

    words: list[str]
    pos: list[str]  # the label of each word's most frequent part of speech
    counts: sparse.csr_matrix

    @property
    def n_documents(self) -> int:
        return self.counts.shape[0]

    def presence(self) -> sparse.csr_matrix:
        """Binary document × word matrix (1 where the word occurs)."""
        binary = self.counts.copy()
        binary.data = np.ones_like(binary.data)
        return binary

    def documents_per_word(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Number of documents (of ``rows``, a boolean mask or index array; all by default) holding each word."""
        matrix = self.presence() if rows is None else self.presence()[rows]
        return np.asarray(matrix.sum(axis=0)).ravel().astype("int64")

    def frequency_per_word(self, rows: np.ndarray | None = None) -> np.ndarray:
        matrix = self.counts if rows is None else self.counts[rows]
        return np.asarray(matrix.sum(axis=0)).ravel().astype("int64")


def word_of(token: Token, config: ExploreConfig) -> str | None:
    """The counted form of a token (its Sudachi normalised form), or None when it is not counted."""
    pos = token.pos
    if pos[0] not in config.parts_of_speech:
        return None
    if pos[0] == "名詞" and (pos[1] in _EXCLUDED_NOUN_TYPES or pos[2] == "助数詞可能"):
        return None
    if pos[1] == "固有名詞" and pos[2] in config.excluded_proper_nouns:
        return None
    if pos[0] != "名詞" and pos[1] == "非自立可能":
        return None
    lemma = token.lemma
    if lemma in config.stopwords or token.surface in config.stopwords:
        return None
    if _KANA_ONLY_1.match(lemma) or _NO_LETTER.match(lemma):
        return None
    return lemma


def _offsets(tokens: list[Token]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for t in tokens:  # Sudachi surfaces concatenate to the input
        out.append((pos, pos + len(t.surface)))
        pos += len(t.surface)
    return out


def document_words(text: str, config: ExploreConfig, tokenizer: Tokenizer) -> list[tuple[str, str]]:
    """(word, part-of-speech label) of each counted token of ``text``, masked spans left out."""
    once = _OnceTokenizer(tokenizer)
    spans = find_spans(text, tokenizer=once)
    tokens = once(text)
    out: list[tuple[str, str]] = []
    k = 0
    for token, (start, end) in zip(tokens, _offsets(tokens)):
        while k < len(spans) and spans[k].end <= start:
            k += 1
        if k < len(spans) and spans[k].start < end:
            continue  # inside (or touching) a masked span
        word = word_of(token, config)
        if word is not None:
            out.append((word, config.parts_of_speech[token.pos[0]]))
    return out


def build_corpus(texts: Sequence[str], config: ExploreConfig, tokenizer: Tokenizer | None = None) -> Corpus:
    """Count the words of each text (one text per document: a consultation or an open answer).

    Args:
        texts: document texts; long texts are split for Sudachi, never truncated.
        config: parts of speech, stop words and excluded proper nouns.
        tokenizer: Sudachi-compatible tokenizer (default SudachiTokenizer mode C).

    Returns:
        The :class:`Corpus`, words in order of first occurrence.
    """
    tokenizer = tokenizer or SudachiTokenizer()
    index: dict[str, int] = {}
    pos_counts: list[Counter] = []
    rows, cols, values = [], [], []
    for d, text in enumerate(texts):
        counts: Counter = Counter()
        for word, pos in document_words(text or "", config, tokenizer):
            w = index.setdefault(word, len(index))
            if w == len(pos_counts):
                pos_counts.append(Counter())
            pos_counts[w][pos] += 1
            counts[w] += 1
        for w, n in counts.items():
            rows.append(d)
            cols.append(w)
            values.append(n)
    matrix = sparse.csr_matrix((np.array(values, dtype="int64"), (rows, cols)), shape=(len(texts), len(index)))
    words = list(index)
    pos = [max(c.items(), key=lambda kv: (kv[1], kv[0]))[0] for c in pos_counts]
    return Corpus(words, pos, matrix)
