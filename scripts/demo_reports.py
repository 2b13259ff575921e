"""Write the meeting materials for looking at: from a finished run, or from synthetic data.

Usage:
    python scripts/demo_reports.py --run outputs/demo          # re-render a run's reports
    python scripts/demo_reports.py --synthetic outputs/reports_demo

``--run`` reads DIR/aggregates/*.csv (compare_*.csv as comparisons), DIR/topics/topics.csv,
DIR/run.json and the weekday × hour counts of DIR/consultations.parquet (suppressed before
use), and writes the reports into DIR again (quotes are not stored in a run, so none). ``--synthetic`` builds seeded fake
consultations (no text), aggregates them with nlp.tables.aggregate and writes the reports.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nlp.ingest.schema import AGE_BANDS, GENDERS, WEEKDAYS  # noqa: E402

THEMES = ["school", "family", "couple", "mental", "work", "career", "romance", "relationships",
          "money", "health", "gender", "violence", "internet", "loneliness"]
QUOTES = {
    "school": ["クラスで［人名］に無視されていて、学校に行くのがつらいです。", "テスト前になると眠れなくなります。"],
    "family": ["親が毎晩けんかしていて、家にいると気が休まりません。"],
    "loneliness": ["誰とも話さない日が続いていて、自分だけ取り残されている気がします。",
                   "引っ越してから［地名］に知り合いがいなくて、休日はずっと一人です。"],
    "work": ["上司から毎日のように怒鳴られて、朝になると体が動きません。"],
}


def read_run(run: Path) -> dict:
    """Tables, comparisons, topics and run_info of a finished run folder."""
    def read(path: Path) -> pd.DataFrame:
        df = pd.read_csv(path, encoding="utf-8-sig")
        for count in ("consultations", "a_consultations", "b_consultations", "a_n", "b_n"):
            if count in df:
                df[count] = df[count].astype("Int64")
        for flag in ("suppressed", "reference", "significant"):
            if flag in df:
                df[flag] = df[flag].astype(str).str.lower().isin(["true", "1"])
        return df

    tables, comparisons = {}, {}
    for path in sorted((run / "aggregates").glob("*.csv")):
        if path.stem.startswith("compare_"):
            comparisons[path.stem[len("compare_"):]] = read(path)
        else:
            tables[path.stem] = read(path)
    topics = read(run / "topics" / "topics.csv") if (run / "topics" / "topics.csv").exists() else None
    run_info = json.loads((run / "run.json").read_text(encoding="utf-8")) if (run / "run.json").exists() else {}
    weekday_hour = None
    if (run / "consultations.parquet").exists():
        frame = pd.read_parquet(run / "consultations.parquet", columns=["weekday", "hour"])
        weekday_hour = frame.groupby(["weekday", "hour"]).size().rename("consultations").reset_index()
    return {"tables": tables, "comparisons": comparisons, "topics": topics, "run_info": run_info,
            "weekday_hour": weekday_hour}


def synthetic_consultations(n: int = 1500, seed: int = 7) -> pd.DataFrame:
    """Seeded fake consultations with the schema's analysed columns (no text)."""
    rng = np.random.default_rng(seed)
    months = [f"2024-{m:02d}" for m in range(4, 13)] + [f"2025-{m:02d}" for m in range(1, 4)]
    month_w = np.array([8, 7, 8, 9, 14, 10, 8, 7, 8, 7, 7, 7], float)
    hours_w = np.array([5, 4, 3, 2, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 10, 12, 13, 9], float)
    age_w = np.array([1, 30, 25, 14, 11, 8, 4, 2, 1, 4], float)
    rows = []
    for i in range(n):
        age = rng.choice(AGE_BANDS, p=age_w / age_w.sum())
        occupation = {"10代": rng.choice(["中学生", "高校生", "大学生"])}.get(age, rng.choice(["会社員", "主婦・主夫", "無職", "パート・アルバイト", "不明"]))
        base = {"10代": ["school", "family", "relationships"], "20代": ["work", "romance", "mental"]}.get(age, ["family", "mental", "work", "money"])
        themes = list(dict.fromkeys([rng.choice(base)] + list(rng.choice(THEMES, size=rng.integers(0, 3)))))
        level = int(rng.choice([0, 1, 2, 3, 4], p=[0.8, 0.1, 0.06, 0.03, 0.01] if age != "10代" else [0.7, 0.15, 0.09, 0.04, 0.02]))
        rows.append({
            "consultation_id": f"S{i:05d}", "month": rng.choice(months, p=month_w / month_w.sum()),
            "weekday": rng.choice(WEEKDAYS, p=np.array([13, 13, 13, 13, 14, 16, 18]) / 100),
            "hour": int(rng.choice(24, p=hours_w / hours_w.sum())), "age_band": age,
            "gender": rng.choice(GENDERS, p=[0.66, 0.28, 0.02, 0.04]), "occupation": occupation,
            "prefecture": rng.choice(["熊本県", "福岡県", "東京都", "大阪府", "北海道", "不明"], p=[0.35, 0.2, 0.15, 0.12, 0.08, 0.1]),
            "municipality": "不明", "n_chars": int(rng.integers(50, 2000)), "themes": themes,
            "primary_theme": themes[0], "theme_evidence": [], "ideation_level": level,
            "ideation_strength": "なし" if level == 0 else ("強い" if level >= 3 or rng.random() < 0.3 else "少し"),
            "past_attempt": bool(rng.random() < 0.03), "third_party": bool(rng.random() < 0.02),
            "self_harm": level == 4, "ideation_evidence": [],
        })
    frame = pd.DataFrame(rows)
    frame["started_at"] = pd.to_datetime(frame["month"] + "-01").dt.tz_localize("Asia/Tokyo") + pd.to_timedelta(frame["hour"], unit="h")
    return frame


