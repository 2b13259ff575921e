"""Load and validate the suicide-ideation lexicon (taxonomy/ideation.yaml).

The YAML carries a ``version``; every key is checked on load and an error names the key, the
allowed values and the value received. Patterns are compiled once here; nlp/analysis/ideation.py only
uses the compiled :class:`IdeationLexicon`.

Example:
    >>> lexicon = load_ideation_lexicon()
    >>> lexicon.version
    3
    >>> bool(lexicon.prefilter.search("ｼﾆﾀｲ"))
    True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml

from nlp.text.normalize import normalize_for_matching

DEFAULT_PATH = Path(__file__).with_name("ideation.yaml")
SUPPORTED_VERSIONS = (2, 3)
LEVELS = (0, 1, 2, 3, 4)
KINDS = ("wish", "urge", "act", "report")
# Which levels each kind may carry (DESIGN.md: 1-3 ideation, 4 attempt/self-harm).
KIND_LEVELS = {"wish": (1, 2, 3), "urge": (1,), "act": (4,), "report": (0,)}
TOP_KEYS = ("version", "levels", "prefilter", "terms", "exclusions", "past", "strength_markers")
# Version 3 adds the section ``context`` (stage 2, nlp/analysis/ideation_context.py) and the term key
# ``needs_context``; a version 2 file has neither and is scored by stage 1 alone.
V3_TOP_KEYS = TOP_KEYS + ("context",)
# Optional: ``discourse`` (v4) reads a message in the light of the consultation's earlier ones.
OPTIONAL_TOP_KEYS = ("discourse",)
DISCOURSE_KEYS = ("self_harm_continued",)
TERM_KEYS = ("id", "level", "kind", "pattern", "examples", "self_harm")
V3_TERM_KEYS = TERM_KEYS + ("needs_context",)
CONTEXT_KEYS = (
    "trigger", "trigger_after", "first_person", "generic_subject", "addressee", "time_noun", "remote_time",
    "speech_verb", "thought_verb", "hypothetical",
)
EXCLUSION_KEYS = (
    "hyperbole", "hyperbole_after", "natural_death", "victim_after", "negation_after",
    "generic_after", "question_about_others", "third_party_person", "first_person",
    "clause_boundary", "reported_speech_after", "reported_passive_after", "hearsay_after",
    "other_agent_after", "self_modified_after",
)
PAST_KEYS = ("remote_before", "since_before", "past_tense_after", "over_after", "act_past", "act_current")
_TERM_ID = re.compile(r"[a-z][a-z0-9_]*")


class IdeationLexiconError(ValueError):
    """The ideation YAML is malformed; the message names the key and what was wrong."""


@dataclass(frozen=True)
class IdeationTerm:
    """One lexicon entry: a pattern over the matching form and what a match means."""

    id: str
    level: int
    kind: str
    pattern: re.Pattern[str]
    self_harm: bool
    examples: tuple[str, ...]
    needs_context: bool = False  # counted only when stage 2 finds the writer its subject


@dataclass(frozen=True)
class ContextWords:
    """Stage 2 word lists (``context`` in the YAML), each a regex over the matching form.

    ``trigger``/``trigger_after``: a counted term is parsed only when its sentence (or the text
    after it) holds one of these, or when the term needs context; ``first_person``/``generic_subject``/``addressee``: subject words (私, 人,
    あなた); the third parties are ``exclusions.third_party_person``; ``time_noun``: a past clause
    modifying one of these is over (…した頃, …した時); ``remote_time``: a time that is over (中学,
    昔); ``speech_verb``/``thought_verb``: lemmas of verbs reporting speech (言う) or a thought
    (思う; negated above a term it denies it); ``hypothetical``: もし, 仮に."""

    trigger: re.Pattern[str]
    trigger_after: re.Pattern[str]
    first_person: re.Pattern[str]
    generic_subject: re.Pattern[str]
    addressee: re.Pattern[str]
    third_party: re.Pattern[str]
    time_noun: re.Pattern[str]
    remote_time: re.Pattern[str]
    speech_verb: re.Pattern[str]
    thought_verb: re.Pattern[str]
    hypothetical: re.Pattern[str]


@dataclass(frozen=True)
class IdeationLexicon:
    """The compiled lexicon. Patterns apply to ``normalize_for_matching`` text, except
    ``prefilter`` which runs on raw text (it spells out kana, half-width and full-width forms)."""

    version: int
    levels: dict[int, str]
    terms: tuple[IdeationTerm, ...]
    anchors: tuple[str, ...]
    prefilter: re.Pattern[str]
    hyperbole: re.Pattern[str]
    hyperbole_after: re.Pattern[str]
    natural_death: re.Pattern[str]
    victim_after: re.Pattern[str]
    negation_after: re.Pattern[str]
    generic_after: re.Pattern[str]
    question_about_others: re.Pattern[str]
    third_party_subject: re.Pattern[str]
    third_party_owner: re.Pattern[str]
    first_person: re.Pattern[str]
    clause_boundary: re.Pattern[str]
    reported_speech_after: re.Pattern[str]
    reported_passive_after: re.Pattern[str]
    hearsay_after: re.Pattern[str]
    other_agent_after: re.Pattern[str]
    self_modified_after: re.Pattern[str]
    remote_before: re.Pattern[str]
    since_before: re.Pattern[str]
    past_tense_after: re.Pattern[str]
    over_after: re.Pattern[str]
    act_past: re.Pattern[str]
    act_current: re.Pattern[str]
    strength: re.Pattern[str]
    source: str = "<dict>"
    context: ContextWords | None = None  # None: version 2, stage 1 only
    # A bare verb of the act (切った, 切るだけ) that, after a current self-harm term earlier in the
    # consultation, continues it (discourse.self_harm_continued); None: not used.
    self_harm_continued: re.Pattern[str] | None = None


def load_ideation_lexicon(path: str | Path | None = None) -> IdeationLexicon:
    """Read, validate and compile an ideation lexicon YAML.

    Args:
        path: YAML file; default ``taxonomy/ideation.yaml``.

    Returns:
        The compiled :class:`IdeationLexicon`.

    Raises:
        IdeationLexiconError: unreadable file or any invalid key (the message names it).
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise IdeationLexiconError(f"{path}: cannot read the ideation lexicon: {exc}") from exc
    return parse_ideation_lexicon(data, source=str(path))


