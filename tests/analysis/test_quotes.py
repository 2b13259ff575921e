import pandas as pd

from nlp.text.masking import mask_text
from nlp.analysis.quotes import select_quotes


def _table(rows):
    return pd.DataFrame(rows, columns=["primary_theme", "theme_evidence", "ideation_level", "third_party", "past_attempt", "self_harm"])


def test_quotes_are_masked_short_and_never_about_anyone_s_ideation():
    rows, messages = [], []
    for i in range(12):
        rows.append(("school", ["学校"], 0, False, False, False))
        messages.append([f"学校で{i}回も無視されてつらいです。山田太郎さんに言われた"])
    rows.append(("school", ["学校"], 0, True, False, False))
    messages.append(["恋人が学校で死にたいって言うから心配"])
    rows.append(("school", ["学校"], 2, False, False, False))
    messages.append(["学校に行くくらいなら自殺したい"])
    quotes = select_quotes(_table(rows), messages, mask=mask_text, per_theme=20, min_cell=10)
    assert quotes["school"]
    assert all("死" not in q and "自殺" not in q for q in quotes["school"])
    assert all(12 <= len(q) <= 60 or "〔" in q for q in quotes["school"])
    assert not any("山田" in q for q in quotes["school"])


def test_small_themes_get_no_quotes():
    rows = [("money", ["借金"], 0, False, False, False)] * 9
    messages = [["借金の返済が苦しくて眠れないです"]] * 9
    assert select_quotes(_table(rows), messages, mask=mask_text, min_cell=10) == {}
