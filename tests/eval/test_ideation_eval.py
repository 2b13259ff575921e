"""The ideation scorer on real text it was not written from (../shared/eval, skipped when absent).

Figures (lexicon frozen before the held-out split was labelled, see scripts/eval_ideation.py):
held-out KokoroChat precision 0.914, recall 0.716, level accuracy 0.948; WRIME 2/3,200.
"""

from __future__ import annotations

import bisect
import csv
import importlib.util
import sys
from pathlib import Path

import pytest

from nlp.ideation import IdeationScorer
from nlp.normalize import normalize_for_matching

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT.parent / "shared" / "eval"

pytestmark = [
    pytest.mark.eval,
    pytest.mark.skipif(
        not (EVAL / "kokorochat" / "dialogues").is_dir() or not (EVAL / "wrime").is_dir(),
        reason=f"evaluation data not found at {EVAL} (../shared/eval is not part of a clone)",
    ),
]


@pytest.fixture(scope="module")
def ev():
    spec = importlib.util.spec_from_file_location("eval_ideation", ROOT / "scripts" / "eval_ideation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scorer() -> IdeationScorer:
    return IdeationScorer()


@pytest.fixture(scope="module")
def messages(ev) -> dict:
    return ev.load_client_messages(EVAL)


@pytest.fixture(scope="module")
def scores(ev, scorer, messages) -> dict:
    return ev.score_labels(scorer, ev.load_labels(), messages)


def test_labels_cover_the_selection_and_hold_no_text(ev, messages) -> None:
    with ev.LABELS.open(encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh)) == ["file", "message_index", "split", "level", "note"]
    labels = ev.load_labels()
    keys = [(label.file, label.index) for label in labels]
    assert len(keys) == len(set(keys)) == len(ev.labelled_selection(messages))
    assert set(keys) == ev.labelled_selection(messages)
    for label in labels:
        assert label.split == ("dev" if ev.is_dev(int(label.file.removesuffix(".json"))) else "heldout")
        assert label.level in (0, 1, 2, 3, 4)
        text = messages[(label.file, label.index)]
        assert len(label.note) <= 80 and (len(text) < 6 or text not in label.note)


def test_dev_split(scores) -> None:
    dev = scores["dev"]
    assert dev.n == 259 and dev.positives == 49
    assert dev.precision >= 0.95 and dev.recall >= 0.85 and dev.level_accuracy >= 0.90


def test_heldout_precision_and_level_accuracy(scores) -> None:
    held = scores["heldout"]
    assert held.n == 536 and held.positives == 134
    assert held.precision >= 0.90
    assert held.level_accuracy >= 0.75
    assert held.recall >= 0.70  # regression floor at the measured 0.716


@pytest.mark.xfail(strict=True, reason="held-out recall is 0.716, below the 0.90 target (report in the eval script)")
def test_heldout_recall_target(scores) -> None:
    assert scores["heldout"].recall >= 0.90


def test_wrime_everyday_posts_are_not_flagged(ev, scorer) -> None:
    wrime = ev.load_wrime(EVAL)
    assert sum(map(len, wrime.values())) == 3200
    false_positives = ev.wrime_false_positives(scorer, wrime)
    assert sum(map(len, false_positives.values())) <= 16  # 0.5 %


def test_fast_path_never_drops_a_term(ev, scorer, messages) -> None:
    """Every text in which a lexicon term matches after normalisation passes the raw prefilter."""
    texts = list(messages.values()) + [s for rows in ev.load_wrime(EVAL).values() for s in rows]
    # one pass per term over all normalised texts joined; \x00 never occurs in a pattern
    joined = "\x00".join(normalize_for_matching(t).replace("\x00", "") for t in texts)
    starts = [0]
    for t in texts[:-1]:
        starts.append(joined.index("\x00", starts[-1]) + 1)
    with_term = {
        bisect.bisect_right(starts, m.start()) - 1
        for term in scorer.lexicon.terms
        for m in term.pattern.finditer(joined)
    }
    assert len(with_term) > 150  # 169 texts hold a term
    missed = [texts[i] for i in sorted(with_term) if not scorer.lexicon.prefilter.search(texts[i])]
    assert missed == []
