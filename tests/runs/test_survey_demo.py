"""The bundled SYNTHETIC survey (data/survey): reproducible generator, themes that agree with its
labels, and the demo survey run's tables, slides and privacy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from nlp.analysis.survey_themes import SurveyThemeTagger, answer_status
from nlp.io.survey_read import read_survey
from nlp.runs.survey import run_survey
from nlp.text.masking import find_leaks

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "data" / "survey"


@pytest.fixture(scope="module")
def tagger() -> SurveyThemeTagger:
    return SurveyThemeTagger()


def test_generator_is_reproducible_and_exports_cp932(tmp_path):
    for out in (tmp_path / "a", tmp_path / "b"):
        subprocess.run([sys.executable, str(ROOT / "data" / "generate_survey.py"), "--seed", "3", "--n", "60", "--out", str(out)],
                       check=True, capture_output=True)
    for name in ["survey_synthetic.xlsx", "survey_synthetic_cp932.csv", "labels_survey_synthetic.csv", "reference_example.csv"]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    raw = (tmp_path / "a" / "survey_synthetic_cp932.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("cp932").startswith("令和6年度")
    book = openpyxl.load_workbook(tmp_path / "a" / "survey_synthetic.xlsx")
    sheet = book["回答データ"]
    assert book.sheetnames == ["調査概要", "回答データ"] and sheet.cell(6, 1).value == "回答者ID"
    assert "A1:S1" in {str(r) for r in sheet.merged_cells.ranges} and sheet.cell(7, 1).value == "ＳＹＮ－０００１"
    assert sheet.cell(6, 17).value.startswith("問１０")


def test_bundled_survey_themes_agree_with_the_generator_labels(tagger):
    data = read_survey(SURVEY / "survey_synthetic.xlsx")
    labels = pd.read_csv(SURVEY / "labels_survey_synthetic.csv", dtype=str, keep_default_na=False)
    keys = {"問10": "open_1", "問11": "open_2", "問12": "open_3"}
    texts = {(r, q): t for q, key in keys.items() for r, t in zip(data.respondents["respondent_id"], data.respondents[key])}
    tp = fp = fn = 0
    for row in labels.itertuples():
        text = texts[(row.respondent_id, row.question)]
        assert answer_status(text) == row.status
        if row.status == "記述あり":
            got, want = set(tagger.tag(text)), set(filter(None, row.themes.split(";")))
            tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    assert tp / (tp + fp) >= 0.95 and tp / (tp + fn) >= 0.95, (tp, fp, fn)


@pytest.mark.slow
def test_demo_survey_run_tables_slides_and_privacy(tmp_path):
    out = tmp_path / "demo"
    info = run_survey(SURVEY / "survey_synthetic.xlsx", out, reference=SURVEY / "reference_example.csv")
    assert info["rows"] == {"respondents": 720, "rejected": 0, "open_answers": info["rows"]["open_answers"]}
    assert len(info["rows"]["open_answers"]) == 3 and info["synthetic_data"]
    assert {"survey_open_themes_by_role", "survey_choice_by_district", "survey_loneliness_direct_benchmark"} <= set(info["tables"])
    from pptx import Presentation

    slides = Presentation(str(out / "survey_report.pptx")).slides
    assert len(slides) >= 15
    planted = []
    csv_text = (SURVEY / "survey_synthetic_cp932.csv").read_bytes().decode("cp932")
    planted += re.findall(r"midori\d+@example\.com", csv_text)
    planted += re.findall(r"[0０][89８９][0０][-－][0０]{4}[-－][0-9０-９]{4}", csv_text)
    planted += re.findall(r"民生委員の(\w{2})さん", csv_text)
    assert len(planted) > 10
    assert find_leaks(out, planted) == []
    suppressed = pd.read_csv(out / "aggregates" / "survey_open_themes_by_district.csv", encoding="utf-8-sig")
    assert suppressed.loc[suppressed["district"] == "山間地区", "suppressed"].all()  # 20 respondents: every cell < 10
