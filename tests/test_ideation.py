"""Suicide-ideation scoring (DESIGN.md, "Suicide-ideation levels") on real Japanese sentences."""

from __future__ import annotations

import copy

import pytest
import yaml

from nlp.ideation import NO_IDEATION, ConsultationIdeation, IdeationScorer, MessageIdeation
from taxonomy.ideation import (
    DEFAULT_PATH,
    IdeationLexiconError,
    load_ideation_lexicon,
    parse_ideation_lexicon,
)


@pytest.fixture(scope="module")
def scorer() -> IdeationScorer:
    return IdeationScorer()


@pytest.fixture(scope="module")
def raw_yaml() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def level(scorer: IdeationScorer, text: str) -> int:
    return scorer.score_message(text).level


# ------------------------------------------------------------------ levels 1-4
@pytest.mark.parametrize("text, expected", [
    ("仕事が辛くて、死にたいんです", 1),
    ("もう消えてしまいたい", 1),
    ("この世からいなくなりたいです", 1),
    ("生まれてこなければよかったって思う", 1),
    ("いつ死んでもいいやとは思ってます", 1),
    ("死んだら楽になれるのかな・・と思って", 1),
    ("このまま目が覚めなければいいのに", 1),
    ("もう生きていたくない", 1),
    ("自殺したい", 2),
    ("もう死のうと思う", 2),
    ("死ぬしかないのかな", 2),
    ("たぶん首吊りが一番いいかな、とは思っています", 3),
    ("どんな死に方が楽なのか、検索したりして調べている", 3),
    ("睡眠薬を少しずつためてます", 3),
    ("遺書を書きました", 3),
    ("飛び降りようかなって", 3),
    ("明日死のうと決めてる", 3),
    ("さっきODした", 4),
    ("今日また切った", 4),
    ("昨日つらすぎてリスカした", 4),
    ("首もしめたけど死ねなかった", 4),
])
def test_levels(scorer: IdeationScorer, text: str, expected: int) -> None:
    assert level(scorer, text) == expected


@pytest.mark.parametrize("text", [
    "しにたい", "ｼﾆﾀｲ", "シニタイ", "タヒにたい", "ﾀﾋにたい", "しにたいいいいい", "死にてぇ", "死にてー",
    "死にたみが深い", "きえたい", "ｷｴﾀｲ", "消えちゃいたい", "タヒりたい", "死にたくなる",
])
def test_variants_are_level_1(scorer: IdeationScorer, text: str) -> None:
    assert level(scorer, text) == 1


@pytest.mark.parametrize("text, expected", [("じさつしたい", 2), ("ＯＤした", 4), ("ｵｰﾊﾞｰﾄﾞｰｽﾞしちゃった", 4),
                                            ("リストカットしてしまう", 4), ("ｼﾞｻﾂしたい", 2)])
def test_width_and_kana_variants_of_higher_levels(scorer: IdeationScorer, text: str, expected: int) -> None:
    assert level(scorer, text) == expected


# ------------------------------------------------------------------ exclusions
@pytest.mark.parametrize("text", [
    "死にたくない", "死にたいわけじゃないんです", "死にたいとは思わない", "死にたいとまでは思ってないです",
    "消えたいとかではないんですけど", "自殺を考えたことはないです", "死ぬつもりはないけど、しんどい",
    "リスカはしてない",
])
def test_negation_is_level_0(scorer: IdeationScorer, text: str) -> None:
    result = scorer.score_message(text)
    assert result.level == 0
    assert any(":negation:" in e for e in result.evidence)


@pytest.mark.parametrize("text", [
    "死ぬほど眠い", "必死で勉強した", "死ぬ気で頑張る", "推しが尊死", "死ぬかと思った", "余計なことに首をつっこむな",
    "スマホの充電が死んだ", "それはもう死語だよ", "死角になっていた", "恥ずかしすぎて死にたい", "退屈で死にそうです",
    "死んでもいいくらい好き", "清水の舞台から飛び降りるつもりで買った", "会社を首になった", "楽しんでもいいのかな",
    "学校いきたくない", "ロープレお疲れ様でした",
])
def test_hyperbole_and_idioms_are_level_0(scorer: IdeationScorer, text: str) -> None:
    assert level(scorer, text) == 0


@pytest.mark.parametrize("text", [
    "友達が死にたいって言ってた", "母が自殺した", "田中さんが死にたいと言っていて心配です",
    "息子が「死にたい」と言いました", "兄は「死んでやる」と叫んだ", "クラスの子が消えたいって書いてた",
    "彼女が自殺未遂をした", "父の遺書が見つかった", "友達に死にたいって相談された", "恋人が自殺したいって言うから",
])
def test_third_party_is_level_0_and_flagged(scorer: IdeationScorer, text: str) -> None:
    result = scorer.score_message(text)
    assert (result.level, result.third_party) == (0, True)


