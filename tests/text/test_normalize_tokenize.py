import pytest

from nlp.text.normalize import fold_kana, normalize_for_matching, normalize_text
from nlp.text.tokenize import MAX_CHUNK_BYTES, SudachiTokenizer, is_content_word, split_for_tokenizer


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ｼﾆﾀｲ", "シニタイ"),  # half-width katakana
        ("ＡＢＣ１２３", "ABC123"),  # full-width ASCII
        ("しにたいいいい", "しにたい"),  # elongation by repeated kana
        ("つらーーーい", "つらーい"),  # elongation by prolonged sound marks
        ("しんどい〜〜", "しんどいー"),  # wave dashes
        ("a\x00b\x1bc\u200bd", "abcd"),  # control and zero-width characters
        ("いい天気", "いい天気"),  # two identical kana are a word, not elongation
        ("", ""),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_fold_kana_and_matching_form():
    assert fold_kana("シニタイ") == "しにたい"
    assert normalize_for_matching("ｼﾆﾀｲｲｲ") == "しにたい"
    assert normalize_for_matching("ODした") == "odした"


def test_split_for_tokenizer_never_truncates_and_respects_limit():
    text = ("学校に行きたくない。" * 3000) + ("あ" * 20000)  # long sentences and one endless one
    pieces = list(split_for_tokenizer(text))
    assert "".join(pieces) == text
    assert len(pieces) > 3
    assert all(len(p.encode("utf-8")) <= MAX_CHUNK_BYTES for p in pieces)


def test_tokenizer_handles_text_over_sudachi_limit():
    tokenizer = SudachiTokenizer()
    text = "毎日学校がつらいです。" * 6000  # ~200 KB, Sudachi alone refuses ~48 KB
    tokens = tokenizer(text)
    assert sum(1 for t in tokens if t.lemma == "学校") == 6000
    assert "".join(t.surface for t in tokens) == text


def test_tokenizer_lemmas_unify_variants():
    tokenizer = SudachiTokenizer()
    lemmas = [t.lemma for t in tokenizer("虐められて、いじめられて")]
    assert lemmas.count("苛める") == 2


def test_content_words_exclude_particles_and_numbers():
    tokenizer = SudachiTokenizer()
    words = [t.lemma for t in tokenizer("3回も先生に怒られた") if is_content_word(t)]
    assert "先生" in words and "怒る" in words
    assert "に" not in words and "3" not in words


def test_tokenizer_mode_is_validated():
    with pytest.raises(ValueError, match="'mode' parameter .* Got 'D'"):
        SudachiTokenizer(mode="D")
