"""The app's tables are the reports' tables, and its jobs keep uploads private (no browser here)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
import pytest

from fixtures.small import PLANTED_PII, SMALL_CSV
from fixtures.xlsx_text import sheet_text
from flows.app import jobs
from nlp.report.app_view import mark_style, run_view, survey_view
from nlp.report.labels import REFERENCE_MARK, SUPPRESSED_MARK
from nlp.report.document import format_cell

ROOT = Path(__file__).resolve().parents[2]
DEMO_SURVEY = ROOT / "data" / "survey" / "survey_synthetic.xlsx"


@pytest.fixture()
def private_tmp(tmp_path, monkeypatch) -> Path:
    """The system temporary folder for this test only: what the jobs leave there is visible."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """The 40-consultation fixture through the app's run job: min-cell 5, 熊本県 and an August window."""
    out = tmp_path_factory.mktemp("app") / "run"
    choices = jobs.RunChoices(min_cell=5, compare_region="熊本県", events=["8月:2024-08-01:2024-08-31"])
    seen: list[tuple[float, str]] = []
    quotes = jobs.run_uploads([jobs.Upload("相談ログ.csv", SMALL_CSV.read_bytes())], out, choices,
                              lambda value, text: seen.append((value, text)))
    return out, quotes, seen


@pytest.mark.slow
def test_every_app_table_reads_exactly_as_its_report_xlsx_sheet(small_run):
    out, quotes, _ = small_run
    view = run_view(out, quotes)
    book = openpyxl.load_workbook(out / "report.xlsx")
    sheets = [s for s in book.sheetnames[2:] if s not in ("語の頻度", "共起ネットワーク", "対応分析")]  # 語の分析: below
    assert [t.name for t in view.tables][:3] == ["by_month", "by_weekday", "by_hour"]
    assert len(view.tables) == len(sheets) and any(t.name == "compare_region" for t in view.tables)
    for table, sheet_name in zip(view.tables, sheets):
        sheet = book[sheet_name]
        assert sheet["A1"].value == f"{table.title}（{table.name}）"
        expected = sheet_text(sheet)
        assert [list(table.frame.columns), *table.frame.values.tolist()] == expected, table.name
    cells = [cell for t in view.tables for row in t.frame.values.tolist() for cell in row]
    assert SUPPRESSED_MARK in cells and REFERENCE_MARK in cells  # the comparison could fail


@pytest.mark.slow
def test_run_job_keeps_uploads_private_and_reports_progress(small_run, private_tmp):
    out, quotes, seen = small_run
    view = run_view(out, quotes)
    assert seen[0] == (0.02, "読み込み中") and seen[-1] == (1.0, "完了")
    assert [value for value, _ in seen] == sorted(value for value, _ in seen)
    assert [s["path"] for s in view.run_info["inputs"]] == ["相談ログ.csv"]  # no temporary path in run.json
    assert view.run_info["parameters"]["inputs"] == ["相談ログ.csv"]
    readme = [str(c.value) for row in openpyxl.load_workbook(out / "report.xlsx")["README"].iter_rows() for c in row]
    assert any("相談ログ.csv" in cell for cell in readme) and not any("soudan-upload" in cell for cell in readme)
    assert view.run_info["parameters"]["min_cell"] == 5
    assert set(view.downloads) == {"report.xlsx", "report.pptx", "report.html", "summary.md"}
    shown = "\n".join([*view.findings, *(q for qs in view.quotes.values() for q in qs),
                       *(c for t in view.tables for row in t.frame.values.tolist() for c in row)])
    assert view.quotes and not [pii for pii in PLANTED_PII if pii in shown]
    # A new upload: its private folder is gone once the job returns.
    with jobs.uploaded_files([jobs.Upload("../../a.csv", b"x")]) as paths:
        assert Path(paths[0]).name == "a.csv" and Path(paths[0]).parent.parent.parent == private_tmp
        assert oct(Path(paths[0]).parent.parent.stat().st_mode & 0o777) == "0o700"
    assert list(private_tmp.iterdir()) == []


