"""Ideation v3 (issue #14): each class of miss with its level and a level-0 twin, and stage 2
(the GiNZA dependency parse) behind its one-method interface. The texts are written for these
tests, not taken from the evaluation data."""

from __future__ import annotations

import os
import pickle

import pytest

from nlp.analysis.ideation import IdeationScorer
from nlp.analysis.ideation_context import ContextFacts, ContextQuery, GinzaContext, context_rule
from taxonomy.ideation import load_ideation_lexicon


def _check(scorer: IdeationScorer, text: str, expected: int, rule: str | None = None):
    result = scorer.score_message(text)
    assert result.level == expected, result.evidence
    if rule is not None:
        assert any(f":{rule}:" in e for e in result.evidence), result.evidence
    return result


# ------------------------------------------------------------------ plain volitional or evaluative forms
@pytest.mark.parametrize("text, expected, twin, rule", [
    ("もう死にます", 2, "人はいつか死にます", "ctx_generic"),
    ("死のうかな", 2, "死のうかなと思った時期もあった", "ctx_past"),
    ("死んだ方が楽", 1, "死んだ方が楽だと友達が言っていた", "ctx_third_party"),
    ("もう死んだ方がいい", 1, "あいつなんか死んだ方がいい", None),
    ("私が死んだ方がみんな助かる", 1, "死んだ方がみんな助かるなんて思わない", "ctx_negation"),
    ("私なんか死ねばいいのに", 1, "死ねばいいのに、あの上司", None),  # decided: 死ねばいいのに needs 私/自分
    ("自分が死ねばいいのに", 1, "あいつが死ねばいいのに", None),
    ("いっそ死んでしまった方がいい", 1, "事故で死んでしまった方がいる", None),
    ("死んで生まれ直したい", 1, "兄が死んで生まれ直したいと言っていた", "third_party"),
])
def test_volitional_and_evaluative(scorer: IdeationScorer, text: str, expected: int, twin: str, rule: str | None) -> None:
    _check(scorer, text, expected)
    _check(scorer, twin, 0, rule)


# ------------------------------------------------------------------ death wishes without 死
@pytest.mark.parametrize("text, twin, rule", [
    ("生きているのが嫌", "生きているのが嫌なわけじゃない", None),
    ("もう生きていきたくない", "こんな風には生きていきたくない", None),
    ("朝が来なければいいのに", "朝が来なければいいのにと思っていた頃もあった", "ctx_past"),
    ("誰か殺してくれないかな", "誰か殺してくれないかなって妹が言ってた", "ctx_third_party"),
    ("何で死んじゃいけないの", "何で死んじゃいけないのって友達が言ってた", "ctx_third_party"),
])
def test_death_wishes_without_shi(scorer: IdeationScorer, text: str, twin: str, rule: str | None) -> None:
    _check(scorer, text, 1)
    _check(scorer, twin, 0, rule)


@pytest.mark.parametrize("text, twin", [
    ("こんな自分は生きてはいけないんだと思う", "一人では生きていけない"),
    ("もうこの世に未練はない", "もうあの仕事に未練はない"),
    ("起きたら生きていて絶望します", "起きたら雨で絶望します"),
])
def test_must_not_live_no_attachment_and_waking_up_alive(scorer: IdeationScorer, text: str, twin: str) -> None:
    _check(scorer, text, 1)
    _check(scorer, twin, 0)


def test_a_method_named_in_a_list_is_not_an_act(scorer: IdeationScorer) -> None:
    result = _check(scorer, "自傷とか、線路に飛び込むとかは怖くて無理", 3)
    assert not result.self_harm
    _check(scorer, "昨日リストカットした", 4)


@pytest.mark.parametrize("text, twin", [
    ("ここで死のうと思って来た", "ここで死のうと思ったことはない"),
    ("このまま車で突っ込んで死にたい", "友達が車で突っ込んで死にたいと言っていた"),
])
def test_place_and_crash_are_level_3(scorer: IdeationScorer, text: str, twin: str) -> None:
    _check(scorer, text, 3)
    _check(scorer, twin, 0)


