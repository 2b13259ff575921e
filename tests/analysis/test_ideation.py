"""Suicide-ideation scoring (DESIGN.md, "Suicide-ideation levels") on real Japanese sentences."""

from __future__ import annotations

import pytest

from nlp.analysis.ideation import NO_IDEATION, ConsultationIdeation, IdeationScorer, MessageIdeation


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


# ------------------------------------------------------------------ version 2 rules
@pytest.mark.parametrize("text, expected, term", [
    # a death wish said as a condition with relief; dying as the only way left
    ("死んだら全部終わりにできるから", 1, "death_relief"),
    ("死ねば悩むこともなくなる", 1, "death_relief"),
    ("寒いけど、死んだら寒さも感じない", 1, "death_relief"),
    ("死んだら明日の面談を受けなくて済む", 1, "death_relief"),
    ("自殺すれば楽になれるのかな", 2, "suicide_relief"),
    ("自分も自殺して、自由になれるかもって", 2, "suicide_relief"),
    ("もう死ぬしか方法がないよ", 2, "shinu_ketsui"),
    ("借金で死ぬしか道はない", 2, "shinu_ketsui"),
    ("もう死ぬだけだから", 2, "shinu_ketsui"),
    ("私が死ぬか、親を殺すか", 2, "die_or_kill"),
    ("自分が死ぬか逃げるかしかない", 2, "die_or_kill"),
    ("死を選ぼうと思う", 2, "shi_wo_erabu"),
    ("どうせ死ぬんだし", 1, "dousei_shinu"),
    ("悲観する考えが死を考えさせてしまう", 1, "shi_wo_kangaeru"),
    # failing at dying, or asking why one must not, presupposes the wish
    ("死ぬ勇気はないけど", 1, "cannot_even_die"),
    ("死ぬことすらうまくできない", 1, "cannot_even_die"),
    ("なかなか死ねなくて", 1, "cannot_even_die"),
    ("死ねないでいる感じです", 1, "cannot_even_die"),
    ("なんで死んだらいけないんですか", 1, "cannot_even_die"),
    ("また死に損ねた", 4, "attempt"),
    # the writer disappearing
    ("私がいなくなれば、みんな幸せになるのかな", 1, "self_disappearance"),
    ("もうどうしようもないし、自分がいなくなればいい", 1, "self_disappearance"),
    ("私なんていなくなったほうが家族にとって良い", 1, "self_disappearance"),
    ("消えてしまうのが一番だと思います", 1, "self_disappearance"),
    ("いっそ消えてしまった方が楽", 1, "self_disappearance"),
    ("この世から去りたい", 1, "self_disappearance"),
    ("死んで生まれ変わりたい", 1, "shindemo_ii"),
    ("自分が死んだほうが、父も考え直すと思う", 1, "shindemo_ii"),
    ("じゃあ死んで良いね", 1, "shindemo_ii"),
    # ending "it": no object, at a clause start; or life/oneself as the object
    ("もう終わりにしたい", 1, "owari_ni_shitai"),
    ("今日で終わりにしたい", 1, "owari_ni_shitai"),
    ("人生をもう終わりにしたい", 2, "inochi_wo_tatsu"),
    ("自分を終わらせたい", 2, "inochi_wo_tatsu"),
    ("希死念慮が強くて辛い", 1, "kishi_nenryo"),
])
def test_v2_terms(scorer: IdeationScorer, text: str, expected: int, term: str) -> None:
    result = scorer.score_message(text)
    assert result.level == expected
    assert any(e.startswith(f"L{expected}:current:{term}=") for e in result.evidence)


@pytest.mark.parametrize("text", [
    "死んだら終わりだから、生きてるうちに楽しもう",  # a saying, a reason to live
    "死ねばいいのに、あの上司",  # a wish about someone, no relief
    "私が死ぬかもしれないと医者に言われた",
    "死ぬしかないくらい笑った",  # decided: a degree clause followed by laughter is hyperbole
    "事故で死にかけた",  # decided: 死にかけた is as often an accident or illness
    "死んでも死にきれない",  # regret
    "私がいなくなれば、夫が子育てをするかもしれない",  # no evaluation: not a wish
    "上司がいなくなればいいのに",
    "痛みが消えるのが一番",
    "不安が消えてしまうのが一番",
    "この世から戦争がなくなればいい",
    "仕事を終わりにしたい",
    "彼とはもう終わりにしたい",
    "今日はこの辺りで終わりにしたいです",
    "交際を終わりにしたいと言われました",
    "電池が死ぬ",
    "スマホの電池が死んだら困る",
    "死を恐れている",
    "死を受け入れられない自分がいます",
    "人間どうせ死ぬんだから好きに生きよう",
    "どうせ死ぬなら行きたい所に行きたい",
    "死んでしまった猫に会いたい",
    "死んでお詫びしたい",  # an idiom of apology
    "祖父が死んで泣きたい",
    "希死念慮のある方ですね、了解しました",  # the clinical term named, not had
    "希死念慮はある程度経験を積んでから扱う",
])
def test_v2_level_0_counterparts(scorer: IdeationScorer, text: str) -> None:
    result = scorer.score_message(text)
    assert result.level == 0
    assert not result.third_party


