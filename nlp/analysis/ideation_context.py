"""Stage 2 of ideation scoring: a dependency parse of the candidate sentences (GiNZA).

Stage 1 (nlp/analysis/ideation.py) finds lexicon terms and applies its context rules on the surface. For
a term it counts, in a sentence that holds a stage-2 trigger (a person, a time, もし …; see
``context`` in taxonomy/ideation.yaml) or for a term with ``needs_context``, stage 2 reads the
parse and says:

- who the subject is: the writer or nobody named (``"self"``/``"none"``), someone else
  (``"other"``: 友達が死にたいって言ってた, 何錠飲めば死ねるか聞いてきた友達), someone else as the
  object or topic of a wish (``"other_object"``: あいつなんか死んだ方がいい, 死ねばいいのに、あの上司),
  people in general (``"generic"``: 人はいつか死にます) or the counsellor (``"addressee"``);
- whether the clause is over (``past``): a past predicate modifying a time noun (リスカしてた頃,
  手首を切った時) or with a remote time (中学の時には自殺も考えました);
- whether it is hypothetical (``hypothetical``): もし/仮に … たら/ば.

The parser is behind the one-method :class:`ContextAnalyser` interface so tests and the pipeline
can swap it. :class:`GinzaContext` loads ``ja_ginza`` lazily, on the first sentence that needs
it, from the installed package (no download), without the components and string table it does
not use, and parses in batches (``nlp.pipe``).

This scoring supports analysis; it never replaces a counsellor's judgement.
"""

from __future__ import annotations

import os
import sys
import weakref
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Protocol, Sequence

from nlp.text.normalize import fold_kana
from taxonomy.ideation import ContextWords

MODEL = "ja_ginza"
# Not needed to read subjects, tense and conditions; the string table (600k strings, ~200 MB)
# only maps hashes back to text, which the parse never asks for; bunsetu_recognizer groups
# phrases, and its one change to the parse (obl_bunsetu → obl) is what _dep() does.
EXCLUDE = ("ner", "morphologizer", "compound_splitter", "bunsetu_recognizer", "strings")
BATCH_SIZE = 32
# How far up the tree (through clause relations) a term's predicate is followed.
MAX_CLIMB = 4
_CLAUSE_DEPS = frozenset(("ccomp", "advcl", "acl", "csubj", "xcomp", "dep"))
_ARGUMENT_DEPS = frozenset(("nsubj", "obj", "obl"))
_NEGATION = frozenset(("ない", "ぬ", "ず", "ん", "ませ"))
_SUBJECT_PARTICLES = frozenset(("が", "は", "も", "なんか", "なんて", "って", "こそ", "さえ", "とか"))
_CONDITIONAL = frozenset(("たら", "だら", "ば", "なら", "れば"))
_NAME_SUFFIXES = frozenset(("さん", "くん", "君", "ちゃん", "たち", "達", "ら", "様"))


@dataclass(frozen=True)
class ContextQuery:
    """One counted term in its sentence: ``sentence`` in display form (NFKC, kana type kept),
    ``start``/``end`` the term's characters in it."""

    sentence: str
    start: int
    end: int


@dataclass(frozen=True)
class ContextFacts:
    """What the parse says about one term (see the module docstring)."""

    subject: str = "none"  # self, none, other, other_object, generic, addressee
    past: bool = False
    hypothetical: bool = False
    past_tense: bool = False  # a past auxiliary on the term's predicate chain (…と思ってました)
    negated: bool = False  # a negated thought verb above the term (…なんて思わない)


class ContextAnalyser(Protocol):
    """Stage 2: the facts of each query, in order."""

    def facts(self, queries: Sequence[ContextQuery]) -> list[ContextFacts]: ...


def context_rule(facts: ContextFacts, kind: str, needs_context: bool = False) -> str | None:
    """The stage-2 exclusion for a term of ``kind`` (wish, urge, act, report), or None when it
    counts. A term that needs context and is told in the past (死ねばいいのに、と思ってました)
    is not counted: the form is as often about someone else."""
    if facts.negated:
        return "ctx_negation"
    if facts.subject == "other":
        return "ctx_third_party"
    if facts.subject == "other_object":
        return "ctx_about_other"
    if facts.subject in ("generic", "addressee"):
        return f"ctx_{facts.subject}"
    if facts.past or (needs_context and facts.past_tense):
        return "ctx_past_act" if kind == "act" else "ctx_past"
    if facts.hypothetical and kind in ("act", "urge"):
        return "ctx_hypothetical"
    return None


