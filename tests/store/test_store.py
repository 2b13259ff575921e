"""The processed store and incremental updates, on small Japanese chats written as CSV exports."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from nlp.store import incremental
from nlp.store.processed_store import PartitionInfo, PartitionKey, ProcessedStore, StoreError, content_hash
from nlp.store.update import UpdateOptions, update_store

from fixtures.store_inbox import CHATS, HEADER, write_month  # noqa: F401

@pytest.fixture
def inbox(tmp_path):
    for month, rows in CHATS.items():
        write_month(tmp_path / "inbox", month, rows)
    return tmp_path / "inbox"


def options(inbox, tmp_path, **kw):
    return UpdateOptions(inputs=[str(inbox)], store=str(tmp_path / "store"), out=str(tmp_path / "out"),
                         source="chatline", reports=False, **kw)


# --------------------------------------------------------------------------- store


def _table(month, ids):
    return pd.DataFrame({
        "consultation_id": ids,
        "started_at": pd.to_datetime([f"{month}-0{i + 1} 10:00" for i in range(len(ids))]).tz_localize("Asia/Tokyo"),
        "month": month, "themes": [["school"]] * len(ids), "primary_theme": [None] * len(ids),
    })


def test_store_round_trip_with_partition_info_in_the_footer():
    store = ProcessedStore("memory://soudan-test-roundtrip")
    key = PartitionKey("chatline", "2024-08")
    path = store.write(key, _table("2024-08", ["a", "b"]), PartitionInfo("h1", "p1", "t1", 0))
    assert path.endswith("source=chatline/month=2024-08/part.parquet")
    info = store.partitions()[key]
    assert (info.input_hash, info.pipeline_version, info.taxonomy_version, info.consultations) == ("h1", "p1", "t1", 2)
    frame = store.read()
    assert frame["source"].tolist() == ["chatline", "chatline"]
    assert frame["consultation_id"].tolist() == ["a", "b"]
    assert frame["themes"].map(list).tolist() == [["school"], ["school"]]


def test_rewriting_a_month_replaces_its_partition_and_leaves_others():
    store = ProcessedStore("memory://soudan-test-replace")
    july, august = PartitionKey("chatline", "2024-07"), PartitionKey("chatline", "2024-08")
    store.write(july, _table("2024-07", ["j"]), PartitionInfo("h", "p", "t", 0))
    store.write(august, _table("2024-08", ["a", "b"]), PartitionInfo("h", "p", "t", 0))
    store.write(august, _table("2024-08", ["c"]), PartitionInfo("h2", "p", "t", 0))
    assert store.read(months=["2024-08"])["consultation_id"].tolist() == ["c"]
    assert store.read(months=["2024-07"])["consultation_id"].tolist() == ["j"]
    assert store.partitions()[august].input_hash == "h2"


def test_a_failed_write_leaves_the_old_partition(tmp_path, monkeypatch):
    store = ProcessedStore(tmp_path / "store")
    key = PartitionKey("chatline", "2024-08")
    store.write(key, _table("2024-08", ["old"]), PartitionInfo("h", "p", "t", 0))

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store.fs, "mv", crash)
    with pytest.raises(OSError):
        store.write(key, _table("2024-08", ["new"]), PartitionInfo("h2", "p", "t", 0))
    assert store.read()["consultation_id"].tolist() == ["old"]
    assert [p.name for p in (tmp_path / "store" / "source=chatline" / "month=2024-08").iterdir()] == ["part.parquet"]


def test_a_partition_refuses_rows_of_another_month_and_bad_names():
    store = ProcessedStore("memory://soudan-test-refuse")
    with pytest.raises(StoreError, match="2024-07"):
        store.write(PartitionKey("chatline", "2024-08"), _table("2024-07", ["x"]), PartitionInfo("h", "p", "t", 0))
    with pytest.raises(StoreError, match="'source'.*'../etc'"):
        PartitionKey("../etc", "2024-08")
    with pytest.raises(StoreError, match="2024-13"):
        PartitionKey("chatline", "2024-13")
    assert PartitionKey("熊本", "2024-08").source == "熊本"


def _messages(texts, rows=None, source="a.csv"):
    frame = pd.DataFrame({
        "consultation_id": ["A", "A", "B"], "started_at": pd.to_datetime(
            ["2024-08-01 10:00", "2024-08-01 10:01", "2024-08-02 09:00"]).tz_localize("Asia/Tokyo"),
        "text": texts, "role": ["client"] * 3, "age_band": "10代", "gender": "女性", "occupation": "不明",
        "prefecture": "熊本県", "municipality": "不明", "source": source, "row": rows or [2, 3, 4],
    })
    return frame


def test_content_hash_ignores_file_names_row_numbers_and_consultation_order():
    texts = ["学校に行きたくない", "死にたい", "家賃が払えない"]
    base = content_hash(_messages(texts))
    assert content_hash(_messages(texts, rows=[10, 11, 2], source="renamed.csv")) == base
    assert content_hash(_messages(texts).iloc[[2, 0, 1]]) == base
    assert content_hash(_messages(["学校に行きたくない", "死にたくない", "家賃が払えない"])) != base
    changed = _messages(texts)
    changed.loc[2, "age_band"] = "20代"
    assert content_hash(changed) != base


# --------------------------------------------------------------------------- incremental updates


def test_first_update_files_each_chat_under_the_month_it_started(inbox, tmp_path):
    run_info = update_store(options(inbox, tmp_path))
    assert run_info["store"]["processed"] == ["chatline/2024-07", "chatline/2024-08"]
    store = ProcessedStore(tmp_path / "store")
    july = store.read(months=["2024-07"])
    assert july["consultation_id"].tolist() == ["J1", "J2", "J3"]
    j1 = july.iloc[0]
    assert "school" in list(j1["themes"]) and j1["ideation_level"] >= 1 and j1["ideation_strength"] == "強い"
    assert store.read(months=["2024-08"]).set_index("consultation_id").loc["A2", "ideation_level"] == 0
    # the store never holds text
    for key in store.partitions():
        columns = pq.read_schema(store.partition_file(key)).names
        assert "text" not in columns and "messages" not in columns
    by_month = pd.read_csv(tmp_path / "out" / "aggregates" / "by_month.csv", encoding="utf-8-sig")
    assert by_month.set_index("month").loc[["2024-07", "2024-08"], "consultations"].fillna(-1).tolist() in ([3, 2], [-1, -1])
    saved = json.loads((tmp_path / "out" / "run.json").read_text(encoding="utf-8"))
    assert saved["store"]["partitions_processed"] == 2 and saved["rows"]["consultations"] == 5


def test_unchanged_months_are_skipped_and_a_changed_or_new_month_alone_is_reprocessed(inbox, tmp_path):
    update_store(options(inbox, tmp_path))
    written = ProcessedStore(tmp_path / "store").partitions()
    again = update_store(options(inbox, tmp_path))["store"]
    assert (again["partitions_processed"], again["partitions_skipped"]) == (0, 2)
    assert ProcessedStore(tmp_path / "store").partitions() == written  # not even rewritten

    rows = list(CHATS["2024-08"])
    rows[0] = ("A1", "2024-08-04 22:15", "相談者", "お金がなくて家賃が払えない。もう消えたい", "20代", "男性", "北海道")
    write_month(inbox, "2024-08", rows)
    write_month(inbox, "2024-09", [("S1", "2024-09-01 08:00", "相談者", "SNSで悪口を書かれてつらい", "10代", "女性", "熊本県")])
    third = update_store(options(inbox, tmp_path))["store"]
    assert third["processed"] == ["chatline/2024-08", "chatline/2024-09"]
    assert third["skipped"] == ["chatline/2024-07"]
    store = ProcessedStore(tmp_path / "store")
    assert store.read(months=["2024-08"]).set_index("consultation_id").loc["A1", "ideation_level"] == 1
    assert store.partitions()[PartitionKey("chatline", "2024-07")] == written[PartitionKey("chatline", "2024-07")]


def test_a_taxonomy_edit_reprocesses_everything(inbox, tmp_path, monkeypatch):
    update_store(options(inbox, tmp_path))
    root = tmp_path / "package"
    shutil.copytree(incremental._PACKAGE_ROOT / "taxonomy", root / "taxonomy")
    before = incremental.taxonomy_version()
    monkeypatch.setattr(incremental, "_PACKAGE_ROOT", root)
    assert incremental.taxonomy_version() == before  # same content, same version
    themes = root / "taxonomy" / "themes.yaml"
    themes.write_text(themes.read_text(encoding="utf-8") + "\n# 誤字を修正\n", encoding="utf-8")
    assert incremental.taxonomy_version() != before
    again = update_store(options(inbox, tmp_path))["store"]
    assert (again["partitions_processed"], again["partitions_skipped"]) == (2, 0)


def test_partitions_not_in_the_inputs_are_kept_and_reported_stale_after_a_version_change(inbox, tmp_path, monkeypatch):
    update_store(options(inbox, tmp_path))
    only_august = options(inbox / "2024-08.csv", tmp_path)
    only_august.inputs = [str(inbox / "2024-08.csv")]
    monkeypatch.setattr(incremental, "taxonomy_version", lambda model=None: "themes=2.0")
    result = update_store(only_august)["store"]
    assert result["processed"] == ["chatline/2024-08"] and result["stale"] == ["chatline/2024-07"]
    assert len(ProcessedStore(tmp_path / "store").read(months=["2024-07"])) == 3  # kept, not deleted


def test_workers_and_chunking_do_not_change_the_store(inbox, tmp_path):
    one = options(inbox, tmp_path / "one")
    two = options(inbox, tmp_path / "two", workers=2, chunk_chars=10)
    update_store(one)
    update_store(two)
    pd.testing.assert_frame_equal(ProcessedStore(one.store).read(), ProcessedStore(two.store).read())
    for name in ("by_month", "theme_by_age_band", "ideation_by_month"):
        assert (Path(one.out) / "aggregates" / f"{name}.csv").read_bytes() == (Path(two.out) / "aggregates" / f"{name}.csv").read_bytes()


def test_a_message_in_two_files_of_a_month_counts_once_as_in_soudan_run(inbox, tmp_path):
    # a re-export of July with one late message: J1 and J2 are in both July files
    july = CHATS["2024-07"]
    write_month(inbox, "2024-07-resent", [*july[:4], ("J1", "2024-07-03 21:05", "相談者", "先生にも言えません", "10代", "女性", "熊本県")])
    update_store(options(inbox, tmp_path))
    stored = ProcessedStore(tmp_path / "store").read(months=["2024-07"]).set_index("consultation_id")

    from nlp.runs.pipeline import RunOptions, run_pipeline

    run_pipeline(RunOptions(inputs=[str(inbox)], out=str(tmp_path / "run"), reports=False))
    ran = pd.read_parquet(tmp_path / "run" / "consultations.parquet").set_index("consultation_id")
    assert sorted(stored.index) == ["J1", "J2", "J3"]
    joined = "学校でいじめられていて、学校に行きたくないです\nもう毎日死にたいです\n先生にも言えません"
    assert stored.loc["J1", "n_chars"] == len(joined)  # each message once, the late one added
    assert stored.loc["J2", "n_chars"] == len("職場の上司のパワハラがつらくて眠れません")
    for column in ("n_chars", "primary_theme", "ideation_level"):
        assert stored.loc[["J1", "J2", "J3"], column].tolist() == ran.loc[["J1", "J2", "J3"], column].tolist()


def test_any_fsspec_url_works_as_the_store_root(inbox, tmp_path):
    opts = options(inbox, tmp_path, months=["2024-08"])
    opts.store = "memory://soudan-test-update"
    run_info = update_store(opts)
    assert run_info["store"]["processed"] == ["chatline/2024-08"]
    assert ProcessedStore("memory://soudan-test-update").read()["consultation_id"].tolist() == ["A1", "A2"]


def test_parts_split_consultations_by_client_text():
    sizes = [5, 10, 3, 1, 1]
    assert incremental.part_bounds(sizes, 1) == [(0, 5)]
    assert incremental.part_bounds(sizes, 2) == [(0, 2), (2, 5)]  # 15 | 5: the nearest cut after half
    bounds = incremental.part_bounds(sizes, 4)
    assert bounds[0][0] == 0 and bounds[-1][1] == 5
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))  # consecutive, nothing lost or repeated
    assert incremental.part_bounds([], 3) == [(0, 0)] * 3
    assert incremental.part_bounds([4], 3) == [(0, 1), (1, 1), (1, 1)]  # more parts than consultations


def test_unchanged_files_are_not_even_read_and_a_month_is_rebuilt_from_all_its_files(inbox, tmp_path):
    first = update_store(options(inbox, tmp_path))["store"]
    assert first["files_read"] == 2
    again = update_store(options(inbox, tmp_path))["store"]
    assert (again["files_read"], again["partitions_skipped_unread"], again["partitions_processed"]) == (0, 2, 0)

    # a late export adds one chat to July in a second file: July is rebuilt from both July files
    write_month(inbox, "2024-07-late", [("J9", "2024-07-20 10:00", "相談者", "親の介護で疲れました", "50代", "女性", "熊本県")])
    late = update_store(options(inbox, tmp_path))["store"]
    assert late["processed"] == ["chatline/2024-07"] and late["skipped"] == ["chatline/2024-08"]
    assert late["files_read"] == 2  # the new file and the July file it shares a month with, not August's
    july = ProcessedStore(tmp_path / "store").read(months=["2024-07"])
    assert sorted(july["consultation_id"]) == ["J1", "J2", "J3", "J9"]

    # the same rows re-exported in another order: read again, same content, nothing reanalysed
    rows = list(reversed(CHATS["2024-08"]))
    write_month(inbox, "2024-08", rows)
    reexport = update_store(options(inbox, tmp_path))["store"]
    assert (reexport["files_read"], reexport["partitions_processed"]) == (1, 0)
    assert update_store(options(inbox, tmp_path))["store"]["files_read"] == 0
