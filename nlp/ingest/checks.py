"""The checks of one cell (or a date and a time cell): its normalised value and the problems found.

Each check is a function of its cells only, ``check(*cells, problem)``, calling
``problem(column, kind, reason)`` for what it finds; :mod:`nlp.ingest.columns` runs each once
per distinct cell. KIND_LABELS names every kind of problem.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd

from nlp.ingest import attributes
from nlp.ingest.dates import has_time, parse_datetime, wall_time
from nlp.io.cells import as_str, blank, clean_text, show
from nlp.io.readers import COLUMN_LABELS
from nlp.ingest.schema import UNKNOWN

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


def _consultation_id(value: Any, problem) -> str | None:
    if blank(value):
        problem("consultation_id", "empty_id", "相談IDが空です")
        return None
    return clean_text(as_str(value)).strip()


def _started_at(raw: Any, column: str, problem) -> pd.Timestamp | None:
    if blank(raw):
        problem(column, "empty_datetime", "相談日時が空です")
        return None
    stamp = parse_datetime(raw)
    if stamp is None and wall_time(raw) is not None:  # read, but a time the clocks skipped
        problem(column, "bad_datetime", f"相談日時が存在しない時刻です（夏時刻の始まりで飛ばされた時刻）: {show(raw)}")
    elif stamp is None:
        problem(column, "bad_datetime", f"相談日時を解釈できません: {show(raw)}")
    elif not has_time(raw):
        problem(column, "date_without_time", f"時刻がないため 0時として扱います: {show(raw)}")
    return stamp


def _join_date_time(date: Any, time: Any) -> Any:
    """A date cell and a time cell as one value parse_datetime understands (a naive wall time:
    the day's wall time, even when its midnight was skipped by summer time, plus the time)."""
    if blank(time) or blank(date):
        return date
    day = wall_time(date)
    if day is None:
        return date
    if isinstance(time, dt.datetime):
        time = time.time()
    if isinstance(time, dt.time):
        return day.replace(hour=time.hour, minute=time.minute, second=time.second)
    if isinstance(time, float) and 0 <= time < 1:  # an Excel time serial
        return (day + pd.Timedelta(days=time)).round("s")
    return f"{day:%Y-%m-%d} {as_str(time).strip()}"


def _text(value: Any, problem) -> str | None:
    if isinstance(value, (dict, list, bytes)):
        problem("text", "not_text", "相談内容が文字列ではありません")
        return None
    text = clean_text(as_str(value)) if not blank(value) else ""
    if not text.strip():
        problem("text", "empty_text", "相談内容が空です")
        return None
    return text


def _role(raw: Any, problem) -> str | None:
    if blank(raw):
        problem("role", "empty_role", "発言者が空です")
        return None
    role = attributes.role(raw)
    if role is None:
        problem("role", "bad_role", f"発言者を解釈できません（client / counselor、相談者 / 相談員 など）: {show(raw)}")
    return role


def _attribute(column: str, normalise: Callable[[Any], str], kind: str | None = None) -> Callable[..., str]:
    """The check of one attribute column: its normalised value, and (with ``kind``) a warning when a
    stated value cannot be understood."""
    def check(raw: Any, problem) -> str:
        value = normalise(raw)
        if kind is not None and value == UNKNOWN and attributes.is_stated(raw):
            problem(column, kind, f"{COLUMN_LABELS[column]}を解釈できないため不明として扱います: {show(raw)}")
        return value

    return check
