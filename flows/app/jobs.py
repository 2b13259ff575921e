"""What the app's buttons do, without Streamlit: uploads to a private folder, validation, runs.

The runs call the same stage functions as the CLI (:func:`nlp.runs.pipeline.run_pipeline`,
:func:`nlp.store.update.update_store`, :func:`nlp.runs.survey.run_survey`). Uploaded files live only in a
private temporary folder (mode 0700) that is removed when the ``with`` block ends; outputs go to
a temporary folder of the app process (removed at exit) unless the user names one.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterator, Sequence

import pandas as pd

from nlp.runs.config import RunConfig, UpdateConfig, default
from nlp.runs.pipeline import Stages, analyse_stage, ingest_stage, run_pipeline

Progress = Callable[[float, str], None]  # (0–1, what is happening), shown under the bar
_OUTPUT_DIRS: list[Path] = []


@dataclass(frozen=True)
class Upload:
    """A file as the browser sent it."""

    name: str
    data: bytes


@dataclass
class RunChoices:
    """What the user picked in the sidebar."""

    since: date | None = None
    until: date | None = None
    min_cell: int = default("min_cell")
    compare_region: str | None = None
    compare_previous_year: bool = False
    events: list[str] = field(default_factory=list)
    topics: bool = False
    explore: bool = True  # 語の分析 (explore/*.csv and charts): ≈ 9 s more on the demo (21 s without)


def safe_name(name: str) -> str:
    """A file name without folders or odd characters (the suffix decides the reader)."""
    base = Path(name.replace("\\", "/")).name
    return re.sub(r"[^\w.\-ぁ-んァ-ヶ一-龠ー]", "_", base) or "upload"


@contextmanager
def uploaded_files(uploads: Sequence[Upload]) -> Iterator[list[str]]:
    """Write the uploads into a private temporary folder; yield their paths; remove the folder."""
    folder = Path(tempfile.mkdtemp(prefix="soudan-upload-"))  # mkdtemp: mode 0700
    try:
        paths = []
        for i, upload in enumerate(uploads):  # a folder each: two uploads may share a name
            path = folder / f"{i:02d}" / safe_name(upload.name)
            path.parent.mkdir()
            path.write_bytes(upload.data)
            paths.append(str(path))
        yield paths
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def output_folder(chosen: str | None = None) -> Path:
    """The folder a run writes to: the user's, or a new temporary one removed when the app exits."""
    if chosen:
        return Path(chosen).expanduser()
    folder = Path(tempfile.mkdtemp(prefix="soudan-app-")) / "run"
    _OUTPUT_DIRS.append(folder.parent)
    return folder


def discard_output(folder: Path | None) -> None:
    """Remove a temporary output folder made by :func:`output_folder` (user folders stay)."""
    if folder is not None and folder.parent in _OUTPUT_DIRS:
        shutil.rmtree(folder.parent, ignore_errors=True)
        _OUTPUT_DIRS.remove(folder.parent)


@atexit.register
def _remove_outputs() -> None:
    for folder in list(_OUTPUT_DIRS):
        shutil.rmtree(folder, ignore_errors=True)


def validate_uploads(uploads: Sequence[Upload]):
    """:func:`nlp.ingest.validate.validate_inputs` of the uploads (every problem, grouped, no text)."""
    from nlp.ingest.validate import validate_inputs

    with uploaded_files(uploads) as paths:
        report = validate_inputs(paths)
    return _without_prefix(report)


def _without_prefix(report):
    """Show the user's own file names, never the private temporary folder."""
    for f in report.files:
        f["path"] = Path(f["path"]).name
    report.fatal = [_no_upload_folder(message) for message in report.fatal]
    report.warnings = [_no_upload_folder(message) for message in report.warnings]
    for group in report.problems.values():
        group.examples[:] = [_no_upload_folder(example) for example in group.examples]
    return report


def _no_upload_folder(text: str) -> str:
    return re.sub(r"\S*soudan-upload-[^/\s]*/\d{2}/", "", text)


def run_options(paths: list[str], out: Path, choices: RunChoices) -> RunConfig:
    return RunConfig(
        inputs=paths, out=str(out), since=choices.since, until=choices.until, min_cell=choices.min_cell,
        topics=choices.topics, compare_region=choices.compare_region or None,
        compare_previous_year=choices.compare_previous_year, events=list(choices.events), explore=choices.explore,
    )


def run_uploads(uploads: Sequence[Upload], out: Path, choices: RunChoices, progress: Progress) -> dict[str, list[str]]:
    """``soudan run`` on the uploads into ``out``; returns the masked quotes the reports got."""
    captured: dict[str, dict] = {}

    def ingest(options):
        ingested = ingest_stage(options)
        # The reports and run.json name the user's files, not their temporary copies.
        for source in ingested.sources:
            if "path" in source:
                source["path"] = Path(source["path"]).name
        options.inputs = [Path(path).name for path in options.inputs]
        return ingested

    def analyse(ingested, options, callback):
        progress(0.1, f"分析中（{len(ingested.messages):,} 件の発言）")
        analysis = analyse_stage(ingested, options, callback)
        captured["quotes"] = analysis.quotes
        progress(0.85, "集計・レポート作成中")
        return analysis

    def analysed(done: int, total: int) -> None:
        progress(0.1 + 0.75 * done / max(total, 1), f"分析中（{done:,} / {total:,} 件の相談）")

    with uploaded_files(uploads) as paths:
        progress(0.02, "読み込み中")
        options = run_options(paths, out, choices)
        run_pipeline(options, analysed, replace(Stages(), ingest=ingest, analyse=analyse))
    progress(1.0, "完了")
    return captured.get("quotes", {})


