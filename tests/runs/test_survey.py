"""Surveys: municipal exports read, open answers themed, counts checked by hand, no quote that identifies.

The fixture is 40 hand-designed respondents (R01–R40). Respondent i (1-based):

- 年代: 20代 for i 1–12, 40代 for 13–28, 70代 for 29–40; 性別: 女性 when i is odd, 男性 when even;
  立場: 当事者 1–10, 支援者 11–20, 一般住民 21–40.
- 問1 (open): A 「気軽に立ち寄れる居場所がほしいです。」 (居場所) for 1–8; C 「居場所があっても情報が
  届かないので、広報を工夫してほしい。」 (居場所 + 情報が届かない) for 9–14; B 「夜間でも相談できる窓口が
  あると助かります。」 (相談しやすさ) for 15–22; D 「バスが少なくて外出しにくい。」 (移動・外出) for 23–27;
  F 「毎日のんびり過ごしています。」 (no theme) for 28–29; 「特になし」 for 30–34; blank for 35–40.
- 問2 (open): a fake name for 1–12, a plain 見守り answer for 13–24, a phone and e-mail for 25–30.
- 問3 (choice): ある for odd i ≤ 36, ない for even i ≤ 36, blank for 37–40.
- 問4 direct loneliness: 時々ある for 1–8 (written as the code 2 for 1–4), ほとんどない 9–12,
  たまにある 13–20, 決してない 21–28, ほとんどない 29–36, blank 37–40.
- 問5 UCLA: 常にある ×3 for 1–8 (12 点), 時々ある/時々ある/ほとんどない for 9–20 (8 点),
  決してない ×3 for 21–36 (3 点), item 3 blank for 37–40 (無回答).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from nlp.text.masking import find_leaks
from nlp.io.readers import InputError
from nlp.runs.survey import SurveyOptions, analyse_stage, read_stage, run_survey, tables_stage
from nlp.ingest.survey_columns import classify
from nlp.io.survey_read import read_survey
from nlp.report.survey_report import findings, load_survey_run
from nlp.tables.survey_tables import loneliness_survey_tables, read_benchmark
from nlp.analysis.survey_themes import SurveyThemeTagger, answer_status, load_survey_themes
from taxonomy.themes import TaxonomyError

ROOT = Path(__file__).resolve().parents[2]
SURVEY = ROOT / "data" / "survey"
A = "気軽に立ち寄れる居場所がほしいです。"
B = "夜間でも相談できる窓口があると助かります。"
C = "居場所があっても情報が届かないので、広報を工夫してほしい。"
D = "バスが少なくて外出しにくい。"
F = "毎日のんびり過ごしています。"
NAME = "民生委員の佐藤さんが毎週見守りに来てくれるので、一人でも安心して暮らせています。"
PLAIN = "見守りの訪問を、これからもずっと地域で続けてほしいと思っています。"
CONTACT = "連絡は090-1234-5678かsato@example.comまでお願いします。見守りを頼みたいです。"
PII = ["佐藤", "090-1234-5678", "sato@example.com"]
HEADER = ["回答者ID", "回答日", "年代", "性別", "立場", "問１ 孤独・孤立を感じたときにあればよい支援（自由記述）",
          "問２ 地域の見守りについてのご意見", "問３ 近所付き合い", "問４ あなたはどの程度、孤独であると感じることがありますか",
          "問５（１） あなたは、自分には人とのつきあいがないと感じることがありますか",
          "問５（２） あなたは、自分は取り残されていると感じることがありますか",
          "問５（３） あなたは、自分は他の人たちから孤立していると感じることがありますか"]
Q1 = "問1 孤独・孤立を感じたときにあればよい支援(自由記述)"
Q2 = "問2 地域の見守りについてのご意見"
Q3 = "問3 近所付き合い"


def _respondent(i: int) -> list:
    age = "２０歳代" if i <= 12 else "４０歳代" if i <= 28 else "７０歳代"
    role = "当事者" if i <= 10 else "支援者" if i <= 20 else "一般住民"
    q1 = A if i <= 8 else C if i <= 14 else B if i <= 22 else D if i <= 27 else F if i <= 29 else "特になし" if i <= 34 else ""
    q2 = NAME if i <= 12 else PLAIN if i <= 24 else CONTACT if i <= 30 else ""
    q3 = "" if i > 36 else "ある" if i % 2 else "ない"
    direct = ("2" if i <= 4 else "時々ある") if i <= 8 else "ほとんどない" if i <= 12 else "たまにある" if i <= 20 \
        else "決してない" if i <= 28 else "ほとんどない" if i <= 36 else ""
    ucla = ["常にある"] * 3 if i <= 8 else ["時々ある", "時々ある", "ほとんどない"] if i <= 20 else \
        ["決してない"] * 3 if i <= 36 else ["決してない", "決してない", ""]
    return [f"R{i:02d}", f"2024/9/{1 + i % 20}", age, "女性" if i % 2 else "男性", role, q1, q2, q3, direct, *ucla]


ROWS = [_respondent(i) for i in range(1, 41)]


def write_xlsx(path: Path) -> Path:
    """As a municipality exports it: title rows, merged group headers, full-width digits and ids."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "回答"
    sheet.cell(1, 1, "令和6年度 住民アンケート 集計用データ（テスト）")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.cell(2, 1, "※自由記述は原文のまま")
    for column, span, text in ((3, 3, "基本属性"), (6, 2, "自由記述"), (9, 4, "孤独感")):
        sheet.cell(4, column, text)
        sheet.merge_cells(start_row=4, start_column=column, end_row=4, end_column=column + span - 1)
    for c, text in enumerate(HEADER, 1):
        sheet.cell(5, c, text)
    wide = str.maketrans("0123456789R", "０１２３４５６７８９Ｒ")
    for r, row in enumerate(ROWS, 6):
        for c, value in enumerate(row, 1):
            sheet.cell(r, c, (value.translate(wide) if c == 1 else value) or None)
    book.save(path)
    return path


