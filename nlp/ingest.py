"""Ingest: every input file to one messages table, bad rows to rejects, fatal problems to InputError.

Each row is checked and normalised on its own (dates to Asia/Tokyo, attributes to their
categories, text kept as given minus control characters). A refused row goes to ``rejects``
with its source, row number, column and reason, and the run goes on; a file that cannot be
used at all stops the run with one :class:`InputError` sentence naming the file and column.

Duplicates: rows that are whole consultations (no role column) must have unique ids: a second
row with the same id and text is kept once, one with the same id and another text is refused.
Rows that are messages (a role column, or KokoroChat) share ids; there only identical
messages (id, started_at, role, text and, for KokoroChat, the message's own time) are dropped.

Example:
    >>> result = read_inputs(["data/examples/consultations_cp932.csv"])  # doctest: +SKIP
    >>> result.messages.columns.tolist()[:3], len(result.rejects)  # doctest: +SKIP
    (['consultation_id', 'started_at', 'text'], 2)
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from nlp import attributes
from nlp.dates import TOKYO, has_time, parse_datetime
from nlp.readers import COLUMN_LABELS, InputError, Mapping, Table, check_format, expand_paths, load_mapping, read_table
from nlp.schema import UNKNOWN

__all__ = ["InputError", "IngestResult", "Problem", "read_inputs", "ingest", "clean_text", "KIND_LABELS"]

MESSAGE_COLUMNS = [
    "consultation_id", "started_at", "text", "role", "age_band", "gender", "occupation", "prefecture",
    "municipality", "source", "row",
]
REJECT_COLUMNS = ["source", "row", "column", "reason"]
# Every kind of problem, with the label `soudan validate` groups it under. Refused rows first.
KIND_LABELS = {
    "empty_id": "相談IDが空",
    "empty_datetime": "相談日時が空",
    "bad_datetime": "相談日時を解釈できない",
    "empty_text": "相談内容が空",
    "not_text": "相談内容が文字列でない",
    "empty_role": "発言者が空",
    "bad_role": "発言者を解釈できない",
    "duplicate_row": "重複行（1件だけ採用）",
    "duplicate_id": "相談IDの重複（本文が異なる）",
    "column_count": "列の数が見出しより多い",
    "bad_json": "JSON として読めない行",
    # Warnings: the row is accepted.
    "date_without_time": "時刻がない（0時として集計）",
    "unknown_age": "年代・年齢を解釈できない（不明として扱う）",
    "unknown_gender": "性別を解釈できない（不明として扱う）",
    "unknown_prefecture": "都道府県を解釈できない（不明として扱う）",
}
WARNING_KINDS = {"date_without_time", "unknown_age", "unknown_gender", "unknown_prefecture"}
# C0 and C1 control characters except tab and newline, stray BOMs and non-characters, and lone
# surrogates (a JSON "\ud800" escape makes one; SudachiPy cannot encode it). Emoji ZWJs are kept.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff]")


@dataclass
class IngestResult:
    """Messages accepted, rows refused, and what was read from each file (for run.json)."""

    messages: pd.DataFrame
    rejects: pd.DataFrame  # source, row, column, reason
    sources: list[dict]  # path, format, encoding, sha256, rows_read, rows_accepted, rows_rejected, rows_excluded
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Problem:
    """One refused row (or, for WARNING_KINDS, one noted value) with the column it concerns."""

    source: str
    row: int
    column: str
    kind: str
    reason: str

    @property
    def refused(self) -> bool:
        return self.kind not in WARNING_KINDS


@dataclass
class Ingested:
    """Everything :func:`ingest` found: the result, every problem, and fatal file errors."""

    result: IngestResult
    problems: list[Problem]
    fatal: list[str]


def read_inputs(
    paths: Sequence[str | Path],
    *,
    fmt: str = "auto",
    mapping: str | Path | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> IngestResult:
    """Read every input into one messages table.

    Args:
        paths: files or directories (a directory gives its supported files, sorted by name).
        fmt: "auto" (by content and suffix; .json is KokoroChat), "csv", "xlsx", "jsonl", "parquet" or "kokorochat".
        mapping: a YAML file mapping canonical columns to the source's headers, and values.
        since: keep rows started on or after this date (Asia/Tokyo).
        until: keep rows started on or before this date (Asia/Tokyo).

    Returns:
        IngestResult with messages (MESSAGE_COLUMNS), rejects (REJECT_COLUMNS) and sources.

    Raises:
        InputError: a file is missing, unreadable or empty, or lacks a required column.
    """
    return ingest(paths, fmt=fmt, mapping=mapping, since=since, until=until).result


def ingest(
    paths: Sequence[str | Path],
    *,
    fmt: str = "auto",
    mapping: str | Path | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    keep_going: bool = False,
) -> Ingested:
    """:func:`read_inputs` with every problem kept; with ``keep_going`` a fatal file is noted, not raised."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    fatal: list[str] = []
    check_format(fmt)  # a wrong --format is a usage error even for validate
    try:
        rules = load_mapping(mapping)
        files = expand_paths(paths, fmt) if not keep_going else _expand_each(paths, fmt, fatal)
    except InputError as error:
        if not keep_going:
            raise
        return Ingested(IngestResult(_messages_frame([]), _rejects_frame([]), []), [], [str(error)])
    rows: list[dict] = []
    problems: list[Problem] = []
    sources: list[dict] = []
    warnings: list[str] = []
    dedup = _Deduplicator()
    for path in files:
        try:
            table = read_table(path, fmt, rules)
        except InputError as error:
            if not keep_going:
                raise
            fatal.append(str(error))
            continue
        warnings += table.warnings + _mapping_warnings(table, rules)
        accepted, found, excluded = _read_rows(table, rules, since, until)
        accepted = dedup.filter(accepted, found, message_mode="role" in table.columns)
        rows += accepted
        problems += found
        refused_rows = {p.row for p in found if p.refused}
        sources.append({
            "path": str(path), "format": table.format, "encoding": table.encoding, "sha256": table.sha256,
            **({"sheet": table.sheet} if table.sheet else {}),
            "rows_read": len(table.records) + len(table.bad_rows), "rows_accepted": len(accepted),
            "rows_rejected": len(refused_rows), "rows_excluded": excluded,
        })
    rejects = [p for p in problems if p.refused]
    result = IngestResult(_messages_frame(rows), _rejects_frame(rejects), sources, warnings)
    return Ingested(result, problems, fatal)


