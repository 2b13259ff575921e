"""Where ideation terms are searched (used by nlp/analysis/ideation.py): sentences, brackets, and the
one-pass search for all lexicon terms in a text.

A term is tried only where the text holds a character its matches can start with, read once
from the term's regex with the standard library's regex parser (``re._parser``; a pattern
whose first characters cannot be told falls back to plain ``finditer``), so a message is not
run through every term's regex character by character.
"""

from __future__ import annotations

import re
import re._constants as _sre  # private: no public API exposes a pattern's first characters
import re._parser as _sre_parser
from typing import Callable, Sequence

from taxonomy.ideation import IdeationTerm

# Sentence ends outside 「」 quotes; spaces and dots separate chat clauses (死にたい　自殺したい…).
# NFKC has already turned … into ... and ‥ into ..
_SENTENCE_END = frozenset("。！？!?\n .")


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; ends inside 「」 or 『』 do not split."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "「『":
            depth += 1
        elif ch in "」』":
            depth = max(0, depth - 1)
        elif ch in _SENTENCE_END and depth == 0:
            if i > start:
                spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _in_brackets(norm: str, start: int, end: int) -> bool:
    """Is norm[start:end] inside (…) or 【…】 (a meta remark: （…希死念慮強めに…）)?"""
    opened = max(norm.rfind("(", 0, start), norm.rfind("【", 0, start))
    if opened < 0 or any(c in norm[opened:start] for c in ")】"):
        return False
    return norm.find(")", end) >= 0 or norm.find("】", end) >= 0



class _TermScanner:
    """All lexicon term matches in a text in one pass: the term ``order``'s matches are those
    of ``terms[order].pattern.finditer(text)``.

    One regex finds the positions holding a character some term's matches can start with
    (:func:`_start_chars`); at each, only the terms starting with that character are tried,
    each resuming after its previous match as ``finditer`` does. Terms whose first characters
    cannot be told run ``finditer`` themselves.
    """

    def __init__(self, terms: Sequence[IdeationTerm]) -> None:
        self._terms = terms
        self._by_char: dict[str, list[tuple[int, Callable]]] = {}  # character -> (order, pattern.match)
        self._plain: list[int] = []
        for order, term in enumerate(terms):
            first = _start_chars(term.pattern)
            if first is None:
                self._plain.append(order)
            for ch in first or ():
                self._by_char.setdefault(ch, []).append((order, term.pattern.match))
        self._positions = re.compile("[" + "".join(map(re.escape, sorted(self._by_char))) + "]").finditer if self._by_char else None
        # Per character, one lookahead over its terms: most positions fail it in one call
        # instead of one call per term (None: a single term, or patterns that cannot be joined).
        self._gates = {ch: _gate([terms[order].pattern for order, _ in entries]) for ch, entries in self._by_char.items()}

    def find(self, text: str) -> list[tuple[int, int, int, int, IdeationTerm, str]]:
        """Each non-empty match as (start, -length, -level, order, term, matched text)."""
        found: list[tuple[int, int, int, int, IdeationTerm, str]] = []
        terms = self._terms
        if self._positions is not None:
            resume = [0] * len(terms)  # each term's next match starts at or after its previous end
            by_char, gates = self._by_char, self._gates
            for position in map(re.Match.start, self._positions(text)):
                ch = text[position]
                gate = gates[ch]
                if gate is not None and gate(text, position) is None:
                    continue  # no term of this character matches here
                for order, match in by_char[ch]:
                    if position >= resume[order]:
                        m = match(text, position)
                        if m is not None:
                            resume[order] = end = m.end()
                            found.append((position, position - end, -terms[order].level, order, terms[order], m.group()))
        for order in self._plain:
            term = terms[order]
            found.extend(
                (m.start(), m.start() - m.end(), -term.level, order, term, m.group())
                for m in term.pattern.finditer(text) if m.end() > m.start()
            )
        return found


def _gate(patterns: list[re.Pattern[str]]) -> Callable | None:
    """``match`` of a lookahead that holds where one of ``patterns`` matches, or None when
    there is only one pattern or they cannot be joined without changing what they match
    (flags, groups)."""
    if len(patterns) < 2 or any(p.flags != re.UNICODE or p.groups for p in patterns):
        return None
    try:
        return re.compile("(?=" + "|".join(f"(?:{p.pattern})" for p in patterns) + ")").match
    except re.error:
        return None


def _start_chars(pattern: re.Pattern[str]) -> set[str] | None:
    """Every character a match of ``pattern`` can start with, or None when that cannot be
    told (a wildcard, a negated class, a back reference, flags, …) or when ``pattern`` can
    match the empty string."""
    if pattern.flags & (re.IGNORECASE | re.LOCALE):
        return None
    try:
        first, nullable = _first_of(_sre_parser.parse(pattern.pattern, pattern.flags).data)
    except (re.error, AttributeError, IndexError, KeyError, TypeError, ValueError):  # an unknown parser shape: plain finditer
        return None
    if first is None or nullable or not first:
        return None
    return first


_MAX_RANGE = 5000  # a wider character range is not expanded (the term gets plain finditer)


def _first_of(items: list) -> tuple[set[str] | None, bool]:
    """(characters a match of the sequence ``items`` can start with, whether it can be empty);
    None for the characters when unknown. Zero-width assertions are skipped (a superset)."""
    first: set[str] = set()
    for op, av in items:
        chars, nullable = _first_op(op, av)
        if chars is None:
            return None, False
        first |= chars
        if not nullable:
            return first, False
    return first, True


def _first_op(op, av) -> tuple[set[str] | None, bool]:
    if op is _sre.LITERAL:
        return {chr(av)}, False
    if op is _sre.IN:
        chars: set[str] = set()
        for item_op, item_av in av:
            if item_op is _sre.LITERAL:
                chars.add(chr(item_av))
            elif item_op is _sre.RANGE and item_av[1] - item_av[0] <= _MAX_RANGE:
                chars.update(map(chr, range(item_av[0], item_av[1] + 1)))
            else:  # NEGATE, CATEGORY (\s, \w …), a huge range
                return None, False
        return chars, False
    if op is _sre.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return (None, False) if add_flags or del_flags else _first_of(sub.data)
    if op is _sre.ATOMIC_GROUP:
        return _first_of(av.data)
    if op is _sre.BRANCH:
        chars = set()
        nullable = False
        for alternative in av[1]:
            alt_chars, alt_nullable = _first_of(alternative.data)
            if alt_chars is None:
                return None, False
            chars |= alt_chars
            nullable = nullable or alt_nullable
        return chars, nullable
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT):
        low, _high, sub = av
        chars, nullable = _first_of(sub.data)
        return chars, nullable or low == 0
    if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
        return set(), True
    return None, False  # ANY, NOT_LITERAL, GROUPREF, GROUPREF_EXISTS, CATEGORY, …
