"""Theme taxonomy (taxonomy/themes.py) and tagger (nlp/analysis/themes.py) on real consultation sentences."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from nlp.analysis.themes import ThemeResult, ThemeTagger
from nlp.analysis.theme_check import check_taxonomy
from taxonomy.themes import DEFAULT_PATH, THEME_IDS, TaxonomyError, load_taxonomy

DESIGN_LABELS = {
    "school": "学校", "family": "家族", "couple": "夫婦・パートナー", "mental": "メンタル",
    "work": "職場・仕事", "career": "進路・キャリア", "romance": "恋愛", "relationships": "友人・人間関係",
    "money": "お金・生活", "health": "健康・身体", "gender": "性・ジェンダー", "violence": "暴力・被害",
    "internet": "ネット・SNS", "loneliness": "孤独・孤立",
}


@pytest.fixture()
def raw() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "themes.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# -- the packaged taxonomy -----------------------------------------------------------------

def test_packaged_taxonomy_is_valid_and_has_the_stable_ids():
    assert check_taxonomy() == []
    tax = load_taxonomy()
    assert tax.themes == {t: DESIGN_LABELS[t] for t in tax.themes}
    assert set(tax.themes) == set(THEME_IDS)
    assert tax.version
    required = {"いじめ", "不登校", "成績・受験", "親子", "虐待", "ヤングケアラー", "介護", "離婚", "DV", "うつ",
                "不安", "自己否定", "睡眠", "摂食", "ハラスメント", "過労", "失業", "就活", "借金", "生活困窮",
                "障がい", "妊娠", "LGBTQ", "性被害", "SNS トラブル", "居場所がない"}
    assert required <= set(tax.subthemes)
    assert tax.subthemes["いじめ"].parent == "school" and "violence" in tax.subthemes["いじめ"].also
    assert tax.subthemes["ハラスメント"].parent == "work"


# -- tagging real sentences ----------------------------------------------------------------

@pytest.mark.parametrize(
    "text, primary",
    [
        ("クラスで虐められています。", "school"),
        ("最近イジメられてて辛いです", "school"),
        ("ｲｼﾞﾒられてる", "school"),
        ("学校行きたくない", "school"),
        ("朝になると学校に行きたくないって思ってしまいます", "school"),
        ("旦那が家事を全然手伝ってくれません", "couple"),
        ("夫と話が合わなくて離婚を考えています", "couple"),
        ("上司からパワハラを受けていて会社に行くのがつらいです", "work"),
        ("職場の人間関係で悩んでいます", "work"),
        ("就活がうまくいかず内定がもらえません", "career"),
        ("彼氏と別れてしまって立ち直れません", "romance"),
        ("母の介護で疲れてしまいました", "family"),
        ("小6の息子が学校に行けていなくて、どうしたらいいか", "family"),
        ("最近眠れなくて、何もやる気が起きないです", "mental"),
        ("借金の返済ができず家賃も払えません", "money"),
        ("お腹が痛くて病院に行ったら手術が必要と言われました", "health"),
        ("同性が好きで、誰にもカミングアウトできていません", "gender"),
        ("ずっと一人で孤独です。話し相手がいない", "loneliness"),
        ("SNSで悪口を書かれて炎上しました", "internet"),
    ],
)
def test_primary_theme_of_consultation_sentences(tagger, text, primary):
    assert tagger.tag(text).primary_theme == primary


def test_variant_spellings_are_one_keyword(tagger):
    results = [tagger.tag(t) for t in ("いじめを受けています", "虐めを受けています", "イジメを受けています")]
    assert all(r.evidence == ("いじめ",) for r in results)
    assert all(r.subthemes == ("いじめ",) for r in results)
    assert results[0].scores == results[1].scores == results[2].scores


def test_bullying_is_also_violence_but_school_is_primary(tagger):
    result = tagger.tag("クラスの男子にいじめられています")
    assert result.primary_theme == "school"
    assert set(result.themes) == {"school", "violence"}
    assert "いじめ" in result.subthemes


def test_longest_keyword_wins(tagger):
    result = tagger.tag("職場の人間関係で悩んでいます")
    assert result.evidence == ("職場の人間関係",)
    assert "relationships" not in result.scores


def test_negated_predicates_do_not_count(tagger):
    for text in ("いじめられていない", "いじめられたことはないです", "いじめじゃないと思う", "死にたくない"):
        assert tagger.tag(text).themes == (), text
    assert tagger.tag("いじめられたくない").primary_theme == "school"  # fear of bullying is still about it
    assert tagger.tag("学校に行けない").primary_theme == "school"  # the keyword itself is negative


def test_everyday_text_and_hyperbole_get_no_theme(tagger):
    for text in ("", "今日はいい天気ですね", "死ぬほど疲れた", "はい。よろしくお願いします。"):
        result = tagger.tag(text)
        assert (result.themes, result.primary_theme, result.evidence, result.subthemes) == ((), None, (), ())
    assert tagger.tag("") == ThemeResult((), None, (), {}, ())


def test_evidence_is_keywords_only(tagger):
    text = "はじめまして。上司の田中さんから毎日怒鳴られて、会社に行くのがつらいです。"
    result = tagger.tag(text)
    written = {form for k in tagger.taxonomy.keywords for form in k.variants}
    assert result.evidence and set(result.evidence) <= written
    assert "田中" not in "".join(result.evidence)


def test_concern_statements_and_the_opening_weigh_more(tagger):
    stated = tagger.tag("上司のことで悩んでいます。").scores["work"]
    early = tagger.tag("上司がいます。").scores["work"]
    late = tagger.tag("はい。" * 40 + "上司がいます。").scores["work"]
    assert stated > early > late
    text = "はい、よろしくお願いします。職場のことで相談です。" + "はい。" * 40 + "娘がいます。妻もいます。"
    result = tagger.tag(text)
    assert result.primary_theme == "work" and set(result.themes) == {"work", "family", "couple"}


def test_tag_equals_tag_tokens(tagger, tokenizer):
    text = "高校2年です。部活の先輩に無視されていて、学校に行きたくないです。親にも言えません。"
    assert tagger.tag(text) == tagger.tag_tokens(tokenizer(text))


def test_thresholds_from_constructor(tokenizer):
    strict = ThemeTagger(tokenizer=tokenizer, min_score=100)
    assert strict.tag("上司からパワハラを受けています").themes == ()
    with pytest.raises(ValueError, match="min_score"):
        ThemeTagger(tokenizer=tokenizer, min_score=-1)


def test_tie_break_is_the_yaml_order(tmp_path, raw, tokenizer):
    data = copy.deepcopy(raw)
    data["themes"] = {t: data["themes"][t] for t in ["work", "school"] + [t for t in THEME_IDS if t not in ("work", "school")]}
    for theme in ("work", "school"):
        data["themes"][theme]["primary_weight"] = 1.0
    text = "上司と担任"  # 上司 (work, 3) vs 担任 (school, 2) would not tie: use equal weights
    data["themes"]["school"]["keywords"] = [k if not (isinstance(k, dict) and k["term"] == "担任") else {"term": "担任", "weight": 3} for k in data["themes"]["school"]["keywords"]]
    first = ThemeTagger(taxonomy=load_taxonomy(write(tmp_path, data)), tokenizer=tokenizer).tag(text)
    assert first.scores["work"] == first.scores["school"]
    assert first.primary_theme == "work"
    data["themes"] = {t: data["themes"][t] for t in ["school", "work"] + [t for t in THEME_IDS if t not in ("work", "school")]}
    second = ThemeTagger(taxonomy=load_taxonomy(write(tmp_path, data)), tokenizer=tokenizer).tag(text)
    assert second.primary_theme == "school"


def test_tagging_a_long_text_finds_each_theme_once(tagger, tokenizer):
    # Speed is measured by make bench / make eval, never by a timed unit test (flaky under load).
    text = "\n".join(["最近、上司に怒られてばかりで会社に行きたくないです。家でも夫と喧嘩ばかりで眠れません。"] * 400)
    result = tagger.tag_tokens(tokenizer(text))
    assert {"work", "couple"} <= set(result.themes)
    assert len(result.themes) == len(set(result.themes))


# -- broken YAMLs ----------------------------------------------------------------------------

def test_unknown_parent_is_rejected(tmp_path, raw):
    raw["subthemes"]["いじめ"]["parent"] = "schol"
    path = write(tmp_path, raw)
    problems = check_taxonomy(path)
    assert any("subthemes.いじめ.parent" in p and "'schol'" in p and "school" in p for p in problems)
    with pytest.raises(TaxonomyError, match="unknown parent 'schol'"):
        load_taxonomy(path)


def test_duplicate_keyword_is_rejected(tmp_path, raw):
    raw["themes"]["relationships"]["keywords"].append("学校")
    problems = check_taxonomy(write(tmp_path, raw))
    assert any("duplicate keyword '学校'" in p and "themes.school" in p for p in problems)


def test_duplicate_after_kana_folding_is_rejected(tmp_path, raw):
    raw["themes"]["work"]["keywords"].append("ぱわはら")
    problems = check_taxonomy(write(tmp_path, raw))
    assert any("duplicate keyword" in p and "ぱわはら" in p and "パワハラ" in p for p in problems)


def test_keywords_normalising_to_the_same_form_in_two_themes_are_rejected(tmp_path, raw):
    raw["themes"]["violence"]["keywords"].append("苛め")  # Sudachi: 苛め = いじめ (subthemes.いじめ)
    problems = check_taxonomy(write(tmp_path, raw))
    assert any("'苛め'" in p and "'いじめ'" in p and "both match the normalised form" in p for p in problems)
    assert check_taxonomy(write(tmp_path, raw), compile_keywords=False) == []


def test_empty_theme_is_rejected(tmp_path, raw):
    raw["themes"]["health"]["keywords"] = []
    for sub in raw["subthemes"].values():
        sub["also"] = [a for a in sub.get("also", []) if a != "health"]
        if sub["parent"] == "health":
            sub["parent"] = "mental"
    problems = check_taxonomy(write(tmp_path, raw))
    assert any("themes.health: empty theme" in p for p in problems)


def test_empty_subtheme_unknown_theme_missing_theme_and_bad_weight(tmp_path, raw):
    raw["subthemes"]["介護"]["keywords"] = []
    raw["themes"]["hobby"] = {"label": "趣味", "keywords": ["釣り"]}
    del raw["themes"]["internet"]
    raw["themes"]["work"]["keywords"][0]["weight"] = -1
    raw["scoring"]["min_score"] = "high"
    problems = check_taxonomy(write(tmp_path, raw))
    text = "\n".join(problems)
    assert "subthemes.介護: empty sub-theme" in text
    assert "unknown theme id 'hobby'" in text and "loneliness" in text
    assert "missing theme id 'internet'" in text
    assert "themes.work.keywords[0].weight: must be a number > 0; got -1" in text
    assert "scoring.min_score: must be a number >= 0; got 'high'" in text


def test_unknown_keys_and_invalid_yaml(tmp_path, raw):
    raw["themes"]["school"]["colour"] = "red"
    problems = check_taxonomy(write(tmp_path, raw))
    assert any("themes.school: unknown key 'colour'" in p and "keywords" in p for p in problems)
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  school: [学校\n", encoding="utf-8")
    (problem,) = check_taxonomy(bad)
    assert "not valid YAML at line" in problem
    with pytest.raises(TaxonomyError, match="bad.yaml"):
        load_taxonomy(bad)
    assert "cannot read" in check_taxonomy(tmp_path / "missing.yaml")[0]
