"""Masking of quotes on realistic Japanese text, and proof that planted personal data never
reaches an output file."""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures.small import INPUT_COLUMNS_JA, PLANTED_PII, load_consultations, read_small_csv

from nlp.tables.aggregate import build_aggregates
from nlp.tables.compare import compare_event, compare_region
from nlp.text.masking import find_leaks, find_spans, mask_text


@pytest.mark.parametrize("text, masked", [
    ("クラスの山田太郎さんに無視されています", "クラスの〔氏名〕さんに無視されています"),
    ("電話番号は090-1234-5678です", "電話番号は〔電話番号〕です"),
    ("電話は０９０１２３４５６７８にかけて", "電話は〔電話番号〕にかけて"),
    ("０９０−１２３４−５６７８か(096)123-4567、+81-90-1234-5678", "〔電話番号〕か〔電話番号〕、〔電話番号〕"),
    ("メールは taro@example.jp まで", "メールは 〔メール〕 まで"),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ に送った", "〔メール〕 に送った"),
    ("ここを見て https://example.com/page?id=3 お願い", "ここを見て 〔URL〕 お願い"),
    ("LINE ID: abc_123 で話したい", "LINE ID: 〔ID〕 で話したい"),
    ("インスタは@hoge_taro、ツイッター：piyo123", "インスタは@〔ID〕、ツイッター：〔ID〕"),
    ("〒860-0001 熊本県熊本市中央区千葉城町1-1に住んでいます", "〔住所〕に住んでいます"),
    ("住所は熊本市中央区水前寺6丁目18番1号です", "住所は〔住所〕です"),
    ("○○市立△△中学校に通っています", "〔学校名〕に通っています"),
    ("去年熊本高校を卒業して東京大学に入った", "去年〔学校名〕を卒業して〔学校名〕に入った"),
    ("株式会社ほげに勤めています", "〔会社名〕に勤めています"),
    ("父はトヨタ自動車株式会社で働いています。㈱ABCにも", "父は〔会社名〕で働いています。〔会社名〕にも"),
    ("佐藤先生が怖い。ゆうきくんとさくらちゃんにも言えない", "〔氏名〕先生が怖い。〔氏名〕くんと〔氏名〕ちゃんにも言えない"),
    ("私はりえといいます。名前はさくらです", "私は〔氏名〕といいます。名前は〔氏名〕です"),
])
def test_personal_data_is_masked(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", [
    "お母さんと先生に相談したけど、学校に行きたくない。",
    "LINEで話そう。熊本市に住んでいる。中学校の友達が冷たい。",
    "会社を辞めたい。看護師さんと店員さんと皆さんにお礼を言いたい。兄ちゃんと彼氏くんとけんかした。",
    "県立高校に通っています。志望大学に落ちた。高校生です。",
    "2024-08-01に10000円払った。3-1で勝った。1日3回、0時に寝る。",
    "毎日死にたいと思ってしまう。なんていうか、もう疲れた。",
    "仕事がつらいといいますか、人間関係が難しいといいますか。",
    "ケアマネージャーさんとヘルパーさんが来てくれる。",
])
def test_ordinary_words_are_not_masked(text):
    assert mask_text(text) == text
    assert find_spans(text) == []


def test_masking_keeps_everything_outside_the_spans():
    text = "今日も山田さんに090-1234-5678から電話。つらい。"
    assert mask_text(text) == "今日も〔氏名〕さんに〔電話番号〕から電話。つらい。"
    assert mask_text("") == "" and mask_text(None) == ""


def test_find_leaks_sees_csv_xlsx_and_parquet(tmp_path):
    raw = load_consultations()
    raw[["consultation_id", "text"]].to_csv(tmp_path / "raw.csv", index=False, encoding="cp932")
    raw[["consultation_id", "text"]].to_excel(tmp_path / "raw.xlsx", index=False)
    raw[["consultation_id", "text"]].to_parquet(tmp_path / "raw.parquet")
    leaks = find_leaks(tmp_path, PLANTED_PII)
    for name in ("raw.csv", "raw.xlsx", "raw.parquet"):
        found = {needle for path, needle in leaks if path == name}
        assert found == set(PLANTED_PII), name  # 09012345678 also matches 090-1234-5678


def test_no_planted_personal_data_reaches_any_output(tmp_path):
    """Everything these modules produce from the fixture: aggregates, comparisons and the masked
    quotes of every consultation, written as CSV (UTF-8 and CP932) and XLSX, is free of the
    names, phone numbers, e-mail, ids, address, school and company planted in the text."""
    consultations = load_consultations()
    out = tmp_path / "out"
    (out / "aggregates").mkdir(parents=True)
    for name, table in build_aggregates(consultations, min_cell=5).items():
        table.to_csv(out / "aggregates" / f"{name}.csv", index=False)
    compare_region(consultations, "熊本県", min_cell=5).to_csv(out / "aggregates" / "compare_region.csv", index=False)
    compare_event(consultations, "夏", "2024-08-01", "2024-08-31", min_cell=5).to_csv(
        out / "aggregates" / "compare_event.csv", index=False)
    quotes = pd.DataFrame({"consultation_id": consultations["consultation_id"],
                           "quote": [mask_text(t) for t in consultations["text"]]})
    quotes.to_csv(out / "quotes.csv", index=False, encoding="cp932")
    quotes.to_excel(out / "quotes.xlsx", index=False)
    assert find_leaks(out, PLANTED_PII) == []
    # The quotes were not emptied: the non-personal words survive the mask.
    joined = "".join(quotes["quote"])
    assert "〔氏名〕さんに無視される" in joined and "〔電話番号〕" in joined and "部活がつらい" in joined
    # Control: the same check catches the unmasked text.
    consultations[["text"]].to_csv(out / "oops.csv", index=False)
    assert {needle for _, needle in find_leaks(out, PLANTED_PII)} == set(PLANTED_PII)


@pytest.mark.slow
def test_whole_run_from_cp932_input_leaks_nothing(tmp_path):
    """soudan's whole pipeline (ingest → analyse → aggregate → comparisons → xlsx/pptx/html/md,
    parquet, charts) on the fixture as a CP932 CSV: no planted personal data in any output file."""
    from nlp.runs import pipeline
    source = tmp_path / "in" / "相談ログ_cp932.csv"
    source.parent.mkdir()
    raw = read_small_csv()
    raw[list(INPUT_COLUMNS_JA)].rename(columns=INPUT_COLUMNS_JA).to_csv(source, index=False, encoding="cp932")
    out = tmp_path / "out"
    pipeline.run_pipeline(pipeline.RunOptions(inputs=[str(source)], out=str(out), min_cell=5,
                                              compare_region="熊本県", events=["夏:2024-08-01:2024-08-31"]))
    written = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".xlsx" for p in written) and any(p.suffix == ".parquet" for p in written)
    assert find_leaks(out, PLANTED_PII) == []
    assert {needle for _, needle in find_leaks(source, PLANTED_PII)} == set(PLANTED_PII)  # control