def write_cp932_csv(path: Path) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["住民アンケート 回答データ"] + [""] * (len(HEADER) - 1))
    writer.writerow(HEADER)
    writer.writerows(ROWS)
    path.write_bytes(buffer.getvalue().encode("cp932"))
    return path


def cell(table: pd.DataFrame, **where) -> pd.Series:
    rows = table
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1, (where, len(rows))
    return rows.iloc[0]


@pytest.fixture(scope="module")
def tagger() -> SurveyThemeTagger:
    return SurveyThemeTagger()


@pytest.fixture(scope="module")
def result(tmp_path_factory, tagger):
    """The fixture read from XLSX and tabulated with min_cell=3."""
    path = write_xlsx(tmp_path_factory.mktemp("survey") / "survey.xlsx")
    options = SurveyOptions(str(path), min_cell=3)
    data = read_stage(options)
    analysis = analyse_stage(data, options, tagger)
    return data, analysis, tables_stage(data, analysis, options)


# --------------------------------------------------------------------------- themes and status

def test_hand_written_answers_get_their_themes(tagger):
    assert tagger.tag(A) == ("ibasho",)
    assert tagger.tag(B) == ("access",)
    assert tagger.tag(C) == ("ibasho", "info_gap")
    assert tagger.tag(D) == ("ido",)
    assert tagger.tag(F) == ()
    # Survey keywords take precedence over consultation ones: 居場所がない is both 居場所 and 孤独・孤立,
    # 体操教室 is an event (not 学校), and 近所 alone no longer means 友人・人間関係.
    assert tagger.tag("家にも職場にも居場所がない") == ("ibasho", "work", "loneliness")
    assert tagger.tag("体操教室に通っています") == ("event",)
    assert "relationships" not in tagger.tag("近所の人に知られたくないので相談しにくい")
    assert tagger.tag("一人暮らしの高齢者への見守りを続けてほしい") == ("mimamori", "positive")  # 一人暮らし alone is not 孤独


