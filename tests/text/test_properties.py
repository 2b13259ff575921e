"""Property tests (hypothesis): normalisation, tokenisation, tagging, scoring and the ingest
parsers never raise on any Unicode string, including the empty string; each also gets one
explicit 1 MB string.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.ingest import attributes
from nlp.ingest.dates import parse_datetime
from nlp.ingest.messages import clean_text, read_inputs
from nlp.text.normalize import fold_kana, normalize_for_matching, normalize_text
from nlp.ingest.schema import AGE_BANDS, GENDERS, PREFECTURES, UNKNOWN

# Any Unicode text, weighted towards what consultation logs hold: Japanese, emoji, control characters.
JAPANESE = st.characters(min_codepoint=0x3000, max_codepoint=0x9FFF)
SPECIAL = st.sampled_from(list("\x00\x07\x1b\r\n\t\u200b\u200d\ufeff\u2028〜~ーｰｧｯﾞﾟ😭👨‍👩‍👧。！？!?") + ["\U0010ffff", "\ufffd"])
# Valid Unicode (no lone surrogates: no file can hold one; ingest removes those JSON escapes make).
TEXT = st.text(st.one_of(st.characters(codec="utf-8"), JAPANESE, SPECIAL), max_size=300)
ONE_MB = ("学校に行きたくない。友達に無視されて死にたいと思う😢（；＿；）ｼﾆﾀｲｲｲ\x07\n" * 11_000)[: 1_000_000 // 3]
ONE_MB_NO_BREAK = "あ" * (1_000_000 // 3)  # no sentence end anywhere: the tokenizer must cut it by force
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

FAST = settings(max_examples=100, deadline=None)
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_one_mb_strings_are_about_a_megabyte():
    assert 0.9e6 < len(ONE_MB.encode("utf-8")) <= 1.0e6
    assert 0.9e6 < len(ONE_MB_NO_BREAK.encode("utf-8")) <= 1.0e6


# ----------------------------------------------------------------------------- normalisation


@FAST
@given(TEXT)
def test_normalize_text_never_raises_and_removes_control_characters(text):
    out = normalize_text(text)
    assert isinstance(out, str)
    assert not _CONTROL.search(out.replace("\n", "").replace("\t", ""))
    assert not re.search(r"([ぁ-ゖァ-ヺー])\1{2,}", out)  # elongation collapsed


@FAST
@given(TEXT)
def test_fold_kana_keeps_length_and_leaves_no_katakana(text):
    out = fold_kana(text)
    assert len(out) == len(text)
    assert not re.search(r"[ァ-ヶ]", out)


@FAST
@given(TEXT)
def test_normalize_for_matching_is_idempotent(text):
    once = normalize_for_matching(text)
    assert isinstance(once, str)
    assert normalize_for_matching(once) == once


def test_normalisation_of_empty_and_one_mb():
    assert normalize_text("") == "" and fold_kana("") == "" and normalize_for_matching("") == ""
    out = normalize_for_matching(ONE_MB)
    assert "しにたい" in out and "\x07" not in out
    assert normalize_text(ONE_MB_NO_BREAK) == "あ"  # one long elongation


# ----------------------------------------------------------------------------- tokenisation


@SLOW
@given(TEXT)
def test_tokenizer_never_raises_and_loses_no_text(tokenizer, text):
    tokens = tokenizer(text)
    assert "".join(t.surface for t in tokens) == text
    assert all(len(t.pos) == 6 for t in tokens)


def test_tokenizer_on_a_lone_surrogate(tokenizer):
    # `soudan score` passes argv text (surrogateescape) straight in: replaced, never a crash
    assert "".join(t.surface for t in tokenizer("つらい\udcffです")) == "つらい\ufffdです"


def test_tokenizer_on_empty_and_one_mb(tokenizer):
    assert tokenizer("") == []
    for text in (ONE_MB, ONE_MB_NO_BREAK):
        tokens = tokenizer(text)
        assert "".join(t.surface for t in tokens) == text  # split, never truncated


# ----------------------------------------------------------------------------- tagging and scoring


@pytest.fixture(scope="module")
def scorer():
    from nlp.analysis import ideation
    return ideation.IdeationScorer()


@SLOW
@given(TEXT)
def test_theme_tagger_never_raises(tagger, text):
    result = tagger.tag(text)
    assert set(result.themes) <= set(result.scores)
    assert (result.primary_theme is None) == (not result.themes) or result.primary_theme in result.scores


def test_theme_tagger_on_empty_and_one_mb(tagger):
    empty = tagger.tag("")
    assert empty.themes == () and empty.primary_theme is None
    assert "school" in tagger.tag(ONE_MB).themes
    tagger.tag(ONE_MB_NO_BREAK)


@SLOW
@given(TEXT)
def test_ideation_scorer_never_raises(scorer, text):
    result = scorer.score_message(text)
    assert 0 <= result.level <= 4


def test_ideation_scorer_on_empty_and_one_mb(scorer):
    assert scorer.score_message("").level == 0
    assert scorer.score_message(ONE_MB).level >= 1  # 死にたい, ｼﾆﾀｲｲｲ
    assert scorer.score_message(ONE_MB_NO_BREAK).level == 0


# ----------------------------------------------------------------------------- ingest parsers

ANY_CELL = st.one_of(TEXT, st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True))


@FAST
@given(ANY_CELL)
def test_parse_datetime_never_raises_and_gives_tokyo_or_none(value):
    stamp = parse_datetime(value)
    assert stamp is None or (str(stamp.tz) == "Asia/Tokyo" and 1900 <= stamp.year <= 2100)


@FAST
@given(ANY_CELL)
def test_attribute_normalisers_never_raise_and_stay_in_their_categories(value):
    assert attributes.age_band(value) in AGE_BANDS
    assert attributes.gender(value) in GENDERS
    assert attributes.prefecture(value) in PREFECTURES + [UNKNOWN]
    assert attributes.role(value) in {"client", "counselor", None}
    assert isinstance(attributes.free_value(value), str)


@FAST
@given(st.datetimes(min_value=pd.Timestamp("1990-01-01").to_pydatetime(), max_value=pd.Timestamp("2090-12-31").to_pydatetime()))
def test_written_dates_read_back_in_every_common_form(moment):
    moment = moment.replace(microsecond=0)
    expected = pd.Timestamp(moment).tz_localize("Asia/Tokyo")
    forms = [moment.isoformat(), f"{moment:%Y/%m/%d %H:%M:%S}", f"{moment.year}年{moment.month}月{moment.day}日 "
             f"{moment.hour}時{moment.minute}分{moment.second}秒"]
    if moment.year >= 2019 and (moment.year, moment.month) >= (2019, 5):
        forms.append(f"令和{moment.year - 2018}年{moment.month}月{moment.day}日 {moment:%H:%M:%S}")
    for form in forms:
        assert parse_datetime(form) == expected, form


@FAST
@given(st.text(st.one_of(st.characters(), st.characters(categories=["Cs"]), SPECIAL)))  # surrogates too
def test_clean_text_output_is_always_encodable_and_free_of_controls(text):
    out = clean_text(text)
    out.encode("utf-8")  # no lone surrogate survives (SudachiPy and Parquet need valid UTF-8)
    assert not _CONTROL.search(out.replace("\n", "").replace("\t", ""))
    assert "\r" not in out
    assert all(isinstance(attributes.free_value(v), str) for v in (text, out))
    attributes.free_value(text).encode("utf-8")


@settings(max_examples=40, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=5))
def test_any_text_survives_a_csv_round_trip_minus_control_characters(texts):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "any.csv"
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["相談ID", "相談日時", "相談内容"])
        writer.writerows([[f"S{i}", "2024/8/4 22:15", text] for i, text in enumerate(texts)])
        path.write_text(buffer.getvalue(), encoding="utf-8")
        result = read_inputs([path])
    kept = [clean_text(t) for t in texts]
    expected = [t for t in kept if t.strip()]
    assert result.messages["text"].tolist() == expected
    assert len(result.rejects) == len(kept) - len(expected)  # blank texts are refused, never dropped
