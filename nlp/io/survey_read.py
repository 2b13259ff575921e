"""Reading a survey export: one row per respondent, the header found under title rows.

A municipal export has a title and notes above the header, group headers merged over several
columns (基本属性, 自由記述 …), Japanese headers with full-width digits (問１１), and is saved as
XLSX or as a CP932 CSV. :func:`read_survey_grid` finds the header row among the first 30 rows
(a single row or two stacked rows), fills merged cells, and returns the header and the data
rows with their spreadsheet row numbers. Which column means what is decided in
:mod:`nlp.ingest.survey_columns`.

Files are read by the reader consultations use (:mod:`nlp.io.formats`, :mod:`nlp.io.grid`,
text cleaned by :func:`nlp.io.cells.clean_text`); what differs is the header score (survey
columns), the sheet chosen (the best header, or ``sheet:`` of the mapping) and no --format.
Formats: CSV/TSV/TXT (BOM, UTF-8, then CP932 / EUC-JP via charset-normalizer), XLSX/XLSM,
Parquet and JSONL. Lines refused while reading (JSON that is no object, CSV rows wider than the
header) go to rejects like refused rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from nlp.io.cells import cell_text, clean_text
from nlp.io.formats import InputError, read_source
from nlp.io.grid import data_rows, find_header, read_grids, records_below, refuse_wide_rows

if TYPE_CHECKING:
    import pandas as pd

    from nlp.ingest.survey_columns import SurveyMapping

FORMATS = ("csv", "xlsx", "jsonl", "parquet")
SUPPORTED_TEXT = ".csv .tsv .txt .xlsx .xlsm .parquet .jsonl"


@dataclass
class Grid:
    """What was read from one file: header cells (upper and lower row) and data rows.

    Attributes:
        header: the header text per column (lower row, or the upper one where it is blank).
        groups: the upper header row per column when the header is two rows, else "".
        rows: (spreadsheet row number, cells) for every non-blank row below the header.
        header_row: the spreadsheet row number of the (lower) header row.
        bad_rows: (row, column, kind, reason) of lines refused while reading (JSON that is no
            object, CSV rows wider than the header).
    """

    path: Path
    format: str
    encoding: str | None
    sha256: str
    header: list[str]
    groups: list[str]
    rows: list[tuple[int, list[Any]]]
    header_row: int
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)
    bad_rows: list[tuple[int, str, str, str]] = field(default_factory=list)


def read_survey_grid(
    path: str | Path,
    *,
    score: Callable[[list[str]], float],
    sheet: str | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
) -> Grid:
    """Read one survey file and locate its header (the reading consultations use, see
    :mod:`nlp.io.grid`; of several sheets, the one whose header scores best).

    Args:
        path: the file.
        score: how header-like a list of header cells is (more recognised columns → higher).
        sheet: XLSX sheet to read; default the sheet whose header scores best.
        header_row: the header's spreadsheet row number; default found by ``score``.
        encoding: force a text encoding for CSV/JSONL.

    Returns:
        The :class:`Grid`.

    Raises:
        InputError: the file is missing, unreadable, empty or has no data rows.
    """
    path = Path(path)
    source = read_source(path, formats=FORMATS, supported=SUPPORTED_TEXT)
    grids = read_grids(source, sheet=sheet, encoding=encoding)
    best: Grid | None = None
    best_score = float("-inf")
    for name, grid in grids.sheets:
        rows = grid if grids.keyed else data_rows(grid, source.format)
        if not rows:
            continue
        header = find_header(rows, lambda cells: score([cell_text(c) for c in cells]), header_row=header_row,
                             keyed=grids.keyed, name=path.name)
        if header.score > best_score:
            best, best_score = _survey_grid(grids, rows, header, name), header.score
    if best is None:
        raise InputError(f"{path.name}: 見出し行とデータ行が見つかりません（ファイルが空か、header_row の指定が違います）")
    if len(grids.sheets) > 1:
        others = [n for n, _ in grids.sheets if n != best.sheet]
        best.warnings.append(f"{path.name}: シート '{best.sheet}' を読みました（他のシート {', '.join(others)} は読んでいません）")
    if not best.rows:
        raise InputError(f"{path.name}: 見出し行（{best.header_row} 行目）のあとに回答の行がありません")
    return best


def _survey_grid(grids: Any, rows: list[tuple[int, list[Any]]], header: Any, sheet: str | None) -> Grid:
    """The header text, the group headers above it and the rows below it."""
    index, height = header.index, header.height
    texts = [cell_text(c) for c in header.cells]
    if height == 2:
        upper, lower = rows[index][1], rows[index + 1][1]
        groups = [u if u != lo else "" for u, lo in zip(_texts(upper, len(texts)), _texts(lower, len(texts)))]
    elif index > 0 and rows[index - 1][0] == rows[index][0] - 1:  # group headers just above
        groups = [g if g != h else "" for g, h in zip(_texts(rows[index - 1][1], len(texts)), texts)]
    else:
        groups = [""] * len(texts)
    data = records_below(rows, header)
    bad_rows = list(grids.bad_rows)
    if grids.source.format == "csv":
        data, wide = refuse_wide_rows(data, len(texts))
        bad_rows += wide
    source = grids.source
    return Grid(source.path, source.format, grids.encoding, source.sha256, texts, groups, data,
                rows[index + height - 1][0], sheet=sheet, bad_rows=bad_rows)


def _texts(cells: list[Any], width: int) -> list[str]:
    return [cell_text(cells[k]) if k < len(cells) else "" for k in range(width)]


# --------------------------------------------------------------------------- respondents

REJECT_COLUMNS = ["source", "row", "column", "reason"]


@dataclass
class SurveyData:
    """A survey read: one row per respondent, its questions, refused rows and what was read.

    Attributes:
        respondents: respondent_id, answered_at (Timestamp or NaT), the attributes found
            (age_band, gender, district, role, occupation, response_mode; 不明 when blank),
            loneliness_direct / ucla_1..3 as given, one column per question (``open_1`` text or
            None, ``choice_1`` answer or 無回答), source and row.
        questions: the open and choice questions, in file order.
        rejects: source, row, column, reason.
        source: path, format, encoding, sha256, sheet, header_row, rows read / accepted / rejected.
        warnings: header found where, sheets not read, unparsable dates, columns ignored.
    """

    respondents: "pd.DataFrame"
    questions: list
    rejects: "pd.DataFrame"
    source: dict
    warnings: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def read_survey(path: str | Path, *, mapping: "str | Path | SurveyMapping | None" = None) -> SurveyData:
    """Read one survey file (CSV, XLSX, Parquet, JSONL) into one row per respondent.

    Args:
        path: the survey export.
        mapping: a survey mapping YAML (or a loaded :class:`nlp.ingest.survey_columns.SurveyMapping`).

    Returns:
        The :class:`SurveyData`.

    Raises:
        InputError: unreadable or empty file, no header, or a header named in the mapping is missing.

    Example:
        >>> data = read_survey("data/survey/survey_synthetic.xlsx")  # doctest: +SKIP
        >>> [q.label for q in data.questions if q.kind == "open"][:1]  # doctest: +SKIP
        ['問11 孤独・孤立を感じたとき、どのような支援や場があればよいと思いますか']
    """
    import pandas as pd

    from nlp.ingest import attributes
    from nlp.ingest.dates import parse_datetime
    from nlp.ingest.survey_columns import SurveyMapping, header_score, load_survey_mapping, resolve_layout

    rules = mapping if isinstance(mapping, SurveyMapping) else load_survey_mapping(mapping)
    grid = read_survey_grid(path, score=header_score, sheet=rules.sheet, header_row=rules.header_row,
                            encoding=rules.encoding)
    name = grid.path.name
    columns = [[t for t in (cell_text(cells[k]) for _, cells in grid.rows) if t] for k in range(len(grid.header))]
    layout = resolve_layout(grid.header, grid.groups, columns, rules, name)
    warnings = list(grid.warnings)
    if grid.header_row > 1:
        warnings.append(f"{name}: 見出しを {grid.header_row} 行目に見つけました")
    pos = layout.canonical

    def mapped(column: str, key: str, raw: Any) -> Any:
        table = rules.values.get(column) or rules.values.get(key)
        if table and raw is not None:
            return table.get(cell_text(raw), raw)
        return raw

    records, seen = [], {}
    rejects = [(name, number, column, reason) for number, column, _, reason in grid.bad_rows]
    bad_dates = []
    for number, cells in grid.rows:
        raw_id = cells[pos["respondent_id"]] if "respondent_id" in pos else None
        others = [c for k, c in enumerate(cells) if k != pos.get("respondent_id") and k < len(grid.header)]
        if "respondent_id" in pos and not cell_text(raw_id):
            rejects.append((name, number, "respondent_id", "回答者IDが空です"))
            continue
        if not any(cell_text(c) for c in others):
            rejects.append((name, number, "", "回答がすべて空です"))
            continue
        rid = cell_text(raw_id) if "respondent_id" in pos else f"{number}行目"
        row: dict[str, Any] = {"respondent_id": rid}
        if "answered_at" in pos:
            raw = cells[pos["answered_at"]]
            row["answered_at"] = parse_datetime(raw) if cell_text(raw) else None
            if cell_text(raw) and row["answered_at"] is None:
                bad_dates.append(number)
        age_raw = mapped("age_band", "", cells[pos["age_band"]]) if "age_band" in pos else None
        if not attributes.is_stated(age_raw) and "age" in pos:
            age_raw = mapped("age", "", cells[pos["age"]])
        if "age_band" in pos or "age" in pos:
            row["age_band"] = _age_band(age_raw)
        if "gender" in pos:
            row["gender"] = attributes.gender(mapped("gender", "", cells[pos["gender"]]))
        for column in ("district", "role", "occupation", "response_mode"):
            if column in pos:
                row[column] = cell_text(mapped(column, "", cells[pos[column]])) or "不明"
        for column in ("loneliness_direct", "ucla_1", "ucla_2", "ucla_3"):
            if column in pos:
                row[column] = cell_text(mapped(column, "", cells[pos[column]])) or None
        for question in layout.questions:
            raw = cells[question.position]
            if question.kind == "open":
                text = "" if raw is None else clean_text(str(raw)).strip()
                row[question.key] = text or None
            else:
                row[question.key] = cell_text(mapped(question.key, grid.header[question.position], raw)) or "無回答"
        row["source"], row["row"] = name, number
        content = tuple(v for k, v in row.items() if k not in ("row", "answered_at"))
        if rid in seen:
            first_row, first_content = seen[rid]
            same = first_content == content
            rejects.append((name, number, "respondent_id",
                            f"回答者ID '{rid}' の重複: {first_row} 行目と{'同じ回答です（1件だけ採用）' if same else '異なる回答です（最初の行を採用）'}"))
            continue
        seen[rid] = (number, content)
        records.append(row)
    if bad_dates:
        shown = ", ".join(map(str, bad_dates[:10])) + (" …" if len(bad_dates) > 10 else "")
        warnings.append(f"{name}: 回答日を解釈できない行が {len(bad_dates)} 行あります（空として扱います）: {shown} 行目")
    if "respondent_id" not in pos:
        warnings.append(f"{name}: 回答者IDの列がないため、行番号を回答者IDとして使います")
    respondents = pd.DataFrame(records)
    if "answered_at" in respondents:
        respondents["answered_at"] = pd.to_datetime(respondents["answered_at"])
    source = {
        "path": str(grid.path), "format": grid.format, "encoding": grid.encoding, "sha256": grid.sha256,
        **({"sheet": grid.sheet} if grid.sheet else {}), "header_row": grid.header_row,
        "rows_read": len(grid.rows) + len(grid.bad_rows), "respondents": len(records), "rows_rejected": len(rejects),
        "columns": {c: grid.header[p] for c, p in pos.items()},
    }
    return SurveyData(respondents, layout.questions, pd.DataFrame(rejects, columns=REJECT_COLUMNS), source,
                      warnings, layout.ignored)


_OVER = re.compile(r"^(\d{2})(?:歳|才|代)以上$")


def _age_band(value: Any) -> str:
    """nlp.ingest.attributes.age_band, plus top bands such as 70歳以上 kept as 70代以上."""
    from nlp.ingest import attributes

    band = attributes.age_band(value)
    if band == "不明":
        match = _OVER.match(cell_text(value).replace(" ", ""))
        if match and int(match.group(1)) % 10 == 0:
            return f"{match.group(1)}代以上"
    return band