def test_answer_status():
    assert [answer_status(v) for v in [None, "", "  ", "特になし", "特にありません。", "なし", "ー", "わからない"]] == \
        ["無回答"] * 3 + ["特になし"] * 5
    assert answer_status("なしで済むならそれがいい") == "記述あり"


def test_survey_themes_yaml_is_validated(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: '1'\nthemes:\n  School: {label: 学校, keywords: [学校]}\n  ibasho: {keywords: [居場所]}\n"
                   "  kouryu: {label: 交流, keywords: [{term: 交流, weight: -1}]}\n", encoding="utf-8")
    with pytest.raises(TaxonomyError) as error:
        load_survey_themes(bad)
    message = str(error.value)
    assert "bad theme id 'School'" in message and "themes.ibasho.label" in message and "keywords[0].weight" in message
    extra = tmp_path / "extra.yaml"
    extra.write_text("version: '2'\ndrop_consultation_keywords: [なりたい]\nthemes:\n  hatake: {label: 農園, keywords: [畑]}\n"
                     "  health: {keywords: [足腰]}\n", encoding="utf-8")
    themes = load_survey_themes(extra)
    assert themes.survey_ids == ("hatake",) and list(themes.labels)[:2] == ["hatake", "school"]
    tagger = SurveyThemeTagger(themes)
    assert tagger.tag("畑で野菜を育てて足腰を鍛えています") == ("hatake", "health")
    assert "career" not in tagger.tag("使えるようになりたい")


# --------------------------------------------------------------------------- reading

def test_header_found_under_title_rows_in_xlsx_and_cp932_csv(tmp_path):
    from_xlsx = read_survey(write_xlsx(tmp_path / "s.xlsx"))
    from_csv = read_survey(write_cp932_csv(tmp_path / "s.csv"))
    assert from_xlsx.source["header_row"] == 5 and from_csv.source["header_row"] == 2
    assert from_csv.source["encoding"] == "cp932"
    for data in (from_xlsx, from_csv):
        assert data.respondents["respondent_id"].tolist() == [f"R{i:02d}" for i in range(1, 41)]  # Ｒ０１ → R01
        assert data.respondents["age_band"].value_counts().to_dict() == {"40代": 16, "20代": 12, "70代": 12}
        assert [(q.kind, q.label) for q in data.questions] == [("open", Q1), ("open", Q2), ("choice", Q3)]
        assert set(data.source["columns"]) == {"respondent_id", "answered_at", "age_band", "gender", "role",
                                               "loneliness_direct", "ucla_1", "ucla_2", "ucla_3"}
        assert len(data.rejects) == 0
    columns = ["respondent_id", "age_band", "gender", "role", "open_1", "open_2", "choice_1", "loneliness_direct"]
    pd.testing.assert_frame_equal(from_xlsx.respondents[columns], from_csv.respondents[columns])


def test_bad_rows_are_refused_and_bad_files_stop_with_one_message(tmp_path):
    rows = [HEADER, ROWS[0], ROWS[1], ROWS[0], [ROWS[2][0]] + [""] * (len(HEADER) - 1), [""] + ROWS[3][1:],
            ROWS[4][:1] + ROWS[5][1:]]
    path = tmp_path / "dup.csv"
    path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    data = read_survey(path)
    assert data.respondents["respondent_id"].tolist() == ["R01", "R02", "R05"]
    assert data.rejects["row"].tolist() == [4, 5, 6]
    reasons = data.rejects["reason"].tolist()
    assert "同じ回答です" in reasons[0] and reasons[1] == "回答がすべて空です" and reasons[2] == "回答者IDが空です"
    with pytest.raises(InputError, match="見つかりません"):
        read_survey(tmp_path / "missing.xlsx")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("open_questions: [問9 ありません]\n", encoding="utf-8")
    with pytest.raises(InputError, match="問9 ありません"):
        read_survey(path, mapping=mapping)
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match="空です"):
        read_survey(tmp_path / "empty.csv")