@pytest.mark.parametrize("text", [
    "生きる意味がわからない", "生きている価値がない", "生きていても仕方ない", "別に生きててもしょうがない",
])
def test_hopelessness_is_not_counted(scorer: IdeationScorer, text: str) -> None:
    """Decision: a judgement on life (意味, 価値, 仕方ない) is hopelessness, level 0; only the wish
    not to live is passive ideation (GHQ-28 keeps the two apart)."""
    assert level(scorer, text) == 0


@pytest.mark.parametrize("text", ["生きていたくない", "もう生きたくないです", "生きてたくない", "生きるのをやめたい"])
def test_wish_not_to_live_is_level_1(scorer: IdeationScorer, text: str) -> None:
    assert scorer.score_message(text).evidence[0].startswith("L1:current:ikitakunai=")


@pytest.mark.parametrize("text, rule", [
    ("やり切って死にたいです", "natural_death"),
    ("「ここまでは進められた」と感じて死ねたら幸せだと思います", "natural_death"),
    ("老衰で死にたい", "natural_death"),
    ("自分で自分の首を絞めてる", "hyperbole"),
])
def test_dying_after_a_full_life_and_idioms(scorer: IdeationScorer, text: str, rule: str) -> None:
    result = scorer.score_message(text)
    assert result.level == 0
    assert any(f":{rule}:" in e for e in result.evidence)


def test_manner_of_dying_that_is_a_wish_still_counts(scorer: IdeationScorer) -> None:
    assert level(scorer, "眠るように死にたい") == 1


# ------------------------------------------------------------------ version 2 rule fixes
def test_subject_particle_ga_is_not_but(scorer: IdeationScorer) -> None:
    """が is "but" only after a predicate; 希望がなくなって does not make the ideation over."""
    text = "人生がうまくいかなくて死にたいと思ったり、希望がなくなってしまっているのです"
    assert level(scorer, text) == 1
    assert level(scorer, "死にたいと思っていたが、その気持ちはなくなった") == 0
    assert level(scorer, "死にたいと思ってたけど希望がなくなって") == 1


@pytest.mark.parametrize("text", [
    "一回首を絞めてみたことはあります", "リスカはしたことはあります", "何回か死のうとしたけど、死にきれなかった",
])
def test_acts_reported_as_past_with_wa_or_a_count(scorer: IdeationScorer, text: str) -> None:
    result = scorer.score_message(text)
    assert (result.level, result.past_attempt) == (0, True)


def test_the_noun_for_a_method_is_not_an_act(scorer: IdeationScorer) -> None:
    assert level(scorer, "首締めと") == 0
    assert level(scorer, "首絞めは苦しいって聞いた") == 0
    assert level(scorer, "昨日首を絞めた") == 4


def test_trying_to_die_now_is_an_intention(scorer: IdeationScorer) -> None:
    assert level(scorer, "しまいには自分で死のうとしてる") == 2
    assert level(scorer, "昨日死のうとした") == 4


def test_wanting_to_stop_wanting_to_die_is_not_a_denial(scorer: IdeationScorer) -> None:
    assert level(scorer, "どうすれば死にたくなくなりますか？") == 1
    result = scorer.score_message("もう死にたくなくなった")
    assert result.level == 0 and any(":negation:" in e for e in result.evidence)


def test_a_clause_on_the_writer_is_the_writers(scorer: IdeationScorer) -> None:
    text = "家族や友達も、自傷行為を繰り返してる私のことをどう思ってるのかわかりません"
    result = scorer.score_message(text)
    assert (result.level, result.third_party, result.self_harm) == (4, False, True)
    other = scorer.score_message("友達も自傷行為を繰り返してる")
    assert (other.level, other.third_party) == (0, True)


@pytest.mark.parametrize("text", [
    "後、たまに死にたいと思うこともあるみたいで",  # hearsay about the husband named earlier
    "夫は死にたいらしい",
    "死ぬと言って手首を切った写メを送ってきて",  # an act shown to the writer
    "死にたいって毎晩言ってくる",
])
def test_hearsay_and_acts_towards_the_writer_are_someone_elses(scorer: IdeationScorer, text: str) -> None:
    result = scorer.score_message(text)
    assert (result.level, result.third_party) == (0, True)


def test_hearsay_rule_keeps_the_writers_own(scorer: IdeationScorer) -> None:
    assert level(scorer, "私も死にたいみたいな気持ちになる") == 1  # みたいな is "like", not hearsay
    assert level(scorer, "私はたまに死にたいと思うこともあるみたいで") == 1  # first-person subject


def test_v2_strength(scorer: IdeationScorer) -> None:
    assert scorer.score_message("毎日、死ねば楽になると思う").strong
    assert not scorer.score_message("死んだら楽になれるかな").strong
