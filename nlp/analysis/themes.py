"""Theme tagging: taxonomy keywords matched on Sudachi normalised forms, weighted into scores.

Each keyword of ``taxonomy/themes.yaml`` is tokenised once, when the tagger is built, into a
tuple of match keys (Sudachi normalised form, kana folded, particles dropped), so いじめ, 虐め
and イジメ all become ``('苛め',)`` and 学校に行きたくない becomes ``('学校', '行く', 'たい', 'ない')``.
Tagging then walks the consultation's tokens once with one dict lookup per token; the longest
keyword starting at a token wins, matches do not overlap, and a negated predicate
(いじめられていない, いじめじゃない, 死にたくない) does not count.

A keyword occurrence adds its weight to its theme and to the ``also`` themes of its sub-theme;
it counts ``lead_boost`` times among the first ``lead_tokens`` tokens and ``statement_boost``
times in an early sentence that states the concern (悩んでいます, 相談です, …について);
repeats of one keyword add ``repeat_decay * ln(count)``. ``themes`` are the themes whose score
reaches ``min_score`` and ``min_share`` of the best. ``primary_theme`` is the listed theme with
the highest ``score * primary_weight``, where ``also`` contributions count ``also_share``;
ties go to the theme listed first in the YAML. ``evidence`` lists the keyword forms (as
written in the YAML) that matched, never the consultation's own text.

Example:
    >>> tagger = ThemeTagger()
    >>> result = tagger.tag("最近学校でイジメられていて、学校に行きたくないです。")
    >>> result.primary_theme, "いじめ" in result.evidence
    ('school', True)
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from itertools import compress, count, islice, repeat
from operator import eq, getitem
from typing import Sequence

from nlp.text.normalize import fold_kana, normalize_text
from nlp.text.tokenize import SudachiTokenizer, Token, Tokenizer, part_of_speech
from taxonomy.themes import Keyword, Taxonomy, load_taxonomy

_SKIP_POS = frozenset({"助詞"})  # dropped from keys and text alike: 学校に/学校へ/学校 all match 学校
_BOUNDARY_POS = frozenset({"補助記号", "空白"})  # punctuation and newlines end a multi-token match
_BOUNDARY = "\x00"
_SKIP, _WORD, _END = 0, 1, 2  # token kinds: dropped, matched by its lemma, boundary
_POS_KIND = {**dict.fromkeys(_SKIP_POS, _SKIP), **dict.fromkeys(_BOUNDARY_POS, _END)}  # first POS field -> kind
_LEMMA_FOLD = {"無い": "ない"}  # Sudachi gives both for the negative ない depending on context
_NEGATIONS = frozenset({"ない", "ず", "ぬ"})
# Auxiliaries that may stand between a predicate and its negation: いじめられていない, 殴られなかった,
# いじめられたことはない. たい is not here: いじめられたくない still speaks of bullying.
_NEGATION_GAP = frozenset({"れる", "られる", "せる", "させる", "てる", "居る", "ちゃう", "ます", "だ", "です", "た", "こと", "訳"})
_COPULA = frozenset({"だ", "です"})
_PREDICATE_POS = frozenset({"動詞", "形容詞", "助動詞"})


@dataclass(frozen=True)
class ThemeResult:
    """What the tagger found in one consultation.

    Attributes:
        themes: theme ids with enough evidence, highest score first.
        primary_theme: the one theme that names the consultation, or None without evidence.
        evidence: the matched keywords (as written in the taxonomy) of the listed themes.
        scores: theme id -> weighted evidence, for every theme with any match.
        subthemes: sub-themes with enough evidence of their own.
    """

    themes: tuple[str, ...]
    primary_theme: str | None
    evidence: tuple[str, ...]
    scores: dict[str, float]
    subthemes: tuple[str, ...]


def match_key(token: Token) -> str | None:
    """The form a token is matched by: None for particles, a boundary mark for punctuation."""
    pos0 = token[2][0]
    if pos0 in _SKIP_POS:
        return None
    if pos0 in _BOUNDARY_POS:
        return _BOUNDARY
    lemma = token[1]
    return _LEMMA_FOLD.get(lemma) or fold_kana(lemma)


class _KeyCache(dict):
    """Lemma -> match key (kana folded), filled on first use."""

    def __missing__(self, lemma: str) -> str:
        value = self[lemma] = _LEMMA_FOLD.get(lemma) or fold_kana(lemma)
        return value


class _ConstantCache(dict):
    """Any lemma -> one value (the key of every boundary token), stored on first use so
    later lookups stay in C."""

    def __init__(self, value: str | None) -> None:
        super().__init__()
        self.value = value

    def __missing__(self, lemma: str) -> str | None:
        self[lemma] = self.value
        return self.value


class _PosKinds(dict):
    """Sudachi part-of-speech id -> token kind, filled on first use."""

    def __missing__(self, pos_id: int) -> int:
        value = self[pos_id] = _POS_KIND.get(part_of_speech(pos_id)[0], _WORD)
        return value


class ThemeTagger:
    """Tags consultations with the themes of a taxonomy.

    Args:
        taxonomy: default the packaged ``taxonomy/themes.yaml``.
        tokenizer: used to compile keywords and by :meth:`tag`; default :class:`SudachiTokenizer`.
        min_score, min_share, min_subtheme_score, lead_tokens, lead_boost, statement_tokens,
        statement_boost, repeat_decay, also_share: override the taxonomy's ``scoring`` section.
    """

    def __init__(
        self,
        *,
        taxonomy: Taxonomy | None = None,
        tokenizer: Tokenizer | None = None,
        min_score: float | None = None,
        min_share: float | None = None,
        min_subtheme_score: float | None = None,
        lead_tokens: float | None = None,
        lead_boost: float | None = None,
        statement_tokens: float | None = None,
        statement_boost: float | None = None,
        repeat_decay: float | None = None,
        also_share: float | None = None,
    ) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self.tokenizer = tokenizer or SudachiTokenizer()
        rules = dict(self.taxonomy.scoring)
        overrides = {
            "min_score": min_score, "min_share": min_share, "min_subtheme_score": min_subtheme_score,
            "lead_tokens": lead_tokens, "lead_boost": lead_boost, "statement_tokens": statement_tokens,
            "statement_boost": statement_boost, "repeat_decay": repeat_decay, "also_share": also_share,
        }
        for name, value in overrides.items():
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"The {name!r} parameter of ThemeTagger must be a number >= 0. Got {value!r}.")
            rules[name] = float(value)
        self.rules = rules
        self._order = {theme: i for i, theme in enumerate(self.taxonomy.themes)}
        self._keywords: list[Keyword] = list(self.taxonomy.keywords)
        self._key_cache = _KeyCache()
        # the key of a token by its kind (_SKIP, _WORD, _END): a table per kind keeps it one lookup
        self._key_tables = (_ConstantCache(None), self._key_cache, _ConstantCache(_BOUNDARY))
        self._pos_kinds = _PosKinds()
        self._markers: dict[str, list[tuple[str, ...]]] = {}
        for marker in self.taxonomy.statement_markers:
            lemmas = tuple(t[1] for t in self.tokenizer(normalize_text(marker)))
            if lemmas:
                self._markers.setdefault(lemmas[0], []).append(lemmas)
        self._index, self.conflicts = self._compile()

    def _compile(self) -> tuple[dict[str, list[tuple[tuple[str, ...], int, str, str]]], list[str]]:
        """First key -> [(remaining keys, keyword number, negation kind, form)], longest first; plus
        conflicts found. The kind says how the keyword can be negated: "predicate" (いじめられて
        いない), "noun" (いじめじゃない) or "" (the keyword is itself negative: 眠れない)."""
        owner: dict[tuple[str, ...], int] = {}
        negatable: dict[tuple[str, ...], str] = {}
        shown: dict[tuple[str, ...], str] = {}
        conflicts: list[str] = []
        for number, keyword in enumerate(self._keywords):
            for form in keyword.variants:
                tokens = [t for t in self.tokenizer(normalize_text(form)) if match_key(t) not in (None, _BOUNDARY)]
                keys = tuple(match_key(t) for t in tokens)
                if not keys:
                    conflicts.append(f"keyword {form!r} ({_where(keyword)}) has no content word to match")
                    continue
                shown.setdefault(keys, form)  # evidence shows the first form written for these keys
                if keys not in negatable:
                    negatable[keys] = "" if keys[-1] in _NEGATIONS else "predicate" if tokens[-1][2][0] in _PREDICATE_POS else "noun"
                first = owner.setdefault(keys, number)
                other = self._keywords[first]
                if first != number and (other.theme, other.subtheme) != (keyword.theme, keyword.subtheme):
                    conflicts.append(
                        f"keyword {form!r} ({_where(keyword)}) and {other.term!r} ({_where(other)}) "
                        f"both match the normalised form {' '.join(keys)!r}"
                    )
        index: dict[str, list[tuple[tuple[str, ...], int, str, str]]] = {}
        for keys, number in owner.items():
            index.setdefault(keys[0], []).append((keys[1:], number, negatable[keys], shown[keys]))
        for entries in index.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        return index, conflicts

    def tag(self, text: str) -> ThemeResult:
        """Tokenise ``text`` (one consultation's client text) and tag it."""
        return self.tag_text(text)

    def tag_text(self, text: str, tokenizer: Tokenizer | None = None) -> ThemeResult:
        """Tokenise ``text`` with ``tokenizer`` (default the tagger's) and tag it: the result of
        ``tag_tokens(tokenizer(text))``, read straight from Sudachi with a
        :class:`SudachiTokenizer` (no Token tuples, part of speech by id: much cheaper)."""
        tokenizer = tokenizer if tokenizer is not None else self.tokenizer
        if not isinstance(tokenizer, SudachiTokenizer):
            return self.tag_tokens(tokenizer(text))
        lemmas, pos_ids = tokenizer.lemmas_and_pos_ids(text)
        kinds = list(map(self._pos_kinds.__getitem__, pos_ids))
        return self._score(self._count(*self._kind_keys(lemmas, kinds)))

    def keyword_counts(self, tokens: Sequence[Token]) -> dict[int, tuple[int, float, tuple[str, ...]]]:
        """Keyword number -> (occurrences, highest position boost, forms matched), longest match
        first, negated occurrences (いじめられていない) left out.

        An occurrence among the first ``lead_tokens`` keys gets ``lead_boost``; one in a
        sentence that states a concern (a ``statement_markers`` word: 悩む, 相談, について …)
        within the first ``statement_tokens`` keys gets ``statement_boost``.
        """
        return self._count(*self._keys(tokens))

    def _count(self, keys: list[str], boundaries: list[int], stated: set[int]) -> dict[int, tuple[int, float, tuple[str, ...]]]:
        index, rules = self._index, self.rules
        lead, statement_end = rules["lead_tokens"], rules["statement_tokens"]
        lead_boost, statement_boost = rules["lead_boost"], rules["statement_boost"]
        found: dict[int, tuple[int, float, tuple[str, ...]]] = {}
        n = len(keys)
        resume = 0  # a match covers keys up to here; the next one starts at or after it
        for i in compress(range(n), map(index.__contains__, keys)):  # only keys that start a keyword
            if i < resume:
                continue
            for rest, number, kind, form in index[keys[i]]:
                end = i + 1 + len(rest)
                if not rest or (end <= n and tuple(keys[i + 1 : end]) == rest):
                    resume = end
                    if kind and _negated(keys, end, kind):
                        break
                    boost = lead_boost if i < lead else 1.0
                    # the sentence of key i is the number of boundaries before it
                    if i < statement_end and bisect_left(boundaries, i) in stated and statement_boost > boost:
                        boost = statement_boost
                    count, best, forms = found.get(number, (0, 1.0, ()))
                    found[number] = (count + 1, boost if boost > best else best, forms if form in forms else forms + (form,))
                    break
        return found

    def _keys(self, tokens: Sequence[Token]) -> tuple[list[str], list[int], set[int]]:
        """:meth:`_lemma_keys` of tokens."""
        return self._lemma_keys([t[1] for t in tokens], [t[2][0] for t in tokens])

    def _lemma_keys(self, lemmas: Sequence[str], pos0s: Sequence[str]) -> tuple[list[str], list[int], set[int]]:
        """Match keys (particles dropped, punctuation as a boundary mark), then, for the first
        ``statement_tokens`` keys only (no later key can get the statement boost), the positions
        of the boundary marks and the sentences (numbered from 0) holding a statement marker.

        The passes over tokens run in C (map, compress); Python code runs only where a
        statement marker may start.

        Args:
            lemmas: each token's lemma; pos0s: each token's first part-of-speech field.
        """
        return self._kind_keys(lemmas, list(map(_POS_KIND.get, pos0s, repeat(_WORD))))

    def _kind_keys(self, lemmas: Sequence[str], kinds: list[int]) -> tuple[list[str], list[int], set[int]]:
        """:meth:`_lemma_keys` from each token's kind (_SKIP, _WORD or _END) instead of its
        first part-of-speech field."""
        keys = list(compress(map(getitem, map(self._key_tables.__getitem__, kinds), lemmas), kinds))  # _SKIP is 0
        # sentence numbers matter for the first statement_tokens keys only
        limit = min(len(keys), math.ceil(self.rules["statement_tokens"]))
        if not limit:
            return keys, [], set()
        key_tokens = islice(compress(count(), kinds), limit)  # the token positions of keys 0 .. limit - 1
        boundaries = list(compress(count(), map(eq, map(kinds.__getitem__, key_tokens), repeat(_END))))
        last_sentence = len(boundaries)  # the sentence of key limit - 1, at most
        # the token positions of the boundaries closing sentences 0 .. last_sentence
        ends = list(islice(compress(count(), map(eq, kinds, repeat(_END))), last_sentence + 1))
        stop = ends[-1] + 1 if len(ends) > last_sentence else len(kinds)
        return keys, boundaries, self._stated(lemmas, stop, ends)

    def _stated(self, lemmas: Sequence[str], stop: int, ends: list[int]) -> set[int]:
        """The sentences holding a statement marker (a marker's lemmas starting at one of the
        sentence's tokens, its closing boundary included), among the tokens before ``stop``.

        Args:
            lemmas: each token's lemma.
            stop: the end of the last sentence that matters; ends: the positions of the
                boundary tokens before it.
        """
        markers = self._markers
        stated: set[int] = set()
        for i in compress(range(stop), map(markers.__contains__, lemmas)):
            # (a marker running past the last token is cut short by the slice: no match)
            if any(tuple(lemmas[i : i + len(marker)]) == marker for marker in markers[lemmas[i]]):
                stated.add(bisect_left(ends, i))  # the sentence of token i: the boundaries before it
        return stated

    def tag_tokens(self, tokens: Sequence[Token]) -> ThemeResult:
        """Tag one consultation from its tokens (the pipeline tokenises once and passes them)."""
        return self._score(self.keyword_counts(tokens))

    def tag_with_keys(self, tokens: Sequence[Token]) -> tuple[ThemeResult, list[str]]:
        """The tag and the text's match keys (normalised forms, no particles or punctuation),
        computed in one pass: what :class:`nlp.analysis.theme_model.ThemeModel` uses as features."""
        keys, boundaries, stated = self._keys(tokens)
        result = self._score(self._count(keys, boundaries, stated))
        return result, [k for k in keys if k != _BOUNDARY]

    def _score(self, counts: dict[int, tuple[int, float, tuple[str, ...]]]) -> ThemeResult:
        rules = self.rules
        decay, also_share = rules["repeat_decay"], rules["also_share"]
        scores: dict[str, float] = {}
        primary_scores: dict[str, float] = {}
        sub_scores: dict[str, float] = {}
        contributions: list[tuple[float, tuple[str, ...], str]] = []  # (points, forms, theme)
        for number, (occurrences, boost, forms) in counts.items():
            keyword = self._keywords[number]
            points = keyword.weight * (boost + decay * math.log(occurrences))
            for theme in (keyword.theme, *keyword.also):
                scores[theme] = scores.get(theme, 0.0) + points
                share = 1.0 if theme == keyword.theme else also_share
                primary_scores[theme] = primary_scores.get(theme, 0.0) + share * points
                contributions.append((points, forms, theme))
            if keyword.subtheme:
                sub_scores[keyword.subtheme] = sub_scores.get(keyword.subtheme, 0.0) + points
        return self._decide(scores, primary_scores, sub_scores, contributions)

    def _decide(self, scores: dict[str, float], primary_scores: dict[str, float], sub_scores: dict[str, float], contributions: list) -> ThemeResult:
        rules, order = self.rules, self._order
        best = max(scores.values(), default=0.0)
        floor = max(rules["min_score"], rules["min_share"] * best)
        themes = sorted((t for t, s in scores.items() if s >= floor), key=lambda t: (-scores[t], order[t]))
        weights = self.taxonomy.primary_weights
        primary = min(themes, key=lambda t: (-primary_scores[t] * weights[t], order[t])) if themes else None
        listed = set(themes)
        evidence: dict[str, None] = {}
        for _, forms, _theme in sorted((c for c in contributions if c[2] in listed), key=lambda c: (-c[0], c[1])):
            for form in forms:
                evidence.setdefault(form, None)
        subthemes = tuple(
            name for name, s in sorted(sub_scores.items(), key=lambda item: -item[1])
            if s >= rules["min_subtheme_score"] and self.taxonomy.subthemes[name].parent in listed
        )
        return ThemeResult(
            themes=tuple(themes),
            primary_theme=primary,
            evidence=tuple(evidence),
            scores={t: round(s, 3) for t, s in sorted(scores.items(), key=lambda item: order[item[0]])},
            subthemes=subthemes,
        )


def _negated(keys: list[str], end: int, kind: str) -> bool:
    """Whether the match ending before ``end`` is negated: いじめられていない, いじめじゃない."""
    if kind == "noun" and (end >= len(keys) or keys[end] not in _COPULA):
        return False
    for key in keys[end : end + 5]:
        if key in _NEGATIONS:
            return True
        if key not in _NEGATION_GAP:
            return False
    return False


def _where(keyword: Keyword) -> str:
    return f"subthemes.{keyword.subtheme}" if keyword.subtheme else f"themes.{keyword.theme}"
