"""Ingest of every input format, written as real files: CSV encodings, XLSX, JSONL, Parquet,
KokoroChat JSON, header aliases, a YAML mapping, date filters and validate."""

from __future__ import annotations

import json
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from nlp.ingest import attributes
from nlp.ingest.dates import parse_datetime
from nlp.ingest.messages import MESSAGE_COLUMNS, REJECT_COLUMNS, InputError, read_inputs
from nlp.ingest.validate import validate_inputs

HEADER = ["相談ID", "相談日時", "相談内容", "年代", "性別", "職業", "都道府県", "市区町村"]
ROWS = [
    ["A001", "2024/08/04 22:15", "学校に行きたくない。友達に無視される", "10代", "女性", "高校生", "熊本県", "熊本市"],
    ["A002", "2024-08-05T23:40:00", "毎日死にたいと思ってしまう", "20代", "男性", "会社員", "東京都", "新宿区"],
    ["A003", "令和6年8月6日 7時05分", "夫の暴言がつらい😢", "40代", "女性", "主婦・主夫", "大阪府", "大阪市"],
]


def tokyo(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Asia/Tokyo")


def write_csv(path, header, rows, encoding="utf-8"):
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def check_rows(result):
    frame = result.messages
    assert list(frame.columns) == MESSAGE_COLUMNS
    assert frame["consultation_id"].tolist() == ["A001", "A002", "A003"]
    assert frame["started_at"].tolist() == [tokyo("2024-08-04 22:15"), tokyo("2024-08-05 23:40"), tokyo("2024-08-06 07:05")]
    assert str(frame["started_at"].dt.tz) == "Asia/Tokyo"
    assert frame["text"].tolist() == [row[2] for row in ROWS]
    assert frame["age_band"].tolist() == ["10代", "20代", "40代"]
    assert frame["gender"].tolist() == ["女性", "男性", "女性"]
    assert frame["occupation"].tolist() == ["高校生", "会社員", "主婦・主夫"]
    assert frame["prefecture"].tolist() == ["熊本県", "東京都", "大阪府"]
    assert frame["municipality"].tolist() == ["熊本市", "新宿区", "大阪市"]
    assert frame["role"].tolist() == [None, None, None]
    assert result.rejects.empty and list(result.rejects.columns) == REJECT_COLUMNS


@pytest.mark.parametrize("encoding, reported", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp932", "cp932"), ("utf-16", "utf-16")])
def test_csv_in_every_encoding_reads_the_same(tmp_path, encoding, reported):
    rows = ROWS
    if encoding == "cp932":  # CP932 has no emoji: Excel would not have saved one
        rows = [r[:2] + [r[2].replace("😢", "")] + r[3:] for r in ROWS]
    result = read_inputs([write_csv(tmp_path / "logs.csv", HEADER, rows, encoding=encoding)])
    assert result.sources[0]["encoding"] == reported
    assert result.sources[0]["rows_read"] == 3 and result.sources[0]["rows_accepted"] == 3
    assert result.messages["row"].tolist() == [2, 3, 4]  # spreadsheet rows: the header is row 1
    assert result.messages["text"].tolist() == [r[2] for r in rows]
    if encoding != "cp932":
        check_rows(result)


def test_tab_separated_text_is_read(tmp_path):
    path = tmp_path / "logs.tsv"
    path.write_text("\n".join("\t".join(r) for r in [HEADER, *ROWS]), encoding="utf-8")
    check_rows(read_inputs([path]))


def test_quoted_multiline_cell_is_one_row(tmp_path):
    path = tmp_path / "logs.csv"
    path.write_text('相談ID,相談日時,相談内容\nA1,2024/8/4 22:15,"一行目、\n二行目"\nA2,2024/8/5 10:00,次\n', encoding="utf-8")
    result = read_inputs([path])
    assert result.messages["text"].tolist() == ["一行目、\n二行目", "次"]
    assert result.messages["row"].tolist() == [2, 3]


def test_xlsx_with_typed_cells(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["A001", datetime(2024, 8, 4, 22, 15), ROWS[0][2], 17, "F", "高校生", "熊本", "熊本市"])
    sheet.append([1002, 45509.98611111111, ROWS[1][2], "20代", "男", "会社員", 13, None])
    book.save(tmp_path / "logs.xlsx")
    frame = read_inputs([tmp_path / "logs.xlsx"]).messages
    assert frame["consultation_id"].tolist() == ["A001", "1002"]
    assert frame["started_at"].tolist() == [tokyo("2024-08-04 22:15"), tokyo("2024-08-05 23:40")]
    assert frame["age_band"].tolist() == ["10代", "20代"]
    assert frame["gender"].tolist() == ["女性", "男性"]
    assert frame["prefecture"].tolist() == ["熊本県", "東京都"]
    assert frame["municipality"].tolist() == ["熊本市", "不明"]


def test_xlsx_picks_the_sheet_with_the_table(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "説明"
    book.active.append(["このファイルは相談記録です"])
    data = book.create_sheet("8月")
    for row in [HEADER, *ROWS]:
        data.append(row)
    book.save(tmp_path / "logs.xlsx")
    result = read_inputs([tmp_path / "logs.xlsx"])
    check_rows(result)
    assert result.sources[0]["sheet"] == "8月"


def test_jsonl_messages_with_roles(tmp_path):
    path = tmp_path / "chat.jsonl"
    records = [
        {"相談ID": "C1", "相談日時": "2024-08-04T22:15:00+09:00", "発言者": "相談員", "相談内容": "こんばんは"},
        {"相談ID": "C1", "相談日時": "2024-08-04T22:16:00+09:00", "発言者": "相談者", "相談内容": "眠れません", "年齢": 15},
        {"相談ID": "C1", "相談日時": "2024-08-04T22:17:00+09:00", "発言者": "相談者", "相談内容": "眠れません"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    frame = read_inputs([path]).messages
    assert frame["role"].tolist() == ["counselor", "client", "client"]
    assert frame["consultation_id"].tolist() == ["C1"] * 3  # message rows share an id legitimately
    assert frame["age_band"].tolist() == ["不明", "10代", "不明"]
    assert frame["row"].tolist() == [1, 2, 3]


def test_parquet_with_typed_columns(tmp_path):
    frame = pd.DataFrame({
        "consultation_id": ["P1", "P2"],
        "started_at": pd.to_datetime(["2024-08-04 13:15", "2024-08-05 14:40"]).tz_localize("UTC"),
        "text": ["学校がつらい", "仕事がつらい"],
        "age": [17, 85],
        "gender": ["female", "male"],
        "prefecture": ["北海道", "沖縄"],
    })
    frame.to_parquet(tmp_path / "logs.parquet")
    result = read_inputs([tmp_path / "logs.parquet"])
    messages = result.messages
    assert messages["started_at"].tolist() == [tokyo("2024-08-04 22:15"), tokyo("2024-08-05 23:40")]
    assert messages["age_band"].tolist() == ["10代", "80代以上"]
    assert messages["gender"].tolist() == ["女性", "男性"]
    assert messages["prefecture"].tolist() == ["北海道", "沖縄県"]
    assert result.sources[0]["format"] == "parquet"


def write_dialogue(path, start="2020-03-08T14:59:49"):
    dialogue = [
        {"role": "counselor", "time": start, "utterance": "こんにちは。相談員です。"},
        {"role": "client", "time": "2020-03-08T15:00:17", "utterance": "仕事でミスが続いてつらいです"},
        {"role": "counselor", "time": "2020-03-08T15:01:00", "utterance": "それはおつらいですね"},
        {"role": "client", "time": "2020-03-08T15:02:30", "utterance": "はい"},
        {"role": "client", "time": "2020-03-08T15:04:30", "utterance": "はい"},
    ]
    path.write_text(json.dumps({"dialogue": dialogue, "topic": {"main_jp": "職場問題"}}, ensure_ascii=False), encoding="utf-8")
    return path


def test_kokorochat_directory_gives_client_messages_only(tmp_path):
    folder = tmp_path / "dialogues"
    folder.mkdir()
    write_dialogue(folder / "10.json")
    write_dialogue(folder / "2.json", start="2020-03-09T10:00:00")
    (folder / "notes.txt").write_text("not a dialogue", encoding="utf-8")
    result = read_inputs([folder], fmt="kokorochat")
    frame = result.messages
    assert frame["consultation_id"].tolist() == ["10", "10", "10", "2", "2", "2"]  # sorted by file name
    assert frame["role"].unique().tolist() == ["client"]
    # repeated "はい" at different times are two messages, not a duplicate
    assert frame["text"].tolist()[:3] == ["仕事でミスが続いてつらいです", "はい", "はい"]
    assert frame["started_at"].tolist()[:3] == [tokyo("2020-03-08 14:59:49")] * 3
    assert frame["started_at"].iloc[3] == tokyo("2020-03-09 10:00:00")
    assert frame["row"].tolist()[:3] == [2, 4, 5]  # the message index in the dialogue, from 1
    assert [s["rows_read"] for s in result.sources] == [5, 5]
    assert [s["rows_excluded"] for s in result.sources] == [2, 2]
    assert result.rejects.empty


def test_json_suffix_is_kokorochat_in_auto_mode(tmp_path):
    result = read_inputs([write_dialogue(tmp_path / "7.json")])
    assert result.sources[0]["format"] == "kokorochat"
    assert result.messages["consultation_id"].unique().tolist() == ["7"]


def test_same_file_twice_keeps_each_message_once(tmp_path):
    path = write_dialogue(tmp_path / "7.json")
    result = read_inputs([path, path])
    assert len(result.messages) == 3
    assert result.rejects["reason"].tolist() == ["重複行: 7.json の 2 行目と同じ発言です（1件だけ採用）",
                                                 "重複行: 7.json の 4 行目と同じ発言です（1件だけ採用）",
                                                 "重複行: 7.json の 5 行目と同じ発言です（1件だけ採用）"]


def test_mapping_yaml_columns_and_values(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "columns:\n  consultation_id: 受付番号\n  started_at: 受付日時\n  text: 相談本文\n  role: 区分\n  gender: 性\n"
        "values:\n  gender: {F: 女性, M: 男性, 9: 不明}\n  role: {相談者: client, 相談員: counselor, 1: client, 2: counselor}\n",
        encoding="utf-8",
    )
    path = write_csv(tmp_path / "export.csv", ["受付番号", "受付日時", "区分", "相談本文", "性"], [
        ["R-1", "2024/8/4 22:15", "1", "家に居場所がない", "F"],
        ["R-1", "2024/8/4 22:16", "2", "お話を聞かせてください", "F"],
        ["R-2", "2024/8/5 9:00", "相談者", "お金がない", "9"],
    ])
    frame = read_inputs([path], mapping=mapping).messages
    assert frame["consultation_id"].tolist() == ["R-1", "R-1", "R-2"]
    assert frame["role"].tolist() == ["client", "counselor", "client"]
    assert frame["gender"].tolist() == ["女性", "女性", "不明"]
    assert frame["text"].tolist() == ["家に居場所がない", "お話を聞かせてください", "お金がない"]


def test_bundled_example_mapping_reads_its_example(tmp_path):
    result = read_inputs(["data/examples/custom_headers.csv"], mapping="data/examples/mapping.yaml")
    assert len(result.messages) > 0 and result.rejects.empty
    assert set(result.messages["role"]) == {"client", "counselor"}


def test_every_bundled_example_reads_without_rejects():
    for path in ["data/examples/consultations.csv", "data/examples/consultations_cp932.csv",
                 "data/examples/messages.jsonl", "data/examples/municipal_export.xlsx"]:
        result = read_inputs([path])
        assert len(result.messages) >= 3, path
        assert result.rejects.empty, (path, result.rejects.to_dict("records"))
    kokoro = read_inputs(["data/examples/kokorochat"], fmt="kokorochat")
    assert kokoro.messages["role"].unique().tolist() == ["client"]


def test_since_and_until_are_inclusive_days_in_tokyo(tmp_path):
    path = write_csv(tmp_path / "logs.csv", HEADER[:3], [
        ["1", "2024-07-31T23:59:00+09:00", "a"],
        ["2", "2024-07-31T15:30:00Z", "b"],  # 2024-08-01 00:30 in Tokyo
        ["3", "2024/8/31 23:59", "c"],
        ["4", "2024/9/1 0:00", "d"],
    ])
    result = read_inputs([path], since=date(2024, 8, 1), until=date(2024, 8, 31))
    assert result.messages["consultation_id"].tolist() == ["2", "3"]
    assert result.sources[0]["rows_excluded"] == 2 and result.rejects.empty


def test_directory_expands_to_supported_files_sorted(tmp_path):
    write_csv(tmp_path / "b.csv", HEADER[:3], [["B", "2024/8/4 22:15", "b"]])
    write_csv(tmp_path / "a.csv", HEADER[:3], [["A", "2024/8/4 22:15", "a"]])
    (tmp_path / "~$a.xlsx").write_bytes(b"lock file of an open workbook")
    (tmp_path / "readme.md").write_text("x")
    result = read_inputs([tmp_path])
    assert result.messages["source"].tolist() == ["a.csv", "b.csv"]
    assert [s["sha256"] for s in result.sources] == [
        __import__("hashlib").sha256((tmp_path / n).read_bytes()).hexdigest() for n in ("a.csv", "b.csv")]


def test_unknown_format_name_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="入力形式 'xls' は使えません"):
        read_inputs([tmp_path], fmt="xls")


@pytest.mark.parametrize("value, expected", [
    ("令和6年8月4日 22時15分", "2024-08-04 22:15"), ("令和元年5月1日", "2019-05-01 00:00"),
    ("R6.8.4", "2024-08-04 00:00"), ("H31.4.30 9:05", "2019-04-30 09:05"), ("平成31年4月30日", "2019-04-30 00:00"),
    ("昭和64年1月7日", "1989-01-07 00:00"), ("2024年8月4日 午後10時15分", "2024-08-04 22:15"),
    ("2024/8/4 22:15", "2024-08-04 22:15"), ("2024/08/04 22:15:30", "2024-08-04 22:15:30"),
    ("2024/8/4(日) 22:15", "2024-08-04 22:15"), ("2024年8月4日（日曜日）22時", "2024-08-04 22:00"),
    ("２０２４／８／４　２２：１５", "2024-08-04 22:15"), ("2024-08-04T13:15:00Z", "2024-08-04 22:15"),
    ("2024-08-04T22:15:00+09:00", "2024-08-04 22:15"), ("2024-08-04 08:15:00-05:00", "2024-08-04 22:15"),
    ("2024/8/4 12:05 AM", "2024-08-04 00:05"), ("20240804", "2024-08-04 00:00"), ("2024.8.4", "2024-08-04 00:00"),
    (45508.92708333333, "2024-08-04 22:15"), ("45508.92708333333", "2024-08-04 22:15"),
    (datetime(2024, 8, 4, 22, 15), "2024-08-04 22:15"), (date(2024, 8, 4), "2024-08-04 00:00"),
])
def test_parse_datetime_accepts(value, expected):
    assert parse_datetime(value) == tokyo(expected)


@pytest.mark.parametrize("value", [None, "", "  ", "不明", "8月4日", "2024/13/45", "2024/2/30", "2024/8/4 25:00",
                                   "令和6年13月1日", "午後", "abc", 17, True, float("nan"), "1850/1/1"])
def test_parse_datetime_refuses(value):
    assert parse_datetime(value) is None


@pytest.mark.parametrize("value, band", [
    (17, "10代"), ("17", "10代"), ("17歳", "10代"), ("１７才", "10代"), (17.0, "10代"), ("10代", "10代"),
    ("10歳代", "10代"), ("20代後半", "20代"), ("二十代", "20代"), ("十七歳", "10代"), ("20-29歳", "20代"),
    (8, "10代未満"), ("10歳未満", "10代未満"), (0, "10代未満"), (85, "80代以上"), ("90代", "80代以上"),
    ("80歳以上", "80代以上"), ("70代以上", "不明"), ("10-39歳", "不明"), (150, "不明"), (-1, "不明"),
    ("無回答", "不明"), ("", "不明"), (None, "不明"), ("未成年", "不明"),
])
def test_age_band(value, band):
    assert attributes.age_band(value) == band


@pytest.mark.parametrize("value, expected", [
    ("熊本", "熊本県"), ("熊本県", "熊本県"), ("東京", "東京都"), ("大阪", "大阪府"), ("京都", "京都府"),
    ("北海道", "北海道"), ("熊本県熊本市", "熊本県"), (" 熊本 ", "熊本県"), (43, "熊本県"), ("01", "北海道"),
    ("全国", "不明"), ("海外", "不明"), ("48", "不明"), ("", "不明"),
])
def test_prefecture(value, expected):
    assert attributes.prefecture(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("女性", "女性"), ("女", "女性"), ("F", "女性"), ("female", "女性"), ("Ｆ", "女性"), ("男", "男性"),
    ("M", "男性"), ("Male", "男性"), ("Xジェンダー", "その他"), ("その他", "その他"), ("無回答", "不明"), ("?", "不明"),
])
def test_gender(value, expected):
    assert attributes.gender(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("相談者", "client"), ("クライアント", "client"), ("client", "client"), ("Client", "client"),
    ("相談員", "counselor"), ("カウンセラー", "counselor"), ("counsellor", "counselor"), ("システム", None), ("", None),
])
def test_role(value, expected):
    assert attributes.role(value) == expected


def test_validate_reports_every_problem_grouped_with_rows(tmp_path):
    path = write_csv(tmp_path / "messy.csv", HEADER[:5], [
        ["1", "2024/13/45", "a", "10代", "女性"],
        ["2", "2024/8/4 22:15", "", "十代", "F"],
        ["3", "昨日", "", "二十歳くらい", "女"],
        ["4", "2024/8/4", "d", "", "ふつう"],
        ["4", "2024/8/4", "e", "", ""],
    ])
    report = validate_inputs([path, tmp_path / "gone.csv"])
    assert not report.ok
    assert report.fatal == [f"入力ファイルが見つかりません: {tmp_path / 'gone.csv'}"]
    rows = {kind: group.rows for kind, group in report.problems.items()}
    assert rows == {
        "bad_datetime": {"messy.csv": [2, 4]},
        "empty_text": {"messy.csv": [3, 4]},
        "duplicate_id": {"messy.csv": [6]},
        "date_without_time": {"messy.csv": [5, 6]},
        "unknown_age": {"messy.csv": [4]},
        "unknown_gender": {"messy.csv": [5]},
    }
    text = report.format()
    assert "エラー: 相談日時を解釈できない（2 行）\n  messy.csv: 2, 4 行目" in text
    assert "警告: 性別を解釈できない（不明として扱う）（1 行）\n  messy.csv: 5 行目" in text
    assert "エラー: 入力ファイルが見つかりません" in text


def test_validate_of_a_clean_file_is_ok(tmp_path):
    report = validate_inputs([write_csv(tmp_path / "ok.csv", HEADER, ROWS)])
    assert report.ok and report.problems == {} and report.fatal == []
    assert report.format().endswith("問題は見つかりませんでした。")


def test_mapping_sheet_and_header_row_for_an_undetectable_header(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "集計"
    book.active.append(["合計", 3])
    sheet = book.create_sheet("明細")
    sheet.append(["令和6年8月分"])
    sheet.append(["番号", "いつ", "なかみ"])  # headers no alias knows
    sheet.append(["X1", "R6.8.4 22:15", "眠れない"])
    book.save(tmp_path / "book.xlsx")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("sheet: 明細\nheader_row: 2\ncolumns:\n  consultation_id: 番号\n  started_at: いつ\n  text: なかみ\n",
                       encoding="utf-8")
    result = read_inputs([tmp_path / "book.xlsx"], mapping=mapping)
    assert result.messages[["consultation_id", "text", "row"]].values.tolist() == [["X1", "眠れない", 3]]
    assert result.messages["started_at"].tolist() == [tokyo("2024-08-04 22:15")]
    mapping.write_text("sheet: 9月\ncolumns: {}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"^book.xlsx: シート '9月' がありません（あるシート: 集計, 明細）$"):
        read_inputs([tmp_path / "book.xlsx"], mapping=mapping)


def test_optional_mapped_column_missing_is_a_warning(tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns:\n  gender: 性別コード\n", encoding="utf-8")
    result = read_inputs([write_csv(tmp_path / "logs.csv", HEADER[:3], [ROWS[0][:3]])], mapping=mapping)
    assert len(result.messages) == 1
    assert result.warnings == ["logs.csv: マッピングの見出し '性別コード'（gender）が見つからないため、この列は空として扱います"]
