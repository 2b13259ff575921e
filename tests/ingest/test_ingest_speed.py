"""The column-wise shortcuts of ingest give exactly what the per-cell checks give.

Large message-level exports are read column by column (dates parsed in one pass, attribute
cells keyed where they change, duplicates found by key hashes); each shortcut is checked here
against the scalar code it stands in for.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nlp.ingest.messages as ingest
import nlp.ingest.checks as ingest_checks
import nlp.ingest.columns as ingest_columns
import nlp.ingest.repeats as ingest_repeats
import nlp.ingest.rows as ingest_rows
import nlp.io.cells as read_cells
import nlp.io.readers as readers
from nlp.ingest.dates import common_instants, has_time, parse_datetime
from nlp.ingest.messages import read_inputs

HEAD = ["相談ID", "相談日時", "発言者", "相談内容", "年代", "性別", "都道府県"]
ODD_DATES = [
    "2024-08-04 22:15:07", "2024-08-04T22:15:07", "2024-08-04 22:15", "2024-08-04T22:15", "2024/8/4 22:15",
    "2024/08/04 09:05", "2024/8/4 9:05", "", "  ", None, "令和6年8月4日 22時15分", "R6.8.4", "2024-08-04",
    "2024年8月4日", "not a date", "2024-02-30 10:00:00", "2024-08-04 24:00:00", "2200-01-01 10:00:00",
    "1899-12-31 23:59:59", "1900-01-01 00:00:00", "2100-12-31 23:59:59", "２０２４-０８-０４ ２２:１５:００",
    " 2024-08-04 22:15:07", "2024-08-04 22:15:07 ", "2024-08-04  22:15:07", "2024-08-04t22:15:07",
    "2024-8-4 22:15:07", "2024/08/04 22:15:07", "2024-08-04T22:15:07+09:00", "2024-08-04 22:15:07.5",
    "45508.93", "20240804", 45508.93, 20240804, dt.datetime(2024, 8, 4, 22, 15), dt.date(2024, 8, 4),
    "2024/13/01 10:00", "2024/8/4(日) 午後10:15", "2024-08-04 22:15:07\n",
    # summer time: skipped (refused) and repeated (the earlier instant) wall times, in each common layout
    "1948-05-02 00:30:00", "1948-05-02T00:30", "1948/5/2 0:30", "1948-09-12 00:30:00", "1948-09-12T00:30", "1948/9/12 0:30",
]


def write_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([HEAD, *rows])
    return path


@pytest.mark.parametrize("value", ODD_DATES)
def test_common_instants_agree_with_parse_datetime(value):
    instants, parsed = common_instants([value])
    if parsed[0]:
        stamp = parse_datetime(value)
        assert stamp is not None and stamp.value == instants[0] and has_time(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.sampled_from("0123456789-/:T 年月日０１"), max_size=22), max_size=30))
def test_common_instants_never_disagree(values):
    instants, parsed = common_instants(values)
    for value, instant, ok in zip(values, instants.tolist(), parsed.tolist()):
        if ok:
            stamp = parse_datetime(value)
            assert stamp is not None and stamp.value == instant and has_time(value), value


def test_common_layouts_are_not_parsed_one_by_one(monkeypatch):
    calls = []
    monkeypatch.setattr(ingest_columns, "_started_at", lambda *args: calls.append(args))
    values = ["2024-08-04 22:15:07", "2024-08-04T22:15:07", "2024-08-04 22:15", "2024-08-04T22:15", "2024/8/4 9:05"] * 600
    dates = ingest_columns._started_at_column(values)
    assert not calls and dates.understood.all()
    assert dates.instant.tolist() == [parse_datetime(value).value for value in values]


def test_started_at_column_gives_the_scalar_problems_in_order():
    rng = random.Random(3)
    values = [rng.choice(ODD_DATES) for _ in range(3000)]
    dates = ingest_columns._started_at_column(values)

    def scalar(value):
        found: list = []
        stamp = ingest_checks._started_at(value, "started_at", lambda *problem: found.append(problem))
        return stamp, tuple(found)

    for row, value in enumerate(values):
        stamp, problems = scalar(value)
        assert dates.checked.problems[dates.checked.codes[row]] == problems, value
        assert bool(dates.understood[row]) == (stamp is not None)
        assert dates.instant[row] == (stamp.value if stamp is not None else 0)


def test_factorize_runs_matches_factorize():
    rng = random.Random(5)
    for _ in range(200):
        rows = rng.randint(1, 60)
        columns = [[rng.choice(["a", "b", "", None, "あ"]) for _ in range(rows)] for _ in range(rng.randint(2, 4))]
        for column in columns:  # runs, as a consultation's cells repeat on its messages
            for row in range(1, rows):
                if rng.random() < 0.6:
                    column[row] = column[row - 1]
        expected = ingest_columns._factorize(columns)
        codes, first_rows = ingest_columns._factorize_runs([np.array(column, dtype=object) for column in columns])
        assert codes.tolist() == expected.codes.tolist()
        assert [tuple(column[row] for column in columns) for row in first_rows] == expected.uniques


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(), st.text(st.sampled_from(" a\x07\r\n\u2028\ufeff\t　あ"), max_size=6)),
                max_size=20), st.booleans())
def test_plain_cells_match_the_per_cell_rule(values, stripped):
    expected = [type(value) is str and not read_cells.NEEDS_CLEANING.search(value) and bool(value.strip())
                and (not stripped or value.strip() == value) for value in values]
    assert ingest_columns._plain_cells(values, stripped=stripped).tolist() == expected


def _messages(seed: int, count: int) -> list[list]:
    rng = random.Random(seed)
    rows = []
    for number in range(count):
        cid = f"C{rng.randint(0, 30):02d}"
        stamp = f"2024-03-{rng.randint(1, 3):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 2):02d}:00"
        rows.append([cid, stamp, rng.choice(["client", "counselor"]), rng.choice(["はい", " はい", "いいえ"]), "10代", "女性", "熊本県"])
    return rows


def test_duplicates_are_the_same_when_every_hash_collides(tmp_path, monkeypatch):
    first = write_csv(tmp_path / "a.csv", _messages(1, 400))
    second = write_csv(tmp_path / "b.csv", _messages(2, 300) + _messages(1, 50))
    expected = read_inputs([first, second])
    assert len(expected.rejects) > 50  # repeats inside each file and across the two
    monkeypatch.setattr(ingest_repeats, "_hashes", lambda values: np.zeros(len(values), dtype=np.uint64))
    collided = read_inputs([first, second])
    assert collided.messages.equals(expected.messages)
    assert collided.rejects.equals(expected.rejects)
    assert collided.sources == expected.sources


def test_window_days_are_tokyo_days_on_the_column_wise_path(tmp_path):
    stamps = ["2024-03-01 23:59:59", "2024-03-02 00:00:00", "2024-03-02 23:59:59", "2024-03-03 00:00:00"]
    path = write_csv(tmp_path / "w.csv", [[f"W{i}", stamp, "client", "本文", "10代", "女性", "熊本県"] for i, stamp in enumerate(stamps)])
    result = read_inputs([path], since=dt.date(2024, 3, 2), until=dt.date(2024, 3, 2))
    assert result.messages["consultation_id"].tolist() == ["W1", "W2"]
    assert result.sources[0]["rows_excluded"] == 2
    assert result.messages["started_at"].tolist() == [parse_datetime(stamps[1]), parse_datetime(stamps[2])]


def _one_by_one(paths, **kwargs):
    """What reading gave before files were checked together and repeats found across all at once:
    each file checked alone, then repeats refused against the rows accepted from earlier files."""
    parts, problems, sources = [], [], []
    for path in paths:
        table = readers.read_table(Path(path), kwargs.get("fmt", "auto"), readers.Mapping())
        rows, found, excluded = ingest_rows._read_rows(table, readers.Mapping(), None, None)
        parts.append((rows, found, "role" in table.columns, excluded, len(table.records) + len(table.bad_rows)))
    kept = ingest_repeats._Deduplicator().filter_all([(rows, found, mode) for rows, found, mode, _, _ in parts])
    for (_, found, _, _, _), rows in zip(parts, kept):
        problems += [p for p in found if p.refused]
        sources.append(len(rows))
    return ingest_rows._messages_frame(kept), ingest_rows._rejects_frame(problems), sources


def test_files_checked_together_equal_files_checked_alone(tmp_path):
    """Small files of one layout are checked in one pass: same rows, rejects and counts per file."""
    paths = [write_csv(tmp_path / f"{n}.csv", _messages(n % 3, 40) + [[f"X{n}", "not a date", "client", "本文", "", "", ""],
                                                                   [f"Y{n}", "2024-03-01 10:00", "client", "", "10代", "?", "熊本"]])
             for n in range(7)]
    messages, rejects, accepted = _one_by_one(paths)
    together = read_inputs(paths)
    assert len(rejects) > 14  # bad dates, empty texts and repeats across files
    assert together.messages.equals(messages)
    assert together.rejects.equals(rejects)
    assert [s["rows_accepted"] for s in together.sources] == accepted


def test_kokorochat_files_checked_together_equal_files_checked_alone():
    paths = sorted(Path("data/examples/kokorochat").glob("*.json"))
    assert len(paths) >= 2
    messages, rejects, accepted = _one_by_one(paths, fmt="kokorochat")
    together = read_inputs(paths, fmt="kokorochat")
    assert together.messages.equals(messages) and together.rejects.equals(rejects)
    assert [s["rows_accepted"] for s in together.sources] == accepted


def test_reading_in_worker_processes_gives_the_same_result(tmp_path, monkeypatch):
    paths = [write_csv(tmp_path / f"{n}.csv", _messages(n % 4, 60)) for n in range(12)]
    alone = ingest.ingest(paths)
    monkeypatch.setattr(ingest, "_PARALLEL_BYTES", 0)
    assert len(ingest._file_chunks([Path(p) for p in paths], 2)) > 1
    parallel = ingest.ingest(paths, workers=2)
    assert parallel.result.messages.equals(alone.result.messages)
    assert parallel.result.rejects.equals(alone.result.rejects)
    assert parallel.result.sources == alone.result.sources and parallel.problems == alone.problems
    assert len(alone.result.rejects) > 0