@pytest.mark.parametrize("text", [
    "親が怒るから死にたい", "彼氏に振られて死にたい", "学校の先生が信用できねぇしなんかもう自殺したい",
    "母が怒鳴ってくる…なんかもう毎日のように死のうと思います", "死にたいって言ったら先生に怒られた",
])
def test_another_person_in_the_sentence_is_not_always_the_subject(scorer: IdeationScorer, text: str) -> None:
    result = scorer.score_message(text)
    assert result.level >= 1 and not result.third_party


def test_questions_about_others_and_generic_people(scorer: IdeationScorer) -> None:
    assert level(scorer, "死にたいと思ったことはありますか？") == 0
    assert level(scorer, "死にたい人の気持ちがわからない") == 0
    assert level(scorer, "私は死んだほうがいいですよね？") == 1  # a question about oneself counts


@pytest.mark.parametrize("text, past_attempt", [
    ("昔は死にたかった", False),
    ("死にたいと思ってたけど少し楽になった", False),
    ("前は消えたいって思ってた時期もあったけど今はそこまでじゃない", False),
    ("前にリスカしていた時期があった", True),
    ("中学の時にODしたことがある", True),
    ("前に自殺未遂したことがあるけど、今は落ち着いてる", True),
    ("3年前に自殺未遂をしました", True),
])
def test_past_ideation_is_level_0(scorer: IdeationScorer, text: str, past_attempt: bool) -> None:
    result = scorer.score_message(text)
    assert (result.level, result.past_attempt) == (0, past_attempt)


def test_ongoing_ideation_is_not_past(scorer: IdeationScorer) -> None:
    assert level(scorer, "小学生の頃から死にたいと思ってた") == 1
    assert level(scorer, "ずっと死にたかった") == 1
    assert level(scorer, "昔リスカしてたけど、今日もまた切った") == 4


def test_self_harm_flag(scorer: IdeationScorer) -> None:
    assert scorer.score_message("リスカした").self_harm
    urge = scorer.score_message("毎日毎日親から言われて、自傷行為したくなるんです")
    assert (urge.level, urge.self_harm, urge.strong) == (1, True, True)
    past = scorer.score_message("昔リスカしてたことがあって、今はしてない")
    assert (past.level, past.past_attempt, past.self_harm) == (0, True, True)
    assert not scorer.score_message("さっきODした").self_harm


# ------------------------------------------------------------------ strength and evidence
@pytest.mark.parametrize("text, strong", [
    ("毎日死にたいと思う", True), ("ずーっと消えたい", True), ("本気で死のうと思ってる", True),
    ("何度もリスカしてしまう", True), ("死にたい", False), ("時々消えたくなる", False), ("首を吊ろうと思う", True),
])
def test_strength(scorer: IdeationScorer, text: str, strong: bool) -> None:
    assert scorer.score_message(text).strong is strong


def test_evidence_names_term_and_rule_and_no_more_text(scorer: IdeationScorer) -> None:
    text = "上司に毎日怒鳴られて、もう本当にｼﾆﾀｲです。佐藤さんには言えない"
    result = scorer.score_message(text)
    assert result.evidence == ("L1:current:shinitai=しにたい", "強い:毎日")
    negated = scorer.score_message("田中さんに相談したけど死にたいわけじゃない")
    assert negated.evidence == ("L0:negation:shinitai=死にたい",)
    assert "田中" not in "".join(negated.evidence)


def test_no_candidate_costs_nothing(scorer: IdeationScorer) -> None:
    assert scorer.score_message("今日は学校で友達と話せてよかったです") is NO_IDEATION
    assert scorer.score_message("") is NO_IDEATION


def test_long_text_is_scored(scorer: IdeationScorer) -> None:
    text = "今日も疲れた。" * 20_000 + "もう死にたい。" + "眠い。" * 1000
    assert level(scorer, text) == 1


# ------------------------------------------------------------------ consultation
def test_consultation_takes_the_highest_current_level(scorer: IdeationScorer) -> None:
    messages = [
        "こんばんは", "友達が死にたいって言ってて", "でも私も最近死にたくなる", "昔ODしたことがあって",
        "睡眠薬をためてるんです",
    ]
    result = scorer.score_consultation(messages)
    assert isinstance(result, ConsultationIdeation)
    assert (result.level, result.strength) == (3, "強い")
    assert (result.past_attempt, result.third_party, result.self_harm) == (True, True, False)
    assert result.as_dict() == {
        "ideation_level": 3,
        "ideation_strength": "強い",
        "past_attempt": True,
        "third_party": True,
        "self_harm": False,
        "ideation_evidence": [
            "L0:third_party:shinitai=死にたい", "L1:current:shinitai=死にたく", "L0:past_act:od=odし",
            "L3:current:kusuri_tameru=睡眠薬をため",
        ],
    }