def _expand_each(paths: Sequence[str | Path], fmt: str, fatal: list[str]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        try:
            files += expand_paths([path], fmt)
        except InputError as error:
            fatal.append(str(error))
    return files


def _mapping_warnings(table: Table, rules: Mapping) -> list[str]:
    return [
        f"{table.path.name}: マッピングの見出し '{source}'（{canonical}）が見つからないため、この列は空として扱います"
        for canonical, source in rules.columns.items() if canonical not in table.columns
        and not (canonical == "started_at" and "date" in table.columns)
    ]


def clean_text(value: str) -> str:
    """The text as given, minus control characters and lone surrogates; CR LF and lone CR become LF."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL.sub("", value)


def _read_rows(table: Table, rules: Mapping, since: dt.date | None, until: dt.date | None) -> tuple[list[dict], list[Problem], int]:
    """Normalise each record; returns (accepted rows, problems, rows excluded by date or role)."""
    source = table.path.name
    problems = [Problem(source, row, column, kind, reason) for row, column, kind, reason in table.bad_rows]
    accepted: list[dict] = []
    excluded = 0
    for number, cells in table.records:
        row_problems: list[Problem] = []

        def problem(column: str, kind: str, reason: str) -> None:
            row_problems.append(Problem(source, number, column, kind, reason))

        values = _Cells(cells, table.columns, rules.values)
        consultation_id = _consultation_id(values.get("consultation_id"), problem)
        started_at = _started_at(values, problem)
        if started_at is not None and _outside(started_at, since, until):
            excluded += 1
            continue
        text = _text(values.get("text"), problem)
        role = _role(values, problem) if "role" in table.columns else None
        if table.format == "kokorochat" and role == "counselor":
            excluded += 1
            continue
        row = {
            "consultation_id": consultation_id, "started_at": started_at, "text": text, "role": role,
            **_attributes(values, problem),
            "source": source, "row": number, "_message_time": values.get("message_time"),
        }
        problems += row_problems
        if not any(p.refused for p in row_problems):
            accepted.append(row)
    return accepted, problems, excluded


class _Cells:
    """The cells of one record by canonical name, with the mapping's value maps applied."""

    def __init__(self, cells: list[Any], columns: dict[str, int], value_maps: dict[str, dict[str, str]]) -> None:
        self.cells, self.columns, self.value_maps = cells, columns, value_maps

    def __contains__(self, column: str) -> bool:
        return column in self.columns

    def get(self, column: str) -> Any:
        position = self.columns.get(column)
        value = self.cells[position] if position is not None and position < len(self.cells) else None
        table = self.value_maps.get(column)
        if table and value is not None:
            value = table.get(unicodedata.normalize("NFKC", _as_str(value)).strip(), value)
        return value


def _blank(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _as_str(value: Any) -> str:
    """Cell to string: 1001.0 → "1001", anything else str()."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _show(value: Any) -> str:
    """A short, printable rendering of a refused value (never used for message text)."""
    text = _CONTROL.sub("", _as_str(value)).replace("\n", " ")
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


def _consultation_id(value: Any, problem) -> str | None:
    if _blank(value):
        problem("consultation_id", "empty_id", "相談IDが空です")
        return None
    return clean_text(_as_str(value)).strip()


def _started_at(values: _Cells, problem) -> pd.Timestamp | None:
    if "started_at" in values:
        raw = values.get("started_at")
        column = "started_at"
    else:  # a date column and maybe a time column
        raw = _join_date_time(values.get("date"), values.get("time"))
        column = "date"
    if _blank(raw):
        problem(column, "empty_datetime", "相談日時が空です")
        return None
    stamp = parse_datetime(raw)
    if stamp is None:
        problem(column, "bad_datetime", f"相談日時を解釈できません: {_show(raw)}")
    elif not has_time(raw):
        problem(column, "date_without_time", f"時刻がないため 0時として扱います: {_show(raw)}")
    return stamp


def _join_date_time(date: Any, time: Any) -> Any:
    """A date cell and a time cell as one value parse_datetime understands."""
    if _blank(time) or _blank(date):
        return date
    day = parse_datetime(date)
    if day is None:
        return date
    if isinstance(time, dt.datetime):
        time = time.time()
    if isinstance(time, dt.time):
        return day.replace(hour=time.hour, minute=time.minute, second=time.second).tz_localize(None)
    if isinstance(time, float) and 0 <= time < 1:  # an Excel time serial
        return (day + pd.Timedelta(days=time)).round("s").tz_localize(None)
    return f"{day:%Y-%m-%d} {_as_str(time).strip()}"


def _outside(stamp: pd.Timestamp, since: dt.date | None, until: dt.date | None) -> bool:
    day = stamp.date()  # parse_datetime gives Tokyo time
    return (since is not None and day < since) or (until is not None and day > until)


def _text(value: Any, problem) -> str | None:
    if isinstance(value, (dict, list, bytes)):
        problem("text", "not_text", "相談内容が文字列ではありません")
        return None
    text = clean_text(_as_str(value)) if not _blank(value) else ""
    if not text.strip():
        problem("text", "empty_text", "相談内容が空です")
        return None
    return text


def _role(values: _Cells, problem) -> str | None:
    raw = values.get("role")
    if _blank(raw):
        problem("role", "empty_role", "発言者が空です")
        return None
    role = attributes.role(raw)
    if role is None:
        problem("role", "bad_role", f"発言者を解釈できません（client / counselor、相談者 / 相談員 など）: {_show(raw)}")
    return role


def _attributes(values: _Cells, problem) -> dict[str, str]:
    age_raw = values.get("age_band")
    if not attributes.is_stated(age_raw) and "age" in values:
        age_raw = values.get("age")
    out = {
        "age_band": attributes.age_band(age_raw),
        "gender": attributes.gender(values.get("gender")),
        "occupation": attributes.free_value(values.get("occupation")),
        "prefecture": attributes.prefecture(values.get("prefecture")),
        "municipality": attributes.free_value(values.get("municipality")),
    }
    for column, raw, kind in (("age_band", age_raw, "unknown_age"), ("gender", values.get("gender"), "unknown_gender"),
                              ("prefecture", values.get("prefecture"), "unknown_prefecture")):
        if out[column] == UNKNOWN and attributes.is_stated(raw):
            problem(column, kind, f"{COLUMN_LABELS[column]}を解釈できないため不明として扱います: {_show(raw)}")
    return out


class _Deduplicator:
    """Remembers what was accepted across files and refuses repeats (see the module docstring)."""

    def __init__(self) -> None:
        self.consultations: dict[str, dict] = {}  # id → first accepted row
        self.messages: dict[tuple, dict] = {}  # message key → first accepted row

    def filter(self, rows: list[dict], problems: list[Problem], *, message_mode: bool) -> list[dict]:
        kept = []
        for row in rows:
            text = row["text"].strip()
            if message_mode:
                key = (row["consultation_id"], row["started_at"], row["role"], text, str(row["_message_time"]))
                first = self.messages.setdefault(key, row)
                if first is not row:
                    problems.append(Problem(row["source"], row["row"], "text", "duplicate_row",
                                            f"重複行: {first['source']} の {first['row']} 行目と同じ発言です（1件だけ採用）"))
                    continue
            else:
                first = self.consultations.setdefault(row["consultation_id"], row)
                if first is not row:
                    where = f"{first['source']} の {first['row']} 行目"
                    if first["text"].strip() == text:
                        problems.append(Problem(row["source"], row["row"], "consultation_id", "duplicate_row",
                                                f"重複行: {where}と相談IDも本文も同じです（1件だけ採用）"))
                    else:
                        problems.append(Problem(row["source"], row["row"], "consultation_id", "duplicate_id",
                                                f"相談IDの重複: {where}に同じ相談IDで本文の異なる行があります"))
                    continue
            kept.append(row)
        return kept


def _messages_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=MESSAGE_COLUMNS)
    frame["started_at"] = pd.to_datetime(frame["started_at"]).dt.tz_convert(TOKYO) if rows else (
        pd.Series([], dtype=f"datetime64[ns, {TOKYO}]"))
    frame["row"] = frame["row"].astype("int64")
    frame["role"] = frame["role"].astype(object).where(frame["role"].notna(), None)
    return frame


def _rejects_frame(problems: list[Problem]) -> pd.DataFrame:
    frame = pd.DataFrame([(p.source, p.row, p.column, p.reason) for p in problems], columns=REJECT_COLUMNS)
    frame["row"] = frame["row"].astype("int64")
    return frame