def run_store(store: str, out: Path, choices: RunChoices, progress: Progress) -> dict:
    """Tables and reports over an existing processed store (``soudan update`` with no new input)."""
    from nlp.store.processed_store import ProcessedStore
    from nlp.store.update import update_store

    if not Path(store).expanduser().is_dir() or not ProcessedStore(str(Path(store).expanduser())).partitions():
        raise ValueError(f"{store}: 処理済みストアが見つかりません（soudan update --store で作ったフォルダを指定してください）。")
    progress(0.1, "ストアを読み込み中")
    info = update_store(UpdateConfig(
        inputs=[], store=str(Path(store).expanduser()), out=str(out), since=choices.since, until=choices.until,
        min_cell=choices.min_cell, compare_region=choices.compare_region or None,
        compare_previous_year=choices.compare_previous_year, events=list(choices.events), topics=choices.topics,
    ))
    progress(1.0, "完了")
    return info


def run_survey_upload(survey: Upload, reference: Upload | None, out: Path, min_cell: int, progress: Progress) -> dict:
    """``soudan survey`` on an uploaded survey export (and optional reference table) into ``out``."""
    from nlp.runs.survey import run_survey

    files = [survey] + ([reference] if reference else [])
    with uploaded_files(files) as paths:
        progress(0.1, "アンケートを分析中")
        info = run_survey(paths[0], out, min_cell=min_cell, reference=paths[1] if reference else None)
    progress(1.0, "完了")
    return info


@dataclass(frozen=True)
class KwicView:
    """What the KWIC panel shows: masked lines as ``soudan kwic`` prints them, or why there are none."""

    term: str
    lines: list[str]  # ``left【keyword】right``, the left context right-aligned to ``width``
    frame: pd.DataFrame  # the same lines as 前の文脈 / 語 / 後の文脈
    documents: int  # consultations with a hit (0 when nothing is shown)
    message: str = ""  # Japanese, when nothing is shown
    truncated: bool = False  # more lines than the limit of taxonomy/explore.yaml


KWIC_HEADERS = {"left": "前の文脈", "keyword": "語", "right": "後の文脈"}


def kwic_uploads(uploads: Sequence[Upload], term: str, *, min_cell: int, width: int | None = None,
                 include_ideation: bool = False) -> KwicView:
    """``soudan kwic TERM`` over the uploads (the same files, rules and limit as the command).

    The uploads are written to a private temporary folder only while they are read. Lines are
    masked whole messages cut to ``width``; none when the term is in fewer than ``min_cell``
    consultations; messages with ideation content only when ``include_ideation``.
    """
    from nlp.analysis.explore.config import load_explore_config
    from nlp.analysis.explore.kwic import concordance, read_documents, text_lines

    if not term.strip():
        raise ValueError("調べる語を入力してください。")
    if not uploads:
        raise ValueError("KWIC はアップロードしたファイルで分析したときだけ使えます（処理済みストアには本文がありません）。")
    config = load_explore_config()
    span = width or config.kwic_width
    with uploaded_files(uploads) as paths:
        documents = read_documents(paths)
    result = concordance(documents, term.strip(), min_cell=min_cell, width=span, limit=config.kwic_limit,
                         include_ideation=include_ideation)
    return KwicView(result.term, text_lines(result.lines, span), result.lines.rename(columns=KWIC_HEADERS),
                    result.documents, result.reason, len(result.lines) >= config.kwic_limit)


def kwic_default_width() -> int:
    """Characters of context each side unless the user changes it (taxonomy/explore.yaml)."""
    from nlp.analysis.explore.config import load_explore_config

    return load_explore_config().kwic_width


def parse_events(text: str) -> list[str]:
    """Campaign windows, one ``名前:開始:終了`` a line; each checked as ``--event`` is."""
    from nlp.tables.compare import parse_event

    events = [line.strip() for line in text.splitlines() if line.strip()]
    for spec in events:
        parse_event(spec)
    return events


def friendly_message(error: BaseException) -> str:
    """One sentence for the user, never a traceback (the CLI's friendly_errors, in Japanese)."""
    from nlp.ingest.messages import InputError
    from nlp.io.outputs import OutputDirError

    text = _no_upload_folder(str(error))
    if isinstance(error, (InputError, OutputDirError, ValueError, FileNotFoundError)):
        return text
    return f"予期しないエラーが発生しました（{type(error).__name__}）。入力ファイルと設定を確認してください。"
