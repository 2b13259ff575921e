"""The cheap paths of per-consultation analysis give exactly what the plain paths give.

ThemeTagger.tag_text reads Sudachi's part-of-speech ids straight to token kinds, the Sudachi
tokenizer loads only the fields a Token needs, and IdeationScorer searches all lexicon terms
in one pass: each is checked here against the straightforward computation.
"""

from __future__ import annotations

import random
import re

import pytest

from nlp.analysis.ideation import IdeationScorer
from nlp.analysis.themes import ThemeTagger
from nlp.text.tokenize import MAX_CHUNK_BYTES, part_of_speech

TEXTS = [
    "",
    "\n",
    "学校でいじめられていて悩んでいます。",
    "最近学校でイジメられていて、学校に行きたくないです。\n先生に相談したけど聞いてくれません",
    # statement markers in a later sentence, at the very end, and cut short by the end
    "こんにちは。\nよろしくお願いします。\n仕事について相談です。上司が怖い",
    "お金がなくて困っています",
    "母と喧嘩した。について",
    "について",
    # no punctuation at all: one sentence
    "夫が話を聞いてくれない毎日つらい仕事も辛い" * 20,
    # numbers and katakana Sudachi joins, half-width forms, spaces
    "１２３，４５６円の借金　ｱﾙﾊﾞｲﾄ先のｸﾞｰｸﾞﾙﾏｯﾌﾟｽ 2024年1月 三千万",
    # longer than one Sudachi chunk
    "毎日学校がつらいです。友達に無視されて悩んでいます。" * 1200,
]


@pytest.mark.parametrize("text", TEXTS)
def test_tag_text_equals_tag_tokens(tagger, tokenizer, text):
    assert tagger.tag_text(text) == tagger.tag_tokens(tokenizer(text))
    assert tagger.tag_text(text, tokenizer) == tagger.tag(text)


def test_statement_boost_only_in_the_opening(tokenizer):
    """Markers inside and past the statement_tokens window, with a window of a few keys."""
    tagger = ThemeTagger(tokenizer=tokenizer, statement_tokens=6, lead_tokens=0)
    for text in ["学校のことで悩んでいます。先生が怖い", "こんにちは。先生が怖い。学校のことで悩んでいます", "学校について"]:
        assert tagger.tag_text(text) == tagger.tag_tokens(tokenizer(text))


def test_tag_text_with_another_tokenizer(tagger, tokenizer):
    class Plain:
        def __call__(self, text):
            return tokenizer(text)

    text = TEXTS[3]
    assert tagger.tag_text(text, Plain()) == tagger.tag_tokens(tokenizer(text))


@pytest.mark.parametrize("text", TEXTS)
def test_lemmas_and_pos_ids_are_those_of_the_tokens(tokenizer, text):
    tokens = tokenizer(text)
    lemmas, pos_ids = tokenizer.lemmas_and_pos_ids(text)
    assert lemmas == [t.lemma for t in tokens]
    assert [part_of_speech(p) for p in pos_ids] == [t.pos for t in tokens]


def test_tokens_match_a_tokenizer_loading_every_field(tokenizer):
    """The tokenizer loads only the normalized form and part of speech: same tokens."""
    from sudachipy import Dictionary, SplitMode

    full = Dictionary(dict="core").create(mode=SplitMode.C)
    for text in TEXTS:
        if len(text.encode("utf-8")) > MAX_CHUNK_BYTES:
            continue
        expected = [(m.surface(), m.normalized_form(), tuple(m.part_of_speech())) for m in full.tokenize(text)]
        assert [tuple(t) for t in tokenizer(text)] == expected


def _reference_matches(terms, text):
    """Every term's finditer matches, as the one-pass scanner reports them."""
    return sorted(
        (m.start(), m.start() - m.end(), -term.level, order, term.id, m.group())
        for order, term in enumerate(terms)
        for m in term.pattern.finditer(text)
        if m.end() > m.start()
    )


def test_term_scanner_finds_what_each_term_finds():
    scorer = IdeationScorer()
    terms = scorer.lexicon.terms
    pieces = [example for term in terms for example in term.examples]
    pieces += ["、", "。", "私", "友達が", "ない", "し", "死", "っ", "て", "ー", " ", "od", "くすり"]
    rng = random.Random(0)
    from nlp.text.normalize import normalize_for_matching

    for _ in range(300):
        text = normalize_for_matching("".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))))
        found = [(s, n, lv, o, t.id, m) for s, n, lv, o, t, m in scorer._scanner.find(text)]
        assert sorted(found) == _reference_matches(terms, text)


def test_term_scanner_with_terms_it_cannot_index():
    """A term whose first characters cannot be told (a wildcard) is searched on its own."""
    scorer = IdeationScorer()
    terms = scorer.lexicon.terms
    wildcard = type(terms[0])(id="any", level=1, kind="wish", pattern=re.compile(".たい"), self_harm=False, examples=())
    from nlp.analysis.ideation import _TermScanner

    scanner = _TermScanner((*terms, wildcard))
    text = "しにたい。きえたい、いなくなりたい"
    found = [(s, n, lv, o, t.id, m) for s, n, lv, o, t, m in scanner.find(text)]
    assert sorted(found) == _reference_matches((*terms, wildcard), text)
    assert any(f[4] == "any" for f in found)
