"""Primary and secondary suppression, 参考値 marks and Holm correction on cases checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from nlp.tables.disclosure import check_min_cell, finish_table, holm, lines_along, primary_suppress, secondary_suppress


def test_primary_suppression_includes_zero():
    assert primary_suppress(np.array([0, 1, 9, 10, 11]), 10).tolist() == [True, True, True, False, False]
    assert not primary_suppress(np.array([0, 3]), 0).any()


def test_secondary_suppression_on_one_line():
    counts = np.array([8, 6, 4, 5, 6, 5, 6])  # 4 is hidden; 5 and 5 tie, the first one goes
    hidden = secondary_suppress(counts, counts < 5, [np.arange(7)])
    assert hidden.tolist() == [False, False, True, True, False, False, False]
    # Two primary cells already protect each other: nothing added.
    counts = np.array([8, 3, 4, 20])
    assert secondary_suppress(counts, counts < 5, [np.arange(4)]).tolist() == [False, True, True, False]


def test_secondary_suppression_cascades_across_rows_and_columns():
    # 3 × 3 table with published row and column totals; only (0,1) = 3 is below 5.
    #   20  3 15      row 0: complement (0,2)=15;  column 1: complement (2,1)=14
    #   12 25 30      column 2 then has (0,2) alone: complement (1,2)=30
    #   18 14 40      row 1 has (1,2) alone: (1,0)=12; row 2 has (2,1) alone: (2,0)=18
    counts = np.array([20, 3, 15, 12, 25, 30, 18, 14, 40])
    grid = pd.DataFrame({"row": [0, 0, 0, 1, 1, 1, 2, 2, 2], "column": [0, 1, 2] * 3})
    lines = lines_along(grid, ["row"]) + lines_along(grid, ["column"])
    hidden = secondary_suppress(counts, counts < 5, lines)
    assert hidden.reshape(3, 3).tolist() == [[False, True, True], [True, False, True], [True, True, False]]
    # The diagonal 20, 25, 40 stays: no row or column can be solved for a hidden cell.


def test_finish_table_marks_reference_and_blanks_hidden_cells():
    dims = pd.DataFrame({"group": ["a", "b", "c", "d"]})
    out = finish_table(dims, np.array([12, 30, 0, 5]), np.array([30, 31, 0, 40]),
                       np.array([False, False, True, True]))
    assert out["consultations"].tolist()[:2] == [12, 30] and out["consultations"].isna().tolist() == [False, False, True, True]
    assert out["share"].iloc[0] == 0.4 and out["share"].iloc[1] == 30 / 31 and math.isnan(out["share"].iloc[3])
    assert out["reference"].tolist() == [True, False, True, False]  # n <= 30 is 参考値
    assert str(out["consultations"].dtype) == "Int64"
    empty = finish_table(pd.DataFrame({"g": ["x"]}), np.array([0]), np.array([0]), np.array([False]))
    assert math.isnan(empty["share"].iloc[0])  # 0 / 0 is not a share


def test_holm_step_down():
    # p = 0.01, 0.04, 0.03 → sorted 0.01×3 = 0.03, 0.03×2 = 0.06, max(0.06, 0.04×1) = 0.06
    assert holm(np.array([0.01, 0.04, 0.03])) == pytest.approx([0.03, 0.06, 0.06])
    assert holm(np.array([0.5, 0.9])) == pytest.approx([1.0, 1.0])  # capped at 1
    assert np.isnan(holm(np.array([np.nan]))).all()


def test_min_cell_is_validated():
    assert check_min_cell(10) == 10
    for bad in (-1, 2.5, True, "10"):
        with pytest.raises(ValueError, match="'min_cell'"):
            check_min_cell(bad)