def test_only_the_nearest_thought_verb_negates(scorer: IdeationScorer) -> None:
    _check(scorer, "死にたいと思うなんてまさかあるとは思わなくて", 1)
    _check(scorer, "死んだ方がみんな助かるなんて思わない", 0, "ctx_negation")


def test_distress_about_living_is_not_a_wish(scorer: IdeationScorer) -> None:
    """Decision (as for 生きる意味がない): living is hard (つらい, しんどい) is distress, not counted."""
    assert scorer.score_message("生きているのがつらい").level == 0
    assert scorer.score_message("母を殺してほしい").level == 0  # someone else as the object


# ------------------------------------------------------------------ method and preparation
@pytest.mark.parametrize("text, twin, rule", [
    ("何錠飲めば死ねる？", "何錠飲めば死ねるか聞いてきた友達がいて", "ctx_third_party"),
    ("ロープは用意してある", "キャンプ用のロープは用意してある", None),
    ("薬をたくさん飲んで死のうか", "薬をたくさん飲んで死のうかと思った頃もあった", "ctx_past"),
    ("事故に見せかけて死のうと思う", "事故に見せかけて殺された事件のニュース", None),
])
def test_method_and_preparation_is_level_3(scorer: IdeationScorer, text: str, twin: str, rule: str | None) -> None:
    result = _check(scorer, text, 3)
    assert result.strong
    _check(scorer, twin, 0, rule)


# ------------------------------------------------------------------ self-harm now vs past
def test_self_harm_that_cannot_be_stopped_is_current(scorer: IdeationScorer) -> None:
    result = _check(scorer, "リスカしたくないけどやめられない", 4, "current")
    assert result.self_harm and not result.past_attempt
    _check(scorer, "リスカしたくないし、したこともない", 0, "negation")


@pytest.mark.parametrize("text, now", [
    ("リスカしてた頃は毎日が辛かった", "今もリスカしてる"),
    ("中学の時には自殺も考えました", "中学の頃から自殺を考えている"),
])
def test_self_harm_and_ideation_told_as_past(scorer: IdeationScorer, text: str, now: str) -> None:
    past = scorer.score_message(text)
    assert past.level == 0 and any(":ctx_past" in e or ":past" in e for e in past.evidence), past.evidence
    assert scorer.score_message(now).level >= 2


def test_past_self_harm_flags_past_attempt(scorer: IdeationScorer) -> None:
    result = _check(scorer, "リスカしてた頃は毎日が辛かった", 0, "ctx_past_act")
    assert result.past_attempt and result.self_harm


# ------------------------------------------------------------------ someone else, hypothetical, meta
def test_a_past_act_told_in_a_time_clause(scorer: IdeationScorer) -> None:
    result = _check(scorer, "母に死にたいと言って手首を切った時", 0, "ctx_past_act")
    assert result.past_attempt and not result.third_party  # the writer spoke to the mother
    _check(scorer, "さっき母に死にたいと言って手首を切った", 4, "current")


def test_hypothetical_act_of_someone_else(scorer: IdeationScorer) -> None:
    _check(scorer, "もし相手がリスカまでしたら", 0)
    _check(scorer, "もしリスカしたらどうしよう", 0, "ctx_hypothetical")
    _check(scorer, "リスカまでしてしまった", 4)


def test_meta_remarks_in_brackets(scorer: IdeationScorer) -> None:
    _check(scorer, "（次は希死念慮強めに演じてみます）", 0, "meta")
    _check(scorer, "【ロールプレイ：死にたい気持ちの相談】", 0, "meta")
    _check(scorer, "希死念慮が強めに出ている", 1)


