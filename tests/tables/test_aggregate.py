"""Aggregate tables against tables computed by hand from tests/fixtures/consultations_small.csv.

The fixture has 40 consultations (marginals in tests/fixtures/small.py). With min_cell=5:
primary suppression hides every count below 5 (zero included); secondary suppression hides
the smallest other cell of a line holding exactly one suppressed cell; a group hidden in by_X
is hidden in theme_by_X / ideation_by_X. reference is True when the share's denominator <= 30.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from fixtures.small import INPUT_COLUMNS_JA, load_consultations, read_small_csv

from nlp.ingest import schema
from nlp.tables.aggregate import THEME_IDS, TABLES, build_aggregates

NA = None  # a suppressed cell in the expected tables below
MIN_CELL = 5


@pytest.fixture(scope="module")
def consultations() -> pd.DataFrame:
    return load_consultations()


@pytest.fixture(scope="module")
def tables(consultations) -> dict[str, pd.DataFrame]:
    return build_aggregates(consultations, min_cell=MIN_CELL)


def expected(dims: dict[str, list], counts: list, shares: list, reference: bool | list[bool]) -> pd.DataFrame:
    """An expected table from hand-written counts (NA = suppressed) and shares."""
    n = len(counts)
    frame = pd.DataFrame(dims)
    frame["consultations"] = pd.array([pd.NA if c is NA else c for c in counts], dtype="Int64")
    frame["share"] = np.array([math.nan if c is NA else s for c, s in zip(counts, shares)], dtype="float64")
    frame["suppressed"] = np.array([c is NA for c in counts], dtype=bool)
    frame["reference"] = np.array(reference if isinstance(reference, list) else [reference] * n, dtype=bool)
    return frame


def cross_expected(dim: str, groups: list, inner: str, inner_values: list, published: dict,
                   group_n: dict) -> pd.DataFrame:
    """Full grid of a theme_by_X / ideation_by_X table: ``published`` lists the cells that are
    not suppressed, {(group, theme): count}; every other cell is suppressed."""
    keys = [(g, v) for g in groups for v in inner_values]
    counts = [published.get(k, NA) for k in keys]
    shares = [math.nan if c is NA else c / group_n[g] for (g, _), c in zip(keys, counts)]
    return expected({dim: [g for g, _ in keys], inner: [v for _, v in keys]}, counts, shares,
                    [group_n.get(g, 0) <= 30 for g, _ in keys])


def check(actual: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(actual, want, check_exact=True)


# --------------------------------------------------------------------------- one-dimension tables

def test_table_names_in_report_order():
    assert TABLES[:7] == ["by_month", "by_weekday", "by_hour", "by_age_band", "by_gender", "by_occupation",
                          "by_prefecture"]
    required = {"theme_by_age_band", "theme_by_month", "ideation_by_age_band", "ideation_by_month",
                "theme_by_gender", "theme_by_occupation", "theme_by_prefecture", "ideation_by_gender",
                "ideation_by_hour"}
    assert required <= set(TABLES)


def test_by_month_fills_the_empty_month_and_suppresses_a_complement(tables):
    # 05: 10, 06: 0 (no data: primary), 07: 5 (secondary: the smallest other cell), 08: 25.
    check(tables["by_month"], expected({"month": ["2024-05", "2024-06", "2024-07", "2024-08"]},
                                       [10, NA, NA, 25], [0.25, 0, 0, 0.625], False))


def test_by_weekday_secondary_suppression_breaks_ties_in_weekday_order(tables):
    # 水 4 is below 5; 木 5 and 土 5 tie for the complement, 木 comes first.
    check(tables["by_weekday"], expected({"weekday": schema.WEEKDAYS}, [8, 6, NA, NA, 6, 5, 6],
                                         [0.2, 0.15, 0, 0, 0.15, 0.125, 0.15], False))


def test_by_hour_lists_all_24_hours(tables):
    counts = [NA] * 24
    counts[10], counts[14], counts[20], counts[22], counts[23] = 5, 6, 9, 9, 7  # hour 3 has 4
    shares = [0.0] * 24
    shares[10], shares[14], shares[20], shares[22], shares[23] = 0.125, 0.15, 0.225, 0.225, 0.175
    check(tables["by_hour"], expected({"hour": list(range(24))}, counts, shares, False))
    assert tables["by_hour"]["hour"].dtype == "int64"


def test_by_age_band_in_schema_order(tables):
    # 10代 14, 20代 9, 30代 6; 40代 4, 50代 4, 不明 3 and the empty bands are suppressed.
    counts = [NA, 14, 9, 6, NA, NA, NA, NA, NA, NA]
    shares = [0, 0.35, 0.225, 0.15, 0, 0, 0, 0, 0, 0]
    check(tables["by_age_band"], expected({"age_band": schema.AGE_BANDS}, counts, shares, False))


def test_by_gender_complement_is_the_unknown_group(tables):
    # その他 0 is primary; 不明 6 is the complement.
    check(tables["by_gender"], expected({"gender": ["女性", "男性", "その他", "不明"]},
                                        [25, 9, NA, NA], [0.625, 0.225, 0, 0], False))


def test_by_occupation_known_order_then_others_then_unknown(tables):
    cats = ["中学生", "高校生", "大学生", "会社員", "主婦・主夫", "無職", "フリーター", "不明"]
    check(tables["by_occupation"], expected({"occupation": cats}, [8, 6, 5, 10, 5, NA, NA, NA],
                                            [0.2, 0.15, 0.125, 0.25, 0.125, 0, 0, 0], False))


def test_by_prefecture_schema_order_and_complement(tables):
    # 不明 3 is primary, 東京都 5 the complement.
    check(tables["by_prefecture"], expected({"prefecture": ["東京都", "福岡県", "熊本県", "不明"]},
                                            [NA, 8, 24, NA], [0, 0.2, 0.6, 0], False))


def test_by_theme_counts_every_theme_of_a_consultation(tables):
    counts = {"school": 14, "family": 8, "mental": 12, "work": 11, "loneliness": 6}
    check(tables["by_theme"], expected({"theme": THEME_IDS}, [counts.get(t, NA) for t in THEME_IDS],
                                       [counts.get(t, 0) / 40 for t in THEME_IDS], False))
    assert tables["by_theme"]["consultations"].sum() > 40  # multi-label: more than one theme each


def test_by_ideation_measures(tables):
    # level >= 1: 9; level >= 2: 5; 強い: 4 (suppressed; no additive line among measures).
    check(tables["by_ideation"], expected({"measure": ["any", "suicidal", "strong"]}, [9, 5, NA],
                                          [0.225, 0.125, 0], False))


# --------------------------------------------------------------------------- cross tables

def test_theme_by_age_band(tables):
    # 10代 (n 14): school 14; family 3, mental 2 hidden. 20代 (n 9): mental 5; work 4, loneliness 3
    # hidden. 30代 (n 6): every theme below 5. Other bands are hidden in by_age_band.
    want = cross_expected("age_band", schema.AGE_BANDS, "theme", THEME_IDS,
                          {("10代", "school"): 14, ("20代", "mental"): 5},
                          {"10代": 14, "20代": 9, "30代": 6, "40代": 4, "50代": 4, "不明": 3})
    check(tables["theme_by_age_band"], want)
    cell = tables["theme_by_age_band"].set_index(["age_band", "theme"]).loc[("10代", "school")]
    assert cell["share"] == 1.0 and cell["reference"]  # 14 / 14, n <= 30


def test_theme_by_month_hides_a_month_whose_total_is_hidden(tables):
    # 2024-07 has 5 consultations, all about school: 5 >= min_cell, but by_month hides 07
    # (secondary), so school/07 is hidden too, or 5 / share would reveal the month's n.
    want = cross_expected("month", ["2024-05", "2024-06", "2024-07", "2024-08"], "theme", THEME_IDS,
                          {("2024-05", "school"): 9, ("2024-08", "family"): 5, ("2024-08", "mental"): 9,
                           ("2024-08", "work"): 11, ("2024-08", "loneliness"): 6},
                          {"2024-05": 10, "2024-06": 0, "2024-07": 5, "2024-08": 25})
    check(tables["theme_by_month"], want)


def test_theme_by_gender_occupation_prefecture(tables):
    check(tables["theme_by_gender"], cross_expected(
        "gender", ["女性", "男性", "その他", "不明"], "theme", THEME_IDS,
        {("女性", "school"): 8, ("女性", "family"): 8, ("女性", "mental"): 9, ("女性", "work"): 7,
         ("女性", "loneliness"): 5},
        {"女性": 25, "男性": 9, "その他": 0, "不明": 6}))
    check(tables["theme_by_occupation"], cross_expected(
        "occupation", ["中学生", "高校生", "大学生", "会社員", "主婦・主夫", "無職", "フリーター", "不明"], "theme",
        THEME_IDS,
        {("中学生", "school"): 8, ("高校生", "school"): 6, ("会社員", "work"): 10, ("主婦・主夫", "family"): 5},
        {"中学生": 8, "高校生": 6, "大学生": 5, "会社員": 10, "主婦・主夫": 5, "無職": 2, "フリーター": 1, "不明": 3}))
    check(tables["theme_by_prefecture"], cross_expected(
        "prefecture", ["東京都", "福岡県", "熊本県", "不明"], "theme", THEME_IDS,
        {("熊本県", "school"): 12, ("熊本県", "family"): 5, ("熊本県", "mental"): 6, ("熊本県", "work"): 6},
        {"東京都": 5, "福岡県": 8, "熊本県": 24, "不明": 3}))


def test_ideation_tables(tables):
    measures = ["any", "suicidal", "strong"]
    check(tables["ideation_by_age_band"], cross_expected(
        "age_band", schema.AGE_BANDS, "measure", measures, {("10代", "any"): 6},
        {"10代": 14, "20代": 9, "30代": 6, "40代": 4, "50代": 4, "不明": 3}))
    check(tables["ideation_by_gender"], cross_expected(
        "gender", ["女性", "男性", "その他", "不明"], "measure", measures, {("女性", "any"): 7},
        {"女性": 25, "男性": 9, "その他": 0, "不明": 6}))
    # Every cell below 5: ideation by month and by hour are fully suppressed.
    assert tables["ideation_by_month"]["suppressed"].all()
    assert tables["ideation_by_hour"]["suppressed"].all() and len(tables["ideation_by_hour"]) == 72


def test_every_table_has_the_standard_columns_and_types(tables):
    for name, table in tables.items():
        assert list(table.columns[-4:]) == ["consultations", "share", "suppressed", "reference"], name
        assert str(table["consultations"].dtype) == "Int64", name
        assert table.loc[table["suppressed"], "consultations"].isna().all(), name
        assert table.loc[table["suppressed"], "share"].isna().all(), name
        published = table.loc[~table["suppressed"], "consultations"]
        assert (published >= MIN_CELL).all(), name


def test_no_line_has_exactly_one_suppressed_cell(tables):
    """The secondary-suppression guarantee on every additive line of every table."""
    for name, table in tables.items():
        dims = [c for c in table.columns if c not in ("consultations", "share", "suppressed", "reference")]
        along = [d for d in dims if d not in ("theme", "measure")]
        if not along:  # by_theme / by_ideation: overlapping categories, no additive line
            continue
        fixed = [d for d in dims if d in ("theme", "measure")]
        groups = table.groupby(fixed)["suppressed"].sum() if fixed else pd.Series([table["suppressed"].sum()])
        assert (groups != 1).all(), name


# --------------------------------------------------------------------------- engines and inputs

def test_duckdb_engine_gives_identical_frames(consultations):
    for min_cell in (0, 3, 5, 10):
        by_pandas = build_aggregates(consultations, min_cell=min_cell, engine="pandas")
        by_duckdb = build_aggregates(consultations, min_cell=min_cell, engine="duckdb")
        assert list(by_pandas) == list(by_duckdb) == TABLES
        for name in TABLES:
            pd.testing.assert_frame_equal(by_pandas[name], by_duckdb[name], check_exact=True, obj=name)


def test_engines_agree_on_a_larger_random_frame():
    rng = np.random.default_rng(3)
    n = 3000
    started = pd.Timestamp("2023-01-01", tz="Asia/Tokyo") + pd.to_timedelta(rng.integers(0, 600 * 24, n), unit="h")
    frame = pd.DataFrame({
        "consultation_id": [f"X{i}" for i in range(n)], "started_at": started,
        "age_band": rng.choice(schema.AGE_BANDS, n), "gender": rng.choice(schema.GENDERS, n),
        "occupation": rng.choice(["中学生", "会社員", "自営業", "ニート", "不明"], n),
        "prefecture": rng.choice(schema.PREFECTURES[:12] + ["不明"], n),
        "themes": [list(rng.choice(THEME_IDS, rng.integers(0, 4), replace=False)) for _ in range(n)],
        "ideation_level": rng.choice([0, 0, 0, 1, 2, 3, 4], n),
    })
    frame["ideation_strength"] = np.where(frame["ideation_level"] >= 3, "強い",
                                          np.where(frame["ideation_level"] >= 1, "少し", "なし"))
    a = build_aggregates(frame, min_cell=10)
    b = build_aggregates(frame, min_cell=10, engine="duckdb")
    for name in TABLES:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)
    assert (a["by_month"]["consultations"].sum() + 0) <= n
    assert a["by_hour"]["consultations"].notna().all()  # ~125 per hour: nothing to hide


def test_without_suppression_shares_add_up(consultations):
    t = build_aggregates(consultations, min_cell=0)
    for name in ["by_month", "by_weekday", "by_hour", "by_age_band", "by_gender", "by_occupation", "by_prefecture"]:
        assert not t[name]["suppressed"].any()
        assert t[name]["consultations"].sum() == 40
        assert t[name]["share"].sum() == pytest.approx(1.0)
    assert t["theme_by_month"].set_index(["month", "theme"]).loc[("2024-07", "school"), "share"] == 1.0


def test_time_columns_are_derived_from_started_at_when_absent(consultations, tables):
    bare = consultations.drop(columns=["month", "weekday", "hour"])
    derived = build_aggregates(bare, min_cell=MIN_CELL)
    for name in TABLES:
        pd.testing.assert_frame_equal(derived[name], tables[name], check_exact=True, obj=name)


def test_bad_parameters_are_named():
    frame = load_consultations()
    with pytest.raises(ValueError, match="'engine'.*Got 'spark'"):
        build_aggregates(frame, engine="spark")
    with pytest.raises(ValueError, match="'min_cell'.*Got -1"):
        build_aggregates(frame, min_cell=-1)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['themes'\]"):
        build_aggregates(frame.drop(columns=["themes"]))


def test_cp932_input_through_ingest_gives_the_hand_computed_tables(tmp_path, tables):
    """The fixture written as a Shift_JIS (CP932) CSV with Japanese headers, read by
    nlp.ingest.messages.read_inputs, joined with its theme/ideation labels, aggregates identically."""
    from nlp.ingest import messages as ingest
    raw = read_small_csv()
    path = tmp_path / "相談ログ_cp932.csv"
    raw[list(INPUT_COLUMNS_JA)].rename(columns=INPUT_COLUMNS_JA).to_csv(path, index=False, encoding="cp932")
    assert "０９０１２３４５６７８".encode("cp932") in path.read_bytes()  # really CP932 on disk
    result = ingest.read_inputs([path])
    assert len(result.messages) == 40 and len(result.rejects) == 0
    labels = load_consultations()[["consultation_id", "themes", "ideation_level", "ideation_strength"]]
    consultations = result.messages.drop(columns=["text", "role", "source", "row"]).merge(labels, on="consultation_id")
    from_cp932 = build_aggregates(consultations, min_cell=MIN_CELL, engine="duckdb")
    for name in TABLES:
        pd.testing.assert_frame_equal(from_cp932[name], tables[name], check_exact=True, obj=name)
    check(from_cp932["by_weekday"], expected({"weekday": schema.WEEKDAYS}, [8, 6, NA, NA, 6, 5, 6],
                                             [0.2, 0.15, 0, 0, 0.15, 0.125, 0.15], False))
