"""The soudan command as a user meets it: outputs, clear failures, privacy, interrupted runs."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "data" / "examples"
runner = CliRunner()

OUTPUT_FILES = ["consultations.parquet", "rejects.csv", "report.xlsx", "report.html", "report.pptx", "summary.md", "run.json"]
AGGREGATES = ["by_month", "by_weekday", "by_hour", "by_age_band", "by_gender", "by_prefecture", "theme_by_age_band",
              "theme_by_month", "ideation_by_age_band", "ideation_by_month"]


def _run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_run_writes_every_output(tmp_path):
    out = tmp_path / "out"
    result = _run("run", "--input", str(EXAMPLES / "consultations.csv"), "--out", str(out), "--min-cell", "1")
    assert result.exit_code == 0, result.output
    for name in OUTPUT_FILES:
        assert (out / name).exists(), name
    for name in AGGREGATES:
        assert (out / "aggregates" / f"{name}.csv").exists(), name
    assert list((out / "charts").glob("*.png"))
    table = pd.read_parquet(out / "consultations.parquet")
    assert "text" not in table.columns
    assert table["consultation_id"].is_unique
    run_info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_info["rows"]["consultations"] == len(table)
    assert run_info["inputs"][0]["sha256"]
    assert set(run_info["timings_seconds"]) >= {"ingest", "analyse", "aggregate"}


def test_keep_text_is_opt_in(tmp_path):
    out = tmp_path / "out"
    assert _run("run", "--input", str(EXAMPLES / "consultations.csv"), "--out", str(out), "--keep-text").exit_code == 0
    assert "text" in pd.read_parquet(out / "consultations.parquet").columns


@pytest.mark.parametrize(
    "write, expected",
    [
        (lambda p: p.write_text("相談ID,相談日時\nA,2024/08/04 22:15\n", encoding="utf-8"), "相談内容|text"),
        (lambda p: p.write_bytes(b""), "空です"),
    ],
)
def test_fatal_input_problems_exit_2_with_one_clear_line(tmp_path, write, expected):
    source = tmp_path / "broken.csv"
    write(source)
    result = _run("run", "--input", str(source), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "broken.csv" in result.output
    assert re.search(expected, result.output)
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_missing_file_and_bad_parameters_are_explained(tmp_path):
    result = _run("run", "--input", str(tmp_path / "nowhere.csv"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "nowhere.csv" in result.output
    result = _run("run", "--input", str(EXAMPLES / "consultations.csv"), "--out", str(tmp_path / "o"), "--min-cell", "0")
    assert result.exit_code == 2 and "min_cell" in result.output
    result = _run("run", "--input", str(EXAMPLES / "consultations.csv"), "--out", str(tmp_path / "o"), "--since", "2024/13/01")
    assert result.exit_code != 0 and "2024-08-01" in result.output


def test_score_prints_one_json_object_per_text_in_order():
    result = _run("score", "もう毎日死にたい", "死ぬほど眠い", "友達が死にたいって言ってた")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [r["ideation_level"] for r in rows] == [1, 0, 0]
    assert rows[0]["ideation_strength"] == "強い"
    assert rows[2]["third_party"] is True
    assert set(rows[0]) >= {"ideation_level", "ideation_strength", "past_attempt", "third_party", "self_harm",
                            "ideation_evidence", "themes", "primary_theme", "theme_evidence"}


def test_score_reads_a_file_line_by_line(tmp_path):
    source = tmp_path / "texts.txt"
    source.write_text("学校に行きたくない\nさっきODした\n", encoding="utf-8")
    result = _run("score", "--input", str(source))
    rows = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [r["primary_theme"] for r in rows][0] == "school"
    assert rows[1]["ideation_level"] == 4


PII = ["090-1234-5678", "taro.yamada@example.com", "山田太郎", "https://example.com/yamada"]


def test_no_phone_email_or_name_reaches_any_output(tmp_path):
    """Personal details in the input appear in no output file, even with --min-cell 1."""
    rows = []
    for i in range(40):
        rows.append({
            "相談ID": f"P{i:03d}", "相談日時": f"2024/08/{1 + i % 28:02d} 22:{i % 60:02d}",
            "相談内容": f"山田太郎です。学校でいじめられていてつらい。電話は{PII[0]}、メールは{PII[1]}です。{PII[3]} を見て相談しました",
            "年代": "10代", "性別": "女性", "都道府県": "熊本県",
        })
    source = tmp_path / "pii.csv"
    pd.DataFrame(rows).to_csv(source, index=False, encoding="cp932")
    out = tmp_path / "out"
    assert _run("run", "--input", str(source), "--out", str(out), "--min-cell", "1").exit_code == 0
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        blobs = [path.read_bytes()]
        if path.suffix in (".xlsx", ".pptx"):
            with zipfile.ZipFile(path) as archive:
                blobs = [archive.read(name) for name in archive.namelist()]
        for blob in blobs:
            for secret in PII:
                assert secret.encode("utf-8") not in blob, f"{secret} found in {path.name}"


@pytest.mark.slow
def test_killed_run_leaves_previous_outputs_intact_and_next_run_completes(tmp_path):
    out = tmp_path / "out"
    demo = ROOT / "data" / "demo" / "consultations_synthetic.csv"
    assert _run("run", "--input", str(EXAMPLES / "consultations.csv"), "--out", str(out)).exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    command = [sys.executable, "-m", "flows.cli", "run", "--input", str(demo), "--out", str(out)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and not list(tmp_path.glob(".out.staging-*")):
        time.sleep(0.2)  # wait until the run is writing its staging folder
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert _run("run", "--input", str(EXAMPLES / "consultations.csv"), "--out", str(out), "--min-cell", "1").exit_code == 0
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["parameters"]["min_cell"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_train_with_label_map_then_run_with_the_model(tmp_path):
    texts = {
        "職場問題": ["上司に毎日怒鳴られて会社に行くのがつらい", "残業が多すぎて仕事を辞めたい", "職場の同僚に無視されている"],
        "学校問題": ["クラスでいじめられて学校に行けない", "先生が怖くて教室に入れない", "部活の先輩に悪口を言われる"],
    }
    rows = [{"相談内容": f"{t}。{i}回目の相談です", "分類": label} for label, items in texts.items() for i in range(10) for t in items]
    labelled = tmp_path / "labelled.csv"
    pd.DataFrame(rows).to_csv(labelled, index=False, encoding="cp932")
    label_map = tmp_path / "labels.yaml"
    label_map.write_text("職場問題: work\n学校問題: school\n", encoding="utf-8")
    model = tmp_path / "model.joblib"
    result = _run("train", "--input", str(labelled), "--label-column", "分類", "--label-map", str(label_map), "--out", str(model))
    assert result.exit_code == 0, result.output
    assert model.exists()
    out = tmp_path / "out"
    assert _run("run", "--input", str(EXAMPLES / "consultations.csv"), "--out", str(out), "--model", str(model)).exit_code == 0
    table = pd.read_parquet(out / "consultations.parquet")
    assert set(table["primary_theme"]) <= {"work", "school"}
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["theme_model"]["path"] == str(model)


def test_train_refuses_unknown_labels_with_the_allowed_values(tmp_path):
    labelled = tmp_path / "labelled.csv"
    pd.DataFrame({"text": ["学校がつらい"] * 12, "label": ["謎の分類"] * 12}).to_csv(labelled, index=False)
    result = _run("train", "--input", str(labelled), "--label-column", "label", "--out", str(tmp_path / "m.joblib"))
    assert result.exit_code == 2 and "謎の分類" in result.output