# The name nlp/pipeline.versions() imports to record the lexicon version in run.json.
load_lexicon = load_ideation_lexicon


def parse_ideation_lexicon(data: Any, *, source: str = "<dict>") -> IdeationLexicon:
    """Validate an already parsed YAML document and compile it.

    Args:
        data: the mapping read from YAML.
        source: file name used in error messages.

    Returns:
        The compiled :class:`IdeationLexicon`.
    """
    where = _Where(source)
    if not isinstance(data, Mapping):
        where.fail("(top level)", "a mapping with keys " + ", ".join(TOP_KEYS), data)
    version = data.get("version")
    if isinstance(version, bool) or version not in SUPPORTED_VERSIONS:
        where.fail("version", "one of " + ", ".join(map(str, SUPPORTED_VERSIONS)), version)
    top = V3_TOP_KEYS if version >= 3 else TOP_KEYS
    where.keys("(top level)", data, required=top, allowed=top + OPTIONAL_TOP_KEYS)
    levels = data["levels"]
    if not isinstance(levels, Mapping) or sorted(levels) != list(LEVELS):
        where.fail("levels", "a mapping with exactly the keys 0, 1, 2, 3, 4", levels)
    anchors = tuple(_fold(a) for a in where.strings("prefilter", data["prefilter"]))
    prefilter = _raw_prefilter(anchors)
    terms = _parse_terms(where, data["terms"], V3_TERM_KEYS if version >= 3 else TERM_KEYS)
    _check_examples(where, terms, prefilter)
    exc = data["exclusions"]
    where.keys("exclusions", exc, required=EXCLUSION_KEYS, allowed=EXCLUSION_KEYS)
    past = data["past"]
    where.keys("past", past, required=PAST_KEYS, allowed=PAST_KEYS)
    rx = {f"exclusions.{k}": where.regex(f"exclusions.{k}", exc[k]) for k in EXCLUSION_KEYS}
    rx.update({f"past.{k}": where.regex(f"past.{k}", past[k]) for k in PAST_KEYS})
    person = rx["exclusions.third_party_person"].pattern
    context = _parse_context(where, data["context"], rx["exclusions.third_party_person"]) if version >= 3 else None
    continued = None
    if "discourse" in data:
        where.keys("discourse", data["discourse"], required=DISCOURSE_KEYS, allowed=DISCOURSE_KEYS)
        continued = where.regex("discourse.self_harm_continued", data["discourse"]["self_harm_continued"])
    return IdeationLexicon(
        version=version,
        levels={int(k): str(v) for k, v in levels.items()},
        terms=terms,
        anchors=anchors,
        prefilter=prefilter,
        hyperbole=rx["exclusions.hyperbole"],
        hyperbole_after=rx["exclusions.hyperbole_after"],
        natural_death=rx["exclusions.natural_death"],
        victim_after=rx["exclusions.victim_after"],
        negation_after=rx["exclusions.negation_after"],
        generic_after=rx["exclusions.generic_after"],
        question_about_others=rx["exclusions.question_about_others"],
        third_party_subject=re.compile(f"(?:{person})(?:の(?:方|かた|人)|たち|達|ら)?(?:が|は|も|って|とか|なんか|なんて)"),
        third_party_owner=re.compile(f"(?:{person})の$"),
        first_person=rx["exclusions.first_person"],
        clause_boundary=rx["exclusions.clause_boundary"],
        reported_speech_after=rx["exclusions.reported_speech_after"],
        reported_passive_after=rx["exclusions.reported_passive_after"],
        hearsay_after=rx["exclusions.hearsay_after"],
        other_agent_after=rx["exclusions.other_agent_after"],
        self_modified_after=rx["exclusions.self_modified_after"],
        remote_before=rx["past.remote_before"],
        since_before=rx["past.since_before"],
        past_tense_after=rx["past.past_tense_after"],
        over_after=rx["past.over_after"],
        act_past=rx["past.act_past"],
        act_current=rx["past.act_current"],
        strength=where.regex("strength_markers", data["strength_markers"]),
        source=source,
        context=context,
        self_harm_continued=continued,
    )


