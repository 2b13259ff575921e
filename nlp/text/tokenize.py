"""SudachiPy tokenisation that never truncates: long text is split at sentence ends.

SudachiPy refuses input over ~48 KB ("Input is too long"), so text is cut into chunks of at
most ``max_chunk_bytes`` UTF-8 bytes, preferably after 。！？ or a newline.

Example:
    >>> tok = SudachiTokenizer()
    >>> [t.lemma for t in tok("学校に行きたくない")][:2]
    ['学校', 'に']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterator, NamedTuple, Protocol

MAX_CHUNK_BYTES = 30_000
# The dictionary fields a Token needs (the surface comes from the text). A Sudachi tokenizer
# loading only these splits text the same way (segmentation reads none of them; the plugins
# joining numbers and katakana read only these) and runs ~5 % faster than one loading all.
TOKEN_FIELDS = frozenset({"normalized_form", "pos"})
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Token(NamedTuple):
    surface: str
    lemma: str  # Sudachi normalized_form: 為る→する, 有る→ある, ﾀﾋ→タヒ
    pos: tuple[str, ...]  # Sudachi part of speech, six fields: ('名詞', '普通名詞', ...)


class Tokenizer(Protocol):
    """Anything that turns a text into tokens; the default is :class:`SudachiTokenizer`."""

    def __call__(self, text: str) -> list[Token]: ...


def split_for_tokenizer(text: str, max_bytes: int = MAX_CHUNK_BYTES) -> Iterator[str]:
    """Yield pieces of ``text``, each at most ``max_bytes`` in UTF-8, joined they give ``text``."""
    if len(text) * 4 <= max_bytes or len(text.encode("utf-8", "replace")) <= max_bytes:
        if text:
            yield text
        return
    chunk: list[str] = []
    size = 0
    for sentence in _SENTENCE_END.split(text):
        for piece in _hard_split(sentence, max_bytes):
            n = len(piece.encode("utf-8", "replace"))
            if size + n > max_bytes and chunk:
                yield "".join(chunk)
                chunk, size = [], 0
            chunk.append(piece)
            size += n
    if chunk:
        yield "".join(chunk)


def _hard_split(sentence: str, max_bytes: int) -> Iterator[str]:
    """A sentence longer than the limit is cut by characters (a 4-byte character at most)."""
    if len(sentence.encode("utf-8", "replace")) <= max_bytes:
        yield sentence
        return
    step = max_bytes // 4
    for start in range(0, len(sentence), step):
        yield sentence[start : start + step]


class _PosCache(dict):
    """Part-of-speech id → six-field tuple, filled on first use."""

    def __missing__(self, pos_id: int) -> tuple[str, ...]:
        value = self[pos_id] = tuple(_dictionary().pos_of(pos_id))
        return value


@lru_cache(maxsize=1)
def _dictionary():
    from sudachipy import Dictionary

    return Dictionary(dict="core")


def part_of_speech(pos_id: int) -> tuple[str, ...]:
    """The six part-of-speech fields of a Sudachi part-of-speech id."""
    return tuple(_dictionary().pos_of(pos_id))


@lru_cache(maxsize=1)
def _morpheme_readers() -> tuple[Callable, Callable]:
    """``Morpheme.normalized_form`` and ``Morpheme.part_of_speech_id``, to ``map`` over morphemes."""
    from sudachipy import Morpheme

    return Morpheme.normalized_form, Morpheme.part_of_speech_id


class SudachiTokenizer:
    """SudachiPy (sudachidict-core) tokenizer, split mode C by default.

    Args:
        mode: Sudachi split mode, "A", "B" or "C".
        max_chunk_bytes: longest piece handed to Sudachi at once.
    """

    def __init__(self, *, mode: str = "C", max_chunk_bytes: int = MAX_CHUNK_BYTES) -> None:
        if mode not in {"A", "B", "C"}:
            raise ValueError(f"The 'mode' parameter of SudachiTokenizer must be 'A', 'B' or 'C'. Got {mode!r}.")
        self.mode = mode
        self.max_chunk_bytes = max_chunk_bytes
        self._tokenizer = None
        self._pos_cache = _PosCache()

    def _get(self):
        if self._tokenizer is None:
            from sudachipy import SplitMode

            self._tokenizer = _dictionary().create(mode=getattr(SplitMode, self.mode), fields=set(TOKEN_FIELDS))
        return self._tokenizer

    def _morphemes(self, text: str) -> Iterator:
        """Sudachi's morpheme list of each chunk of ``text``."""
        tokenizer = self._get()
        for chunk in split_for_tokenizer(text, self.max_chunk_bytes):
            try:
                yield tokenizer.tokenize(chunk)
            except UnicodeEncodeError:  # a lone surrogate (argv or a JSON escape) cannot reach Sudachi
                yield tokenizer.tokenize(_LONE_SURROGATE.sub("\ufffd", chunk))

    def __call__(self, text: str) -> list[Token]:
        pos_of = self._pos_cache
        new = tuple.__new__  # plain tuple construction: NamedTuple's __new__ costs ~10 % here
        tokens: list[Token] = []
        for morphemes in self._morphemes(text):
            tokens.extend([new(Token, (m.surface(), m.normalized_form(), pos_of[m.part_of_speech_id()])) for m in morphemes])
        return tokens

    def lemmas_and_pos_ids(self, text: str) -> tuple[list[str], list[int]]:
        """What theme tagging reads, at a fraction of the cost of :meth:`__call__`.

        Args:
            text: any text (chunked like :meth:`__call__`).

        Returns:
            ``[t.lemma for t in tokens]`` and each token's Sudachi part-of-speech id (``t.pos``
            is :func:`part_of_speech` of it) for the tokens :meth:`__call__` returns.
        """
        normalized_form, part_of_speech_id = _morpheme_readers()
        lemmas: list[str] = []
        pos_ids: list[int] = []
        for morpheme_list in self._morphemes(text):
            morphemes = list(morpheme_list)  # each iteration of a MorphemeList builds new objects
            lemmas += map(normalized_form, morphemes)
            pos_ids += map(part_of_speech_id, morphemes)
        return lemmas, pos_ids

    def __getstate__(self) -> dict:  # Sudachi objects do not pickle; rebuild in each worker.
        return {"mode": self.mode, "max_chunk_bytes": self.max_chunk_bytes}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)


CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞"}
EXCLUDED_NOUN_TYPES = {"数詞", "助動詞語幹"}


def is_content_word(token: Token) -> bool:
    """Nouns, verbs, adjectives and adjectival nouns, not numerals, pronouns or symbols."""
    if token.pos[0] not in CONTENT_POS:
        return False
    if token.pos[0] == "名詞" and (token.pos[1] in EXCLUDED_NOUN_TYPES or token.pos[2] == "助数詞可能"):
        return token.pos[1] == "固有名詞"
    return token.pos[1] != "非自立可能"
