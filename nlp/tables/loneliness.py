"""Loneliness scales from survey answers, cross-tabulated by gender × age band.

Two instruments of the national survey (人々のつながりに関する基礎調査):

- the direct question 「あなたはどの程度、孤独であると感じることがありますか」, column
  ``loneliness_direct``: しばしばある・常にある / 時々ある / たまにある / ほとんどない / 決してない,
  anything blank → 無回答. Codes 1–5 are accepted in that order.
- the UCLA loneliness scale, 3-item version, columns ``ucla_1``, ``ucla_2``, ``ucla_3``
  (人とのつきあいがない / 取り残されている / 孤立している): 決してない 1, ほとんどない 2,
  時々ある 3, 常にある 4 (codes 1–4 accepted). The score is the sum, 3–12, only when all three
  items are answered; bands as in the national report: 3点, 4～6点, 7～9点, 10～12点
  (10～12 = high loneliness), else 無回答.

Tables (tidy, like the aggregates but counting ``respondents``):
``loneliness_direct`` (gender, age_band, answer, …) and ``ucla_score`` (gender, age_band,
score_band, …). Groups are 全体, each gender, each age band and each gender × age band, as in the
municipal reports: gender and age_band take the value 全体 for a margin. share = respondents in
the group giving that answer / respondents in the group (無回答 included, so shares add to 1).
reference = group n <= 30 (参考値). Suppression: primary below ``min_cell``; secondary along each
group's answers, and along each answer across ages (with its gender margin) and across genders
(with its age margin). An instrument whose columns are absent yields no table.

Unrecognised answers are counted as 無回答 and logged (they never crash a run).

Example:
    >>> tables = loneliness_tables(respondents, min_cell=10)  # doctest: +SKIP
    >>> tables["ucla_score"].query("gender == '全体' and age_band == '全体'")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import unicodedata

import numpy as np
import pandas as pd

from nlp.ingest import schema
from nlp.tables.disclosure import check_min_cell, finish_table, lines_along, primary_suppress, secondary_suppress

log = logging.getLogger(__name__)

ALL = "全体"
NO_ANSWER = "無回答"
DIRECT_ANSWERS = ["しばしばある・常にある", "時々ある", "たまにある", "ほとんどない", "決してない", NO_ANSWER]
UCLA_ITEMS = ["ucla_1", "ucla_2", "ucla_3"]
UCLA_ANSWERS = {"決してない": 1, "ほとんどない": 2, "時々ある": 3, "常にある": 4}
UCLA_BANDS = ["3点", "4～6点", "7～9点", "10～12点", NO_ANSWER]
UCLA_HIGH = "10～12点"

_DIRECT_ALIASES = {
    "しばしばある・常にある": 0, "しばしばある": 0, "常にある": 0, "しばしば・常に": 0, "しばしばある常にある": 0,
    "時々ある": 1, "ときどきある": 1, "時々": 1,
    "たまにある": 2, "たまに": 2,
    "ほとんどない": 3, "殆どない": 3,
    "決してない": 4, "けっしてない": 4, "全くない": 4, "まったくない": 4,
}
_UCLA_ALIASES = {
    "決してない": 1, "けっしてない": 1, "全くない": 1, "まったくない": 1,
    "ほとんどない": 2, "殆どない": 2,
    "時々ある": 3, "ときどきある": 3, "時々": 3,
    "常にある": 4, "しばしばある": 4, "しばしばある・常にある": 4, "いつもある": 4,
}
_BLANK = {"", "無回答", "不明", "nan", "none", "na", "n/a", "-"}


def _clean(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, (int, np.integer)) or (isinstance(value, float) and value.is_integer()):
        return str(int(value))
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).replace("･", "・").strip("。.")


def direct_answer(value) -> str | None:
    """A direct-question answer in canonical form (無回答 for blank), None when unrecognised."""
    text = _clean(value)
    if text.lower() in _BLANK:
        return NO_ANSWER
    if text.isdigit() and 1 <= int(text) <= 5:
        return DIRECT_ANSWERS[int(text) - 1]
    index = _DIRECT_ALIASES.get(text)
    return None if index is None else DIRECT_ANSWERS[index]


def ucla_item_score(value) -> int | None:
    """A UCLA item answer as 1–4, 0 for blank (無回答), None when unrecognised."""
    text = _clean(value)
    if text.lower() in _BLANK:
        return 0
    if text.isdigit() and 1 <= int(text) <= 4:
        return int(text)
    return _UCLA_ALIASES.get(text)


def ucla_band(score: int | None) -> str:
    """3 → 3点, 4–6 → 4～6点, 7–9 → 7～9点, 10–12 → 10～12点, otherwise 無回答."""
    if score is None or not 3 <= score <= 12:
        return NO_ANSWER
    return "3点" if score == 3 else "4～6点" if score <= 6 else "7～9点" if score <= 9 else UCLA_HIGH


def ucla_scores(respondents: pd.DataFrame) -> pd.Series:
    """Sum of the three UCLA items (3–12) per respondent, <NA> when an item is missing."""
    items = pd.DataFrame({c: respondents[c].map(ucla_item_score) for c in UCLA_ITEMS})
    _warn_unrecognised(respondents, items, UCLA_ITEMS)
    valid = items.notna().all(axis=1) & (items.fillna(0) > 0).all(axis=1)
    return items.fillna(0).sum(axis=1).astype("int64").where(valid).astype("Int64")


def loneliness_tables(respondents: pd.DataFrame, *, min_cell: int = 10) -> dict[str, pd.DataFrame]:
    """Direct-question and UCLA tables by gender × age band, with margins and suppression.

    Args:
        respondents: one row per respondent; columns age_band, gender (missing → 不明) and
            loneliness_direct and/or ucla_1, ucla_2, ucla_3.
        min_cell: primary suppression threshold.

    Returns:
        {"loneliness_direct": …, "ucla_score": …} for the instruments present (possibly empty).
    """
    min_cell = check_min_cell(min_cell)
    groups = _attributes(respondents)
    tables: dict[str, pd.DataFrame] = {}
    if "loneliness_direct" in respondents.columns:
        answers = respondents["loneliness_direct"].map(direct_answer)
        _warn_unrecognised(respondents, answers.to_frame("loneliness_direct"), ["loneliness_direct"])
        tables["loneliness_direct"] = _crosstab(groups, answers.fillna(NO_ANSWER), "answer",
                                                DIRECT_ANSWERS, min_cell)
    if set(UCLA_ITEMS) <= set(respondents.columns):
        bands = ucla_scores(respondents).map(lambda s: ucla_band(None if pd.isna(s) else int(s)))
        tables["ucla_score"] = _crosstab(groups, bands, "score_band", UCLA_BANDS, min_cell)
    elif set(UCLA_ITEMS) & set(respondents.columns):
        missing = sorted(set(UCLA_ITEMS) - set(respondents.columns))
        log.warning("UCLA items incomplete (missing %s): no ucla_score table.", missing)
    return tables


def _attributes(respondents: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for column in ["gender", "age_band"]:
        values = respondents[column] if column in respondents.columns else pd.Series(schema.UNKNOWN,
                                                                                    index=respondents.index)
        out[column] = values.astype(object).where(values.notna(), schema.UNKNOWN).astype(str).replace(
            "", schema.UNKNOWN).to_numpy()
    return pd.DataFrame(out, index=respondents.index)


def _warn_unrecognised(respondents: pd.DataFrame, parsed: pd.DataFrame, columns: list[str]) -> None:
    for column in columns:
        bad = respondents.loc[parsed[column].isna(), column]
        if len(bad):
            log.warning("%d answer(s) in %s not recognised, counted as 無回答: %s", len(bad), column,
                        sorted(map(str, bad.unique()))[:10])


def _crosstab(groups: pd.DataFrame, answers: pd.Series, answer_column: str, answer_values: list[str],
              min_cell: int) -> pd.DataFrame:
    genders = [ALL] + _ordered(groups["gender"], schema.GENDERS)
    ages = [ALL] + _ordered(groups["age_band"], schema.AGE_BANDS)
    data = pd.DataFrame({"gender": groups["gender"].to_numpy(), "age_band": groups["age_band"].to_numpy(),
                         answer_column: answers.to_numpy()})
    counts = data.value_counts().to_dict()
    dims = pd.DataFrame([(g, a, v) for g in genders for a in ages for v in answer_values],
                        columns=["gender", "age_band", answer_column])

    def count(g: str, a: str, v: str) -> int:
        return sum(n for (gg, aa, vv), n in counts.items()
                   if vv == v and (g == ALL or gg == g) and (a == ALL or aa == a))

    values = np.array([count(g, a, v) for g, a, v in dims.itertuples(index=False)], dtype="int64")
    group_n = dims.assign(n=values).groupby(["gender", "age_band"], sort=False)["n"].transform("sum").to_numpy()
    mask = primary_suppress(values, min_cell)
    lines = lines_along(dims, ["gender", "age_band"])      # answers within a group
    lines += lines_along(dims, ["gender", answer_column])  # ages (with the 全体 margin) within a gender
    lines += lines_along(dims, ["age_band", answer_column])  # genders (with the margin) within an age
    mask = secondary_suppress(values, mask, lines)
    return finish_table(dims, values, group_n, mask, count_column="respondents")


def _ordered(values: pd.Series, canonical: list[str]) -> list[str]:
    extras = sorted(set(values) - set(canonical))
    return canonical[:-1] + extras + [canonical[-1]] if canonical[-1] == schema.UNKNOWN else canonical + extras
