import pandas as pd
import pytest

from nlp.analysis.analyse import Analyser, add_time_columns, analyse_consultations, group_consultations
from nlp.ingest.schema import CONSULTATION_COLUMNS


def _messages(rows):
    frame = pd.DataFrame(rows, columns=["consultation_id", "started_at", "role", "text", "age_band", "gender", "prefecture"])
    frame["started_at"] = pd.to_datetime(frame["started_at"]).dt.tz_localize("Asia/Tokyo")
    frame["occupation"] = "不明"
    frame["municipality"] = "不明"
    frame["row"] = range(1, len(frame) + 1)
    return frame


CHAT = _messages([
    ("A", "2024-08-04 22:15", "counselor", "こんばんは。相談員です。死にたい気持ちはありますか", "不明", "不明", "不明"),
    ("A", "2024-08-04 22:16", "client", "学校でいじめられていて", "10代", "女性", "熊本県"),
    ("A", "2024-08-04 22:18", "client", "もう毎日死にたいです", "不明", "不明", "不明"),
    ("B", "2024-08-05 09:00", "client", "仕事で上司のパワハラがつらい", "30代", "男性", "東京都"),
    ("B", "2024-08-05 09:01", "client", "死ぬほど忙しいけど死にたいわけじゃない", "30代", "男性", "東京都"),
])


def test_group_consultations_drops_counsellor_text_and_keeps_first_known_attributes():
    groups = group_consultations(CHAT)
    assert groups["consultation_id"].tolist() == ["A", "B"]
    assert groups.loc[0, "messages"] == ["学校でいじめられていて", "もう毎日死にたいです"]
    assert groups.loc[0, "started_at"] == pd.Timestamp("2024-08-04 22:16", tz="Asia/Tokyo")
    assert groups.loc[0, ["age_band", "gender", "prefecture"]].tolist() == ["10代", "女性", "熊本県"]


def test_counsellor_questions_never_raise_ideation():
    table = analyse_consultations(group_consultations(CHAT))
    assert list(table.columns) == CONSULTATION_COLUMNS
    a, b = table.iloc[0], table.iloc[1]
    assert a["ideation_level"] == 1 and a["ideation_strength"] == "強い"  # 毎日 死にたい
    assert "school" in a["themes"]
    assert b["ideation_level"] == 0  # hyperbole and negation
    assert b["primary_theme"] == "work"
    assert (a["month"], a["weekday"], a["hour"]) == ("2024-08", "日", 22)
    assert "text" not in table  # no raw text unless asked


def test_result_does_not_depend_on_workers_or_chunks():
    groups = group_consultations(pd.concat([CHAT.assign(consultation_id=CHAT["consultation_id"] + str(i)) for i in range(6)]))
    one = analyse_consultations(groups, workers=1, chunk_size=100)
    two = analyse_consultations(groups, workers=2, chunk_size=3)
    pd.testing.assert_frame_equal(one, two)


def test_keep_text_and_progress():
    seen = []
    table = analyse_consultations(group_consultations(CHAT), keep_text=True, progress=lambda step, total: seen.append((step, total)))
    assert table.loc[0, "text"] == "学校でいじめられていて\nもう毎日死にたいです"
    assert seen[0] == (0, 2) and sum(step for step, _ in seen) == 2


def test_time_columns_use_tokyo_time():
    frame = pd.DataFrame({"started_at": pd.to_datetime(["2024-08-31T15:30:00Z"])})
    local = add_time_columns(frame)
    assert (local.loc[0, "month"], local.loc[0, "weekday"], local.loc[0, "hour"]) == ("2024-09", "日", 0)


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="'workers' parameter must be an int >= 1. Got 0"):
        analyse_consultations(group_consultations(CHAT), workers=0)


def test_injected_models_are_used():
    class FixedScorer:
        def score_consultation(self, messages):
            from nlp.analysis.ideation import IdeationScorer

            return IdeationScorer().score_consultation(["死にたい"])

    table = analyse_consultations(group_consultations(CHAT), analyser=Analyser(scorer=FixedScorer()))
    assert table["ideation_level"].tolist() == [1, 1]
