"""Suicide-ideation scoring of client messages (DESIGN.md, "Suicide-ideation levels").

Levels per message (first person, current): 0 none, 1 passive death wish 希死念慮, 2 active
suicidal thought 自殺念慮, 3 method/plan/preparation, 4 attempt or self-harm now or just now.
Negation, hyperbole and idioms, dying after a full life (やり切って死にたい), someone else's
ideation (flag ``third_party``; also hearsay …みたいで and acts towards the writer …送ってきて),
questions about others and ideation that is explicitly over score 0; an attempt or self-harm
reported as past flags ``past_attempt``. A consultation's level is the highest level of its client messages.

Fast path: one prefilter regex on the raw message (it spells out kana, half-width and
full-width forms); only messages with an anchor are normalised and searched for lexicon
terms, and only the sentences holding a term get the context rules. All terms are searched
in one pass over the message: a term is tried only where the text holds a character its
matches can start with (read from its regex once), so a message is not run through every
term's regex character by character. The lexicon is taxonomy/ideation.yaml.

Evidence strings name the lexicon term, the rule and the matched term only, e.g.
``"L1:current:shinitai=しにたい"``, ``"L0:negation:shinitai=死にたく"``, ``"強い:毎日"``.

This scoring supports analysis; it never replaces a counsellor's judgement.

Example:
    >>> scorer = IdeationScorer()
    >>> scorer.score_message("毎日ｼﾆﾀｲ").level
    1
    >>> scorer.score_message("死ぬほど眠い").level
    0
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from nlp.normalize import normalize_for_matching
from nlp.ideation_scan import _TermScanner  # noqa: F401  (tests import it from here)
from taxonomy.ideation import IdeationLexicon, IdeationTerm, load_ideation_lexicon

STRENGTHS = ("強い", "少し", "なし")
MAX_EVIDENCE = 20
# A person is the subject of a term at most this many characters before it (友達が最近また死にたい).
MAX_SUBJECT_GAP = 10
# Reported speech looks this far back in the message for the person who spoke.
MAX_SPEAKER_LOOKBACK = 200
# Sentence ends outside 「」 quotes; spaces and dots separate chat clauses (死にたい　自殺したい…).
# NFKC has already turned … into ... and ‥ into ..
_SENTENCE_END = frozenset("。！？!?\n .")


@dataclass(frozen=True)
class MessageIdeation:
    """The score of one message. ``level`` 0-4; ``strong`` when intensity or persistence is
    stated or level ≥ 3; the flags say what was found besides the level."""

    level: int
    strong: bool
    past_attempt: bool
    third_party: bool
    self_harm: bool
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ConsultationIdeation:
    """The score of one consultation: the highest current level of its client messages."""

    level: int
    strength: str  # 強い / 少し / なし
    past_attempt: bool
    third_party: bool
    self_harm: bool
    evidence: tuple[str, ...]

    def as_dict(self) -> dict:
        """The consultations.parquet columns (DESIGN.md data dictionary).

        Returns:
            ideation_level, ideation_strength, past_attempt, third_party, self_harm,
            ideation_evidence (a list).
        """
        return {
            "ideation_level": self.level,
            "ideation_strength": self.strength,
            "past_attempt": self.past_attempt,
            "third_party": self.third_party,
            "self_harm": self.self_harm,
            "ideation_evidence": list(self.evidence),
        }


NO_IDEATION = MessageIdeation(0, False, False, False, False, ())


@dataclass
class _Match:
    term: IdeationTerm
    start: int
    end: int
    text: str


class IdeationScorer:
    """Scores messages and consultations with an ideation lexicon.

    Args:
        lexicon: a compiled lexicon; default ``taxonomy/ideation.yaml``.
    """

    def __init__(self, *, lexicon: IdeationLexicon | None = None) -> None:
        self.lexicon = lexicon if lexicon is not None else load_ideation_lexicon()
        self._prefilter = self.lexicon.prefilter.search
        self._scanner = _TermScanner(self.lexicon.terms)

    def score_message(self, text: str) -> MessageIdeation:
        """Score one client message.

        Args:
            text: the raw message.

        Returns:
            Its :class:`MessageIdeation`; ``NO_IDEATION`` when no lexicon term occurs.
        """
        if not text or not self._prefilter(text):
            return NO_IDEATION
        norm = normalize_for_matching(text)
        matches = _longest_matches(self._scanner.find(norm))
        if not matches:
            return NO_IDEATION
        state = _State()
        i = 0
        for start, end in _sentences(norm):
            group: list[_Match] = []
            while i < len(matches) and matches[i].start < end:
                m = matches[i]
                group.append(_Match(m.term, m.start - start, m.end - start, m.text))
                i += 1
            if group:  # a term running over a sentence end keeps the whole term
                sentence = norm[start : max(end, start + group[-1].end)]
                self._score_sentence(norm, start, sentence, group, state)
        return state.result()

    def score_consultation(self, messages: Sequence[str]) -> ConsultationIdeation:
        """Score a consultation from its client messages (counsellor text must not be passed).

        Args:
            messages: the client messages in order (or one text for the whole consultation).

        Returns:
            The highest current level, strength 強い/少し/なし, the flags and the evidence.
        """
        level, strong = 0, False
        past_attempt = third_party = self_harm = False
        evidence: dict[str, None] = {}
        for text in messages:
            scored = self.score_message(text)
            if scored is NO_IDEATION:
                continue
            level = max(level, scored.level)
            strong = strong or (scored.strong and scored.level > 0)
            past_attempt |= scored.past_attempt
            third_party |= scored.third_party
            self_harm |= scored.self_harm
            evidence.update(dict.fromkeys(scored.evidence))
        strength = "なし" if level == 0 else ("強い" if strong or level >= 3 else "少し")
        return ConsultationIdeation(
            level, strength, past_attempt, third_party, self_harm, tuple(list(evidence)[:MAX_EVIDENCE])
        )

    # ------------------------------------------------------------------ context rules
    def _score_sentence(
        self, norm: str, offset: int, sentence: str, matches: list[_Match], state: _State
    ) -> None:
        """Apply the context rules to the term ``matches`` (positions within ``sentence``,
        which starts at ``offset`` in the normalised message ``norm``)."""
        lex = self.lexicon
        hyperbole = [m.span() for m in lex.hyperbole.finditer(sentence)]
        natural = [m.span() for m in lex.natural_death.finditer(sentence)]
        strong_marker = lex.strength.search(sentence)
        for match in matches:
            rule = self._exclusion(norm, offset, sentence, match, hyperbole, natural)
            term = match.term
            if rule is None and term.kind == "report":
                rule = "third_party"
            if rule == "past_act":
                state.past_attempt = True
                state.self_harm |= term.self_harm
            elif rule == "third_party":
                state.third_party = True
            if rule is not None:
                state.add(f"L0:{rule}:{term.id}={match.text}")
                continue
            level = term.level
            state.level = max(state.level, level)
            state.self_harm |= term.self_harm
            state.add(f"L{level}:current:{term.id}={match.text}")
            if strong_marker or level >= 3:
                state.strong = True
                if strong_marker:
                    state.add(f"強い:{strong_marker.group()}")

    def _exclusion(
        self,
        norm: str,
        offset: int,
        sentence: str,
        match: _Match,
        hyperbole: list[tuple[int, int]],
        natural: list[tuple[int, int]],
    ) -> str | None:
        """The first exclusion rule that applies to ``match``, or None when it counts."""
        lex = self.lexicon
        before, after = sentence[: match.start], sentence[match.end :]
        if _overlaps(hyperbole, match) or lex.hyperbole_after.search(after):
            return "hyperbole"
        if _overlaps(natural, match):
            return "natural_death"
        if lex.victim_after.search(after):
            return "victim"
        if lex.negation_after.search(after):
            return "negation"
        if lex.generic_after.search(after):
            return "generic"
        if lex.question_about_others.search(after):
            return "question"
        start = offset + match.start
        if self._third_party(norm[max(0, start - MAX_SPEAKER_LOOKBACK) : start], before, after, sentence, match):
            return "third_party"
        kind = match.term.kind
        if kind in ("wish", "urge"):
            remote = lex.remote_before.search(before) and not lex.since_before.search(before)
            if lex.past_tense_after.search(after) and (remote or lex.over_after.search(after)):
                return "past"
        elif kind == "act" and not lex.act_current.search(sentence):
            remote = lex.remote_before.search(before) and not lex.since_before.search(before)
            if remote or lex.act_past.search(after):
                return "past_act"
        return None

    def _third_party(self, message_before: str, before: str, after: str, sentence: str, match: _Match) -> bool:
        """Is the term someone else's? Owner (母の遺書), subject in the same clause (友達が
        死にたいって) unless the clause modifies the writer (…繰り返してる私), hearsay without a
        first-person subject (…あるみたいで), an act towards the writer (…写メを送ってきて), or
        speech reported about a person named earlier in the message."""
        lex = self.lexicon
        if lex.third_party_owner.search(before):
            return True
        if lex.other_agent_after.search(after):
            return True
        if lex.hearsay_after.search(after) and not lex.first_person.search(sentence):
            return True
        subject = _last(lex.third_party_subject, before)
        if subject is not None and not lex.self_modified_after.search(after):
            between = before[subject.end() :]
            if (
                len(between) <= MAX_SUBJECT_GAP
                and not lex.clause_boundary.search(between)
                and not lex.first_person.search(between)
            ):
                return True
        if lex.reported_passive_after.search(after):
            return True
        if lex.reported_speech_after.search(after) or _quoted_speech(sentence, match, lex.reported_speech_after):
            subject = _last(lex.third_party_subject, message_before)
            if subject is not None and not lex.first_person.search(message_before[subject.end() :]):
                return True
        return False


class _State:
    """What a message's sentences found so far."""

    __slots__ = ("level", "strong", "past_attempt", "third_party", "self_harm", "evidence")

    def __init__(self) -> None:
        self.level = 0
        self.strong = self.past_attempt = self.third_party = self.self_harm = False
        self.evidence: dict[str, None] = {}

    def add(self, item: str) -> None:
        self.evidence[item] = None

    def result(self) -> MessageIdeation:
        if not self.evidence:
            return NO_IDEATION
        return MessageIdeation(
            self.level, self.strong and self.level > 0, self.past_attempt, self.third_party,
            self.self_harm, tuple(self.evidence),
        )


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


