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
term's regex character by character (nlp/analysis/ideation_scan.py). The lexicon is taxonomy/ideation.yaml.
Stage 2 (nlp/analysis/ideation_context.py, a GiNZA dependency parse loaded on first need) reads only the
counted terms whose sentence names a time, a hypothetical or a person after the term, or whose
term needs context: subject (the writer or someone else), a clause that is over, もし…たら.

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

from nlp.analysis.ideation_context import ContextAnalyser, ContextFacts, ContextQuery, GinzaContext, context_rule
from nlp.analysis.ideation_scan import _in_brackets, _sentences, _TermScanner  # tests import _TermScanner from here
from nlp.text.normalize import fold_kana, normalize_text
from taxonomy.ideation import IdeationLexicon, IdeationTerm, load_ideation_lexicon

STRENGTHS = ("強い", "少し", "なし")
MAX_EVIDENCE = 20
# A person is the subject of a term at most this many characters before it (友達が最近また死にたい).
MAX_SUBJECT_GAP = 10
# Reported speech looks this far back in the message for the person who spoke.
MAX_SPEAKER_LOOKBACK = 200
# A past tense somewhere after a term (…と思ってました): a term that needs context may be over.
_PAST_AFTER = re.compile(r"(?:た|でした)(?:$|[。!?、.]|けど|けれど|が|ね|よ|の|ん)")


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