def test_mapping_names_columns_open_questions_and_values(tmp_path):
    header = ["No", "年齢", "性", "お住まいの校区", "ご意見", "満足度"]
    rows = [[str(i), str(15 + 2 * i), "1" if i % 2 else "2", "東校区" if i < 6 else "西校区",
             "バスが少ない" if i < 4 else "特になし", str(1 + i % 3)] for i in range(1, 11)]
    path = tmp_path / "custom.csv"
    path.write_text("\n".join(",".join(r) for r in [header, *rows]), encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "columns: {district: お住まいの校区, gender: 性}\nopen_questions: [ご意見]\n"
        "choice_questions: {満足度: ['3', '2', '1']}\nvalues: {gender: {'1': 男性, '2': 女性}, 満足度: {'1': 不満}}\n",
        encoding="utf-8")
    data = read_survey(path, mapping=mapping)
    r = data.respondents
    assert r["gender"].tolist()[:2] == ["男性", "女性"] and r["district"].tolist()[5] == "西校区"
    assert r["age_band"].tolist()[:3] == ["10代", "10代", "20代"]
    assert [(q.kind, q.label, q.order) for q in data.questions] == [("open", "ご意見", None), ("choice", "満足度", ("3", "2", "1"))]
    assert r["choice_1"].tolist()[:3] == ["2", "3", "不満"]  # value map applied, 1 → 不満


def test_classify_columns():
    assert classify(["はい", "いいえ", "はい", "はい"]) == "choice"
    assert classify([A, B, A, "特になし"]) == "open"
    assert classify(["1", "2", "3", "45", "52", "61", "17", "8", "9", "10", "11", "12", "13", "14", "15", "16", "18"]) == "ignore"
    assert classify([]) == "ignore"


# --------------------------------------------------------------------------- tables, by hand

def test_open_question_theme_counts_by_hand(result):
    _, _, res = result
    response = res.tables["survey_open_response"]
    assert [int(cell(response, question=Q1, status=s)["respondents"]) for s in ["記述あり", "特になし", "無回答"]] == [29, 5, 6]
    themes = res.tables["survey_open_themes"]
    q1 = themes[themes["question"] == Q1]
    published = {r.theme: int(r.respondents) for r in q1.itertuples() if not r.suppressed}
    assert published == {"ibasho": 14, "info_gap": 6, "access": 8, "ido": 5}
    assert cell(q1, theme="ibasho")["share"] == pytest.approx(14 / 29)
    assert cell(q1, theme="unclassified")["suppressed"]  # 2 answers (F) < min_cell 3
    assert cell(q1, theme="unclassified")["theme_label"] == "その他（該当テーマなし）"
    assert set(q1["theme"]) >= {"ibasho", "kouryu", "info_gap", "positive", "unclassified"}  # survey themes always listed
    assert "school" not in set(q1["theme"])  # consultation themes only when they occur
    by_role = res.tables["survey_open_themes_by_role"]
    r1 = by_role[by_role["question"] == Q1]
    # 当事者: A×8 + C×2 (10 answers); 支援者: C×4 + B×6; 一般住民: B×2 + D×5 + F×2 (9 answers).
    tojisha = cell(r1, role="当事者", theme="ibasho")
    assert (int(tojisha["respondents"]), tojisha["share"], tojisha["reference"]) == (10, 1.0, True)
    assert int(cell(r1, role="支援者", theme="access")["respondents"]) == 6
    assert cell(r1, role="一般住民", theme="ido")["share"] == pytest.approx(5 / 9)
    # ibasho across roles is 10, 4, 0: the 0 is suppressed, so 支援者's 4 is suppressed too (else 14 − 10 − 4 = 0).
    assert cell(r1, role="一般住民", theme="ibasho")["suppressed"] and cell(r1, role="支援者", theme="ibasho")["suppressed"]
    assert not cell(r1, role="支援者", theme="info_gap")["suppressed"]  # 2, 4, 0: two hidden already


