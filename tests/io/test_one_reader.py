"""One reader for consultations and survey respondents (issue #16).

Both go through nlp.io.formats (format, bytes, encoding) and nlp.io.grid (grids, header under
title rows, CSV rows wider than the header), and clean text with nlp.io.cells.clean_text. The
survey behaviours that changed when the survey reader became a use of the consultation one are
each shown here: lone surrogates and control characters, bad JSONL lines, wide CSV rows and
blank Parquet records are now cleaned or refused to rejects, never a crash and never a silent loss.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import nlp.io.grid as read_grid
import nlp.io.readers as readers
import nlp.io.survey_read as survey_read
from nlp.ingest.messages import read_inputs
from nlp.io.cells import cell_text, clean_text
from nlp.io.formats import InputError
from nlp.io.survey_read import read_survey

ROOT = Path(__file__).resolve().parents[2]
OPEN = "問1 孤独・孤立を感じたとき、どのような支援があればよいと思いますか"
ANSWERS = ["夜にひとりで話を聞いてもらえる場があると助かります。", "近所に気軽に立ち寄れる居場所がほしいです。",
           "相談窓口の情報がもっと届くようにしてほしい。", "特になし"]


def _survey_rows(count: int = 12) -> list[list[str]]:
    return [[f"R{i:02d}", f"{20 + 10 * (i % 5)}代", "女性" if i % 2 else "男性", ANSWERS[i % 4]] for i in range(1, count + 1)]


def _spy(monkeypatch) -> list[tuple[str, str]]:
    """Record each file that read_grid decodes as text or opens as a workbook."""
    calls: list[tuple[str, str]] = []
    decode, sheets = read_grid.decode, read_grid._xlsx_sheets

    def spy_decode(data, name, encoding=None):
        calls.append(("text", name))
        return decode(data, name, encoding)

    def spy_sheets(source, sheet):
        calls.append(("xlsx", source.path.name))
        return sheets(source, sheet)

    monkeypatch.setattr(read_grid, "decode", spy_decode)
    monkeypatch.setattr(read_grid, "_xlsx_sheets", spy_sheets)
    return calls


def test_survey_xlsx_with_title_rows_and_consultation_cp932_csv_read_by_one_reader(tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["令和6年度 孤独・孤立に関する住民アンケート 集計用データ"])
    sheet.append(["※自由記述は原文のまま"])
    sheet.append([])
    sheet.append(["回答者ID", "年代", "性別", OPEN])
    for row in _survey_rows():
        sheet.append(row)
    book.save(tmp_path / "survey.xlsx")
    calls = _spy(monkeypatch)
    survey = read_survey(tmp_path / "survey.xlsx")
    result = read_inputs([ROOT / "data" / "examples" / "consultations_cp932.csv"])
    assert calls == [("xlsx", "survey.xlsx"), ("text", "consultations_cp932.csv")]
    # one header search, one grid reading, one cleaning: the same functions in both uses
    assert readers.find_header is survey_read.find_header is read_grid.find_header
    assert readers.read_grids is survey_read.read_grids is read_grid.read_grids
    assert survey.source["header_row"] == 4 and survey.source["respondents"] == 12
    assert survey.respondents["open_1"].tolist()[:3] == [ANSWERS[1], ANSWERS[2], ANSWERS[3]]
    assert result.sources[0]["encoding"] == "cp932" and len(result.messages) == 4
    assert result.messages["prefecture"].tolist().count("熊本県") >= 1  # 熊本 / 43 read from Shift_JIS


def test_lone_surrogates_and_control_characters_cleaned_alike(tmp_path):
    raw = "夜になると\ud800ひとりで\x85つらい。\r誰かに\u2028話を聞いてほしい\x07です"
    expected = "夜になるとひとりでつらい。\n誰かに\n話を聞いてほしいです"
    assert clean_text(raw) == expected
    assert cell_text("はい\ud800\x07") == "はい"
    consultation = tmp_path / "c.jsonl"
    consultation.write_text(json.dumps({"相談ID": "A1", "相談日時": "2024-08-04 22:15", "相談内容": raw}) + "\n", encoding="utf-8")
    survey = tmp_path / "s.jsonl"
    lines = [{"回答者ID": row[0], "年代": row[1], "性別": row[2], OPEN: row[3]} for row in _survey_rows()]
    lines[0][OPEN], lines[0]["回答者ID"] = raw, "R01\ud800"
    survey.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    assert read_inputs([consultation]).messages["text"].tolist() == [expected]
    data = read_survey(survey)
    assert data.respondents["open_1"].iloc[0] == expected  # before: the lone surrogate stayed and writing crashed
    assert data.respondents["respondent_id"].iloc[0] == "R01"
    data.respondents.to_parquet(tmp_path / "respondents.parquet")  # encodable as UTF-8


def test_survey_jsonl_bad_lines_go_to_rejects(tmp_path):
    lines = [json.dumps({"回答者ID": r[0], "年代": r[1], "性別": r[2], OPEN: r[3]}, ensure_ascii=False) for r in _survey_rows()]
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines[:4] + ['{"回答者ID": "R99", 壊れた行', "[1, 2]"] + lines[4:]) + "\n", encoding="utf-8")
    data = read_survey(path)  # before: InputError for the whole file, the list line dropped silently
    assert len(data.respondents) == 12
    assert data.rejects[["row", "reason"]].values.tolist() == [
        [5, "JSON として読めない行です"], [6, "JSON オブジェクト（{...}）ではない行です"]]
    assert data.source["rows_read"] == 14 and data.source["rows_rejected"] == 2
    path.write_text("壊れた行\n[1]\n", encoding="utf-8")
    with pytest.raises(InputError, match="JSON Lines として読めません"):
        read_survey(path)


def test_survey_csv_row_wider_than_header_is_refused(tmp_path):
    rows = [["回答者ID", "年代", "性別", OPEN], *_survey_rows()]
    rows.insert(4, ["R50", "30代", "女性", "話を聞いてほしい", "夜がつらい"])  # an unquoted comma in the answer
    path = tmp_path / "s.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    data = read_survey(path)  # before: read as 話を聞いてほしい, 夜がつらい lost without a word
    assert "R50" not in data.respondents["respondent_id"].tolist() and len(data.respondents) == 12
    assert data.rejects["row"].tolist() == [5]
    assert data.rejects["reason"].iloc[0].startswith("列の数が見出しより多い（見出し 4 列、この行 5 列）")


def test_survey_parquet_blank_record_is_refused_not_dropped(tmp_path):
    rows = _survey_rows()
    frame = pd.DataFrame(rows, columns=["回答者ID", "年代", "性別", OPEN])
    frame.loc[2] = [None, None, None, None]
    frame.to_parquet(tmp_path / "s.parquet")
    data = read_survey(tmp_path / "s.parquet")  # before: the blank record vanished from the counts
    assert data.rejects[["row", "column", "reason"]].values.tolist() == [[3, "respondent_id", "回答者IDが空です"]]
    assert data.source["header_row"] == 0 and data.source["rows_read"] == 12


def test_survey_formats_refused_with_one_message(tmp_path):
    (tmp_path / "k.json").write_text('{"dialogue": []}', encoding="utf-8")
    with pytest.raises(InputError, match=r"k.json: この形式は読めません（対応: .csv .tsv .txt .xlsx .xlsm .parquet .jsonl）$"):
        read_survey(tmp_path / "k.json")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(InputError, match=r"old.xls: 古い Excel 形式（.xls）"):
        read_survey(tmp_path / "old.xls")


def test_reader_modules_hashed_for_the_input_index_are_the_reading_code():
    from nlp.store.input_index import READER_MODULES

    # every module that reads files or turns their rows into messages (not the survey-only ones)
    reading = {str(p.relative_to(ROOT)) for stage in ("io", "ingest") for p in (ROOT / "nlp" / stage).glob("*.py")
               if p.name not in {"__init__.py", "outputs.py", "validate.py", "survey_read.py", "survey_columns.py"}}
    assert reading <= set(READER_MODULES)  # a change to any reader module invalidates the index
    assert all((ROOT / name).is_file() for name in READER_MODULES)