def synthetic_inputs(seed: int = 7) -> dict:
    """Aggregates (via nlp.tables.aggregate) and comparisons (via nlp.tables.compare when present) of fake data."""
    from nlp.tables.aggregate import build_aggregates

    consultations = synthetic_consultations(seed=seed)
    tables = build_aggregates(consultations, min_cell=10)
    comparisons = {}
    try:
        from nlp.tables import compare

        comparisons["region"] = compare.compare_region(consultations, "熊本県", min_cell=10)
        name, start, end = compare.parse_event("夏キャンペーン:2024-08-01:2024-08-31")
        comparisons[f"event_{name}"] = compare.compare_event(consultations, name, start, end, min_cell=10)
    except (ImportError, AttributeError, TypeError) as error:
        print(f"comparisons skipped: {error}", file=sys.stderr)
    topics = pd.DataFrame({"topic": range(6), "size": [180, 150, 120, 90, 60, 40],
                           "label": ["学校・友達・クラス", "親・家・けんか", "仕事・上司・職場", "眠れない・不安・気持ち", "彼氏・別れ・連絡", "お金・生活・支払い"]})
    weekday_hour = consultations.groupby(["weekday", "hour"]).size().rename("consultations").reset_index()
    run_info = {
        "parameters": {"inputs": ["data/synthetic_demo.csv"], "min_cell": 10, "topics": True, "compare_region": "熊本県"},
        "inputs": [{"path": "data/synthetic_demo.csv", "rows": len(consultations) * 6, "format": "csv"}],
        "rows": {"consultations": len(consultations), "rejected": 3},
        "period": {"start": "2024-04-01", "end": "2025-03-31"},
        "versions": {"soudan": "0.1.0"}, "synthetic_data": True,
    }
    return {"tables": tables, "comparisons": comparisons, "topics": topics, "run_info": run_info,
            "weekday_hour": weekday_hour, "quotes": QUOTES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--run", type=Path, help="a finished run folder (reports written into it)")
    group.add_argument("--synthetic", type=Path, help="output folder for reports of synthetic data")
    args = parser.parse_args()
    from nlp.report.write import write_consultation_reports as write_reports

    if args.run:
        inputs, out = read_run(args.run), args.run
    else:
        inputs, out = synthetic_inputs(), args.synthetic
    paths = write_reports(out, inputs["tables"], inputs["run_info"], comparisons=inputs.get("comparisons"),
                          topics=inputs.get("topics"), quotes=inputs.get("quotes"), weekday_hour=inputs.get("weekday_hour"))
    for name, path in paths.items():
        print(f"{name}\t{path}")


if __name__ == "__main__":
    main()
