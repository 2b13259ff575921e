"""Reading one consultation file into a table with canonical column names.

A reader knows bytes, encodings, sheets and headers, not what the values mean (that is
:mod:`nlp.ingest.messages`). The file is read by the reading surveys use too: format and encoding by
:mod:`nlp.io.formats`, grids and the header under title rows by :mod:`nlp.io.grid`;
here are the consultation's columns: headers matched to canonical columns through a YAML
mapping, then the built-in Japanese aliases, and the required columns checked. KokoroChat
dialogue JSON is read here.

Row numbers are what a user sees: the spreadsheet row for CSV and XLSX (the header row counts),
the line for JSONL, the record for Parquet and the message index for KokoroChat, all from 1.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlp.io.formats import (  # noqa: F401 — FORMATS, SUFFIX_FORMATS, decode and check_format are imported from here
    FORMATS, SUFFIX_FORMATS, InputError, Source, check_format, decode, expand_paths, read_source,
)
from nlp.io.grid import (  # noqa: F401 — sheet_grid, header_key are imported from here
    HEADER_SCAN_ROWS, Grid, Grids, data_rows, filled, find_header, header_key, read_grids, records_below,
    refuse_wide_rows, sheet_grid,
)
from nlp.ingest.schema import HEADER_ALIASES, INPUT_COLUMNS, REQUIRED_INPUT_COLUMNS

# A separate date column and time column are combined into started_at when there is no started_at.
EXTRA_COLUMNS = ["date", "time"]
CANONICAL_COLUMNS = INPUT_COLUMNS + EXTRA_COLUMNS
COLUMN_LABELS = {
    "consultation_id": "相談ID", "started_at": "相談日時", "text": "相談内容", "role": "発言者", "age_band": "年代",
    "age": "年齢", "gender": "性別", "occupation": "職業", "prefecture": "都道府県", "municipality": "市区町村",
    "date": "相談日", "time": "時刻",
}
# Headers seen in municipal and NPO exports, on top of nlp.ingest.schema.HEADER_ALIASES.
EXTRA_HEADER_ALIASES = {
    "consultation_id": ["相談番号", "相談no", "受付番号", "受付id", "受付no", "ケース番号", "ケースid", "チャットid",
                        "セッションid", "対話id", "dialogue_id", "conversation_id", "session_id", "respondent_id",
                        "回答者id", "回答id"],
    "started_at": ["相談開始日時", "受付日時", "開始時間", "日付時刻", "発言日時", "送信日時", "投稿日時",
                   "タイムスタンプ", "datetime", "timestamp", "created_at", "answered_at", "回答日時"],
    "date": ["相談日", "受付日", "日付", "年月日", "date"],
    "time": ["時刻", "開始時刻", "相談時刻", "受付時刻"],
    "text": ["相談本文", "相談の内容", "主訴", "発言", "発言内容", "メッセージ本文", "本文内容", "message", "body",
             "content", "自由記述", "回答内容"],
    "role": ["発信者", "送信者", "話者区分", "発言者区分", "speaker", "sender"],
    "age_band": ["年齢層", "年齢区分", "年代区分", "age_group"],
    "gender": ["性", "sex"],
    "occupation": ["職業・学齢", "職業/学校", "職業等", "所属", "job"],
    "prefecture": ["都道府県名", "居住都道府県", "居住地", "県", "住所(都道府県)", "居住地(都道府県)"],
    "municipality": ["市町村", "市区町村名", "市町村名", "居住市区町村", "city"],
}


@dataclass(frozen=True)
class Mapping:
    """A YAML mapping: canonical column → source header, and per-column value maps."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    sheet: str | None = None
    header_row: int | None = None
    encoding: str | None = None


@dataclass
class Table:
    """One source read: canonical column → position, and the data records with row numbers."""

    path: Path
    format: str
    encoding: str | None
    sha256: str
    columns: dict[str, int]
    records: list[tuple[int, list[Any]]]
    bad_rows: list[tuple[int, str, str, str]] = field(default_factory=list)  # row, column, kind, reason
    warnings: list[str] = field(default_factory=list)
    sheet: str | None = None
    header_width: int = 0


def _alias_table() -> dict[str, str]:
    table = {header_key(name): name for name in CANONICAL_COLUMNS}
    for alias, canonical in HEADER_ALIASES.items():
        table.setdefault(header_key(alias), canonical)
    for canonical, aliases in EXTRA_HEADER_ALIASES.items():
        for alias in aliases:
            table.setdefault(header_key(alias), canonical)
    return table