def test_consultation_strength(scorer: IdeationScorer) -> None:
    assert scorer.score_consultation(["死ぬほど疲れた", "死にたくはない"]).strength == "なし"
    assert scorer.score_consultation(["仕事がつらい", "時々消えたくなる"]).strength == "少し"
    assert scorer.score_consultation(["時々消えたくなる", "毎晩死にたいって思う"]).strength == "強い"
    # intensity about something else in a level-0 message does not make the ideation strong
    assert scorer.score_consultation(["毎日残業", "消えたい"]).strength == "少し"
    assert scorer.score_consultation([]) == ConsultationIdeation(0, "なし", False, False, False, ())


def test_message_result_type(scorer: IdeationScorer) -> None:
    result = scorer.score_message("消えたい")
    assert isinstance(result, MessageIdeation)
    assert result == MessageIdeation(1, False, False, False, False, ("L1:current:kietai=消えたい",))


# ------------------------------------------------------------------ lexicon YAML
def test_lexicon_loads_with_version(raw_yaml: dict) -> None:
    lexicon = load_ideation_lexicon()
    assert lexicon.version == raw_yaml["version"] == 2
    assert {t.level for t in lexicon.terms} == {0, 1, 2, 3, 4}
    assert lexicon.levels[1] == "希死念慮"


def _broken(raw: dict, path: list, value) -> dict:
    data = copy.deepcopy(raw)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize("path, value, message", [
    (["version"], 1, r"'version' must be one of 2\. Got 1\."),
    (["terms", 0, "level"], 7, r"'terms\[0\] \(shinitai\)\.level' must be one of 1, 2, 3 \(for kind wish\)\. Got 7\."),
    (["terms", 0, "kind"], "wishful", r"'terms\[0\] \(shinitai\)\.kind' must be one of wish, urge, act, report\. Got 'wishful'\."),
    (["terms", 0, "pattern"], "死に(たい", r"'terms\[0\] \(shinitai\)\.pattern' must be a valid regular expression"),
    (["terms", 0, "examples"], ["死んだ"], r"'terms\[0\] \(shinitai\)\.examples' must be texts its pattern matches\. Got '死んだ'\."),
    (["terms", 0, "examples"], ["元気です"], r"'prefilter' must be .* \(term shinitai\)\. Got '元気です'\."),
    (["terms", 0, "self_harm"], "yes", r"'terms\[0\] \(shinitai\)\.self_harm' must be true or false\. Got 'yes'\."),
    (["prefilter"], ["自殺"], r"'prefilter' must be a list of anchors one of which occurs in each example \(term shinitai\)"),
    (["levels"], {0: "a", 1: "b"}, r"'levels' must be a mapping with exactly the keys 0, 1, 2, 3, 4"),
    (["strength_markers"], [], r"'strength_markers' must be a non-empty string or list"),
])
def test_validation_errors_name_key_allowed_and_received(raw_yaml: dict, path: list, value, message: str) -> None:
    with pytest.raises(IdeationLexiconError, match=message):
        parse_ideation_lexicon(_broken(raw_yaml, path, value), source="ideation.yaml")


def test_validation_of_missing_and_unknown_keys(raw_yaml: dict) -> None:
    data = copy.deepcopy(raw_yaml)
    del data["exclusions"]["negation_after"]
    with pytest.raises(IdeationLexiconError, match=r"'exclusions\.negation_after' must be present"):
        parse_ideation_lexicon(data)
    data = copy.deepcopy(raw_yaml)
    data["colour"] = "red"
    with pytest.raises(IdeationLexiconError, match=r"only the keys version, levels.*Got \['colour'\]"):
        parse_ideation_lexicon(data)


def test_custom_lexicon_is_used(raw_yaml: dict) -> None:
    data = copy.deepcopy(raw_yaml)
    data["terms"] = [t for t in data["terms"] if t["id"] != "kietai"]
    scorer = IdeationScorer(lexicon=parse_ideation_lexicon(data))
    assert scorer.score_message("消えたい").level == 0
    assert scorer.score_message("死にたい").level == 1


def test_unreadable_file_names_the_file(tmp_path) -> None:
    bad = tmp_path / "ideation.yaml"
    bad.write_text("version: [1\n", encoding="utf-8")
    with pytest.raises(IdeationLexiconError, match="ideation.yaml: cannot read"):
        load_ideation_lexicon(bad)