def test_choice_crosstab_and_secondary_suppression_by_hand(result):
    _, _, res = result
    overall = res.tables["survey_choice"]
    assert [int(cell(overall, question=Q3, answer=a)["respondents"]) for a in ["ある", "ない", "無回答"]] == [18, 18, 4]
    by_gender = res.tables["survey_choice_by_gender"]
    q3 = by_gender[by_gender["question"] == Q3]
    # 女性 answered ある 18 / ない 0, 男性 ある 0 / ない 18: each 0 < 3 is hidden, and each 18 could then be
    # recovered from the published totals, so every cell is suppressed.
    assert q3["suppressed"].all() and q3["respondents"].isna().all()
    assert len(q3) == 6


def test_loneliness_crosstabs_by_hand(tmp_path):
    data = read_survey(write_xlsx(tmp_path / "s.xlsx"))
    reference = tmp_path / "ref.csv"
    reference.write_text("性別,年代,回答,割合(%),出典\n全体,全体,時々ある,14.5,テスト用の値\n全体,全体,たまにある,20.1,テスト用の値\n"
                         "全体,全体,10～12点,6.0,テスト用の値\n", encoding="utf-8")
    benchmark = read_benchmark(reference)
    assert benchmark.name == "テスト用の値"
    tables = loneliness_survey_tables(data.respondents, min_cell=0, benchmark=benchmark)  # 0: every count shown
    direct = tables["survey_loneliness_direct"]
    assert int(cell(direct, gender="全体", age_band="全体", answer="時々ある")["respondents"]) == 8  # 1–8, 1–4 as code 2
    assert int(cell(direct, gender="女性", age_band="20代", answer="時々ある")["respondents"]) == 4  # 1, 3, 5, 7
    assert int(cell(direct, gender="男性", age_band="40代", answer="決してない")["respondents"]) == 4  # 22, 24, 26, 28
    assert int(cell(direct, gender="全体", age_band="70代", answer="ほとんどない")["respondents"]) == 8
    assert int(cell(direct, gender="全体", age_band="70代", answer="無回答")["respondents"]) == 4
    assert int(cell(direct, gender="全体", age_band="全体", answer="ほとんどない")["respondents"]) == 12  # 9–12, 29–36
    share = cell(direct, gender="全体", age_band="20代", answer="時々ある")
    assert share["share"] == pytest.approx(8 / 12) and share["reference"]  # n = 12 ≤ 30 → 参考値
    assert not cell(direct, gender="全体", age_band="全体", answer="時々ある")["reference"]  # n = 40
    ucla = tables["survey_ucla_score"]
    counts = {b: int(cell(ucla, gender="全体", age_band="全体", score_band=b)["respondents"])
              for b in ["3点", "4～6点", "7～9点", "10～12点", "無回答"]}
    assert counts == {"3点": 16, "4～6点": 0, "7～9点": 12, "10～12点": 8, "無回答": 4}
    bench = tables["survey_loneliness_direct_benchmark"]
    assert bench["answer"].tolist() == ["時々ある", "たまにある"]
    assert bench["diff_pt"].tolist() == pytest.approx([8 / 40 * 100 - 14.5, 8 / 40 * 100 - 20.1])
    assert tables["survey_ucla_score_benchmark"]["benchmark_share"].tolist() == pytest.approx([0.06])
    # With min_cell 1 the empty 4～6点 cell is suppressed, and so is the smallest other band of the
    # group (無回答, 4), which would otherwise give it away: 40 − 16 − 12 − 8 = 4.
    ucla1 = loneliness_survey_tables(data.respondents, min_cell=1)["survey_ucla_score"]
    hidden = ucla1[(ucla1["gender"] == "全体") & (ucla1["age_band"] == "全体") & ucla1["suppressed"]]["score_band"]
    assert sorted(hidden) == ["4～6点", "無回答"]


