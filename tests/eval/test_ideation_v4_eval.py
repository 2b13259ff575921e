"""The ideation scorer on held-out v4: KokoroChat dialogues outside ../shared, never seen while
the lexicon was written (scripts/eval_ideation_v4.py). The label file is in the project (no text);
the texts are not, so the scoring tests skip without them (a clone of the public KokoroChat
repository, or the annotators' copies, at ../heldout_v4).

Figures, each set scored once before its errors were read: heldout4 (46 positives, adjudicated
labels) v3 and v4 precision 0.968, recall 0.652, level accuracy 0.900; heldout5 (47) 0.794 / 0.574
/ 1.000; heldout6 (26, the final scorer) 1.000 / 0.846 / 1.000. After iterations, OPTIMISTIC:
heldout4 0.950 / 0.826 / 0.921, heldout5 0.860 / 0.787 / 1.000; dev4 (147 positives) 0.966 / 0.776.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from nlp.analysis.ideation import IdeationScorer

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.eval


@pytest.fixture(scope="module")
def v4(load_script):
    return load_script("eval_ideation_v4")


@pytest.mark.parametrize("name, count, splits", [
    ("LABELS_V4", 1717, {"dev4", "heldout4"}), ("LABELS_V5", 479, {"heldout5"}), ("LABELS_V6", 348, {"heldout6"}),
    ("LABELS_V7", 365, {"dev7"}), ("LABELS_V8", 586, {"heldout8"}), ("LABELS_V9", 890, {"heldout9"}),
])
def test_the_label_files_hold_no_text(v4, name: str, count: int, splits: set) -> None:
    with getattr(v4, name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == count and "text" not in rows[0]
    assert {r["split"] for r in rows} == splits
    assert all(re.fullmatch(r"[0-9a-f]{40}", r["text_sha1"]) for r in rows)
    quote = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]{7,}")  # notes gloss a word, never quote a sentence
    assert not [r for r in rows if quote.search(r["note"] + r["adjudication"])]
    heldout = [r for r in rows if r["split"] == "heldout4"]
    assert all(int(Path(r["file"]).stem) % 2 == 0 for r in heldout)  # the split rule, fixed before scoring
    assert all(int(Path(r["file"]).stem) % 10 for r in rows)  # none of the dialogues in ../shared


@pytest.fixture(scope="module")
def scores(v4, load_script):
    source = v4.find_source(None)
    if source is None:
        pytest.skip(f"held-out v4 texts not found at {v4.DEFAULT_V4} (not part of a clone: the corpus is CC BY-NC-ND)")
    ev = load_script("eval_ideation")
    labels = v4.load_v4_labels()
    texts, differ = v4.load_v4_texts(source, labels)
    assert len(texts) == len(labels) and differ == 0
    counted = [x for x in labels if not (x.context_only and x.level > 0)]
    return ev.score_labels(IdeationScorer(), counted, texts)


def test_heldout4_regression_floor(scores) -> None:
    held = scores["heldout4"]
    assert held.positives == 46
    assert held.precision >= 0.95 and held.level_accuracy >= 0.85
    assert held.recall >= 0.80  # measured 0.826 (38/46) after one iteration; 0.652 scored once


def test_dev4_regression_floor(scores) -> None:
    dev = scores["dev4"]
    assert dev.precision >= 0.95 and dev.recall >= 0.75  # measured 0.989 / 0.775


@pytest.mark.xfail(strict=True, reason="issue #14 asks recall >= 0.93 on text the scorer never saw: heldout4 "
                   "measured 0.652 scored once, 0.826 (optimistic) after one iteration; the session-6 scorer on "
                   "heldout9, scored once: 0.802")
def test_recall_target_on_unseen_dialogues(scores) -> None:
    assert scores["heldout4"].recall >= 0.93


def test_the_held_out_sets_share_no_dialogue(v4) -> None:
    files = []
    for path in (v4.LABELS_V4, v4.LABELS_V5, v4.LABELS_V6, v4.LABELS_V7, v4.LABELS_V8, v4.LABELS_V9):
        with path.open(encoding="utf-8", newline="") as fh:
            files.append({r["file"] for r in csv.DictReader(fh)})
    assert [len(f) for f in files] == [525, 148, 109, 104, 179, 260]
    assert not any(a & b for i, a in enumerate(files) for b in files[i + 1:])