# ------------------------------------------------------------------ stage 2 interface
class _Recorder:
    """A stage 2 that says what it is told to and records what it was asked."""

    def __init__(self, facts: ContextFacts) -> None:
        self.answer = facts
        self.asked: list[ContextQuery] = []

    def facts(self, queries):
        self.asked.extend(queries)
        return [self.answer for _ in queries]


def test_stage_2_is_injectable_and_asked_only_for_candidates() -> None:
    recorder = _Recorder(ContextFacts(subject="other"))
    scorer = IdeationScorer(context=recorder)
    assert scorer.score_message("今日は友達と遊んだ").level == 0
    assert scorer.score_message("死にたい").level == 1  # no trigger in the sentence: not asked
    assert recorder.asked == []
    assert scorer.score_message("上司に怒られて死にたい").level == 1  # a person before the term is stage 1's
    assert recorder.asked == []
    result = scorer.score_message("もう死にたいって上司が言ってた")
    assert (result.level, result.third_party) == (0, True)
    assert recorder.asked == [ContextQuery("もう死にたいって上司が言ってた", 2, 6)]


def test_stage_2_batches_a_consultation() -> None:
    recorder = _Recorder(ContextFacts())
    scorer = IdeationScorer(context=recorder)
    result = scorer.score_consultation(["死にたいって母が言う", "こんにちは", "リスカした時期"])
    assert len(recorder.asked) == 2
    assert result.level == 4


def test_without_stage_2_needs_context_terms_count_only_without_a_trigger() -> None:
    scorer = IdeationScorer(context=None)
    assert scorer.score_message("私なんか死ねばいいのに").level == 1
    assert scorer.score_message("死ねばいいのに、あの上司").level == 0
    assert scorer.score_message("友達が死にたいって言ってた").level == 0  # stage 1 still tells this one


def test_context_rule() -> None:
    assert context_rule(ContextFacts(), "wish") is None
    assert context_rule(ContextFacts(subject="self"), "wish") is None
    assert context_rule(ContextFacts(past=True), "act") == "ctx_past_act"
    assert context_rule(ContextFacts(hypothetical=True), "wish") is None  # もし死ねたら楽: still a wish
    assert context_rule(ContextFacts(hypothetical=True), "act") == "ctx_hypothetical"
    assert context_rule(ContextFacts(past_tense=True), "wish") is None
    assert context_rule(ContextFacts(past_tense=True), "wish", needs_context=True) == "ctx_past"


def test_ginza_is_loaded_lazily_and_not_pickled(scorer: IdeationScorer) -> None:
    fresh = IdeationScorer()
    assert isinstance(fresh.context, GinzaContext) and not fresh.context.loaded
    fresh.score_message("死にたい")
    assert not fresh.context.loaded  # no trigger, no parse
    assert fresh.score_message("もしリスカしたら").level == 0
    assert fresh.context.loaded
    copy = pickle.loads(pickle.dumps(fresh))
    assert not copy.context.loaded
    assert copy.score_message("友達が死んだ方が楽だと言っていた").level == 0


def test_ginza_facts_on_a_parse() -> None:
    context = GinzaContext(load_ideation_lexicon().context)
    sentence = "母に死にたいと言って手首を切った時"
    facts = context.facts([ContextQuery(sentence, 2, 6), ContextQuery(sentence, 10, 15),
                           ContextQuery("友達が死にたいって言ってた", 3, 7)])
    assert facts[0].past and facts[1].past and facts[0].subject == "none"
    assert facts[2].subject == "other" and not facts[2].past


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_process_about_to_fork_loads_the_parser_first() -> None:
    """Workers forked after the load share the parser's pages instead of loading one each."""
    scorer = IdeationScorer()
    import nlp.analysis.ideation_context as stage2

    stage2._LOADED.clear()
    scorer.context._nlp = None
    pid = os.fork()
    if pid == 0:
        os._exit(0 if scorer.context.loaded else 1)
    _, status = os.waitpid(pid, 0)
    assert scorer.context.loaded and os.waitstatus_to_exitcode(status) == 0
