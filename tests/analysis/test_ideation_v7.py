"""Ideation classes found on dev7 and then heldout8 (issue #14, session 6: unseen KokoroChat
dialogues, their errors read after the once-only score): each with its level and a level-0 twin.
The texts are written for these tests, not taken from the evaluation data."""

from __future__ import annotations

import pytest

from nlp.analysis.ideation import IdeationScorer


@pytest.mark.parametrize("text, expected, twin", [
    # the belief one must not be alive; a condition on living is not
    ("私なんか生きていたらダメなんだ", 1, "夏まで生きていたら会いに行くね"),
    # one's death would change nothing or grieve no one; someone else's in the past is not counted
    ("母は私が死んでも悲しまないと思う", 1, "父が死んでも母は悲しまなかった"),
    ("今日死んでも何も変わらないな", 1, "父が死んでも何も変わらなかった"),
    # ending it now, one's life ending wished for; ending a topic or a holiday is not
    ("いますぐ終わりにしたい", 1, "この話はいますぐ終わりにしたい"),
    ("人生終わってくれたらいいのに", 1, "夏休み終わってくれたらいいのに"),
    # the polite 死ぬしかありません was read as a negation
    ("それができないなら死ぬしかありません", 2, "死ぬしかないとは思っていません"),
    # oneself better absent for someone's sake; someone else absent is not
    ("私がいない方が母も楽だと思う", 1, "母がいない方が楽だと思う"),
    ("いない方が家族のためだと思う", 1, "彼がいない方が家族のためだと思う"),
    # one's own death announced at a time to come; a death that has happened is not
    ("その時にはもうこの世にはいませんが", 2, "祖父はもうこの世にはいません"),
    # a ligature tried round one's neck; a scarf is not
    ("首にコードを巻き付けて試してみました", 4, "首にマフラーを巻いて出かけました"),
    # after reading the heldout8 errors (its figures after this are optimistic)
    ("私なんか生まれて来なければ良かった", 1, "孫が生まれて来てくれて良かった"),
    ("死ぬしか無いですかね", 2, "死ぬしか無いとは思わない"),
    ("もう死ぬからどうでもいい", 2, "もう死ぬかと思った"),
    ("人を殺して自分も死ぬ", 2, "自分も死ぬほど疲れた"),
    ("でも、死ねば終わるからもういいです", 1, "死んだら終わりだから頑張って生きる"),
    ("私が死んだら、みんな喜ぶのかな", 1, "祖母が死んだら、みんな悲しむ"),
    ("もう生きてなくてもいいかなぁ", 1, "生きていてもいいんだと思えた"),
    ("リスカとかで死ねますか？", 3, "リスカとかで死ねる人はいない"),
    ("その場で死ぬのもありかな", 1, "死ぬのもありかなって友達が言ってた"),
    ("ただ終わらせたい", 1, "仕事をただ終わらせたい"),
    ("自分を殴ったりするとすっきりします", 4, "自分を殴りたくなる"),
    # read again in heldout5/6: one's death would be all right; oneself absent in a clause of its own
    ("もうみんな大人だし、私が死んでも大丈夫かな", 1, "薬を飲み忘れても大丈夫かな"),
    ("私なんて、皆の厄介者で、いない方がいいんです", 1, "彼は、いつも邪魔で、いない方がいいんです"),
])
def test_v7_classes(scorer: IdeationScorer, text: str, expected: int, twin: str) -> None:
    assert scorer.score_message(text).level == expected, scorer.score_message(text).evidence
    assert scorer.score_message(twin).level == 0, scorer.score_message(twin).evidence


@pytest.mark.parametrize("text, twin, twin_level", [
    # people found doing it are someone else; the writer doing it is an act
    ("リスカしてる人が何人も見つかってしまい", "私もリスカしてる", 4),
    # leaving a place is not disappearing; leaving this world is
    ("その場から居なくなりたいと思って退職しました", "この世から居なくなりたい", 1),
    # someone's words reported with an adverb between (彼女に死にたいとよく言われます)
    ("彼女に死にたいとよく言われます", "死にたいとよく思います", 1),
])
def test_v7_level_zero(scorer: IdeationScorer, text: str, twin: str, twin_level: int) -> None:
    assert scorer.score_message(text).level == 0, scorer.score_message(text).evidence
    assert scorer.score_message(twin).level == twin_level, scorer.score_message(twin).evidence


def test_wounds_continue_a_current_self_harm(scorer: IdeationScorer) -> None:
    """After a current self-harm term, the writer's wounds, bleeding, dressings and 'did it again'
    continue the act; an emotional wound does not, and none of them counts without the act."""
    dialogue = ["最近また手首を切ってしまって", "手の傷が先生にばれて怒られた", "血はすぐ止まるから大丈夫",
                "絆創膏を貼ってごまかしてます", "心の傷が残ってる", "またやっちゃった", "切りたくなったら輪ゴムにする"]
    levels = [r.level for r in scorer.score_dialogue(dialogue)]
    assert levels == [4, 4, 4, 4, 0, 4, 4]
    without_act = ["料理で指を切りそうになった", "手の傷が先生にばれて怒られた", "血はすぐ止まるから大丈夫", "またやっちゃった"]
    assert [r.level for r in scorer.score_dialogue(without_act)] == [0, 0, 0, 0]
    past = ["中学の時にリスカしてた", "手の傷が先生にばれて怒られた"]
    assert [r.level for r in scorer.score_dialogue(past)] == [0, 0]