def _longest_matches(found: list[tuple[int, int, int, int, IdeationTerm, str]]) -> list[_Match]:
    """The term matches (from :meth:`_TermScanner.find`), longest first at each position,
    overlaps dropped deterministically (earlier start, then longer, then higher level, then
    lexicon order)."""
    found.sort(key=lambda f: f[:4])
    kept: list[_Match] = []
    last_end = -1
    for start, neg_len, _, _, term, matched in found:
        if start >= last_end:
            kept.append(_Match(term, start, start - neg_len, matched))
            last_end = start - neg_len
    return kept


def _overlaps(spans: list[tuple[int, int]], match: _Match) -> bool:
    return any(s < match.end and match.start < e for s, e in spans)


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    last = None
    for last in pattern.finditer(text):
        pass
    return last


def _quoted_speech(sentence: str, match: _Match, reported: re.Pattern[str]) -> bool:
    """Is the term inside 「…」 followed by と/って 言う (or a bare って。)?"""
    open_at = sentence.rfind("「", 0, match.start)
    if open_at < 0 or "」" in sentence[open_at : match.start]:
        return False
    close_at = sentence.find("」", match.end)
    if close_at < 0:
        return False
    tail = sentence[close_at + 1 :]
    return bool(reported.search(tail) or re.match(r"(?:って|と|とか)(?:[。、!?]|$)", tail))
