"""Meeting materials: findings computed from tables, and the xlsx / pptx / html re-opened.

Unit tests use small hand-made tables whose right sentences are known. One module-scoped run
of write_reports over the 40-consultation fixture (min_cell=5, so many cells are suppressed and
groups of n ≤ 30 are 参考値) feeds the re-open tests; it draws about a dozen charts.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest
from fixtures.small import PLANTED_PII, load_consultations
from pptx import Presentation

from nlp.tables.aggregate import build_aggregates
from nlp.tables.compare import compare_region
from nlp.report.labels import SECTIONS, SUPPRESSED_MARK, display_table
from nlp.tables.disclosure import suppress_weekday_hour
from nlp.report.build_consultations import ReportInputs, build_consultations
from nlp.report.document import Finding
from nlp.report.render_markdown import summary_markdown
from nlp.report.write import write_consultation_reports as write_reports
from nlp.report.summary import summarize

MIN_CELL = 5
QUOTES = {"school": ["クラスで［人名］に無視されていて、学校に行くのがつらいです。"],
          "loneliness": ["休日はずっと一人で、誰とも話していません。"]}


def tidy(dim: str, values: list, counts: list, total: int | None = None, *, reference=False) -> pd.DataFrame:
    """A by_X table; None in ``counts`` is a suppressed cell."""
    total = total or sum(c for c in counts if c is not None)
    return pd.DataFrame({
        dim: values,
        "consultations": pd.array([pd.NA if c is None else c for c in counts], dtype="Int64"),
        "share": [np.nan if c is None else c / total for c in counts],
        "suppressed": [c is None for c in counts],
        "reference": [reference] * len(values),
    })


# --- findings -----------------------------------------------------------------------------------

def test_month_finding_quotes_the_peak_row_of_by_month():
    months = [f"2024-{m:02d}" for m in range(4, 10)]
    counts = [100, 120, 90, 140, 186, 114]  # total 750; August 186 = 24.8 %
    findings = summarize({"by_month": tidy("month", months, counts)})
    texts = [f.text for f in findings if f.table == "by_month"]
    assert "対象期間（2024年4月〜2024年9月）の相談件数は合計750件でした。" in texts
    assert "相談件数は2024年8月が最多（186件、全体の24.8%）、最少は2024年6月（90件、12.0%）でした。" in texts


def test_suppressed_cells_never_feed_a_sentence():
    # 10代 would be the largest, but it is suppressed: the sentence must name 20代, and the
    # total sentence must be dropped because a month is hidden.
    ages = tidy("age_band", ["10代", "20代", "30代", "不明"], [None, 40, 25, 5], total=100)
    months = tidy("month", ["2024-07", "2024-08"], [None, 60], total=70)
    findings = summarize({"by_age_band": ages, "by_month": months})
    age = next(f.text for f in findings if f.table == "by_age_band")
    assert age == "年代別では20代が最多（40.0%）、次いで30代（25.0%）でした（不明を除く）。"
    assert not any("合計" in f.text for f in findings)


def test_theme_finding_marks_reference_groups():
    rows = []
    for band, n, counts, ref in (("10代", 20, {"school": 12, "family": 5}, True), ("20代", 80, {"work": 30, "family": 20}, False)):
        for theme, c in counts.items():
            rows.append({"age_band": band, "theme": theme, "consultations": c, "share": c / n,
                         "suppressed": False, "reference": ref})
    table = pd.DataFrame(rows).astype({"consultations": "Int64"})
    [finding] = summarize({"theme_by_age_band": table})
    assert finding.text == ("年代別に最も多い相談テーマは、10代では「学校」（60.0%、参考値）、"
                            "20代では「職場・仕事」（37.5%）でした。")


def test_ideation_finding_uses_the_any_measure():
    rows = []
    for band, n, any_, strong in (("10代", 200, 30, 12), ("20代", 100, 8, None)):
        for measure, c in (("any", any_), ("suicidal", None), ("strong", strong)):
            rows.append({"age_band": band, "measure": measure, "consultations": c,
                         "share": np.nan if c is None else c / n, "suppressed": c is None, "reference": False})
    table = pd.DataFrame(rows).astype({"consultations": "Int64"})
    [finding] = summarize({"ideation_by_age_band": table})
    assert finding.text.startswith("希死念慮・自殺念慮あり（キーワード検出）の割合は、年代別では10代が最も高く15.0%（うち「強い」6.0%）")
    assert "最も低いのは20代の8.0%" in finding.text


def test_comparison_finding_states_difference_and_significance():
    table = pd.DataFrame({
        "group_a": "熊本県", "group_b": "熊本県以外", "dimension": ["age_band", "age_band", "theme"],
        "category": ["10代", "20代", "school"], "a_consultations": pd.array([60, 40, 30], dtype="Int64"),
        "a_share": [0.60, 0.40, 0.30], "b_consultations": pd.array([559, 841, 200], dtype="Int64"),
        "b_share": [0.559, 0.441, 0.143], "difference": [0.041, -0.041, 0.157], "p_holm": [0.5, 0.5, 0.001],
        "significant": [False, False, True], "marker": ["", "", "有意（p<0.05）"],
        "suppressed": False, "reference": False,
    })
    findings = summarize({}, comparisons={"region": table})
    assert [f.text for f in findings] == ["「学校」（テーマ）の割合は熊本県30.0%、熊本県以外14.3%で、差は+15.7pt（有意、p<0.05）でした。"]
    assert findings[0].table == "compare_region"


def test_no_tables_no_findings_and_markdown_says_so():
    assert summarize({}) == []
    text = summary_markdown(build_consultations(ReportInputs({}, {"parameters": {"min_cell": 10}})))
    assert "所見を計算できる表がありませんでした" in text and "10件未満を秘匿" in text


def test_display_table_shows_no_number_in_suppressed_rows():
    headers, rows, kinds = display_table(tidy("age_band", ["10代", "20代"], [None, 12], total=40, reference=True))
    assert headers == ["年代", "件数", "割合", "注記"]
    assert rows[0] == ["10代", SUPPRESSED_MARK, SUPPRESSED_MARK, SUPPRESSED_MARK]
    assert rows[1] == ["20代", 12, 0.3, "参考値"]


def test_weekday_hour_gets_primary_and_complementary_suppression():
    counts = pd.DataFrame([(d, h, 20) for d in "月火水木金土日" for h in range(24)], columns=["weekday", "hour", "consultations"])
    counts.loc[(counts.weekday == "月") & (counts.hour == 3), "consultations"] = 4
    out = suppress_weekday_hour(counts, min_cell=10)
    hidden = out[out["suppressed"]]
    assert len(out) == 168 and out["consultations"].isna().sum() == len(hidden)
    # the 4 is hidden, and its weekday row and hour column each lose one more cell
    assert ("月", 3) in set(zip(hidden.weekday, hidden.hour))
    assert (hidden.weekday == "月").sum() >= 2 and (hidden.hour == 3).sum() >= 2


# --- one full run, re-opened ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def run(tmp_path_factory):
    consultations = load_consultations()
    names = ["by_month", "by_weekday", "by_hour", "by_age_band", "by_gender", "by_theme",
             "theme_by_age_band", "by_ideation", "ideation_by_age_band"]
    tables = {n: t for n, t in build_aggregates(consultations, min_cell=MIN_CELL).items() if n in names}
    comparisons = {"region": compare_region(consultations, "熊本県", min_cell=MIN_CELL)}
    weekday_hour = consultations.groupby(["weekday", "hour"]).size().rename("consultations").reset_index()
    run_info = {"parameters": {"min_cell": MIN_CELL, "compare_region": "熊本県"},
                "inputs": [{"path": "consultations_small.csv", "rows": 40}], "rows": {"consultations": 40, "rejected": 0},
                "versions": {"soudan": "test"}}
    out = tmp_path_factory.mktemp("reports")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = write_reports(out, tables, run_info, comparisons=comparisons, quotes=QUOTES, weekday_hour=weekday_hour)
    return {"paths": paths, "tables": tables, "warnings": [str(w.message) for w in caught]}


def test_charts_have_every_japanese_glyph(run):
    assert not [w for w in run["warnings"] if "missing from" in w or "Glyph" in w]
    charts = sorted(p.name for p in run["paths"]["charts"].glob("*.png"))
    assert {"by_month.png", "weekday_hour.png", "theme_by_age_band.png", "ideation_by_age_band.png",
            "compare_region.png", "compare_region_items.png"} <= set(charts)


def _xlsx_cells(sheet):
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_xlsx_headers_formats_and_suppression(run):
    book = openpyxl.load_workbook(run["paths"]["xlsx"])
    assert book.sheetnames[:2] == ["README", "主な所見"]
    assert {"月別", "年代別", "テーマ_年代別", "念慮_年代別", "曜日×時間帯", "比較_地域"} <= set(book.sheetnames)
    source = run["tables"]["by_age_band"]
    sheet = book["年代別"]
    assert [c.value for c in sheet[5]] == ["年代", "件数", "割合", "注記"]
    assert sheet.freeze_panes == "A6"
    for record, row in zip(source.to_dict("records"), sheet.iter_rows(min_row=6)):
        age, count, share, note = (c.value for c in row)
        assert age == record["age_band"]
        if record["suppressed"]:
            assert (count, share, note) == (SUPPRESSED_MARK,) * 3
        else:
            assert count == record["consultations"] and row[1].number_format == "#,##0"
            assert share == pytest.approx(record["share"]) and row[2].number_format == "0.0%"
    # every suppressed cell of every table sheet is text, never a number
    for name in ("theme_by_age_band", "ideation_by_age_band"):
        sheet = book[{"theme_by_age_band": "テーマ_年代別", "ideation_by_age_band": "念慮_年代別"}[name]]
        hidden = run["tables"][name]["suppressed"].tolist()
        assert any(hidden)
        for flag, row in zip(hidden, sheet.iter_rows(min_row=6, max_col=4)):
            assert (row[2].value == SUPPRESSED_MARK) == flag
            assert flag or isinstance(row[2].value, int)
    readme = "\n".join(str(v) for row in _xlsx_cells(book["README"]) for v in row if v is not None)
    assert "最小セル数（秘匿基準）" in readme and "consultations_small.csv" in readme
    assert "theme_by_age_band" in readme and "参考値" in readme


def _slide_texts(slide) -> list[str]:
    texts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
        if shape.has_table:
            texts += [cell.text for row in shape.table.rows for cell in row.cells]
    return texts


def test_pptx_sections_tables_and_boxes_inside_the_slide(run):
    prs = Presentation(run["paths"]["pptx"])
    titles = [_slide_texts(s)[0] for s in prs.slides if _slide_texts(s)]
    for number, section in enumerate(SECTIONS, start=1):
        assert f"{number}. {section.title}" in titles
    assert "年代別・性別の件数（表）" in titles
    pictures = [sh for s in prs.slides for sh in s.shapes if sh.shape_type == 13]
    assert len(pictures) >= 10
    # charts at readable size: at least two thirds of the slide wide or 4.5 inches high
    assert all(p.width >= prs.slide_width * 2 / 3 or p.height >= 4.5 * 914400 for p in pictures)
    table_slide = next(s for s in prs.slides if _slide_texts(s)[0] == "年代別・性別の件数（表）")
    grid = next(sh.table for sh in table_slide.shapes if sh.has_table)
    source = run["tables"]["by_age_band"]
    assert [c.text for c in grid.rows[0].cells] == ["年代", "件数", "割合", "注記"]
    for record, row in zip(source.to_dict("records"), list(grid.rows)[1:]):
        cells = [c.text for c in row.cells]
        if record["suppressed"]:
            assert cells[1:] == [SUPPRESSED_MARK] * 3
        else:
            assert cells[1] == f"{record['consultations']:,}" and cells[2].endswith("%")
            assert cells[3] == ("参考値" if record["reference"] else "")
    for slide in prs.slides:
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0
            assert shape.left + shape.width <= prs.slide_width and shape.top + shape.height <= prs.slide_height
    all_text = "\n".join(t for s in prs.slides for t in _slide_texts(s))
    assert "クラスで［人名］に無視されていて" in all_text  # the masked quote, as given


def test_html_is_self_contained_with_toc_and_marks(run):
    html = run["paths"]["html"].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html) and "<script" not in html and "<link" not in html
    assert html.count("data:image/png;base64,") == len(list(run["paths"]["charts"].glob("*.png")))
    for section in SECTIONS:
        assert f'href="#{section.key}"' in html and f'id="{section.key}"' in html
    assert 'class="masked">秘匿<' in html and "参考値" in html


def test_summary_cites_existing_tables_and_keeps_text_out(run):
    summary = run["paths"]["summary"].read_text(encoding="utf-8")
    cited = re.findall(r"（出典: .*?（([a-z_]+)）", summary)
    assert cited and set(cited) <= set(run["tables"]) | {"compare_region"}
    for path in (run["paths"]["summary"], run["paths"]["html"]):
        text = path.read_text(encoding="utf-8")
        assert not [pii for pii in PLANTED_PII if pii in text]
    assert "無視されていて" not in summary  # quotes go to slides and html only


def test_missing_tables_are_skipped_and_named(tmp_path):
    tables = {"by_month": tidy("month", ["2024-07", "2024-08"], [40, 60])}
    paths = write_reports(tmp_path, tables, {})
    prs = Presentation(paths["pptx"])
    text = "\n".join(t for s in prs.slides for t in _slide_texts(s))
    assert "今回の実行で作成されなかった表" in text and "theme_by_age_band" in text
    assert Finding("相談件数は2024年8月が最多（60件、全体の60.0%）、最少は2024年7月（40件、40.0%）でした。", "by_month") in summarize(tables)
    assert openpyxl.load_workbook(paths["xlsx"]).sheetnames == ["README", "主な所見", "月別"]
