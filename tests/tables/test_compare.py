"""Comparison tables: significance checked by hand, Holm correction, n <= 30 and suppression rules."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from fixtures.small import load_consultations
from scipy import stats

from nlp.tables.aggregate import build_aggregates
from nlp.tables.compare import (
    COLUMNS, compare_event, compare_periods, compare_region, normalize_region, parse_event, two_proportion_test,
)
from nlp.tables.disclosure import holm


def make(groups: list[tuple[str, str, int, dict[str, int]]]) -> pd.DataFrame:
    """Consultations: for each (prefecture, day, n, {theme: k}) n rows, the first k with the theme.
    Genders cycle 女性 ×6, 男性 ×3, 不明 ×1 per ten rows (60/30/10 of 100)."""
    rows = []
    for prefecture, day, n, themes in groups:
        for i in range(n):
            rows.append({
                "consultation_id": f"{prefecture}-{day}-{i}",
                "started_at": pd.Timestamp(f"{day} 21:30", tz="Asia/Tokyo"),
                "age_band": "20代" if i % 2 else "30代",
                "gender": "女性" if i % 10 < 6 else "男性" if i % 10 < 9 else "不明",
                "occupation": "会社員", "prefecture": prefecture,
                "themes": [t for t, k in themes.items() if i < k],
                "ideation_level": 1 if i < 20 else 0, "ideation_strength": "少し" if i < 20 else "なし",
            })
    return pd.DataFrame(rows)


# school 30/100 vs 15/100, family 25/100 vs 13/100, money 20/100 vs 20/100,
# internet 12/100 vs 4/100 (4 < min_cell: suppressed, never tested).
THEMES_A = {"school": 30, "family": 25, "money": 20, "internet": 12}
THEMES_B = {"school": 15, "family": 13, "money": 20, "internet": 4}
HAND = {  # hand computation, two-proportion z-test with pooled variance:
    # school: p = 45/200 = 0.225, se = sqrt(0.225*0.775*(2/100)) = sqrt(0.0034875) = 0.0590551,
    #         z = (0.30-0.15)/0.0590551 = 2.54000, p = 2*(1-Φ(2.540)) = 2*0.0055426 = 0.0110852
    "school": (2.54000, 0.0110852),
    # family: p = 38/200 = 0.19, se = sqrt(0.19*0.81*0.02) = sqrt(0.003078) = 0.0554797,
    #         z = 0.12/0.0554797 = 2.16295, p = 2*(1-Φ(2.16295)) = 0.030545
    "family": (2.16295, 0.030545),
    "money": (0.0, 1.0),
}
# Holm over the three tested themes: sorted p 0.0110852, 0.030545, 1.0
# → 3*0.0110852 = 0.0332556 (significant), max(0.0332556, 2*0.030545) = 0.06109 (not, though raw
# p < 0.05), max(0.06109, 1*1.0) = 1.0.
HOLM = {"school": 0.0332556, "family": 0.06109, "money": 1.0}


def test_two_proportion_test_by_hand():
    z, p = two_proportion_test(30, 100, 15, 100)
    assert z == pytest.approx(2.54000, abs=1e-5) and p == pytest.approx(0.0110852, abs=1e-6)
    chi2, p_chi2, _, _ = stats.chi2_contingency([[30, 70], [15, 85]], correction=False)
    assert chi2 == pytest.approx(z * z) and p_chi2 == pytest.approx(p)  # the same test
    assert all(math.isnan(v) for v in two_proportion_test(0, 100, 0, 100))


def test_holm_by_hand():
    adjusted = holm(np.array([0.0110852, 0.030545, 1.0, np.nan]))
    assert adjusted[:3] == pytest.approx([0.0332556, 0.06109, 1.0])
    assert math.isnan(adjusted[3])


def _check_theme_block(table: pd.DataFrame) -> None:
    themes = table[table["dimension"] == "theme"].set_index("category")
    for theme, (z, p) in HAND.items():
        row = themes.loc[theme]
        assert row["z"] == pytest.approx(z, abs=1e-5)
        assert row["p_value"] == pytest.approx(p, abs=1e-6)
        assert row["p_holm"] == pytest.approx(HOLM[theme], abs=1e-6)
    assert themes.loc["school", "a_share"] == 0.30 and themes.loc["school", "b_share"] == 0.15
    assert themes.loc["school", "difference"] == pytest.approx(0.15)
    assert themes.loc["school", "significant"] and themes.loc["school", "marker"] == "有意（p<0.05）"
    assert not themes.loc["family", "significant"] and themes.loc["family", "marker"] == ""
    internet = themes.loc["internet"]
    assert internet["suppressed"] and pd.isna(internet["a_consultations"]) and pd.isna(internet["b_consultations"])
    assert math.isnan(internet["p_value"]) and not internet["significant"] and internet["marker"] == ""
    # Themes nobody has are suppressed (0 < min_cell) and untested.
    assert themes.loc["couple", "suppressed"] and math.isnan(themes.loc["couple", "p_value"])


def test_region_against_all_others():
    frame = make([("熊本県", "2024-08-10", 100, THEMES_A), ("福岡県", "2024-08-10", 60, THEMES_B),
                  ("不明", "2024-08-11", 40, {})])
    # Others = 福岡県 60 + 不明 40 = 100 consultations, with the B theme counts.
    table = compare_region(frame, "熊本", min_cell=10)
    assert list(table.columns) == COLUMNS
    assert (table["group_a"] == "熊本県").all() and (table["group_b"] == "熊本県以外").all()
    assert (table["a_n"] == 100).all() and (table["b_n"] == 100).all()
    assert not (table["dimension"] == "total").any()
    _check_theme_block(table)


def test_period_against_the_same_period_a_year_before():
    frame = make([("熊本県", "2024-08-10", 100, THEMES_A), ("熊本県", "2023-08-20", 100, THEMES_B),
                  ("熊本県", "2024-07-31", 7, {"school": 7})])  # outside both windows
    table = compare_periods(frame, "2024-08-01", "2024-08-31", min_cell=10)
    assert table["group_a"].iloc[0] == "2024-08-01〜2024-08-31"
    assert table["group_b"].iloc[0] == "2023-08-01〜2023-08-31（前年同期）"
    _check_theme_block(table)
    total = table[table["dimension"] == "total"].iloc[0]
    # 100 vs 100 over 31 days each: exact binomial test of 100 out of 200 at 0.5 → p = 1.
    assert (total["a_consultations"], total["b_consultations"]) == (100, 100)
    assert total["p_value"] == pytest.approx(1.0) and not total["significant"]


def test_gender_block_gets_a_complementary_suppression():
    frame = make([("熊本県", "2024-08-10", 100, THEMES_A), ("熊本県", "2023-08-20", 100, THEMES_B)])
    gender = compare_periods(frame, "2024-08-01", "2024-08-31").query("dimension == 'gender'").set_index("category")
    # 女性 60/60, 男性 30/30, その他 0/0 (primary), 不明 10/10 (the complement: smallest row).
    assert gender["suppressed"].to_dict() == {"女性": False, "男性": False, "その他": True, "不明": True}
    assert gender.loc["女性", "p_value"] == pytest.approx(1.0)


def test_event_window_against_the_same_length_before():
    frame = make([("熊本県", "2024-08-15", 60, {"school": 30}), ("熊本県", "2024-07-05", 40, {"school": 10})])
    name, start, end = parse_event("夏キャンペーン:2024-08-01:2024-08-31")
    table = compare_event(frame, name, start, end, min_cell=10)
    assert table["group_a"].iloc[0] == "夏キャンペーン（2024-08-01〜2024-08-31）"
    assert table["group_b"].iloc[0] == "夏キャンペーン直前（2024-07-01〜2024-07-31）"  # 31 days before
    total = table[table["dimension"] == "total"].iloc[0]
    assert (total["a_consultations"], total["b_consultations"]) == (60, 40)
    # 60 of 100 at p = 0.5 (equal lengths): normal approximation z = (60-50)/5 = 2.0, p ≈ 0.046;
    # the exact two-sided binomial p is 0.0569, not significant.
    assert total["p_value"] == pytest.approx(stats.binomtest(60, 100, 0.5).pvalue)
    assert total["p_value"] == pytest.approx(0.0569, abs=1e-4) and not total["significant"]
    school = table.query("dimension == 'theme' and category == 'school'").iloc[0]
    # 30/60 = 0.5 vs 10/40 = 0.25: p = 40/100 = 0.4, se = sqrt(0.4*0.6*(1/60+1/40)) = 0.1,
    # z = 0.25/0.1 = 2.5, p = 0.01242; the only tested theme, so Holm leaves it.
    assert school["z"] == pytest.approx(2.5) and school["p_holm"] == pytest.approx(0.012419, abs=1e-6)
    assert school["marker"] == "有意（p<0.05）"


def test_no_significance_for_groups_of_30_or_fewer():
    table = compare_region(load_consultations(), "熊本県", min_cell=5)
    # 熊本県 has 24 consultations (others 16): every row is 参考値 and nothing is tested.
    assert table["reference"].all()
    assert table["p_value"].isna().all() and not table["significant"].any() and (table["marker"] == "").all()
    themes = table[table["dimension"] == "theme"].set_index("category")
    # mental: 6 of 24 vs 6 of 16 (東京都 3 + 福岡県 2 + 不明 1) is published, as 参考値, untested.
    assert (themes.loc["mental", "a_consultations"], themes.loc["mental", "b_consultations"]) == (6, 6)
    assert (themes.loc["mental", "a_share"], themes.loc["mental", "b_share"]) == (0.25, 0.375)
    # school: 12 of 24 vs 2 of 16: the other side is below 5, so both are hidden.
    assert themes.loc["school", "suppressed"] and pd.isna(themes.loc["school", "a_consultations"])


def test_region_hidden_in_by_prefecture_is_hidden_here_too():
    # by_prefecture: 熊本県 40, 福岡県 100, 不明 5 → 不明 primary, 熊本県 its complement.
    frame = make([("熊本県", "2024-08-10", 40, {"school": 20}), ("福岡県", "2024-08-10", 100, {"school": 20}),
                  ("不明", "2024-08-10", 5, {})])
    table = compare_region(frame, "熊本県", min_cell=10)
    assert table["suppressed"].all() and table["a_n"].isna().all() and table["b_n"].isna().all()


def test_whole_month_window_hidden_in_by_month_is_hidden_here_too():
    # by_month: 2024-07 40, 2024-08 100, 2024-09 5 → 09 primary, 07 its complement. The event
    # window is August, the window before it July: July's 40 must not come out here.
    frame = make([("熊本県", "2024-07-10", 40, {"school": 20}), ("熊本県", "2024-08-10", 100, {"school": 20}),
                  ("熊本県", "2024-09-10", 5, {})])
    hidden = compare_event(frame, "月間", "2024-08-01", "2024-08-31", min_cell=10)
    assert hidden["group_b"].iloc[0] == "月間直前（2024-07-01〜2024-07-31）"
    assert hidden["suppressed"].all() and hidden["b_n"].isna().all()
    shifted = compare_event(frame, "月間", "2024-08-02", "2024-09-01", min_cell=10)  # not whole months
    assert (shifted["b_n"] == 40).all() and not shifted["suppressed"].all()


def test_published_tables_decide_what_is_hidden():
    # The run publishes tables for 2024-07..09 only (July hidden as above); the comparison also
    # sees 2023-01 data, so month tables rebuilt from its frame have empty months and would
    # not hide July. Given the published tables, the comparison follows them.
    period = make([("熊本県", "2024-07-10", 40, {"school": 20}), ("熊本県", "2024-08-10", 100, {"school": 20}),
                   ("熊本県", "2024-09-10", 5, {})])
    base = pd.concat([period, make([("熊本県", "2023-01-10", 50, {})])], ignore_index=True)
    published = build_aggregates(period, min_cell=10)
    assert published["by_month"].set_index("month").loc["2024-07", "suppressed"]
    assert not compare_event(base, "月間", "2024-08-01", "2024-08-31")["suppressed"].all()
    assert compare_event(base, "月間", "2024-08-01", "2024-08-31", published=published)["suppressed"].all()
    region = compare_region(period, "熊本県", min_cell=10, published=published)
    pd.testing.assert_frame_equal(region, compare_region(period, "熊本県", min_cell=10))


def test_leap_day_period_and_regions():
    frame = make([("熊本県", "2024-02-29", 40, {}), ("熊本県", "2023-02-28", 40, {})])
    table = compare_periods(frame, date(2024, 2, 1), "2024/02/29")
    assert table["group_b"].iloc[0] == "2023-02-01〜2023-02-28（前年同期）"
    assert (table["b_n"] == 40).all()
    assert normalize_region("東京") == "東京都" and normalize_region("北海道") == "北海道"
    with pytest.raises(ValueError, match="not one of the 47 prefectures"):
        compare_region(frame, "九州")


def test_parse_event():
    assert parse_event("夏キャンペーン:2024-07-01:2024-08-31") == ("夏キャンペーン", date(2024, 7, 1), date(2024, 8, 31))
    assert parse_event("秋:第2回:2024-09-01:2024-09-07")[0] == "秋:第2回"
    assert parse_event(" 啓発月間 :2024/9/1:2024/9/30") == ("啓発月間", date(2024, 9, 1), date(2024, 9, 30))
    for spec, message in [("夏キャンペーン", "is not NAME:START:END"), (":2024-07-01:2024-08-31", "is not NAME"),
                          ("夏:2024-07-01:2024-13-01", "must be dates"), ("夏:7月1日:8月31日", "must be dates"),
                          ("夏:2024-08-31:2024-07-01", "is before START")]:
        with pytest.raises(ValueError, match=message):
            parse_event(spec)
