"""Loneliness scales by gender × age band, against tables computed by hand.

Respondents (40), built in ``respondents()``:
  女性 20代 ×12  direct しばしばある・常にある 4 (two written 常にある), 時々ある 4, たまにある 4;
                 UCLA (常にある, 常にある, 時々ある) = 11 ×4, (時々ある, 時々ある, ほとんどない) = 8 ×4,
                 (ほとんどない, 決してない, 決してない) = 4 ×4
  男性 20代 ×10  direct ほとんどない 6, 決してない 4; UCLA (1, 1, 1) = 3 ×6, ("２", "２", "２") = 6 ×4
  女性 60代 ×8   direct 時々ある 5, blank 3; UCLA (4, 4, 4) = 12 ×5, an item missing ×3
  男性 60代 ×10  direct たまにある 10; UCLA (3, 3, 3) = 9 ×10
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
import pytest

from nlp.tables.loneliness import DIRECT_ANSWERS, UCLA_BANDS, direct_answer, loneliness_tables, ucla_item_score, ucla_scores


def respondents() -> pd.DataFrame:
    rows = []

    def add(n, gender, age, direct, items):
        rows.extend({"gender": gender, "age_band": age, "loneliness_direct": direct,
                     "ucla_1": items[0], "ucla_2": items[1], "ucla_3": items[2]} for _ in range(n))

    add(2, "女性", "20代", "しばしばある・常にある", ("常にある", "常にある", "時々ある"))
    add(2, "女性", "20代", "常にある", ("常にある", "常にある", "時々ある"))
    add(4, "女性", "20代", "時々ある", ("時々ある", "時々ある", "ほとんどない"))
    add(4, "女性", "20代", "たまにある", ("ほとんどない", "決してない", "決してない"))
    add(6, "男性", "20代", "ほとんどない", (1, 1, 1))
    add(4, "男性", "20代", "決してない", ("２", "２", "２"))
    add(5, "女性", "60代", "時々ある", (4, 4, 4))
    add(3, "女性", "60代", None, (4, None, 4))
    add(10, "男性", "60代", "たまにある", (3, 3, 3))
    frame = pd.DataFrame(rows)
    frame.insert(0, "respondent_id", [f"R{i:02d}" for i in range(len(frame))])
    return frame


@pytest.fixture(scope="module")
def tables():
    return loneliness_tables(respondents(), min_cell=3)


def cells(table: pd.DataFrame, gender: str, age: str, column: str) -> pd.DataFrame:
    return table[(table["gender"] == gender) & (table["age_band"] == age)].set_index(column)


def test_answer_parsing():
    assert direct_answer("常にある") == direct_answer(1) == "しばしばある・常にある"
    assert direct_answer(" ときどきある ") == "時々ある" and direct_answer(None) == "無回答"
    assert direct_answer("わからない") is None
    assert [ucla_item_score(v) for v in ["決してない", "ほとんどない", "時々ある", "常にある"]] == [1, 2, 3, 4]
    assert ucla_item_score("３") == 3 and ucla_item_score(np.nan) == 0 and ucla_item_score(5) is None
    scores = ucla_scores(respondents())
    assert scores.iloc[0] == 11 and scores.iloc[18] == 6 and pd.isna(scores.iloc[27])
    assert scores.dropna().between(3, 12).all()


def test_direct_question_overall(tables):
    direct = tables["loneliness_direct"]
    assert list(direct.columns) == ["gender", "age_band", "answer", "respondents", "share", "suppressed", "reference"]
    overall = cells(direct, "全体", "全体", "answer")
    assert list(overall.index) == DIRECT_ANSWERS
    # 4, 4+5, 4+10, 6, 4, 3 of 40
    assert overall["respondents"].tolist() == [4, 9, 14, 6, 4, 3]
    assert overall["share"].tolist() == [0.1, 0.225, 0.35, 0.15, 0.1, 0.075]
    assert not overall["suppressed"].any() and not overall["reference"].any()  # n = 40 > 30


def test_direct_question_groups_margins_and_suppression(tables):
    direct = tables["loneliness_direct"]
    female_20s = cells(direct, "女性", "20代", "answer")
    assert female_20s["respondents"].tolist()[:3] == [4, 4, 4]
    assert female_20s["share"].tolist()[:3] == [1 / 3, 1 / 3, 1 / 3]
    assert female_20s["suppressed"].tolist() == [False, False, False, True, True, True]  # zeros
    assert female_20s["reference"].all()  # n = 12
    men = cells(direct, "男性", "全体", "answer")
    assert men.loc["たまにある", "respondents"] == 10 and men.loc["たまにある", "share"] == 0.5
    # 20代 (both genders): only 無回答 (0) is below 3, so the smallest other answer,
    # しばしばある・常にある (4, first of the 4s), is suppressed as its complement.
    twenties = cells(direct, "全体", "20代", "answer")
    assert twenties["suppressed"].tolist() == [True, False, False, False, False, True]
    assert twenties.loc["時々ある", "respondents"] == 4 and twenties.loc["時々ある", "share"] == 4 / 22


def test_ucla_score_bands(tables):
    ucla = tables["ucla_score"]
    overall = cells(ucla, "全体", "全体", "score_band")
    assert list(overall.index) == UCLA_BANDS
    # 3点: 6; 4～6点: 4+4; 7～9点: 4+10; 10～12点 (high): 4+5; 無回答: 3
    assert overall["respondents"].tolist() == [6, 8, 14, 9, 3]
    assert overall["share"].tolist() == [0.15, 0.2, 0.35, 0.225, 0.075]
    women_60s = cells(ucla, "女性", "60代", "score_band")
    assert women_60s.loc["10～12点", "respondents"] == 5 and women_60s.loc["10～12点", "share"] == 5 / 8
    assert women_60s.loc["無回答", "respondents"] == 3


def test_no_line_leaves_one_suppressed_cell(tables):
    for table, column in [(tables["loneliness_direct"], "answer"), (tables["ucla_score"], "score_band")]:
        for fixed in (["gender", "age_band"], ["gender", column], ["age_band", column]):
            assert (table.groupby(fixed)["suppressed"].sum() != 1).all(), (column, fixed)
        assert table.loc[table["suppressed"], "respondents"].isna().all()
        assert (table.loc[~table["suppressed"], "respondents"] >= 3).all()


def test_unrecognised_answers_count_as_no_answer_and_are_logged(caplog):
    frame = pd.DataFrame({"gender": ["女性"] * 4, "age_band": ["30代"] * 4,
                          "loneliness_direct": ["時々ある", "わからない", "時々ある", "時々ある"]})
    with caplog.at_level(logging.WARNING, logger="nlp.tables.loneliness"):
        tables = loneliness_tables(frame, min_cell=0)
    assert "わからない" in caplog.text and "ucla_score" not in tables
    overall = cells(tables["loneliness_direct"], "全体", "全体", "answer")
    assert overall.loc["無回答", "respondents"] == 1 and overall.loc["時々ある", "respondents"] == 3
    assert math.isclose(overall["share"].sum(), 1.0)
