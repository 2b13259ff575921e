"""Writes the small SYNTHETIC example inputs in data/examples (every text is invented).

Usage (from the repository root)::

    python data/examples/make_examples.py

The files show each input format soudan reads; tests read them too. Re-running gives the same
content (the XLSX differs only in its internal timestamps).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ["相談ID", "相談日時", "相談内容", "年代", "性別", "職業", "都道府県", "市区町村"]
CONSULTATIONS = [
    ["EX-001", "2024/08/04 22:15", "学校に行きたくない。クラスで無視されている", "10代", "女性", "高校生", "熊本県", "熊本市"],
    ["EX-002", "2024/08/04 23:02", "仕事のミスが続いて眠れない。上司が怖い", "20代", "男性", "会社員", "東京都", "新宿区"],
    ["EX-003", "2024/08/05 21:40", "夫の言葉がきつくて家にいるのがつらい", "40代", "女性", "主婦・主夫", "大阪府", "堺市"],
    ["EX-004", "2024/08/11 22:30", "誰とも話していない。ひとりぼっちだと感じる", "70代", "男性", "無職", "北海道", "札幌市"],
    ["EX-005", "2024/08/12 0:45", "SNSで悪口を書かれて消えたい気持ちになる😢", "10代", "その他", "中学生", "福岡県", "福岡市"],
]
# The same consultations as a messy municipal export would write them.
MESSY = [
    ["EX-101", "R6.8.4 22:15", "部活の先輩が怖くて学校に行けない", "17歳", "F", "高校生", "熊本", "熊本市"],
    ["EX-102", "令和6年8月5日 23時40分", "お金がなくて家賃が払えない", "34", "男", "アルバイト", "東京", "八王子市"],
    ["EX-103", "2024年8月6日 午後9時05分", "母の介護で自分の時間がない", "50代", "女", "会社員", "大阪", "大阪市"],
    ["EX-104", "2024/8/7(水) 22:50", "（；＿；）友達とけんかした", "十代", "無回答", "中学生", "43", "八代市"],
]


def write_csv(name: str, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    (HERE / name).write_bytes(buffer.getvalue().encode(encoding))


def write_messages() -> None:
    lines = []
    for consultation, start, turns in [
        ("CH-01", "2024-08-04T22:10:00+09:00", [("相談員", "こんばんは。どうされましたか"), ("相談者", "学校のことで相談したいです"),
                                               ("相談者", "毎朝おなかが痛くなります"), ("相談員", "教えてくれてありがとう")]),
        ("CH-02", "2024-08-05T23:30:00+09:00", [("相談員", "こんばんは"), ("相談者", "職場の人間関係がしんどい")]),
    ]:
        for minute, (role, text) in enumerate(turns):
            stamp = (datetime.fromisoformat(start) + timedelta(minutes=minute)).isoformat()
            lines.append(json.dumps({"相談ID": consultation, "相談日時": stamp, "発言者": role, "相談内容": text,
                                     "年代": "10代" if consultation == "CH-01" else "30代", "性別": "女性"}, ensure_ascii=False))
    (HERE / "messages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_municipal_xlsx() -> None:
    """A title row, a blank row, then a two-row header with merged cells, as exported by a municipal system."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "8月"
    sheet["A1"] = "令和6年度 チャット相談 受付記録（8月分）"
    sheet.merge_cells("A1:H1")
    top = ["相談ID", "相談日時", "相談内容", "相談者属性", None, None, None, None]
    bottom = [None, None, None, "年齢", "性別", "職業", "都道府県", "市区町村"]
    for column, (upper, lower) in enumerate(zip(top, bottom), 1):
        sheet.cell(3, column, upper)
        sheet.cell(4, column, lower)
    for letter in "ABC":
        sheet.merge_cells(f"{letter}3:{letter}4")
    sheet.merge_cells("D3:H3")
    rows = [
        ["M-001", datetime(2024, 8, 4, 22, 15), "学校でいじめられている", 15, "女", "中学生", "熊本", "合志市"],
        ["M-002", "令和6年8月5日 23時05分", "眠れない日が続いている", "20代", "男性", "大学生", "熊本", "熊本市"],
        ["M-003", 45510.9375, "親とうまく話せない", "17歳", "F", "高校生", "熊本県", "八代市"],
    ]
    for row in rows:
        sheet.append(row)
    book.properties.created = datetime(2024, 9, 1)
    book.save(HERE / "municipal_export.xlsx")


def write_kokorochat() -> None:
    folder = HERE / "kokorochat"
    folder.mkdir(exist_ok=True)
    for name, start, turns in [
        ("k001", "2024-08-04T21:00:00", [("counselor", "こんにちは。相談員です。"), ("client", "こんにちは。進路のことで悩んでいます"),
                                        ("counselor", "どんなことで悩んでいますか"), ("client", "親と希望が合わなくて")]),
        ("k002", "2024-08-06T22:30:00", [("counselor", "こんばんは。"), ("client", "最近ずっと気分が落ち込んでいます")]),
    ]:
        first = datetime.fromisoformat(start)
        dialogue = [{"role": role, "time": (first + timedelta(minutes=index)).isoformat(), "utterance": text}
                    for index, (role, text) in enumerate(turns)]
        document = {"dialogue": dialogue, "topic": {"main_jp": "その他"}, "note": "SYNTHETIC example in KokoroChat shape"}
        (folder / f"{name}.json").write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


def main() -> None:
    write_csv("consultations.csv", HEADER, CONSULTATIONS)
    write_csv("consultations_cp932.csv", HEADER, MESSY, encoding="cp932")
    write_csv("custom_headers.csv", ["受付番号", "受付日時", "話者", "相談本文", "性別"], [
        ["U-1", "2024/08/04 22:15", "相談員", "こんばんは。ご相談をどうぞ", "F"],
        ["U-1", "2024/08/04 22:16", "相談者", "家に居場所がないです", "F"],
        ["U-2", "2024/08/05 20:00", "相談者", "仕事が見つからず不安です", "M"],
    ])
    write_messages()
    write_municipal_xlsx()
    write_kokorochat()


if __name__ == "__main__":
    main()
