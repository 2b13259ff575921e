"""The ideation scorer on real text it was not written from (../shared/eval, skipped when absent).

Figures (see scripts/eval_ideation.py for what each means). The v3 label set (1,414 messages:
the v1/v2 795 plus 619 labelled before any v3 change) has a development split of 488 (52
positive) and a held-out split of 926 (149 positive).
(1) v1, lexicon frozen at f9737ef, v1 held-out split scored once: precision 0.914, recall
    0.716, level accuracy 0.948; WRIME 2/3,200.
(1b) v2 ("before"), v3 held-out split scored once after labelling: precision 1.000, recall
    0.899 (134/149), level accuracy 0.933 (optimistic on the 536 v1/v2 messages; on the 390 new
    ones recall 7/15).
(1c) v3 scored once on the v3 held-out split before its errors were read (unbiased): precision
    0.993, recall 0.899 (134/149), level accuracy 0.933.
(2) current on the development split: precision 1.000, recall 0.962 (50/52), level accuracy 1.000.
(3) current on the v3 held-out split after one iteration on its errors, OPTIMISTIC: precision
    1.000, recall 0.926 (138/149), level accuracy 0.957.
WRIME 1/3,200. Fresh check (2,000 unlabelled client messages outside the v3 label set): 0 flagged;
the whole unlabelled pool: 0/28,892.
"""

from __future__ import annotations

import bisect
import csv
from pathlib import Path

import pytest

from nlp.analysis.ideation import IdeationScorer
from nlp.text.normalize import normalize_for_matching

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
def ev(load_script):
    return load_script("eval_ideation")


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
    assert dev.n == 488 and dev.positives == 52
    assert dev.precision >= 0.95 and dev.level_accuracy >= 0.90
    assert dev.recall >= 0.94  # regression floor at the measured 0.962 (50/52)


def test_heldout_split_optimistic(scores) -> None:
    """Optimistic: v3 was changed once after its held-out errors were read."""
    held = scores["heldout"]
    assert held.n == 926 and held.positives == 149
    assert held.precision >= 0.95  # measured 1.000
    assert held.level_accuracy >= 0.85  # measured 0.957
    assert held.recall >= 0.91  # regression floor at the measured 0.926 (138/149)


@pytest.mark.xfail(strict=True, reason="issue #14 asks recall >= 0.93 on the held-out split: measured 0.899 "
                   "scored once, 0.926 (optimistic) after one iteration")
def test_recall_target_on_every_labelled_split(scores) -> None:
    assert all(s.recall >= 0.93 for s in scores.values())


def test_precision_target_on_every_labelled_split(scores) -> None:
    assert all(s.precision >= 0.90 for s in scores.values())


def test_fresh_unlabelled_messages_are_rarely_flagged(ev, scorer, messages) -> None:
    """2,000 client messages outside the labelled set: none flagged with v3 (v2 flagged 2 of an
    earlier draw, both real ideation, now in the label set); allow four before failing."""
    fresh = ev.fresh_sample(messages)
    assert len(fresh) == len(set(fresh)) == 2000
    assert not set(fresh) & ev.labelled_selection(messages)
    assert fresh == ev.fresh_sample(messages)  # seeded
    assert len(ev.unlabelled_flags(scorer, messages, fresh)) <= 4  # 0.2 %


def test_wrime_everyday_posts_are_not_flagged(ev, scorer) -> None:
    wrime = ev.load_wrime(EVAL)
    assert sum(map(len, wrime.values())) == 3200
    false_positives = ev.wrime_false_positives(scorer, wrime)
    assert sum(map(len, false_positives.values())) <= 3  # measured 1; the limit is 16 (0.5 %)


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
    assert len(with_term) > 180  # texts holding a term (169 with lexicon version 1, 195 with 2)
    missed = [texts[i] for i in sorted(with_term) if not scorer.lexicon.prefilter.search(texts[i])]
    assert missed == []