def _parse_context(where: _Where, raw: Any, third_party: re.Pattern[str]) -> ContextWords:
    where.keys("context", raw, required=CONTEXT_KEYS, allowed=CONTEXT_KEYS)
    rx = {k: where.regex(f"context.{k}", raw[k]) for k in CONTEXT_KEYS}
    return ContextWords(third_party=third_party, **rx)


def _parse_terms(where: _Where, raw: Any, term_keys: tuple[str, ...]) -> tuple[IdeationTerm, ...]:
    if not isinstance(raw, list) or not raw:
        where.fail("terms", "a non-empty list of term mappings", raw)
    terms: list[IdeationTerm] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        key = f"terms[{i}]"
        where.keys(key, item, required=("id", "level", "kind", "pattern", "examples"), allowed=term_keys)
        term_id = item["id"]
        if not isinstance(term_id, str) or not _TERM_ID.fullmatch(term_id) or term_id in seen:
            where.fail(f"{key}.id", "a new lower-case identifier (a-z, 0-9, _)", term_id)
        seen.add(term_id)
        key = f"terms[{i}] ({term_id})"
        kind = item["kind"]
        if kind not in KINDS:
            where.fail(f"{key}.kind", "one of " + ", ".join(KINDS), kind)
        level = item["level"]
        if isinstance(level, bool) or level not in KIND_LEVELS[kind]:
            allowed = ", ".join(map(str, KIND_LEVELS[kind]))
            where.fail(f"{key}.level", f"one of {allowed} (for kind {kind})", level)
        self_harm = item.get("self_harm", False)
        if not isinstance(self_harm, bool):
            where.fail(f"{key}.self_harm", "true or false", self_harm)
        needs_context = item.get("needs_context", False)
        if not isinstance(needs_context, bool):
            where.fail(f"{key}.needs_context", "true or false", needs_context)
        terms.append(IdeationTerm(
            id=term_id, level=level, kind=kind, self_harm=self_harm, needs_context=needs_context,
            pattern=where.regex(f"{key}.pattern", item["pattern"]),
            examples=tuple(where.strings(f"{key}.examples", item["examples"])),
        ))
    return tuple(terms)


def _check_examples(where: _Where, terms: tuple[IdeationTerm, ...], prefilter: re.Pattern[str]) -> None:
    """Each example must pass the raw-text prefilter and match its own pattern."""
    for i, term in enumerate(terms):
        for example in term.examples:
            if not prefilter.search(example):
                where.fail("prefilter", f"a list of anchors one of which occurs in each example (term {term.id})", example)
            if not term.pattern.search(normalize_for_matching(example)):
                where.fail(f"terms[{i}] ({term.id}).examples", "texts its pattern matches", example)