ALIASES = _alias_table()


def load_mapping(path: str | Path | None) -> Mapping:
    """Read and check a YAML mapping file (``columns``, optional ``values``, ``sheet``, ``header_row``,
    ``encoding``).

    Raises:
        InputError: the file is missing or not valid YAML, or a key is not a canonical column.
    """
    if path is None:
        return Mapping()
    path = Path(path)
    name = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(f"マッピングファイルが見つかりません: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InputError(f"{name}: マッピングファイルを YAML として読めません（{type(error).__name__}）") from None
    if not isinstance(data, dict) or not isinstance(data.get("columns", {}), dict):
        raise InputError(f"{name}: マッピングには 'columns:'（正規の列名: 元の見出し）が必要です")
    allowed = ", ".join(CANONICAL_COLUMNS)
    unknown_keys = set(data) - {"columns", "values", "sheet", "header_row", "encoding"}
    if unknown_keys:
        raise InputError(f"{name}: 不明なキー {sorted(unknown_keys)}（使えるキー: columns, values, sheet, header_row, encoding）")
    columns = {}
    for canonical, source in (data.get("columns") or {}).items():
        if canonical not in CANONICAL_COLUMNS:
            raise InputError(f"{name}: columns のキー '{canonical}' は正規の列名ではありません（使える名前: {allowed}）")
        columns[canonical] = str(source)
    values: dict[str, dict[str, str]] = {}
    for canonical, table in (data.get("values") or {}).items():
        if canonical not in CANONICAL_COLUMNS or not isinstance(table, dict):
            raise InputError(f"{name}: values のキー '{canonical}' は正規の列名と値の対応表でなければなりません（使える名前: {allowed}）")
        values[canonical] = {_value_key(k): str(v) for k, v in table.items()}
    header_row = data.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise InputError(f"{name}: header_row は 1 以上の行番号でなければなりません（値: {header_row!r}）")
    return Mapping(columns, values, data.get("sheet"), header_row, data.get("encoding"))


def _value_key(value: object) -> str:
    """Value-map keys compare as trimmed NFKC strings, so YAML's 1 and a cell's "1" match."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def resolve_columns(header: list[Any], mapping: Mapping) -> tuple[dict[str, int], list[str]]:
    """Match a header row to canonical columns: the mapping first, then the aliases.

    Returns:
        (canonical column → position, warnings about repeated headers).
    """
    keys = [header_key(cell) for cell in header]
    columns: dict[str, int] = {}
    for canonical, source in mapping.columns.items():
        if header_key(source) in keys:
            columns[canonical] = keys.index(header_key(source))
    mapped_sources = {header_key(source) for source in mapping.columns.values()}
    warnings = []
    for position, key in enumerate(keys):
        if not key or key in mapped_sources:
            continue
        canonical = ALIASES.get(key) or ALIASES.get(re.sub(r"\(.*?\)$", "", key))
        if canonical is None:
            continue
        if canonical in columns:
            if columns[canonical] != position and canonical not in mapping.columns:
                warnings.append(f"見出し '{header[position]}' は {canonical} として既に使われている列と重なるため無視しました")
            continue
        columns[canonical] = position
    return columns, warnings


def read_table(path: Path, fmt: str = "auto", mapping: Mapping | None = None) -> Table:
    """Read one file into a :class:`Table` whose columns are canonical names.

    Args:
        path: the file.
        fmt: "auto" (by content and suffix) or one of FORMATS.
        mapping: column and value mapping; built-in aliases only when None.

    Raises:
        InputError: the file is unreadable or empty, or a required column is missing.
    """
    mapping = mapping or Mapping()
    source = read_source(path, fmt)
    if source.format == "kokorochat":
        table = _read_kokorochat(source, mapping)
    else:
        table = _grids_table(read_grids(source, sheet=mapping.sheet, encoding=mapping.encoding), mapping)
    if not table.records:
        what = "見出し行のあとにデータ行" if table.format in {"csv", "xlsx"} else "データ"
        raise InputError(f"{path.name}: {what}がありません")
    return table


def _grids_table(grids: Grids, mapping: Mapping) -> Table:
    """The first sheet with the required columns (a CSV, JSONL or Parquet file has one)."""
    first_error: InputError | None = None
    for name, grid in grids.sheets:
        try:
            table = _grid_table(grids, grid, mapping)
        except InputError as error:
            first_error = first_error or error
            continue
        if grids.source.format == "xlsx":
            table.sheet = name
            ignored = [other for other, _ in grids.sheets if other != name]
            if ignored:
                table.warnings.append(f"{grids.source.path.name}: シート '{name}' を読みました（他のシート {', '.join(ignored)} は読んでいません）")
        return table
    assert first_error is not None
    raise first_error


def header_score(columns: dict[str, int]) -> int:
    """How header-like a row is for consultations: the key columns count ten, any other one."""
    return 10 * sum(c in columns for c in ("consultation_id", "started_at", "date", "text")) + len(columns)


def _grid_table(grids: Grids, grid: Grid, mapping: Mapping) -> Table:
    """Find the header among the first rows of a grid (or use mapping.header_row) and cut records."""
    source, fmt = grids.source, grids.source.format
    name = source.path.name
    rows = grid if grids.keyed else data_rows(grid, fmt)
    if not rows:
        raise InputError(f"{name}: ファイルが空です")
    header = find_header(rows, lambda cells: header_score(resolve_columns(cells, mapping)[0]),
                         header_row=mapping.header_row, keyed=grids.keyed, name=name)
    columns, warnings = resolve_columns(header.cells, mapping)
    if not (fmt == "jsonl" and len(rows) == 1):  # a JSONL file without objects has no header to check
        _check_required(name, header.cells, columns, mapping)
    width = len(header.cells)
    # Cells right of the header are kept so that the CSV rows with extra cells can be refused.
    records = records_below(rows, header)
    table = Table(source.path, fmt, grids.encoding, source.sha256, columns, records, list(grids.bad_rows),
                  warnings=[f"{name}: {w}" for w in warnings])
    table.header_width = width
    if fmt == "csv":
        table.records, wide = refuse_wide_rows(table.records, width)
        table.bad_rows += wide
    index, height = header.index, header.height
    if index or height > 1:
        table.warnings.append(f"{name}: 見出しを {rows[index][0]} 行目{'〜' + str(rows[index + 1][0]) + ' 行目' if height > 1 else ''}に見つけました")
    return table


def _check_required(name: str, header: list[Any], columns: dict[str, int], mapping: Mapping) -> None:
    missing = [c for c in REQUIRED_INPUT_COLUMNS if c not in columns and not (c == "started_at" and "date" in columns)]
    if not missing:
        return
    described = []
    for canonical in missing:
        if canonical in mapping.columns:
            described.append(f"'{mapping.columns[canonical]}'（{canonical}、マッピングで指定）")
        else:
            described.append(f"{COLUMN_LABELS[canonical]}（{canonical}）")
    found = [str(c).strip() for c in header if filled(c)]
    shown = ", ".join(found[:12]) + (" …" if len(found) > 12 else "")
    raise InputError(f"{name}: 必須の列がありません: {', '.join(described)}。見つかった見出し: {shown or 'なし'}")


def _read_kokorochat(source: Source, mapping: Mapping) -> Table:
    """One KokoroChat dialogue: id = file name without .json, started_at = the first message's time."""
    path = source.path
    text, encoding = decode(source.data, path.name, mapping.encoding)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{path.name}: KokoroChat の JSON として読めません（{error.lineno} 行目で構文エラー）") from None
    dialogue = document.get("dialogue") if isinstance(document, dict) else None
    if not isinstance(dialogue, list):
        raise InputError(f"{path.name}: KokoroChat の JSON に 'dialogue'（発言のリスト）がありません")
    first = dialogue[0] if dialogue and isinstance(dialogue[0], dict) else {}
    columns = {"consultation_id": 0, "started_at": 1, "text": 2, "role": 3, "message_time": 4}
    records, bad_rows = [], []
    consultation_id, started_at = path.stem, first.get("time")
    for number, message in enumerate(dialogue, 1):
        if not isinstance(message, dict):
            bad_rows.append((number, "", "bad_json", "発言が JSON オブジェクトではありません"))
            continue
        records.append((number, [consultation_id, started_at, message.get("utterance"), message.get("role"), message.get("time")]))
    return Table(path, "kokorochat", encoding, source.sha256, columns, records, bad_rows)
