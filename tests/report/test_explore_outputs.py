"""The explore stage inside a run and the soudan kwic command: a word in fewer than --min-cell
documents reaches no output (CSV, xlsx, html, pptx, chart labels); KWIC files hold no PII."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app
from nlp.text.masking import find_leaks

RARE = "盆栽"  # in 3 consultations, under --min-cell 5
TOPICS = ["学校と部活がつらい", "仕事と上司が怖い", "家族と喧嘩した", "友達と連絡がとれない"]


def _input(path, rows: int = 48):
    records = []
    for i in range(rows):
        text = TOPICS[i % 4] + "。毎日疲れる。"
        if i in (3, 17, 30):
            text += f"{RARE}を育てている。"
        if i % 6 == 0:
            text += "田中さんに電話は090-1234-5678と伝えた。"
        records.append({"相談ID": f"T{i:03d}", "相談日時": f"2024/0{1 + i % 6}/1{i % 9} 2{i % 4}:00", "相談内容": text,
                        "年代": ["10代", "20代", "30代"][i % 3], "性別": ["女性", "男性"][i % 2], "職業": "会社員"})
    pd.DataFrame(records).to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_rare_word_reaches_no_output(tmp_path, monkeypatch):
    import nlp.analysis.explore.charts as charts
    from nlp.runs.pipeline import RunOptions, run_pipeline

    labels: list[str] = []
    original = charts._save

    def keep_labels(fig, path, dpi):
        labels.extend(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
        return original(fig, path, dpi)

    monkeypatch.setattr(charts, "_save", keep_labels)
    out = tmp_path / "run"
    info = run_pipeline(RunOptions(inputs=[str(_input(tmp_path / "in.csv"))], out=str(out), min_cell=5, explore=True))
    assert info["timings_seconds"]["explore"] > 0
    frequency = pd.read_csv(out / "explore" / "word_frequency.csv", encoding="utf-8-sig")
    assert "学校" in set(frequency["word"]) and "学校" in labels  # the check below can fail
    assert RARE not in set(frequency["word"]) and not any(RARE in label for label in labels)
    assert find_leaks(out, [RARE, "田中", "090-1234-5678"]) == []
    with zipfile.ZipFile(out / "report.xlsx") as book:
        assert any("語の頻度" in book.read(n).decode("utf-8", "replace") for n in book.namelist() if n.endswith(".xml"))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "語の分析" in html and "共起ネットワーク" in html
    assert (out / "charts" / "explore_network_overall.png").exists()


def test_run_without_explore_writes_no_explore_folder(tmp_path):
    from nlp.runs.pipeline import RunOptions, run_pipeline

    out = tmp_path / "run"
    run_pipeline(RunOptions(inputs=[str(_input(tmp_path / "in.csv"))], out=str(out), min_cell=5, reports=False))
    assert not (out / "explore").exists()


def test_kwic_command_writes_masked_lines(tmp_path):
    source = _input(tmp_path / "in.csv")
    target = tmp_path / "kwic.csv"
    result = CliRunner().invoke(app, ["kwic", "電話", "--input", str(source), "--min-cell", "5", "--width", "30",
                                      "--out", str(target)])
    assert result.exit_code == 0, result.output
    lines = pd.read_csv(target, encoding="utf-8-sig")
    assert len(lines) == 8 and set(lines["keyword"]) == {"電話"}
    assert lines["left"].str.contains("〔氏名〕さん").all()
    assert find_leaks(target, ["田中", "090-1234-5678"]) == []


def test_kwic_command_refuses_rare_terms_and_small_groups(tmp_path):
    source = _input(tmp_path / "in.csv")
    rare = CliRunner().invoke(app, ["kwic", RARE, "--input", str(source), "--min-cell", "5"])
    assert rare.exit_code == 0 and RARE + "を" not in rare.stdout and "最小セル数" in rare.output
    small = CliRunner().invoke(app, ["kwic", "学校", "--input", str(source), "--min-cell", "20", "--where", "age_band=10代"])
    assert "学校" not in small.stdout and "最小セル数" in small.output
    bad = CliRunner().invoke(app, ["kwic", "学校", "--input", str(source), "--where", "age10"])
    assert bad.exit_code == 2 and "COLUMN=VALUE" in bad.output
