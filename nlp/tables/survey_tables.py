"""Survey count tables with the same disclosure rules as the consultation aggregates.

Every table is tidy: dimension columns, then ``respondents`` (Int64, <NA> when suppressed),
``share`` (0–1, NaN when suppressed), ``suppressed`` and ``reference`` (the share's
denominator n ≤ 30 → 参考値). A cell under ``min_cell`` is suppressed (zero included), then
complementary cells so that no additive line has exactly one hidden cell
(:mod:`nlp.tables.disclosure`).

Tables and denominators:

- ``survey_respondents_by_X``: respondents per value of attribute X / all respondents.
  Line: the whole table.
- ``survey_open_response``: per open question, respondents per status (記述あり / 特になし /
  無回答) / all respondents. Line: each question.
- ``survey_open_themes``: per open question and theme, substantive answers (記述あり) with the
  theme / substantive answers. An answer counts under every theme it has, so shares add to more
  than 1 and there is no line. Themes: every survey theme, the consultation themes that occur
  in the question, and ``unclassified``.
- ``survey_open_themes_by_X``: the same within each group of X (denominator: the group's
  substantive answers). Line: each (question, theme) across the groups (sums to the overall
  count).
- ``survey_choice``: per choice question, respondents per answer (無回答 included) / all
  respondents. Line: each question.
- ``survey_choice_by_X``: the same within each group of X. Lines: each (question, group)
  across answers, and each (question, answer) across groups.
- ``survey_loneliness_direct`` / ``survey_ucla_score``: :func:`nlp.tables.loneliness.loneliness_tables`
  (gender × age band with 全体 margins).
- ``survey_loneliness_direct_benchmark`` / ``survey_ucla_score_benchmark``: the cells a
  reference table covers, with ``benchmark_share`` and ``diff_pt`` (share − benchmark, in
  percentage points; NaN when the cell is suppressed).
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nlp.ingest import schema
from nlp.tables.disclosure import check_min_cell, finish_table, primary_suppress, secondary_suppress
from nlp.tables.loneliness import ALL, UCLA_BANDS, direct_answer, loneliness_tables
from nlp.io.formats import InputError, decode
from nlp.analysis.survey_themes import ANSWERED, STATUSES, UNCLASSIFIED

COUNT = "respondents"
NO_ANSWER = "無回答"
ORDERS = {"age_band": schema.AGE_BANDS, "gender": schema.GENDERS}


def ordered_values(values: pd.Series, column: str) -> list[str]:
    """Categories in report order: canonical for age band and gender, otherwise by count
    (then name), 不明 and 無回答 last."""
    present = [v for v in pd.unique(values.astype(str))]
    canonical = ORDERS.get(column)
    if canonical:
        extras = sorted(v for v in present if v not in canonical)
        order = [v for v in canonical[:-1] if v in present] + extras + [v for v in canonical[-1:] if v in present]
        return order
    counts = values.astype(str).value_counts()
    last = [v for v in (schema.UNKNOWN, NO_ANSWER) if v in counts.index]
    return sorted((v for v in counts.index if v not in last), key=lambda v: (-counts[v], v)) + last


def lines_of(frame: pd.DataFrame, fixed: list[str]) -> list[np.ndarray]:
    """Like :func:`nlp.tables.disclosure.lines_along` (rows sharing the ``fixed`` values), via groupby."""
    return [np.sort(positions) for positions in frame.reset_index(drop=True).groupby(fixed, sort=False).indices.values()]


def _finish(dims: pd.DataFrame, counts: list[int], denominators: list[int], lines: list, min_cell: int) -> pd.DataFrame:
    values = np.asarray(counts, dtype="int64")
    mask = secondary_suppress(values, primary_suppress(values, min_cell), lines)
    return finish_table(dims, values, np.asarray(denominators, dtype="int64"), mask, count_column=COUNT)


def respondents_by(respondents: pd.DataFrame, column: str, *, min_cell: int = 10) -> pd.DataFrame:
    """Respondents per value of one attribute, share of all respondents."""
    values = respondents[column].astype(str)
    order = ordered_values(values, column)
    counts = values.value_counts()
    dims = pd.DataFrame({column: order})
    return _finish(dims, [int(counts.get(v, 0)) for v in order], [len(values)] * len(order), [np.arange(len(order))], min_cell)


@dataclass(frozen=True)
class OpenQuestion:
    key: str
    label: str


def open_tables(answers: pd.DataFrame, questions: list[OpenQuestion], labels: dict[str, str], survey_ids: tuple[str, ...],
                attributes: list[str], *, min_cell: int = 10) -> dict[str, pd.DataFrame]:
    """Response status and theme tables of the open questions.

    Args:
        answers: one row per respondent × open question: question (key), status, themes (list),
            and the attribute columns.
        questions: the open questions (key, label) in order.
        labels: theme id → label, in table order.
        survey_ids: the survey themes (always listed).
        attributes: the attribute columns to break down by.
        min_cell: primary suppression threshold.
    """
    check_min_cell(min_cell)
    tables: dict[str, pd.DataFrame] = {}
    if not questions:
        return tables
    dims, counts, denominators, lines = [], [], [], []
    for q in questions:
        rows = answers[answers["question"] == q.key]
        start = len(dims)
        for status in STATUSES:
            dims.append((q.label, status))
            counts.append(int((rows["status"] == status).sum()))
            denominators.append(len(rows))
        lines.append(np.arange(start, len(dims)))
    tables["survey_open_response"] = _finish(pd.DataFrame(dims, columns=["question", "status"]), counts, denominators, lines, min_cell)

    themes_of: dict[str, list[str]] = {}
    dims, counts, denominators = [], [], []
    for q in questions:
        rows = answers[(answers["question"] == q.key) & (answers["status"] == ANSWERED)]
        present = {t for ts in rows["themes"] for t in ts}
        themes = [t for t in labels if t in survey_ids or t in present or t == UNCLASSIFIED]
        themes_of[q.key] = themes
        for theme in themes:
            dims.append((q.label, theme, labels[theme]))
            counts.append(int(sum(_has(ts, theme) for ts in rows["themes"])))
            denominators.append(len(rows))
    tables["survey_open_themes"] = _finish(pd.DataFrame(dims, columns=["question", "theme", "theme_label"]),
                                           counts, denominators, [], min_cell)
    for column in attributes:
        dims, counts, denominators = [], [], []
        for q in questions:
            rows = answers[(answers["question"] == q.key) & (answers["status"] == ANSWERED)]
            groups = ordered_values(answers.loc[answers["question"] == q.key, column], column)
            keys = rows[column].astype(str)
            sizes = keys.value_counts()
            pairs = pd.Series([(g, t) for g, ts in zip(keys, rows["themes"]) for t in (ts or [UNCLASSIFIED])],
                              dtype=object).value_counts()
            for theme in themes_of[q.key]:
                for group in groups:
                    dims.append((q.label, group, theme, labels[theme]))
                    counts.append(int(pairs.get((group, theme), 0)))
                    denominators.append(int(sizes.get(group, 0)))
        frame = pd.DataFrame(dims, columns=["question", column, "theme", "theme_label"])
        tables[f"survey_open_themes_by_{column}"] = _finish(frame, counts, denominators,
                                                            lines_of(frame, ["question", "theme"]), min_cell)
    return tables


def _has(themes: list[str], theme: str) -> bool:
    return theme in themes if theme != UNCLASSIFIED else not themes


@dataclass(frozen=True)
class ChoiceQuestion:
    key: str
    label: str
    order: tuple[str, ...] | None = None


def choice_answers(values: pd.Series, order: tuple[str, ...] | None) -> list[str]:
    """The answers of a choice question in report order: the given order, else by count; 無回答 last."""
    present = ordered_values(values, "")
    if order:
        return [a for a in order if a != NO_ANSWER] + [a for a in present if a not in order and a != NO_ANSWER] + [NO_ANSWER]
    return [a for a in present if a != NO_ANSWER] + [NO_ANSWER]


def choice_tables(respondents: pd.DataFrame, questions: list[ChoiceQuestion], attributes: list[str], *,
                  min_cell: int = 10) -> dict[str, pd.DataFrame]:
    """Answer counts of the choice questions, overall and by attribute."""
    check_min_cell(min_cell)
    if not questions:
        return {}
    answer_order = {q.key: choice_answers(respondents[q.key].astype(str), q.order) for q in questions}
    dims, counts, denominators, lines = [], [], [], []
    for q in questions:
        values = respondents[q.key].astype(str)
        start = len(dims)
        for answer in answer_order[q.key]:
            dims.append((q.label, answer))
            counts.append(int((values == answer).sum()))
            denominators.append(len(values))
        lines.append(np.arange(start, len(dims)))
    tables = {"survey_choice": _finish(pd.DataFrame(dims, columns=["question", "answer"]), counts, denominators, lines, min_cell)}
    for column in attributes:
        keys = respondents[column].astype(str)
        groups = ordered_values(keys, column)
        sizes = keys.value_counts()
        dims, counts, denominators = [], [], []
        for q in questions:
            pairs = pd.Series(list(zip(keys, respondents[q.key].astype(str))), dtype=object).value_counts()
            for group in groups:
                for answer in answer_order[q.key]:
                    dims.append((q.label, group, answer))
                    counts.append(int(pairs.get((group, answer), 0)))
                    denominators.append(int(sizes.get(group, 0)))
        frame = pd.DataFrame(dims, columns=["question", column, "answer"])
        lines = lines_of(frame, ["question", column]) + lines_of(frame, ["question", "answer"])
        tables[f"survey_choice_by_{column}"] = _finish(frame, counts, denominators, lines, min_cell)
    return tables


# --------------------------------------------------------------------------- loneliness and benchmark

_BENCH_HEADERS = {
    "table": ["table", "設問", "指標", "尺度", "instrument"],
    "gender": ["gender", "性別"],
    "age_band": ["age_band", "年代", "年齢"],
    "answer": ["answer", "回答", "score_band", "得点", "得点区分", "区分"],
    "share": ["share", "割合", "割合(%)", "構成比", "構成比(%)", "%"],
    "source": ["source", "出典"],
}
_TABLE_NAMES = {"loneliness_direct": "loneliness_direct", "直接質問": "loneliness_direct", "孤独感": "loneliness_direct",
                "ucla_score": "ucla_score", "ucla": "ucla_score", "ucla孤独感尺度": "ucla_score"}


@dataclass(frozen=True)
class Benchmark:
    """A reference table (e.g. a national survey's published shares) to show beside ours."""

    frame: pd.DataFrame  # table, gender, age_band, answer, benchmark_share (0–1)
    name: str


def read_benchmark(path: str | Path) -> Benchmark:
    """Read a reference CSV: 設問 (直接質問 / UCLA; optional), 性別, 年代 (全体 for a margin),
    回答 (or 得点区分), 割合 (% or 0–1), 出典 (optional). English headers work too.

    Raises:
        InputError: missing file or a required column.
    """
    from nlp.ingest import attributes

    path = Path(path)
    try:
        text, _ = decode(path.read_bytes(), path.name)
    except FileNotFoundError:
        raise InputError(f"比較用の参照表が見つかりません: {path}") from None
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    if raw.empty:
        raise InputError(f"{path.name}: 参照表にデータ行がありません")
    keys = {unicodedata.normalize("NFKC", c).strip().lower().replace(" ", ""): c for c in raw.columns}
    found = {}
    for canonical, names in _BENCH_HEADERS.items():
        for name in names:
            if name.lower() in keys:
                found[canonical] = keys[name.lower()]
                break
    missing = [c for c in ("answer", "share") if c not in found]
    if missing:
        raise InputError(f"{path.name}: 参照表に列がありません: {', '.join(missing)}（必要な列: 回答, 割合。任意: 設問, 性別, 年代, 出典）")
    frame = pd.DataFrame({
        "answer": raw[found["answer"]].map(lambda v: unicodedata.normalize("NFKC", v).strip().replace("~", "～")),
        "gender": raw[found["gender"]].map(_margin(attributes.gender)) if "gender" in found else ALL,
        "age_band": raw[found["age_band"]].map(_margin(attributes.age_band)) if "age_band" in found else ALL,
        "benchmark_share": pd.to_numeric(raw[found["share"]].str.replace("%", "", regex=False), errors="coerce"),
    })
    if "table" in found:
        frame["table"] = raw[found["table"]].map(lambda v: _TABLE_NAMES.get(unicodedata.normalize("NFKC", v).strip().lower()))
    else:
        frame["table"] = frame["answer"].map(lambda a: "ucla_score" if a in UCLA_BANDS and a != NO_ANSWER else
                                             "loneliness_direct" if direct_answer(a) else None)
    direct = frame["table"] == "loneliness_direct"
    frame.loc[direct, "answer"] = frame.loc[direct, "answer"].map(lambda a: direct_answer(a) or a)
    frame = frame.dropna(subset=["table", "benchmark_share"])
    if len(frame) and frame["benchmark_share"].max() > 1.0:
        frame["benchmark_share"] = frame["benchmark_share"] / 100.0
    name = next((v for v in raw[found["source"]] if v.strip()), path.stem) if "source" in found else path.stem
    return Benchmark(frame.reset_index(drop=True), str(name))


def _margin(parse):
    def convert(value: str) -> str:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        return ALL if text in ("", ALL, "全体", "計", "合計", "総数", "all", "total") else parse(text)
    return convert


def loneliness_survey_tables(respondents: pd.DataFrame, *, min_cell: int = 10,
                             benchmark: Benchmark | None = None) -> dict[str, pd.DataFrame]:
    """The loneliness cross-tabs (gender × age band) and, with a benchmark, the side-by-side tables."""
    tables = {f"survey_{name}": table for name, table in loneliness_tables(respondents, min_cell=min_cell).items()}
    if benchmark is None:
        return tables
    for name, answer_column in (("loneliness_direct", "answer"), ("ucla_score", "score_band")):
        ours = tables.get(f"survey_{name}")
        ref = benchmark.frame[benchmark.frame["table"] == name]
        if ours is None or ref.empty:
            continue
        ref = ref.rename(columns={"answer": answer_column})[["gender", "age_band", answer_column, "benchmark_share"]]
        side = ours.merge(ref.drop_duplicates(["gender", "age_band", answer_column]), on=["gender", "age_band", answer_column])
        side["diff_pt"] = (side["share"] - side["benchmark_share"]) * 100
        tables[f"survey_{name}_benchmark"] = side.reset_index(drop=True)
    return tables
