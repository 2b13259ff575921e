"""A table's records to accepted rows and problems, and the rows of a run to its frames.

:func:`_read_many` checks every record of tables of one layout in one pass; the accepted rows
(:class:`_Rows`) become the messages frame, the refused ones the rejects frame.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any, Callable

import numpy as np
import pandas as pd

from nlp.ingest import attributes
from nlp.ingest.dates import TOKYO, parse_datetime
from nlp.ingest.checks import Problem, _attribute, _join_date_time, _role, _started_at
from nlp.ingest.columns import (
    _Checked, _ColumnReader, _Dates, _Factors, _check, _ids, _objects, _started_at_column, _texts, _tokyo_times,
)
from nlp.io.readers import Mapping, Table

MESSAGE_COLUMNS = [
    "consultation_id", "started_at", "text", "role", "age_band", "gender", "occupation", "prefecture",
    "municipality", "source", "row",
]
REJECT_COLUMNS = ["source", "row", "column", "reason"]


def _read_rows(table: Table, rules: Mapping, since: dt.date | None, until: dt.date | None) -> tuple[_Rows, list[Problem], int]:
    """:func:`_read_many` of one table."""
    return _read_many([table], rules, since, until)[0]


def _read_many(tables: list[Table], rules: Mapping, since: dt.date | None,
               until: dt.date | None) -> list[tuple[_Rows, list[Problem], int]]:
    """Normalise every record of tables of one layout (format, columns and width alike) in one pass;
    returns per table (accepted rows, problems, rows excluded by date or role), exactly what
    reading each table alone gives: every check is a function of its cells only.

    Column by column: each distinct cell (message-level exports repeat ids, dates and attributes
    on every message) goes once through the scalar checks below, whose results and problems are
    then spread back to the rows. Problems come out in row order, then in the order of the checks.
    """
    table = tables[0]
    if len(tables) > 1:  # one table of all the records; ``owner`` says whose each record is
        table = Table(table.path, table.format, table.encoding, "", table.columns,
                      [record for each in tables for record in each.records], header_width=table.header_width)
    owner = np.repeat(np.arange(len(tables)), [len(each.records) for each in tables])
    names = [each.path.name for each in tables]
    problems_of = [[Problem(each.path.name, row, column, kind, reason) for row, column, kind, reason in each.bad_rows]
                   for each in tables]
    numbers = np.fromiter(map(itemgetter(0), table.records), dtype=np.int64, count=len(table.records))
    cells = _ColumnReader(table, rules)
    # Cells repeat: the consultation's own cells on each of its messages, roles down the file. Each
    # group of columns is factorised together and each distinct combination checked once (each check
    # remembering its own distinct cells). A started_at column is parsed column-wise.
    groups = [["age_band", *(["age"] if "age" in table.columns else []), "gender", "occupation",
               "prefecture", "municipality"], ["date", "time"], ["role"]]
    factors: dict[int, _Factors] = {}  # a group is factorised when first checked

    def check(columns: list[str], function: Callable[..., Any]) -> _Checked:
        group = next(group for group in groups if columns[0] in group)
        if id(group) not in factors:
            factors[id(group)] = cells.factorize(group)
        return _check(factors[id(group)], [group.index(column) for column in columns], function)

    if "started_at" in table.columns:
        dates = _started_at_column(cells.get("started_at"))
    else:  # a date column and maybe a time column
        dates = _Dates.of(check(["date", "time"], lambda date, time, problem: _started_at(_join_date_time(date, time), "date", problem)))
    ids = cells.get("consultation_id")
    checks = [_ids(ids), dates.checked]
    roles = check(["role"], _role) if "role" in table.columns else None
    checks += [roles] if roles is not None else []
    if "age" in table.columns:
        age = _attribute("age_band", attributes.age_band, "unknown_age")
        ages = check(["age_band", "age"], lambda band, value, problem: age(band if attributes.is_stated(band) else value, problem))
    else:
        ages = check(["age_band"], _attribute("age_band", attributes.age_band, "unknown_age"))
    attribute = {
        "age_band": ages,
        "gender": check(["gender"], _attribute("gender", attributes.gender, "unknown_gender")),
        "occupation": check(["occupation"], _attribute("occupation", attributes.free_value)),
        "prefecture": check(["prefecture"], _attribute("prefecture", attributes.prefecture, "unknown_prefecture")),
        "municipality": check(["municipality"], _attribute("municipality", attributes.free_value)),
    }
    checks += [attribute["age_band"], attribute["gender"], attribute["prefecture"]]
    outside = _outside(dates, since, until)
    counselor = np.array([table.format == "kokorochat" and role == "counselor" for role in roles.uniques], dtype=bool)[roles.codes] \
        if roles is not None else np.zeros(len(numbers), dtype=bool)
    texts = _texts(cells.get("text"))
    checks.insert(2, texts)  # problems in the order of the checks: id, date, text, role, attributes
    considered = ~outside & ~counselor
    excluded = np.bincount(owner[~considered], minlength=len(tables)).tolist()
    refused = np.zeros(len(numbers), dtype=bool)
    noted = np.zeros(len(numbers), dtype=bool)
    for found_check in checks:
        if found_check.noted.any():
            refused |= found_check.refused[found_check.codes]
            noted |= found_check.noted[found_check.codes]
    for index in np.flatnonzero(considered & noted).tolist():
        for found_check in checks:
            problems_of[owner[index]] += [Problem(names[owner[index]], int(numbers[index]), *found)
                                           for found in found_check.problems[found_check.codes[index]]]
    keep = np.flatnonzero(considered & ~refused)
    rows = _Rows(
        source=names[0], row=numbers[keep], consultation_id=checks[0].values(keep), instant=dates.instant[keep],
        text=texts.values(keep), role=roles.values(keep) if roles is not None else np.full(len(keep), None, dtype=object),
        attributes={name: check.values(keep) for name, check in attribute.items()},
        message_time=_objects(cells.get("message_time"))[keep] if "message_time" in table.columns
        else np.full(len(keep), None, dtype=object),
    )
    bounds = np.searchsorted(owner[keep], np.arange(len(tables) + 1)).tolist()
    return [(rows.take(slice(bounds[k], bounds[k + 1]), names[k]), problems_of[k], excluded[k]) for k in range(len(tables))]


@dataclass
class _Rows:
    """Accepted rows of one file, as columns (object arrays; ``row`` int64)."""

    source: str
    row: np.ndarray
    consultation_id: np.ndarray
    instant: np.ndarray  # started_at as int64 nanoseconds (UTC): equal exactly when the Timestamps are equal
    text: np.ndarray
    role: np.ndarray
    attributes: dict[str, np.ndarray]
    message_time: np.ndarray

    def __len__(self) -> int:
        return len(self.row)

    def take(self, keep: np.ndarray | slice, source: str | None = None) -> _Rows:
        return _Rows(source or self.source, self.row[keep], self.consultation_id[keep], self.instant[keep], self.text[keep],
                     self.role[keep], {name: values[keep] for name, values in self.attributes.items()},
                     self.message_time[keep])


def _outside(dates: _Dates, since: dt.date | None, until: dt.date | None) -> np.ndarray:
    """Rows whose day in Tokyo is before ``since`` or after ``until`` (never a row without a date)."""
    outside = np.zeros(len(dates.instant), dtype=bool)
    if since is None and until is None:
        return outside
    days = _tokyo_times(dates.instant).tz_localize(None).to_numpy().astype("datetime64[D]")
    if since is not None:
        outside |= days < np.datetime64(since, "D")
    if until is not None:
        outside |= days > np.datetime64(until, "D")
    return outside & dates.understood


def _messages_frame(parts: list[_Rows]) -> pd.DataFrame:
    parts = [part for part in parts if len(part)]
    if not parts:
        frame = pd.DataFrame([], columns=MESSAGE_COLUMNS)
        frame["started_at"] = pd.Series([], dtype=f"datetime64[ns, {TOKYO}]")
        frame["row"] = frame["row"].astype("int64")
        frame["role"] = frame["role"].astype(object).where(frame["role"].notna(), None)
        return frame
    columns = {
        "consultation_id": np.concatenate([part.consultation_id for part in parts]),
        "started_at": _tokyo_times(np.concatenate([part.instant for part in parts])).as_unit(_stamp_unit()).array,
        "text": np.concatenate([part.text for part in parts]),
        "role": pd.Series(np.concatenate([part.role for part in parts]), dtype=object),
        **{name: _few_strings(np.concatenate([part.attributes[name] for part in parts]))
           for name in ("age_band", "gender", "occupation", "prefecture", "municipality")},
        "source": _few_strings(np.concatenate([np.full(len(part), part.source, dtype=object) for part in parts])),
        "row": np.concatenate([part.row for part in parts]).astype("int64"),
    }
    frame = pd.DataFrame(columns, columns=MESSAGE_COLUMNS)
    frame["role"] = frame["role"].astype(object).where(frame["role"].notna(), None)
    return frame


@lru_cache(maxsize=1)
def _stamp_unit() -> str:
    """The unit of the column pandas makes of parse_datetime's Timestamps ("us" in pandas 3)."""
    return pd.to_datetime(pd.Series([parse_datetime("2000-01-01 00:00")])).dtype.unit


def _few_strings(values: np.ndarray) -> Any:
    """A column of few distinct strings as the array pandas would infer for it, built from the
    distinct values (converting each row is the slow part)."""
    codes, uniques = pd.factorize(values)
    return pd.Series(uniques).array.take(codes, allow_fill=True)


def _rejects_frame(problems: list[Problem]) -> pd.DataFrame:
    frame = pd.DataFrame([(p.source, p.row, p.column, p.reason) for p in problems], columns=REJECT_COLUMNS)
    frame["row"] = frame["row"].astype("int64")
    return frame
