"""The catalogue of bad inputs (issue 9): each case writes a real file and states the exact outcome.

Outcomes:
- Accepted: every row read, with the normalised values listed, and no rejects.
- Refused: exactly these (source, row, column, reason) rows in rejects.csv; the others accepted.
- Stopped: read_inputs raises InputError with exactly this one-sentence message, and
  `soudan validate` exits non-zero with that message and no traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app
from nlp.ingest.messages import InputError, read_inputs

HEAD = ["相談ID", "相談日時", "相談内容"]


def tokyo(*stamps: str) -> list[pd.Timestamp]:
    """Tokyo times; a stamp may carry its offset, as the summer time of 1948–1951 needs."""
    return [pd.Timestamp(s).tz_convert("Asia/Tokyo") if "+" in s else pd.Timestamp(s, tz="Asia/Tokyo") for s in stamps]


# ----------------------------------------------------------------------------- outcomes


@dataclass
class Accepted:
    values: dict[str, list]  # column → values of the accepted rows, in order
    source: dict = field(default_factory=dict)  # expected entries of sources[0]


@dataclass
class Refused:
    rejects: list[tuple[str, int, str, str]]  # the whole of rejects: source, row, column, reason
    values: dict[str, list] = field(default_factory=dict)  # of the rows still accepted


@dataclass
class Stopped:
    message: str  # str(InputError); "{dir}" stands for the test's directory


@dataclass
class Case:
    id: str
    write: Callable[[Path], list[Path]]
    expect: Accepted | Refused | Stopped
    fmt: str = "auto"
    mapping: str | None = None  # YAML text


# ----------------------------------------------------------------------------- file writers


def csv_file(name: str, rows: list[list], *, encoding: str = "utf-8", header: list[str] = HEAD, delimiter: str = ","):
    def write(directory: Path) -> list[Path]:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows] if header else rows)
        path = directory / name
        path.write_bytes(buffer.getvalue().encode(encoding))
        return [path]
    return write


def raw_file(name: str, data: bytes | str):
    def write(directory: Path) -> list[Path]:
        path = directory / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return [path]
    return write


def xlsx_file(name: str, rows: list[list], merges: tuple[str, ...] = ()):
    def write(directory: Path) -> list[Path]:
        book = openpyxl.Workbook()
        sheet = book.active
        for number, row in enumerate(rows, 1):
            for column, value in enumerate(row, 1):
                if value is not None:
                    sheet.cell(number, column, value)
        for merged in merges:
            sheet.merge_cells(merged)
        path = directory / name
        book.save(path)
        return [path]
    return write


def several(*writers):
    return lambda directory: [path for writer in writers for path in writer(directory)]


def one(stamp="2024/8/4 22:15", text="学校に行きたくない", cid="S1"):
    return [cid, stamp, text]


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji of three joined by ZWJ
LONG_PASTE = "もう限界です。" * 28_572  # 200,004 characters in one message
XLSX_BYTES = io.BytesIO()
_book = openpyxl.Workbook()
for _row in [HEAD, one()]:
    _book.active.append(_row)
_book.save(XLSX_BYTES)

# ----------------------------------------------------------------------------- the catalogue

CASES = [
    # --- encodings and file shapes that are accepted
    Case("excel_csv_saved_as_cp932",
         csv_file("cp932.csv", [one() + ["17歳", "女", "熊本"]], encoding="cp932", header=HEAD + ["年代", "性別", "都道府県"]),
         Accepted({"text": ["学校に行きたくない"], "age_band": ["10代"], "gender": ["女性"], "prefecture": ["熊本県"]},
                  {"encoding": "cp932"})),
    Case("shift_jis_half_width_kana_kept_as_given",
         csv_file("kana.csv", [one(text="ｶﾞｯｺｳ ｲｷﾀｸﾅｲ")], encoding="shift_jis"),
         Accepted({"text": ["ｶﾞｯｺｳ ｲｷﾀｸﾅｲ"]}, {"encoding": "cp932"})),
    Case("utf8_with_bom_header_recognised",
         csv_file("bom.csv", [one()], encoding="utf-8-sig"),
         Accepted({"consultation_id": ["S1"]}, {"encoding": "utf-8-sig"})),
    Case("excel_unicode_text_utf16_tabs",
         csv_file("unicode.txt", [one()], encoding="utf-16", delimiter="\t"),
         Accepted({"consultation_id": ["S1"], "text": ["学校に行きたくない"]}, {"encoding": "utf-16"})),
    Case("euc_jp_csv",
         csv_file("euc.csv", [one(text="家族のことで悩んでいます")], encoding="euc_jp"),
         Accepted({"text": ["家族のことで悩んでいます"]}, {"encoding": "euc_jp"})),
    Case("xlsx_saved_with_csv_suffix",
         raw_file("really_excel.csv", XLSX_BYTES.getvalue()),
         Accepted({"consultation_id": ["S1"]}, {"format": "xlsx"})),
    # --- headers
    Case("xlsx_header_not_on_first_row",
         xlsx_file("title.xlsx", [["令和6年度 相談記録（8月）"], [], HEAD, one()], merges=("A1:C1",)),
         Accepted({"row": [4], "consultation_id": ["S1"]})),
    Case("xlsx_merged_two_row_header",
         xlsx_file("merged.xlsx", [
             ["相談ID", "相談日時", "相談内容", "相談者属性", None],
             [None, None, None, "年代", "性別"],
             one() + ["10代", "女性"],
         ], merges=("A1:A2", "B1:B2", "C1:C2", "D1:E1")),
         Accepted({"row": [3], "age_band": ["10代"], "gender": ["女性"]})),
    Case("csv_title_rows_before_header",
         csv_file("titled.csv", [["出力日 2024/9/1", "", ""], HEAD, one()], header=["令和6年度 相談記録", "", ""]),
         Accepted({"row": [4], "consultation_id": ["S1"]})),
    Case("csv_two_row_header_without_merges",
         csv_file("tworow.csv", [["", "", "", "年代", "性別"], one() + ["20代", "男"]], header=HEAD + ["相談者属性", ""]),
         Accepted({"row": [3], "age_band": ["20代"], "gender": ["男性"]})),
    Case("headers_with_full_width_letters_spaces_and_marks",
         csv_file("spaced.csv", [one()], header=["相談 ＩＤ", " 相談日時 ", "相談内容※"]),
         Accepted({"consultation_id": ["S1"], "text": ["学校に行きたくない"]})),
    Case("date_and_time_in_separate_columns",
         csv_file("split.csv", [["S1", "2024/8/4", "22:15", "眠れない"], ["S2", "令和6年8月5日", "午前1時", "不安"]],
                  header=["相談ID", "相談日", "時刻", "相談内容"]),
         Accepted({"started_at": tokyo("2024-08-04 22:15", "2024-08-05 01:00")})),
    # --- dates
    Case("japanese_era_dates",
         csv_file("era.csv", [one("令和6年8月4日 22時15分", cid="S1"), one("R6.8.4 22:15", cid="S2"),
                              one("平成31年4月30日 23:59", cid="S3"), one("令和元年5月1日 0時", cid="S4")]),
         Accepted({"started_at": tokyo("2024-08-04 22:15", "2024-08-04 22:15", "2019-04-30 23:59", "2019-05-01 00:00")})),
    Case("western_dates_with_kanji_weekday_and_full_width",
         csv_file("western.csv", [one("2024年8月4日 22時15分", cid="S1"), one("2024/8/4 22:15", cid="S2"),
                                  one("2024/8/4(日) 午後10:15", cid="S3"), one("２０２４／８／４　２２：１５", cid="S4")]),
         Accepted({"started_at": tokyo(*["2024-08-04 22:15"] * 4)})),
    Case("iso_dates_with_offsets_converted_to_tokyo",
         csv_file("iso.csv", [one("2024-08-04T13:15:00Z", cid="S1"), one("2024-08-04T22:15:00+09:00", cid="S2")]),
         Accepted({"started_at": tokyo("2024-08-04 22:15", "2024-08-04 22:15")})),
    Case("excel_serial_number_in_csv",
         csv_file("serial.csv", [one("45508.92708333333")]),
         Accepted({"started_at": tokyo("2024-08-04 22:15")})),
    Case("date_without_time_is_midnight",
         csv_file("dateonly.csv", [one("2024/8/4")]),
         Accepted({"started_at": tokyo("2024-08-04 00:00")})),
    Case("unparsable_dates_refused",
         csv_file("baddate.csv", [one("2024/13/45", cid="S1"), one("昨日の夜", cid="S2"), one(cid="S3")]),
         Refused([("baddate.csv", 2, "started_at", "相談日時を解釈できません: '2024/13/45'"),
                  ("baddate.csv", 3, "started_at", "相談日時を解釈できません: '昨日の夜'")],
                 {"consultation_id": ["S3"]})),
    # Summer time 1948–1951: 1948-05-02 00:00–00:59 never occurred (clocks went from 24:00 to
    # 01:00); 1948-09-12 00:00–00:59 occurred twice (01:00 summer time went back to 00:00).
    Case("summer_time_skipped_wall_time_refused",
         csv_file("skipped.csv", [one("1948-05-02 00:30:00", cid="S1"), one("昭和23年5月2日 0時30分", cid="S2"),
                                  one("1948-05-02 01:00:00", cid="S3"), one(cid="S4")]),
         Refused([("skipped.csv", 2, "started_at", "相談日時が存在しない時刻です（夏時刻の始まりで飛ばされた時刻）: '1948-05-02 00:30:00'"),
                  ("skipped.csv", 3, "started_at", "相談日時が存在しない時刻です（夏時刻の始まりで飛ばされた時刻）: '昭和23年5月2日 0時30分'")],
                 {"consultation_id": ["S3", "S4"], "started_at": tokyo("1948-05-02 01:00+10:00", "2024-08-04 22:15")})),
    Case("summer_time_repeated_wall_time_is_the_earlier_instant",
         csv_file("repeated.csv", [one("1948-09-12 00:30:00", cid="S1"), one("1948/9/12 0:30", cid="S2"),
                                   one("昭和23年9月12日 0時30分", cid="S3"), one("1948-09-12T00:30:00+09:00", cid="S4")]),
         Accepted({"started_at": tokyo(*["1948-09-12 00:30+10:00"] * 3, "1948-09-12 00:30+09:00")})),
    Case("summer_time_in_excel_date_and_time_columns",
         xlsx_file("switch.xlsx", [["相談ID", "相談日", "時刻", "相談内容"],
                                   ["S1", dt.datetime(1948, 5, 2), dt.time(10, 0), "a"],  # its midnight never occurred
                                   ["S2", dt.datetime(1948, 5, 2), dt.time(0, 30), "b"],
                                   ["S3", dt.datetime(1948, 9, 12), 0.5, "c"],  # noon on the wall clock
                                   ["S4", dt.datetime(1950, 5, 7, 0, 30), None, "d"]]),
         Refused([("switch.xlsx", 3, "date", "相談日時が存在しない時刻です（夏時刻の始まりで飛ばされた時刻）: '1948-05-02 00:30:00'"),
                  ("switch.xlsx", 5, "date", "相談日時が存在しない時刻です（夏時刻の始まりで飛ばされた時刻）: '1950-05-07 00:30:00'")],
                 {"consultation_id": ["S1", "S3"], "started_at": tokyo("1948-05-02 10:00+10:00", "1948-09-12 12:00+09:00")})),
    Case("empty_date_refused",
         csv_file("nodate.csv", [one("", cid="S1"), one(cid="S2")]),
         Refused([("nodate.csv", 2, "started_at", "相談日時が空です")], {"consultation_id": ["S2"]})),
    # --- attributes
    Case("ages_written_many_ways",
         csv_file("ages.csv", [one(cid=f"S{i}") + [age] for i, age in enumerate(
             ["17歳", "10代", "17", "85", "8", "二十代", "１７", "70代以上", "20代後半"])], header=HEAD + ["年齢"]),
         Accepted({"age_band": ["10代", "10代", "10代", "80代以上", "10代未満", "20代", "10代", "不明", "20代"]})),
    Case("prefectures_without_suffix_and_codes",
         csv_file("prefs.csv", [one(cid=f"S{i}") + [p] for i, p in enumerate(
             ["熊本", "東京", "大阪", "京都", "北海道", "沖縄県", "43", "熊本県熊本市", "海外"])], header=HEAD + ["都道府県"]),
         Accepted({"prefecture": ["熊本県", "東京都", "大阪府", "京都府", "北海道", "沖縄県", "熊本県", "熊本県", "不明"]})),
    Case("gender_variants",
         csv_file("gender.csv", [one(cid=f"S{i}") + [g] for i, g in enumerate(
             ["F", "女", "male", "Ｍ", "Xジェンダー", "無回答"])], header=HEAD + ["性別"]),
         Accepted({"gender": ["女性", "女性", "男性", "男性", "その他", "不明"]})),
    Case("ids_from_excel_numbers_and_leading_zeros",
         several(xlsx_file("ids.xlsx", [HEAD, [1001, "2024/8/4 22:15", "a"], [1002.0, "2024/8/4 22:15", "b"]]),
                 csv_file("zeros.csv", [one(cid="007")])),
         Accepted({"consultation_id": ["1001", "1002", "007"]})),
    # --- text
    Case("emoji_and_kaomoji_kept_exactly",
         csv_file("emoji.csv", [one(text=f"もう無理😭 (´；ω；｀) {FAMILY} ヽ(`Д´)ﾉ")]),
         Accepted({"text": [f"もう無理😭 (´；ω；｀) {FAMILY} ヽ(`Д´)ﾉ"]})),
    Case("control_characters_removed_line_breaks_kept",
         csv_file("control.csv", [one(text="つらい\x00\x07\x1bです\r\n眠れない\x0c\t…")]),
         Accepted({"text": ["つらいです\n眠れない\t…"]})),
    Case("paste_of_200kb_in_one_message_not_truncated",
         csv_file("paste.csv", [one(text=LONG_PASTE)]),
         Accepted({"text": [LONG_PASTE]})),
    Case("empty_and_blank_text_refused",
         csv_file("notext.csv", [one(text="", cid="S1"), one(text="　 \n", cid="S2"), one(cid="S3")]),
         Refused([("notext.csv", 2, "text", "相談内容が空です"), ("notext.csv", 3, "text", "相談内容が空です")],
                 {"consultation_id": ["S3"]})),
    Case("unquoted_comma_in_text_refused",
         raw_file("comma.csv", "相談ID,相談日時,相談内容\nS1,2024/8/4 22:15,つらい,もう無理\nS2,2024/8/4 22:15,眠れない\n"),
         Refused([("comma.csv", 2, "", "列の数が見出しより多い（見出し 3 列、この行 4 列）: "
                   "本文中の区切り文字が引用符で囲まれていない可能性があります")], {"consultation_id": ["S2"]})),
    Case("blank_lines_and_empty_rows_skipped",
         raw_file("blank.csv", "相談ID,相談日時,相談内容\nS1,2024/8/4 22:15,a\n\n,,\nS2,2024/8/4 22:15,b\n,,\n"),
         Accepted({"consultation_id": ["S1", "S2"], "row": [2, 5]})),
    Case("footnote_row_under_the_table_refused",
         xlsx_file("footnote.xlsx", [HEAD, one(), [], ["※ 個人情報は削除済み"]]),
         Refused([("footnote.xlsx", 4, "started_at", "相談日時が空です"), ("footnote.xlsx", 4, "text", "相談内容が空です")],
                 {"consultation_id": ["S1"]})),
    # --- duplicates
    Case("duplicated_rows_from_a_re_export_kept_once",
         several(csv_file("july.csv", [one(cid="S1"), one(cid="S2", text="眠れない")]),
                 csv_file("july_again.csv", [one(cid="S2", text="眠れない"), one(cid="S3")])),
         Refused([("july_again.csv", 2, "consultation_id", "重複行: july.csv の 3 行目と相談IDも本文も同じです（1件だけ採用）")],
                 {"consultation_id": ["S1", "S2", "S3"]})),
    Case("same_id_different_text_refused",
         csv_file("conflict.csv", [one(cid="S1"), one(cid="S1", text="別の相談")]),
         Refused([("conflict.csv", 3, "consultation_id", "相談IDの重複: conflict.csv の 2 行目に同じ相談IDで本文の異なる行があります")],
                 {"text": ["学校に行きたくない"]})),
    Case("message_rows_share_an_id_identical_message_kept_once",
         csv_file("chat.csv", [["C1", "2024/8/4 22:15", "相談員", "こんばんは"], ["C1", "2024/8/4 22:16", "相談者", "はい"],
                               ["C1", "2024/8/4 22:17", "相談者", "はい"], ["C1", "2024/8/4 22:17", "相談者", "はい"]],
                  header=["相談ID", "相談日時", "発言者", "相談内容"]),
         Refused([("chat.csv", 5, "text", "重複行: chat.csv の 4 行目と同じ発言です（1件だけ採用）")],
                 {"role": ["counselor", "client", "client"], "row": [2, 3, 4]})),
    Case("unknown_speaker_refused",
         csv_file("speaker.csv", [["C1", "2024/8/4 22:15", "システム", "入室しました"], ["C1", "2024/8/4 22:16", "", "?"],
                                  ["C1", "2024/8/4 22:17", "クライアント", "つらい"]], header=["相談ID", "相談日時", "発言者", "相談内容"]),
         Refused([("speaker.csv", 2, "role", "発言者を解釈できません（client / counselor、相談者 / 相談員 など）: 'システム'"),
                  ("speaker.csv", 3, "role", "発言者が空です")], {"role": ["client"]})),
    Case("jsonl_with_a_broken_line",
         raw_file("broken.jsonl", '{"相談ID": "J1", "相談日時": "2024-08-04 22:15", "相談内容": "a"}\n{"相談ID": "J2", "相談\n'
                  '[1, 2]\n{"相談ID": "J3", "相談日時": "2024-08-04 22:15", "相談内容": "c"}\n'),
         Refused([("broken.jsonl", 2, "", "JSON として読めない行です"),
                  ("broken.jsonl", 3, "", "JSON オブジェクト（{...}）ではない行です")], {"consultation_id": ["J1", "J3"]})),
    Case("json_escape_of_a_lone_surrogate_removed",
         raw_file("surrogate.jsonl", '{"相談ID": "J1", "相談日時": "2024-08-04 22:15", "相談内容": "つらい\\ud800です", '
                  '"職業": "学生\\udc00"}\n'),
         Accepted({"text": ["つらいです"], "occupation": ["学生"]})),
    Case("kokorochat_counselor_only_dialogue_gives_no_rows",
         raw_file("5.json", json.dumps({"dialogue": [{"role": "counselor", "time": "2020-03-08T14:59:49", "utterance": "こんにちは"}]})),
         Accepted({"consultation_id": []}, {"rows_read": 1, "rows_excluded": 1})),
    # --- fatal: the run stops with one message
    Case("empty_file", raw_file("empty.csv", b""), Stopped("empty.csv: ファイルが空です")),
    Case("only_spaces_and_newlines", raw_file("blank.csv", "\r\n \r\n"), Stopped("blank.csv: ファイルが空です")),
    Case("header_only", csv_file("header_only.csv", []), Stopped("header_only.csv: 見出し行のあとにデータ行がありません")),
    Case("required_column_missing",
         csv_file("no_text.csv", [["S1", "2024/8/4 22:15", "10代"]], header=["相談ID", "相談日時", "年代"]),
         Stopped("no_text.csv: 必須の列がありません: 相談内容（text）。見つかった見出し: 相談ID, 相談日時, 年代")),
    Case("two_required_columns_missing_named_together",
         csv_file("only_text.csv", [["つらい"]], header=["相談内容"]),
         Stopped("only_text.csv: 必須の列がありません: 相談ID（consultation_id）, 相談日時（started_at）。見つかった見出し: 相談内容")),
    Case("mapped_header_not_in_file",
         csv_file("export.csv", [["R1", "2024/8/4 22:15", "つらい"]], header=["受付番号", "受付日時", "本文テキスト"]),
         Stopped("export.csv: 必須の列がありません: '相談本文'（text、マッピングで指定）。見つかった見出し: 受付番号, 受付日時, 本文テキスト"),
         mapping="columns:\n  consultation_id: 受付番号\n  started_at: 受付日時\n  text: 相談本文\n"),
    Case("mapping_with_a_wrong_column_name",
         csv_file("ok.csv", [one()]),
         Stopped("mapping.yaml: columns のキー 'body' は正規の列名ではありません（使える名前: consultation_id, started_at, text, "
                 "role, age_band, age, gender, occupation, prefecture, municipality, date, time）"),
         mapping="columns:\n  body: 相談本文\n"),
    Case("binary_file_with_csv_suffix",
         raw_file("image.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
         Stopped("image.csv: 文字コードを判別できません（UTF-8 か Shift_JIS のテキストとして保存し直してください）")),
    Case("old_excel_xls",
         raw_file("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504),
         Stopped("old.xls: 古い Excel 形式（.xls）またはパスワード付きの Excel ファイルは読めません。"
                 "Excel で .xlsx か CSV として保存し直してください")),
    Case("corrupt_xlsx",
         raw_file("broken.xlsx", b"PK\x03\x04" + b"not really a zip" * 10),
         Stopped("broken.xlsx: Excel ファイルとして開けません（壊れているか、別の形式のファイルです）")),
    Case("corrupt_parquet",
         raw_file("broken.parquet", b"PAR1" + b"\x00" * 40),
         Stopped("broken.parquet: Parquet ファイルとして読めません（壊れているか、別の形式のファイルです）")),
    Case("kokorochat_json_without_dialogue",
         raw_file("3.json", json.dumps({"messages": []})),
         Stopped("3.json: KokoroChat の JSON に 'dialogue'（発言のリスト）がありません")),
    Case("kokorochat_json_syntax_error",
         raw_file("4.json", '{"dialogue": [\n{"role": "client",}\n]}'),
         Stopped("4.json: KokoroChat の JSON として読めません（2 行目で構文エラー）")),
    Case("missing_file", lambda directory: [directory / "nothing.csv"], Stopped("入力ファイルが見つかりません: {dir}/nothing.csv")),
    Case("directory_without_inputs", lambda directory: [directory],
         Stopped("{dir} に読み込める入力ファイル（.csv .tsv .xlsx .xlsm .jsonl .parquet .json）がありません")),
]


def run_case(case: Case, directory: Path):
    paths = case.write(directory)
    mapping = None
    if case.mapping is not None:
        mapping = directory / "mapping.yaml"
        mapping.write_text(case.mapping, encoding="utf-8")
    return paths, mapping


def test_catalogue_is_large_and_ids_unique():
    assert len(CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case, tmp_path: Path):
    paths, mapping = run_case(case, tmp_path)
    expect = case.expect
    if isinstance(expect, Stopped):
        with pytest.raises(InputError) as raised:
            read_inputs(paths, fmt=case.fmt, mapping=mapping)
        assert str(raised.value) == expect.message.format(dir=tmp_path)
        return
    result = read_inputs(paths, fmt=case.fmt, mapping=mapping)
    rejects = list(result.rejects.itertuples(index=False, name=None))
    if isinstance(expect, Accepted):
        assert rejects == []
        for key, value in expect.source.items():
            assert result.sources[0][key] == value, key
    else:
        assert rejects == expect.rejects
    for column, values in expect.values.items():
        assert result.messages[column].tolist() == values, column


STOPPED = [case for case in CASES if isinstance(case.expect, Stopped)]
SUMMER_TIME = [case for case in CASES if case.id.startswith("summer_time_")]


@pytest.mark.parametrize("case", STOPPED, ids=[case.id for case in STOPPED])
def test_validate_command_reports_fatal_input_without_traceback(case: Case, tmp_path: Path):
    paths, mapping = run_case(case, tmp_path)
    args = ["validate"] + [arg for p in paths for arg in ("--input", str(p))]
    if mapping is not None:
        args += ["--mapping", str(mapping)]
    result = CliRunner().invoke(app, args)
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code != 0
    assert "Traceback" not in output
    assert re.sub(r"\s", "", case.expect.message.format(dir=tmp_path)) in re.sub(r"\s", "", output)


@pytest.mark.parametrize("case", SUMMER_TIME, ids=[case.id for case in SUMMER_TIME])
def test_commands_go_on_past_a_summer_time_wall_time(case: Case, tmp_path: Path):
    """validate lists a refused row (exit 1) and run writes it to rejects.csv (exit 0): never a crash."""
    paths, _ = run_case(case, tmp_path)
    inputs = [arg for p in paths for arg in ("--input", str(p))]
    reasons = [reason for *_, reason in getattr(case.expect, "rejects", [])]
    checked = CliRunner().invoke(app, ["validate", *inputs])
    assert checked.exit_code == (1 if reasons else 0), checked.output
    assert "Traceback" not in checked.output and "unexpected error" not in checked.output
    assert all(reason in checked.output for reason in reasons)
    ran = CliRunner().invoke(app, ["run", *inputs, "--out", str(tmp_path / "out")])
    assert ran.exit_code == 0, ran.output
    rejects = pd.read_csv(tmp_path / "out" / "rejects.csv", encoding="utf-8-sig")
    assert rejects["reason"].tolist() == reasons
