"""The report document model: one Table, rendered by xlsx, html, pptx and markdown alike.

A small hand-built Report with a suppressed row and a 参考値 row: every renderer must show the
same cells (秘匿, 参考値, 1,234, 12.5%), and the builders' tables are what the app iterates.
"""

from __future__ import annotations

import re

import openpyxl
import pandas as pd
from pptx import Presentation

from nlp.report.build_consultations import ReportInputs, build_consultations
from nlp.report.document import Finding, Link, Notes, Report, Section, Table, format_cell
from nlp.report.render_html import render_html
from nlp.report.render_markdown import artifact_markdown, summary_markdown
from nlp.report.render_pptx import render_pptx
from nlp.report.render_xlsx import render_xlsx

TABLE = Table(
    "by_age_band", "年代別の相談件数", ("年代", "件数", "割合", "注記"),
    (("10代", 1234, 0.125, ""), ("20代", "秘匿", "秘匿", "秘匿"), ("30代", 12, 0.6, "参考値")),
    ("text", "count", "share", "note"), description="相談件数と全体に占める割合。", sheet="年代別",
    slide_title="年代別（表）", suppressed_rows=1, reference_rows=1,
)
SHOWN = [["10代", "1,234", "12.5%", ""], ["20代", "秘匿", "秘匿", "秘匿"], ["30代", "12", "60.0%", "参考値"]]


def report() -> Report:
    finding = Finding("相談件数は10代が最多でした。", "by_age_band", "年代別の相談件数（by_age_band）")
    front = (Section("readme", "README", (Notes(("表の一覧",), "title"),
                                           Table("index", "", ("シート",), ((Link("年代別", "年代別"),),), ("text",)))),)
    body = Section("attributes", "相談者の属性", (Notes(("注記の行",)), finding, TABLE), (finding,), "title")
    return Report("consultations", "相談ログ分析レポート", (("相談件数", "1,246件"),), (finding,), (body,),
                  sheets=(TABLE,), front=front, extra={"toc": True})


def test_format_cell_keeps_marks_and_formats_numbers():
    assert [format_cell(v, k) for v, k in zip(TABLE.rows[0], TABLE.kinds)] == SHOWN[0]
    assert format_cell(Link("年代別", "x"), "text") == "年代別"
    assert format_cell(0.12345, "decimal") == "0.123" and format_cell(1.5, "pt") == "+1.5pt"
    assert TABLE.cells() == SHOWN
    assert TABLE.frame().values.tolist() == SHOWN


def test_every_renderer_shows_the_same_cells(tmp_path):
    doc = report()
    render_xlsx(doc, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx")["年代別"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=6, max_row=8, max_col=4)]
    assert values == [["10代", 1234, 0.125, ""], ["20代", "秘匿", "秘匿", "秘匿"], ["30代", 12, 0.6, "参考値"]]
    assert sheet["B6"].number_format == "#,##0" and sheet["C6"].number_format == "0.0%"
    assert openpyxl.load_workbook(tmp_path / "r.xlsx")["README"]["A3"].hyperlink.location == "'年代別'!A1"

    render_html(doc, tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)[1:]
    assert [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in rows] == SHOWN
    assert '<td class="masked">秘匿</td>' in html and '<td class="ref">参考値</td>' in html
    assert "出典：年代別の相談件数（by_age_band）" in html and "目次" in html

    render_pptx(doc, tmp_path / "r.pptx")
    slides = list(Presentation(str(tmp_path / "r.pptx")).slides)
    table = next(s.table for slide in slides for s in slide.shapes if s.has_table)
    assert [[c.text for c in row.cells] for row in list(table.rows)[1:]] == SHOWN
    titles = [slide.shapes[0].text_frame.text for slide in slides[1:]]
    assert titles == ["1. 相談者の属性", "年代別（表）"]
    assert "注記の行" in "".join(s.text_frame.text for s in slides[1].shapes if s.has_text_frame)

    markdown = artifact_markdown(doc, names=("by_age_band",))
    assert "| 20代 | 秘匿 | 秘匿 | 秘匿 |" in markdown and "| 30代 | 12 | 60.0% | 参考値 |" in markdown
    assert "- 相談件数は10代が最多でした。（出典: 年代別の相談件数（by_age_band））" in summary_markdown(doc)


def test_builder_tables_are_the_workbook_sheets_in_order():
    tables = {
        "by_gender": pd.DataFrame({"gender": ["女性", "男性"], "consultations": pd.array([40, pd.NA], "Int64"),
                                   "share": [0.8, float("nan")], "suppressed": [False, True], "reference": [False, False]}),
        "by_month": pd.DataFrame({"month": ["2024-08"], "consultations": pd.array([50], "Int64"), "share": [1.0],
                                  "suppressed": [False], "reference": [False]}),
    }
    doc = build_consultations(ReportInputs(tables, {"parameters": {"min_cell": 10}}))
    assert [t.name for t in doc.tables()] == ["by_month", "by_gender"]  # section order, not dict order
    gender = doc.table("by_gender")
    assert gender.cells()[1][1:3] == ["秘匿", "秘匿"] and gender.suppressed_rows == 1
    readme = doc.front[0]
    index = next(b for b in readme.blocks if isinstance(b, Table) and b.name == "index")
    assert [row[0].sheet for row in index.rows] == [t.sheet for t in doc.tables()]