class GinzaContext:
    """:class:`ContextAnalyser` on the GiNZA dependency parse (``ja_ginza``, loaded on first use).

    Args:
        words: the ``context`` word lists of the lexicon.
        model: the spaCy package to load.
    """

    def __init__(self, words: ContextWords, *, model: str = MODEL) -> None:
        self.words = words
        self.model = model
        self._nlp: Any = None
        _load_before_fork(self)

    def __getstate__(self) -> dict:  # worker processes load their own parser, once, if they need it
        return {**self.__dict__, "_nlp": None}

    @property
    def loaded(self) -> bool:
        return self._nlp is not None

    def load(self) -> None:
        """Load the parser now (otherwise the first :meth:`facts` call does)."""
        if self._nlp is None:
            self._nlp = load_ginza(self.model)

    def facts(self, queries: Sequence[ContextQuery]) -> list[ContextFacts]:
        if not queries:
            return []
        self.load()
        sentences = list(dict.fromkeys(q.sentence for q in queries))
        with _BLAS.limit(limits=1, user_api="blas") if _BLAS is not None else nullcontext():
            docs = dict(zip(sentences, self._nlp.pipe(sentences, batch_size=BATCH_SIZE)))
        return [_facts(docs[q.sentence], q.start, q.end, self.words) for q in queries]


_LOADED: dict[str, Any] = {}  # one parser per process (a forked worker inherits its parent's)
_BLAS: Any = None  # threadpoolctl.ThreadpoolController, made once the parser is loaded
_FORK_WATCH: weakref.WeakSet[GinzaContext] = weakref.WeakSet()
_HOOKED = False


def _load_before_fork(context: GinzaContext) -> None:
    """Load the parser in a process about to fork (analysis workers), so the workers share its
    memory pages instead of loading ~220 MB each (2 workers: 335 instead of 542 MB PSS in a
    test). A process that never forks loads it only when a sentence needs it."""
    global _HOOKED
    if not _HOOKED and hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_preload_watched)
        _HOOKED = True
    _FORK_WATCH.add(context)


def _preload_watched() -> None:
    for context in list(_FORK_WATCH):
        try:
            context.load()
        except Exception:  # noqa: BLE001  a missing model fails where a sentence needs it, loudly
            return


def load_ginza(model: str = MODEL) -> Any:
    """``spacy.load(model)`` without :data:`EXCLUDE`, once per process.

    thinc (under spaCy) imports PyTorch when it is installed, ~150 MB per process that a CPU
    parse never uses; when nothing has imported torch yet, spaCy is imported with torch hidden
    (thinc then runs on numpy, as it does without torch) and torch stays importable afterwards.
    """
    if model in _LOADED:
        return _LOADED[model]
    hide = "torch" not in sys.modules and "thinc" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]  # makes ``import torch`` raise ImportError
    try:
        import spacy
    finally:
        if hide:
            del sys.modules["torch"]
    parser = spacy.load(model, exclude=list(EXCLUDE))
    _numpy_matrix_products(parser)
    _LOADED[model] = parser
    return parser


def _numpy_matrix_products(parser: Any) -> None:
    """Run the layers' matrix products on numpy's BLAS (OpenBLAS) instead of thinc's default
    blis: a one-sentence parse costs about a third less CPU (tok2vec, 256 wide and 8 deep, is
    most of it). Floating-point sums may differ in the last bits; the parses of the 1,452
    candidate sentences of KokoroChat and WRIME (heads, labels, lemmas) were checked identical.
    :meth:`GinzaContext.facts` runs them on one thread: for a sentence's few rows a second
    OpenBLAS thread only spins (ten times the CPU time of a product)."""
    global _BLAS
    from thinc.api import NumpyOps
    from threadpoolctl import ThreadpoolController

    ops = NumpyOps(use_blis=False)
    for _name, component in parser.pipeline:
        model = getattr(component, "model", None)
        if model is not None:
            for node in model.walk():
                node.ops = ops
    if _BLAS is None:
        _BLAS = ThreadpoolController()


def _facts(doc: Any, start: int, end: int, words: ContextWords) -> ContextFacts:
    span = [t for t in doc if t.idx < end and t.idx + len(t.text) > start]
    if not span:
        return ContextFacts()
    in_span = {t.i for t in span}
    # The term's predicate: the last of its tokens attached outside it (自殺も考え → 考え).
    anchor = [t for t in span if t.head.i not in in_span or t.head.i == t.i][-1]
    chain = [anchor]
    for _ in range(MAX_CLIMB):
        node = chain[-1]
        # a nominal term (死んだ方が, 自殺を) climbs to its predicate; clauses climb through clause relations
        if node.head.i == node.i or not (_dep(node) in _CLAUSE_DEPS or (node is anchor and _dep(node) in _ARGUMENT_DEPS)):
            break
        chain.append(node.head)
    return ContextFacts(
        subject=_subject(span, chain, words),
        past=any(_over(p, words) for p in chain),
        hypothetical=_hypothetical(chain, doc, anchor, words),
        past_tense=any(_past_aux(p) for p in chain[1:]) or _past_aux(anchor, after=end),
        negated=_negated(next((p for p in chain[1:] if words.thought_verb.fullmatch(fold_kana(p.lemma_))), None)),
    )