# --------------------------------------------------------------------------- quotes and privacy

def test_quotes_are_diverse_and_never_identify_their_writer(result):
    _, _, res = result
    quotes = res.quotes
    q2 = quotes[quotes["question"] == Q2]
    # 見守り has 30 answers, but 18 hold a name, a phone number or an e-mail: only the plain one is quotable.
    assert set(q2["quote"]) == {PLAIN}
    assert set(q2["theme"]) == {"mimamori", "positive"}
    q1 = quotes[(quotes["question"] == Q1) & (quotes["theme"] == "ibasho")]
    assert sorted(q1["quote"]) == sorted([A, C])  # one of each: identical answers are quoted once
    for text in quotes["quote"]:
        assert not any(secret in text for secret in PII)
    # The writer's attribute is shown only when min_cell (3) answers share it: 立場・年代 here.
    assert set(quotes["attribute"]) <= {"当事者・20代", "支援者・20代", "支援者・40代", "一般住民・40代", "一般住民・70代",
                                        "当事者", "支援者", "一般住民", "属性非表示"}


def test_no_input_name_phone_or_email_in_any_output(tmp_path):
    out = tmp_path / "out"
    info = run_survey(write_xlsx(tmp_path / "s.xlsx"), out, min_cell=3)
    assert info["rows"]["respondents"] == 40 and info["quotes"] > 0
    for name in ["survey_report.xlsx", "survey_report.pptx", "survey_report.html", "survey_summary.md", "run.json",
                 "survey_quotes.csv", "survey_respondents.parquet", "aggregates/survey_open_themes.csv"]:
        assert (out / name).exists(), name
    assert find_leaks(out, PII) == []
    assert find_leaks(out, [PLAIN]) != []  # the check itself finds text that is there
    summary = (out / "survey_summary.md").read_text(encoding="utf-8")
    # 14, 8 and 6 of the 29 substantive answers to 問1.
    assert "多く書かれたテーマは「居場所」48.3%、「相談しやすさ」27.6%、「情報が届かない」20.7%" in summary
    materials = load_survey_run(out)
    assert [f.text for f in materials.findings] == [f.text for f in findings(materials.tables, info)]
    assert "survey_themes_open_1" in materials.charts
    respondents = pd.read_parquet(out / "survey_respondents.parquet")
    assert "open_1" not in respondents and respondents["open_1_themes"].map(list).iloc[8] == ["ibasho", "info_gap"]


def test_cli_survey_command(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    runner = CliRunner()
    out = tmp_path / "out"
    ok = runner.invoke(app, ["survey", "--input", str(write_cp932_csv(tmp_path / "s.csv")), "--out", str(out),
                             "--min-cell", "3", "--no-reports"], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["inputs"][0]["encoding"] == "cp932"
    themes = pd.read_csv(out / "aggregates" / "survey_open_themes.csv", encoding="utf-8-sig")
    assert int(cell(themes, question=Q1, theme="ibasho")["respondents"]) == 14
    missing = runner.invoke(app, ["survey", "--input", str(tmp_path / "nope.xlsx"), "--out", str(tmp_path / "o2")])
    assert missing.exit_code == 2 and "nope.xlsx" in missing.output and "Traceback" not in missing.output


@pytest.mark.slow
def test_prefect_flow_runs_the_same_stages(tmp_path):
    from flows.survey import survey_run

    info = survey_run(str(write_cp932_csv(tmp_path / "s.csv")), str(tmp_path / "out"), min_cell=3, reports=False)
    themes = pd.read_csv(tmp_path / "out" / "aggregates" / "survey_open_themes.csv", encoding="utf-8-sig")
    assert info["rows"]["respondents"] == 40
    assert int(cell(themes, question=Q1, theme="ibasho")["respondents"]) == 14
    assert np.isclose(cell(themes, question=Q1, theme="access")["share"], 8 / 29)
