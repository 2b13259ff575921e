"""Stop words for topic discovery and the filter that turns tokens into topic words.

The list lives in ``taxonomy/topic_stopwords.yaml`` so analysts can edit it without code.
Each entry also stands for its Sudachi normalised form (お願い → 御願い), because tokens are
compared by lemma.

Example:
    >>> words = load_topic_stopwords()
    >>> "こと" in words, "学校" in words
    (True, False)
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from nlp.text.tokenize import SudachiTokenizer, Token, is_content_word

DEFAULT_STOPWORDS_PATH = Path(__file__).resolve().parents[2] / "taxonomy" / "topic_stopwords.yaml"
_KANA_ONLY_1 = re.compile(r"^[\u3040-\u30ffー]$")
_NO_LETTER = re.compile(r"^[\W_\d]+$")


class StopwordsError(ValueError):
    """The stop-word file is unreadable or malformed; the message names the file and the key."""


def load_topic_stopwords(path: str | Path | None = None) -> frozenset[str]:
    """Read the topic stop words and add the Sudachi normalised form of each entry.

    Args:
        path: YAML file with ``version`` and ``stopwords`` (category → list of words);
            defaults to ``taxonomy/topic_stopwords.yaml``.

    Returns:
        The stop words as written plus their normalised forms.

    Raises:
        StopwordsError: the file cannot be read or a key has the wrong type.
    """
    return _load(str(Path(path or DEFAULT_STOPWORDS_PATH).resolve()))


@lru_cache(maxsize=4)
def _load(path: str) -> frozenset[str]:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise StopwordsError(f"{path}: cannot read the topic stop words ({error})") from error
    return frozenset(with_normalised_forms(_validate(raw, path)))


def with_normalised_forms(words: list[str]) -> set[str]:
    """Each word plus its Sudachi normalised form when it is one morpheme (居る → いる), so a
    stop word matches the lemmas the tokenizer yields."""
    tokenize = SudachiTokenizer()
    normalised = set(words)
    for word in words:
        tokens = tokenize(word)
        if len(tokens) == 1:
            normalised.add(tokens[0].lemma)
    return normalised


def _validate(raw: Any, path: str) -> list[str]:
    if not isinstance(raw, Mapping) or set(raw) - {"version", "stopwords"}:
        raise StopwordsError(f"{path}: must be a mapping with keys ['stopwords', 'version']; got {raw!r:.80}")
    if not isinstance(raw.get("version"), (int, str)):
        raise StopwordsError(f"{path}: version must be a number or string; got {raw.get('version')!r}")
    groups = raw.get("stopwords")
    if not isinstance(groups, Mapping):
        raise StopwordsError(f"{path}: stopwords must map a category to a list of words; got {groups!r:.80}")
    words: list[str] = []
    for category, items in groups.items():
        if not isinstance(items, list) or not all(isinstance(w, str) and w.strip() for w in items):
            raise StopwordsError(f"{path}: stopwords.{category} must be a list of non-empty strings; got {items!r:.80}")
        words.extend(w.strip() for w in items)
    return words


def is_topic_word(token: Token, stopwords: frozenset[str]) -> bool:
    """A content word that can describe a topic: no stop word, person name, lone kana or symbol.

    Person names (固有名詞・人名) are dropped so topic words never name anyone.
    """
    if not is_content_word(token) or token.lemma in stopwords or token.surface in stopwords:
        return False
    if token.pos[1] == "固有名詞" and token.pos[2] == "人名":
        return False
    return not (_KANA_ONLY_1.match(token.lemma) or _NO_LETTER.match(token.lemma))


def topic_words(tokens: Iterable[Token], stopwords: frozenset[str]) -> list[Token]:
    """The tokens of one document that may describe its topic, in text order."""
    return [t for t in tokens if is_topic_word(t, stopwords)]


def filter_rare(
    token_lists: Sequence[Sequence[Token]], min_documents: int
) -> list[list[Token]]:
    """Drop lemmas used in fewer than ``min_documents`` documents (rare words may identify a writer).

    Args:
        token_lists: the topic words of each document.
        min_documents: smallest number of documents a lemma must occur in.

    Returns:
        The same lists without the rare lemmas.
    """
    counts: dict[str, int] = {}
    for tokens in token_lists:
        for lemma in {t.lemma for t in tokens}:
            counts[lemma] = counts.get(lemma, 0) + 1
    return [[t for t in tokens if counts[t.lemma] >= min_documents] for tokens in token_lists]