_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
_ESCAPE_OR_UPPER = re.compile(r"(\\.)|([A-Z]+)")


def _fold(pattern: str) -> str:
    """Write a pattern in the matching form: NFKC, katakana → hiragana, ASCII letters lower
    case except in escapes (``\\S`` stays ``\\S``)."""
    pattern = unicodedata.normalize("NFKC", pattern)
    pattern = _ESCAPE_OR_UPPER.sub(lambda m: m.group(1) or m.group(2).lower(), pattern)
    return pattern.translate(_KATAKANA_TO_HIRAGANA)


def _half_width_table() -> dict[str, str]:
    """Hiragana → its half-width katakana spelling (voiced ones as base + ﾞ/ﾟ), for the prefilter."""
    table: dict[str, str] = {}
    for code in range(0xFF66, 0xFF9E):
        for mark in ("", "ﾞ", "ﾟ"):
            half = chr(code) + mark
            full = unicodedata.normalize("NFKC", half)
            if len(full) == 1 and "ァ" <= full <= "ヶ":
                table.setdefault(chr(ord(full) - 0x60), half)
    return table


_HALF_OF = _half_width_table()


def _char_forms(ch: str) -> list[str]:
    """Every raw spelling that normalisation folds into ``ch``."""
    if "ぁ" <= ch <= "ゖ":
        return [ch, chr(ord(ch) + 0x60)] + ([_HALF_OF[ch]] if ch in _HALF_OF else [])
    if ch.isascii() and ch.isalpha():
        return [ch, ch.upper(), chr(ord(ch) + 0xFEE0), chr(ord(ch.upper()) + 0xFEE0)]
    if ch == "ー":
        return ["ー", "ｰ", "〜", "～", "~", "-"]
    return [ch]


def _char_regex(ch: str) -> str:
    forms = _char_forms(ch)
    single = "".join(re.escape(f) for f in forms if len(f) == 1)
    multi = [re.escape(f) for f in forms if len(f) > 1]
    out = f"[{single}]" if len(single) > 1 else single
    return f"(?:{out}|{'|'.join(multi)})" if multi else out


def _raw_prefilter(anchors: tuple[str, ...]) -> re.Pattern[str]:
    """One regex finding any anchor in raw text, in any form normalisation folds into it
    (hiragana, katakana, half-width katakana, upper-case or full-width letters, wave dashes).
    Anchors share prefixes in a trie so the engine tries few branches per character."""
    trie: dict = {}
    for anchor in anchors:
        node = trie
        for ch in anchor:
            if node.get("") is True:
                break  # a shorter anchor already covers this one
            node = node.setdefault(ch, {})
        else:
            node.clear()
            node[""] = True

    def render(node: dict) -> str:
        branches = [_char_regex(ch) + render(child) for ch, child in node.items() if ch]
        if not branches:
            return ""
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    # Top-level branches start with one literal character each, so the regex engine can skip
    # every position whose character starts no anchor without trying any branch.
    top = [re.escape(form) + render(child) for ch, child in trie.items() for form in _char_forms(ch)]
    return re.compile("|".join(top))


class _Where:
    """Error reporting that names the file, the key, what is allowed and what was received."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, allowed: str, got: Any) -> None:
        raise IdeationLexiconError(f"{self.source}: '{key}' must be {allowed}. Got {got!r}.")

    def keys(self, key: str, value: Any, *, required: tuple[str, ...], allowed: tuple[str, ...]) -> None:
        if not isinstance(value, Mapping):
            self.fail(key, "a mapping with keys " + ", ".join(required), value)
        for name in required:
            if name not in value:
                self.fail(f"{key}.{name}", "present (required key)", None)
        unknown = sorted(set(map(str, value)) - set(allowed))
        if unknown:
            self.fail(f"{key}", "a mapping with only the keys " + ", ".join(allowed), unknown)

    def strings(self, key: str, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            self.fail(key, "a non-empty string or list of non-empty strings", value)
        return value

    def regex(self, key: str, value: Any) -> re.Pattern[str]:
        pieces = self.strings(key, value)
        try:
            return re.compile("|".join(f"(?:{_fold(p)})" for p in pieces))
        except re.error as exc:
            self.fail(key, f"a valid regular expression ({exc})", value)
        raise AssertionError  # unreachable: fail() raises
