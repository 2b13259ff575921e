import pytest

from nlp.io.outputs import OutputDirError, atomic_write_bytes, staged_output


def _write_run(directory, marker):
    (directory / "run.json").write_text(marker, encoding="utf-8")
    (directory / "aggregates").mkdir(exist_ok=True)
    (directory / "aggregates" / "by_month.csv").write_text(marker, encoding="utf-8")


def test_successful_run_replaces_previous_outputs_whole(tmp_path):
    out = tmp_path / "out"
    with staged_output(out) as staging:
        _write_run(staging, "first")
        (staging / "only_in_first.txt").write_text("x")
    with staged_output(out) as staging:
        _write_run(staging, "second")
    assert (out / "run.json").read_text() == "second"
    assert not (out / "only_in_first.txt").exists()  # a re-run never mixes old and new files
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or backup left behind


def test_failed_run_leaves_previous_outputs_intact(tmp_path):
    out = tmp_path / "out"
    with staged_output(out) as staging:
        _write_run(staging, "good")
    with pytest.raises(RuntimeError):
        with staged_output(out) as staging:
            _write_run(staging, "half")
            raise RuntimeError("killed midway")
    assert (out / "run.json").read_text() == "good"
    assert (out / "aggregates" / "by_month.csv").read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_crash_between_renames_is_recovered(tmp_path):
    out = tmp_path / "out"
    backup = tmp_path / ".out.previous"
    backup.mkdir()
    _write_run(backup, "previous")
    with staged_output(out) as staging:
        assert (out / "run.json").read_text() == "previous"  # restored before the new run
        _write_run(staging, "new")
    assert (out / "run.json").read_text() == "new"


def test_refuses_to_replace_a_folder_soudan_did_not_write(tmp_path):
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "minutes.docx").write_text("meeting")
    with pytest.raises(OutputDirError, match="not written by soudan"):
        with staged_output(tmp_path / "documents"):
            pass
    assert (tmp_path / "documents" / "minutes.docx").exists()


def test_atomic_write_bytes(tmp_path):
    target = tmp_path / "a" / "file.csv"
    atomic_write_bytes(target, "相談".encode())
    assert target.read_text(encoding="utf-8") == "相談"
    assert [p.name for p in target.parent.iterdir()] == ["file.csv"]