def _combine(scores: Sequence[MessageIdeation]) -> ConsultationIdeation:
    """A consultation's score from its messages' scores: the highest level, flags of any."""
    level, strong = 0, False
    past_attempt = third_party = self_harm = False
    evidence: dict[str, None] = {}
    for scored in scores:
        if scored is NO_IDEATION:
            continue
        level = max(level, scored.level)
        strong = strong or (scored.strong and scored.level > 0)
        past_attempt |= scored.past_attempt
        third_party |= scored.third_party
        self_harm |= scored.self_harm
        evidence.update(dict.fromkeys(scored.evidence))
    strength = "なし" if level == 0 else ("強い" if strong or level >= 3 else "少し")
    return ConsultationIdeation(level, strength, past_attempt, third_party, self_harm, tuple(list(evidence)[:MAX_EVIDENCE]))


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
        context: stage 2 (:class:`nlp.analysis.ideation_context.ContextAnalyser`); default GiNZA when the
            lexicon has a ``context`` section (version 3), loaded on first need; None: stage 1
            only (a ``needs_context`` term then counts only in a sentence without a trigger).
    """

    def __init__(self, *, lexicon: IdeationLexicon | None = None, context: ContextAnalyser | None | str = "default") -> None:
        self.lexicon = lexicon if lexicon is not None else load_ideation_lexicon()
        self._prefilter = self.lexicon.prefilter.search
        self._scanner = _TermScanner(self.lexicon.terms)
        words = self.lexicon.context
        if context == "default":
            context = GinzaContext(words) if words is not None else None
        self.context: ContextAnalyser | None = context  # type: ignore[assignment]
        self._trigger = words.trigger.search if words is not None else None

    def score_message(self, text: str) -> MessageIdeation:
        """Score one client message.

        Args:
            text: the raw message.

        Returns:
            Its :class:`MessageIdeation`; ``NO_IDEATION`` when no lexicon term occurs.
        """
        if not text or not self._prefilter(text):  # most messages: one search, no batch set up
            return NO_IDEATION
        return self.score_messages([text])[0]

    def score_messages(self, texts: Sequence[str]) -> list[MessageIdeation]:
        """Score messages, the stage-2 sentences of all of them parsed in one batch."""
        states = [self._stage1(text) for text in texts]
        queries = [q for state in states if state is not None for q in state.queries]
        if queries and self.context is not None:
            facts = iter(self.context.facts(queries))
            for state in states:
                if state is not None:
                    state.facts = [next(facts) for _ in state.queries]
        return [NO_IDEATION if state is None else state.result() for state in states]

    def score_dialogue(self, messages: Sequence[str]) -> list[MessageIdeation]:
        """Score a consultation's client messages, each in the light of the earlier ones: after a
        current self-harm term, a message with the bare verb of the act and no term of its own
        (うっすら切るだけ) continues it (level 4, ``discourse.self_harm_continued`` in the lexicon).

        Args:
            messages: the client messages in order.

        Returns:
            One :class:`MessageIdeation` per message.
        """
        return self._continued(messages, self.score_messages(messages))

    def _continued(self, messages: Sequence[str], scored: list[MessageIdeation]) -> list[MessageIdeation]:
        pattern = self.lexicon.self_harm_continued
        if pattern is None or scored.count(NO_IDEATION) == len(scored):  # most consultations: one pass in C
            return scored
        out, active = [], False
        for text, result in zip(messages, scored):
            if result is NO_IDEATION:
                if active and text:
                    norm = fold_kana(normalize_text(text))
                    match = pattern.search(norm)
                    if match:
                        strong = bool(self.lexicon.strength.search(norm))
                        result = MessageIdeation(4, strong, False, False, True, (f"L4:continued:self_harm={match.group(0)}",))
            elif result.self_harm:
                active = result.level >= 1  # current self-harm opens it; self-harm told as past closes it
            out.append(result)
        return out

    def score_consultation(self, messages: Sequence[str]) -> ConsultationIdeation:
        """Score a consultation from its client messages (counsellor text must not be passed).

        Args:
            messages: the client messages in order (or one text for the whole consultation).

        Returns:
            The highest current level, strength 強い/少し/なし, the flags and the evidence.
        """
        return self.score_consultations([messages])[0]

    def score_consultations(self, consultations: Sequence[Sequence[str]]) -> list[ConsultationIdeation]:
        """:meth:`score_consultation` of each, the stage-2 sentences of all of them parsed in one
        batch: a parse of one short sentence costs about twice its share of a batch's (the
        pipeline scores a chunk of consultations at once). Results do not depend on the batching."""
        scored = iter(self.score_messages([m for messages in consultations for m in messages]))
        return [_combine(self._continued(messages, [next(scored) for _ in messages])) for messages in consultations]

    # ------------------------------------------------------------------ context rules
    def _stage1(self, text: str) -> _State | None:
        """The lexicon terms of ``text`` with the stage-1 rules applied; None when there is none."""
        if not text or not self._prefilter(text):
            return None
        display = normalize_text(text)
        norm = fold_kana(display)
        matches = _longest_matches(self._scanner.find(norm))
        if not matches:
            return None
        if len(display) != len(norm):  # lower() changed a length: parse the matching form
            display = norm
        state = _State()
        i = 0
        for start, end in _sentences(norm):
            group: list[_Match] = []
            while i < len(matches) and matches[i].start < end:
                m = matches[i]
                group.append(_Match(m.term, m.start - start, m.end - start, m.text))
                i += 1
            if group:  # a term running over a sentence end keeps the whole term
                stop = max(end, start + group[-1].end)
                self._score_sentence(norm, start, norm[start:stop], group, state, display[start:stop])
        return state

    def _score_sentence(
        self, norm: str, offset: int, sentence: str, matches: list[_Match], state: _State, shown: str
    ) -> None:
        """Apply the stage-1 rules to the term ``matches`` (positions within ``sentence``,
        which starts at ``offset`` in the normalised message ``norm``; ``shown`` is the sentence
        in display form) and queue the counted ones that need stage 2."""
        lex = self.lexicon
        hyperbole = [m.span() for m in lex.hyperbole.finditer(sentence)]
        natural = [m.span() for m in lex.natural_death.finditer(sentence)]
        strong_marker = lex.strength.search(sentence)
        triggered = None
        trigger_after = self.lexicon.context.trigger_after.search if self._trigger is not None else None
        for match in matches:
            rule = self._exclusion(norm, offset, sentence, match, hyperbole, natural)
            term = match.term
            if rule is None and term.kind == "report":
                rule = "third_party"
            query = None
            if rule is None and self._trigger is not None:
                if triggered is None:
                    triggered = bool(self._trigger(sentence))
                near = triggered or bool(trigger_after(sentence, match.end))
                if self.context is not None and (near or (term.needs_context and self._ambiguous(sentence, match))):
                    query = ContextQuery(shown, match.start, match.end)
                elif term.needs_context and near:
                    rule = "no_context"
            state.add_term(term, match.text, rule, strong_marker, query)

    def _ambiguous(self, sentence: str, match: _Match) -> bool:
        """Could a term that needs context be someone else's or over: a person or people anywhere
        in the sentence, or a past tense after it? (死ねばいいのに alone is the writer's.)"""
        words = self.lexicon.context
        return bool(words.third_party.search(sentence) or words.generic_subject.search(sentence)
                    or _PAST_AFTER.search(sentence, match.end))

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
        if _in_brackets(norm, offset + match.start, offset + match.end):
            return "meta"
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
    """A message's terms in order, each with its stage-1 rule or its stage-2 query."""

    __slots__ = ("items", "queries", "facts")

    def __init__(self) -> None:
        self.items: list[tuple[IdeationTerm, str, str | None, re.Match[str] | None, int]] = []
        self.queries: list[ContextQuery] = []
        self.facts: list[ContextFacts] = []

    def add_term(self, term: IdeationTerm, text: str, rule: str | None, strong: re.Match[str] | None,
                 query: ContextQuery | None) -> None:
        if query is not None:
            self.queries.append(query)
        self.items.append((term, text, rule, strong, len(self.queries) - 1 if query is not None else -1))

    def result(self) -> MessageIdeation:
        level, strong = 0, False
        past_attempt = third_party = self_harm = False
        evidence: dict[str, None] = {}
        for term, text, rule, marker, asked in self.items:
            if asked >= 0 and asked < len(self.facts):
                rule = context_rule(self.facts[asked], term.kind, term.needs_context)
            if rule in ("past_act", "ctx_past_act"):
                past_attempt = True
                self_harm |= term.self_harm
            elif rule in ("third_party", "ctx_third_party"):
                third_party = True
            if rule is not None:
                evidence[f"L0:{rule}:{term.id}={text}"] = None
                continue
            level = max(level, term.level)
            self_harm |= term.self_harm
            evidence[f"L{term.level}:current:{term.id}={text}"] = None
            if marker or term.level >= 3:
                strong = True
                if marker:
                    evidence[f"強い:{marker.group()}"] = None
        if not evidence:
            return NO_IDEATION
        return MessageIdeation(level, strong and level > 0, past_attempt, third_party, self_harm, tuple(evidence))


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