def _subject(span: list, chain: list, words: ContextWords) -> str:
    """The subject of the term: a person attached to its own tokens, else the speaker of a
    speech verb it is reported by, a person noun its clause modifies (聞いてきた友達) or a
    person it is said about (死ねばいいのに、あの上司)."""
    in_span = {t.i for t in span}
    for child in (c for t in span for c in t.children if c.i not in in_span):
        who = _person(child, words)
        if who is None:
            continue
        dep = _dep(child)
        if dep in ("nsubj", "csubj", "dislocated") or (dep in ("obl", "nmod") and _particle(child) in _SUBJECT_PARTICLES):
            if who == "other" and _particle(child) in ("なんか", "なんて"):
                return "other_object"  # あいつなんか死んだ方がいい: the target of a wish
            return who
        if dep == "obj" and who == "other":
            return "other_object"  # 母を殺してほしい
    for lower, upper in zip(chain, chain[1:]):
        dep = _dep(lower)
        if dep == "acl" and _person(upper, words) == "other":
            return "other"
        if dep == "dep" and _person(upper, words) == "other":
            return "other_object"
        if dep in ("ccomp", "advcl") and _speech(upper, words):
            for child in upper.children:
                if _dep(child) in ("nsubj", "dislocated") or (_dep(child) == "obl" and _particle(child) in _SUBJECT_PARTICLES):
                    who = _person(child, words)
                    if who is not None:
                        return who
    return "none"


def _person(token: Any, words: ContextWords) -> str | None:
    text = fold_kana(token.text)
    nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
    if nxt is not None and nxt.text in _NAME_SUFFIXES:
        text += fold_kana(nxt.text)
    if words.first_person.fullmatch(text):
        return "self"
    if words.addressee.fullmatch(text):
        return "addressee"
    if words.generic_subject.fullmatch(text):
        return "generic"
    if words.third_party.fullmatch(text):
        return "other"
    return None


def _over(pred: Any, words: ContextWords) -> bool:
    """A past predicate modifying a time noun (…した頃), or with a remote time (中学の時には…た)."""
    if not _past_aux(pred):
        return False
    head = pred.head
    if _dep(pred) == "acl" and head.i != pred.i and words.time_noun.fullmatch(fold_kana(head.text)):
        return not _since(head)
    for child in pred.children:
        if _dep(child) not in ("obl", "nmod", "advmod") or _since(child):
            continue
        text = fold_kana(child.text)
        if words.remote_time.fullmatch(text):
            return True
        if words.time_noun.fullmatch(text) and any(words.remote_time.fullmatch(fold_kana(g.text)) for g in child.children):
            return True
    return False


def _past_aux(pred: Any, after: int = -1) -> bool:
    """た among the auxiliaries of ``pred`` (those starting at or after ``after``: 死んだ方 is not past)."""
    return any(_dep(c) == "aux" and c.lemma_ == "た" and c.idx >= after for c in pred.children)


def _negated(pred: Any) -> bool:
    """A negation among the auxiliaries of ``pred`` (the nearest thought verb above a term:
    死にたいと思うなんてまさかあるとは思わなくて denies the surprise, not the wish)."""
    return pred is not None and any(_dep(c) == "aux" and (c.lemma_ in _NEGATION or c.text in _NEGATION) for c in pred.children)


def _since(token: Any) -> bool:
    """…頃から, 中学から: still going on."""
    return any(_dep(c) == "case" and c.text == "から" for c in token.children)


def _hypothetical(chain: list, doc: Any, anchor: Any, words: ContextWords) -> bool:
    """もし/仮に before the term, with a conditional (たら, ば, なら) on its predicate."""
    if not any(words.hypothetical.fullmatch(fold_kana(t.text)) for t in doc[: anchor.i]):
        return False
    return any(c.text in _CONDITIONAL for p in chain for c in p.children if _dep(c) in ("aux", "mark"))


def _particle(token: Any) -> str:
    return next((c.text for c in token.children if _dep(c) == "case"), "")


def _dep(token: Any) -> str:
    return token.dep_.split("_", 1)[0]  # obl_bunsetu (bunsetu_recognizer is excluded) → obl


def _speech(token: Any, words: ContextWords) -> bool:
    return bool(words.speech_verb.fullmatch(fold_kana(token.lemma_)))