@pytest.mark.slow
def test_store_job_reports_over_a_processed_store(tmp_path):
    from nlp.store.update import UpdateOptions, update_store

    store = tmp_path / "store"
    update_store(UpdateOptions(inputs=[str(SMALL_CSV)], store=str(store), out=None))
    info = jobs.run_store(str(store), tmp_path / "out", jobs.RunChoices(min_cell=5), lambda *_: None)
    assert info["rows"]["consultations"] == 40
    view = run_view(tmp_path / "out")
    assert view.table("by_month").frame["件数"].tolist() == ["10", "秘匿", "秘匿", "25"]  # 10, 0, 5, 25 with min-cell 5
    with pytest.raises(ValueError, match="処理済みストアが見つかりません"):
        jobs.run_store(str(tmp_path / "empty"), tmp_path / "out2", jobs.RunChoices(), lambda *_: None)


def test_validation_of_a_bad_upload_names_the_file_not_the_temporary_folder(private_tmp):
    report = jobs.validate_uploads([jobs.Upload("写真.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 40),
                                    jobs.Upload("本文なし.csv", "相談ID,相談日時\nA1,2024/08/04 22:15\n".encode())])
    assert not report.ok
    assert report.fatal[0].startswith("写真.csv: 文字コードを判別できません")
    assert report.fatal[1].startswith("本文なし.csv: 必須の列がありません: 相談内容")
    assert not any(str(private_tmp) in message for message in report.fatal)
    assert list(private_tmp.iterdir()) == []


def test_friendly_messages_and_choices():
    assert jobs.friendly_message(ValueError("--until 2024-01-01 is before --since 2024-02-01.")).startswith("--until")
    unexpected = jobs.friendly_message(KeyError("secret column"))
    assert "KeyError" in unexpected and "secret" not in unexpected and "Traceback" not in unexpected
    assert jobs.parse_events("夏:2024-07-01:2024-08-31\n\n 冬:2024-12-01:2024-12-31 ") == [
        "夏:2024-07-01:2024-08-31", "冬:2024-12-01:2024-12-31"]
    with pytest.raises(ValueError, match="夏:2024-08-31:2024-07-01"):
        jobs.parse_events("夏:2024-08-31:2024-07-01")
    assert jobs.safe_name("C:\\Users\\me\\相談 ログ.csv") == "相談_ログ.csv"
    assert mark_style(SUPPRESSED_MARK).startswith("color: #777777") and mark_style(REFERENCE_MARK) == "color: #B35900"
    assert mark_style("12.5%") == ""


@pytest.mark.slow
def test_survey_tables_read_exactly_as_survey_report_xlsx(tmp_path):
    out = tmp_path / "survey"
    info = jobs.run_survey_upload(jobs.Upload("調査.xlsx", DEMO_SURVEY.read_bytes()), None, out, 10, lambda *_: None)
    assert info["rows"]["respondents"] == 720
    view = survey_view(out)
    book = openpyxl.load_workbook(out / "survey_report.xlsx")
    titles = {book[name]["A1"].value: book[name] for name in book.sheetnames}
    assert len(view.tables) >= 10
    for table in view.tables:
        sheet = titles[f"{table.title}（{table.name}）"]
        assert [list(table.frame.columns), *table.frame.values.tolist()] == sheet_text(sheet, format_cell), table.name
    assert view.quotes and all("（" in q for qs in view.quotes.values() for q in qs)


# --------------------------------------------------------------------------- 語の分析 and KWIC

RARE = "盆栽"  # in 3 consultations, under min-cell 5
PII_TEXT = ("田中さんに学校のことで電話した。電話は090-1234-5678、メールは tanaka.k@example.com、"
            "住所は熊本市中央区水前寺6丁目18-1です。")
PII_PLANTED = ["田中", "090-1234-5678", "tanaka.k@example.com", "熊本市中央区", "水前寺6丁目18-1", "水前寺"]
TOPICS = ["学校と部活がつらい", "仕事と上司が怖い", "家族と喧嘩した", "友達と連絡がとれない"]


def _explore_input() -> bytes:
    """48 consultations: four topics, a rare word in 3, personal data in 8, ideation in 6."""
    import pandas as pd

    records = []
    for i in range(48):
        text = TOPICS[i % 4] + "。毎日疲れる。"
        if i in (3, 17, 30):
            text += f"{RARE}を育てている。"
        if i % 6 == 0:
            text += PII_TEXT
        if i % 8 == 1:
            text += "学校に行くくらいなら死にたい。"
        records.append({"相談ID": f"T{i:03d}", "相談日時": f"2024/0{1 + i % 6}/1{i % 9} 2{i % 4}:00", "相談内容": text,
                        "年代": ["10代", "20代", "30代"][i % 3], "性別": ["女性", "男性"][i % 2], "職業": "会社員"})
    return pd.DataFrame(records).to_csv(index=False).encode("utf-8")


@pytest.fixture(scope="module")
def explore_run(tmp_path_factory):
    """The 48 consultations through the app's run job with 語の分析 on (the default), min-cell 5."""
    out = tmp_path_factory.mktemp("explore") / "run"
    upload = jobs.Upload("相談.csv", _explore_input())
    jobs.run_uploads([upload], out, jobs.RunChoices(min_cell=5), lambda *_: None)
    return out, upload


@pytest.mark.slow
def test_explore_view_shows_the_report_sheets_and_no_word_under_min_cell(explore_run):
    from nlp.report.app_view import explore_cell, explore_view

    out, _ = explore_run
    view = explore_view(out)
    assert [t.title for t in view.tables] == ["語の頻度", "共起ネットワーク", "対応分析"]
    book = openpyxl.load_workbook(out / "report.xlsx")
    for table in view.tables:  # cell for cell as report.xlsx's 語の分析 sheets
        assert [list(table.frame.columns), *table.frame.values.tolist()] == sheet_text(book[table.title], explore_cell)
    cells = {c for t in view.tables for row in t.frame.values.tolist() for c in row}
    assert "学校" in cells and "疲れる" in cells  # words in enough documents are shown, so the next check can fail
    shown = "\n".join([*cells, *view.captions.values(), *view.notes, *view.not_shown])
    assert RARE not in shown and not [pii for pii in PII_PLANTED if pii in shown]
    charts = {p.name for t in view.tables for p in t.charts}
    assert {"explore_frequency.png", "explore_network_overall.png", "explore_ca_age_band.png"} <= charts
    assert view.captions[out / "charts" / "explore_network_overall.png"] == "共起ネットワーク：全体"
    assert view.not_shown == ["10代・念慮あり"]  # 2 consultations: under min-cell, named but not drawn
    assert explore_view(_without_explore(out)) is None


def _without_explore(out: Path) -> Path:
    """A copy of the run folder without explore/ (as a run with 語の分析 off leaves it)."""
    import shutil

    target = out.parent / "without"
    shutil.copytree(out, target, ignore=shutil.ignore_patterns("explore"), dirs_exist_ok=True)
    return target


@pytest.mark.slow
@pytest.mark.parametrize("term, include_ideation", [("学校", False), ("学校", True), ("電話", False)])
def test_app_kwic_lines_are_soudan_kwic_lines_and_hold_no_personal_data(explore_run, tmp_path, private_tmp, term,
                                                                          include_ideation):
    from typer.testing import CliRunner

    from flows.cli import app

    _, upload = explore_run
    source = tmp_path / "相談.csv"
    source.write_bytes(upload.data)
    args = ["kwic", term, "--input", str(source), "--min-cell", "5", "--width", "30"]
    command = CliRunner().invoke(app, args + (["--include-ideation"] if include_ideation else []))
    assert command.exit_code == 0, command.output
    view = jobs.kwic_uploads([upload], term, min_cell=5, width=30, include_ideation=include_ideation)
    assert view.lines == command.stdout.splitlines() and view.lines and not view.message
    assert list(view.frame.columns) == ["前の文脈", "語", "後の文脈"] and set(view.frame["語"]) == {term}
    text = "\n".join(view.lines)
    assert not [pii for pii in PII_PLANTED if pii in text]
    assert ("死にたい" in text) == include_ideation
    if term == "電話":
        assert view.documents == 8 and "〔氏名〕さん" in text and "〔電話番号〕" in text
    assert list(private_tmp.iterdir()) == []  # the uploads' private copy is gone


@pytest.mark.slow
def test_app_kwic_of_a_rare_term_shows_nothing(explore_run, private_tmp):
    _, upload = explore_run
    view = jobs.kwic_uploads([upload], RARE, min_cell=5)
    assert view.lines == [] and view.frame.empty and view.documents == 0
    assert view.message == f"「{RARE}」を含む文書が最小セル数（5）未満のため表示しません。"
    with pytest.raises(ValueError, match="調べる語"):
        jobs.kwic_uploads([upload], "  ", min_cell=5)
    assert list(private_tmp.iterdir()) == []
