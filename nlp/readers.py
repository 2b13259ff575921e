"""Reading one input file into a table with canonical column names.

A reader knows bytes, encodings, sheets and headers, not what the values mean (that is
:mod:`nlp.ingest`). Formats: CSV/TSV (UTF-8, UTF-8 BOM, UTF-16, CP932/Shift_JIS, EUC-JP,
detected with charset-normalizer), XLSX (header found in the first rows, merged cells filled),
JSONL, Parquet and KokoroChat dialogue JSON. Headers are matched to canonical columns through
a YAML mapping, then the built-in Japanese aliases.

Row numbers are what a user sees: the spreadsheet row for CSV and XLSX (the header row counts),
the line for JSONL, the record for Parquet and the message index for KokoroChat, all from 1.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable

import yaml

from nlp.schema import HEADER_ALIASES, INPUT_COLUMNS, REQUIRED_INPUT_COLUMNS

FORMATS = ("csv", "xlsx", "jsonl", "parquet", "kokorochat")
SUFFIX_FORMATS = {
    ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".parquet": "parquet", ".json": "kokorochat",
}
# A separate date column and time column are combined into started_at when there is no started_at.
EXTRA_COLUMNS = ["date", "time"]
CANONICAL_COLUMNS = INPUT_COLUMNS + EXTRA_COLUMNS
COLUMN_LABELS = {
    "consultation_id": "相談ID", "started_at": "相談日時", "text": "相談内容", "role": "発言者", "age_band": "年代",
    "age": "年齢", "gender": "性別", "occupation": "職業", "prefecture": "都道府県", "municipality": "市区町村",
    "date": "相談日", "time": "時刻",
}
# Headers seen in municipal and NPO exports, on top of nlp.schema.HEADER_ALIASES.
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
HEADER_SCAN_ROWS = 30
_SUPPORTED_TEXT = ".csv .tsv .xlsx .xlsm .jsonl .parquet .json"
_JAPANESE_ENCODINGS = ["utf_8", "cp932", "euc_jp", "iso2022_jp", "utf_16", "utf_32"]


class InputError(Exception):
    """A fatal input problem; ``str()`` is one sentence naming the file (and the column)."""


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


def header_key(text: object) -> str:
    """Comparable form of a header: NFKC, no spaces, no ※/* marks, case folded."""
    key = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"[\s※*＊]+", "", key).casefold()


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


def check_format(fmt: str) -> None:
    """Raises InputError unless fmt is "auto" or one of FORMATS."""
    if fmt != "auto" and fmt not in FORMATS:
        raise InputError(f"入力形式 '{fmt}' は使えません（使える形式: auto, {', '.join(FORMATS)}）")


def expand_paths(paths: Iterable[str | Path], fmt: str = "auto") -> list[Path]:
    """Files to read: each file as given, each directory's supported files sorted by name.

    Raises:
        InputError: a path does not exist, a directory holds no supported file, or fmt is unknown.
    """
    check_format(fmt)
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir()
                if p.is_file() and not p.name.startswith((".", "~$"))
                and SUFFIX_FORMATS.get(p.suffix.lower()) in ((fmt,) if fmt != "auto" else FORMATS)
            )
            if not found:
                raise InputError(f"{path} に読み込める入力ファイル（{_SUPPORTED_TEXT}）がありません")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"入力ファイルが見つかりません: {path}")
    return files


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
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{name}: ファイルを開けません（{error.strerror or type(error).__name__}）") from None
    if not data[:4096].strip() and not data.strip():  # the head decides without copying a large file
        raise InputError(f"{name}: ファイルが空です")
    fmt = _detect_format(path, data) if fmt == "auto" else fmt
    digest = hashlib.sha256(data).hexdigest()
    reader = {"csv": _read_csv, "xlsx": _read_xlsx, "jsonl": _read_jsonl, "parquet": _read_parquet,
              "kokorochat": _read_kokorochat}[fmt]
    table = reader(path, data, mapping)
    table.sha256 = digest
    if not table.records:
        what = "見出し行のあとにデータ行" if fmt in {"csv", "xlsx"} else "データ"
        raise InputError(f"{name}: {what}がありません")
    return table


def _detect_format(path: Path, data: bytes) -> str:
    """By content first (an .xlsx renamed .csv still reads), then by suffix."""
    name, suffix = path.name, path.suffix.lower()
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or suffix == ".xls":
        raise InputError(
            f"{name}: 古い Excel 形式（.xls）またはパスワード付きの Excel ファイルは読めません。"
            "Excel で .xlsx か CSV として保存し直してください"
        )
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:4] == b"PAR1":
        return "parquet"
    if suffix == ".txt":
        return "csv"
    if suffix not in SUFFIX_FORMATS:
        raise InputError(f"{name}: この形式は読めません（対応: {_SUPPORTED_TEXT}。--format で指定もできます）")
    return SUFFIX_FORMATS[suffix]


def decode(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str]:
    """Bytes to text: a BOM, then strict UTF-8, then charset-normalizer (Japanese encodings first).

    Returns:
        (text, encoding name as reported in run.json).
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            raise InputError(f"{name}: 指定された文字コード {encoding} で読めません") from None
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=_JAPANESE_ENCODINGS).best() or from_bytes(data).best()
    if best is not None:
        codec = "cp932" if best.encoding in {"shift_jis", "cp932", "shift_jis_2004", "shift_jisx0213"} else best.encoding
        try:
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass
    raise InputError(f"{name}: 文字コードを判別できません（UTF-8 か Shift_JIS のテキストとして保存し直してください）")


def _read_csv(path: Path, data: bytes, mapping: Mapping) -> Table:
    text, encoding = decode(data, path.name, mapping.encoding)
    if "\x00" in text:
        text = text.replace("\x00", "")  # a stray NUL is a control character like any other
    sample = text[:20000].splitlines()[:20]
    delimiter = "\t" if path.suffix.lower() == ".tsv" else max(",\t;", key=lambda d: sum(line.count(d) for line in sample))
    csv.field_size_limit(1 << 30)  # a 200 KB paste in one cell is real input
    try:
        grid = list(enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1))
    except csv.Error as error:
        raise InputError(f"{path.name}: CSV として読めません（{error}）") from None
    table = _grid_table(path, "csv", encoding, grid, mapping)
    if max(map(len, map(itemgetter(1), table.records)), default=0) <= table.header_width:
        return table  # no row is wider than the header
    kept = []
    for number, cells in table.records:
        if len(cells) > table.header_width and any(_filled(c) for c in cells[table.header_width :]):
            table.bad_rows.append((number, "", "column_count",
                                   f"列の数が見出しより多い（見出し {table.header_width} 列、この行 {len(cells)} 列）: "
                                   "本文中の区切り文字が引用符で囲まれていない可能性があります"))
        else:
            kept.append((number, cells))
    table.records = kept
    return table


def _read_xlsx(path: Path, data: bytes, mapping: Mapping) -> Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # noqa: BLE001 — zip, XML and openpyxl errors all mean the same to a user
        raise InputError(f"{path.name}: Excel ファイルとして開けません（壊れているか、別の形式のファイルです）") from None
    if mapping.sheet is not None:
        if mapping.sheet not in book.sheetnames:
            raise InputError(f"{path.name}: シート '{mapping.sheet}' がありません（あるシート: {', '.join(book.sheetnames)}）")
        sheets = [book[mapping.sheet]]
    else:
        sheets = [ws for ws in book.worksheets if ws.max_row > 1 or ws.max_column > 1 or ws.cell(1, 1).value is not None]
        if not sheets:
            raise InputError(f"{path.name}: ファイルが空です（どのシートにも値がありません）")
    first_error: InputError | None = None
    for sheet in sheets:
        try:
            table = _grid_table(path, "xlsx", None, sheet_grid(sheet), mapping)
        except InputError as error:
            first_error = first_error or error
            continue
        table.sheet = sheet.title
        ignored = [ws.title for ws in sheets if ws is not sheet]
        if ignored:
            table.warnings.append(f"{path.name}: シート '{sheet.title}' を読みました（他のシート {', '.join(ignored)} は読んでいません）")
        return table
    assert first_error is not None
    raise first_error


def sheet_grid(sheet: Any) -> list[tuple[int, list[Any]]]:
    """All rows of a sheet as lists, merged ranges filled with their top-left value."""
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    for merged in sheet.merged_cells.ranges:
        value = sheet.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row, min(merged.max_row, len(rows)) + 1):
            row = rows[r - 1]
            row.extend([None] * (merged.max_col - len(row)))
            for c in range(merged.min_col, merged.max_col + 1):
                row[c - 1] = value
    return list(enumerate(rows, 1))


def _grid_table(path: Path, fmt: str, encoding: str | None, grid: list[tuple[int, list[Any]]], mapping: Mapping) -> Table:
    """Find the header among the first rows of a grid (or use mapping.header_row) and cut records."""
    lines = list(map(itemgetter(1), grid))
    if fmt == "csv" and all(lines) and all(map(str.strip, map(itemgetter(0), lines))):
        rows = grid  # a CSV cell is a string: every row has a filled first cell
    else:  # the first cell decides most rows without a call
        rows = [(n, cells) for n, cells in grid
                if (cells and type(cells[0]) is str and cells[0].strip()) or any(map(_filled, cells))]
    if not rows:
        raise InputError(f"{path.name}: ファイルが空です")
    if mapping.header_row is not None:
        candidates = [(i, 1) for i, (n, _) in enumerate(rows) if n == mapping.header_row][:1]
        if not candidates:
            raise InputError(f"{path.name}: マッピングの header_row {mapping.header_row} 行目が空か、ありません")
    else:
        scan = min(len(rows), HEADER_SCAN_ROWS)
        candidates = [(i, 1) for i in range(scan)] + [(i, 2) for i in range(scan - 1)]
    best: tuple[int, int, list[Any], dict[str, int]] | None = None
    best_score = -1
    for index, height in candidates:
        header = _stack_header([rows[index + k][1] for k in range(height)])
        columns, _ = resolve_columns(header, mapping)
        score = 10 * sum(c in columns for c in ("consultation_id", "started_at", "date", "text")) + len(columns)
        if score > best_score + (1 if height == 2 else 0):  # a two-row header must be strictly better
            best, best_score = (index, height, header, columns), score
    assert best is not None
    index, height, header, columns = best
    columns, warnings = resolve_columns(header, mapping)
    _check_required(path.name, header, columns, mapping)
    width = len(header)
    # Cells right of the header are kept so that the CSV reader can refuse rows with extra cells.
    records = rows[index + height :]
    if min(map(len, map(itemgetter(1), records)), default=width) < width:
        records = [(n, cells) if len(cells) >= width else (n, cells + [None] * (width - len(cells))) for n, cells in records]
    table = Table(path, fmt, encoding, "", columns, records, warnings=[f"{path.name}: {w}" for w in warnings])
    table.header_width = width
    if index or height > 1:
        table.warnings.append(f"{path.name}: 見出しを {rows[index][0]} 行目{'〜' + str(rows[index + 1][0]) + ' 行目' if height > 1 else ''}に見つけました")
    return table


def _stack_header(rows: list[list[Any]]) -> list[Any]:
    """Two header rows read as one: per column the lower cell, or the upper when the lower is blank."""
    width = max(len(r) for r in rows)
    out: list[Any] = []
    for position in range(width):
        cells = [r[position] for r in rows if position < len(r) and _filled(r[position])]
        out.append(cells[-1] if cells else None)
    return out


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


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
    found = [str(c).strip() for c in header if _filled(c)]
    shown = ", ".join(found[:12]) + (" …" if len(found) > 12 else "")
    raise InputError(f"{name}: 必須の列がありません: {', '.join(described)}。見つかった見出し: {shown or 'なし'}")


def _read_jsonl(path: Path, data: bytes, mapping: Mapping) -> Table:
    text, encoding = decode(data, path.name, mapping.encoding)
    objects: list[tuple[int, dict]] = []
    bad_rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            bad_rows.append((number, "", "bad_json", "JSON として読めない行です"))
            continue
        if not isinstance(obj, dict):
            bad_rows.append((number, "", "bad_json", "JSON オブジェクト（{...}）ではない行です"))
            continue
        objects.append((number, obj))
    keys = list(dict.fromkeys(k for _, obj in objects for k in obj))
    if not objects and bad_rows:
        raise InputError(f"{path.name}: JSON Lines として読めません（どの行も JSON オブジェクトではありません）")
    columns, warnings = resolve_columns(keys, mapping)
    if objects:
        _check_required(path.name, keys, columns, mapping)
    records = [(n, [obj.get(k) for k in keys]) for n, obj in objects]
    return Table(path, "jsonl", encoding, "", columns, records, bad_rows, [f"{path.name}: {w}" for w in warnings])


def _read_parquet(path: Path, data: bytes, mapping: Mapping) -> Table:
    import pyarrow.parquet as pq

    try:
        arrow = pq.read_table(io.BytesIO(data))
    except Exception:  # noqa: BLE001 — any Arrow error means the file cannot be used
        raise InputError(f"{path.name}: Parquet ファイルとして読めません（壊れているか、別の形式のファイルです）") from None
    keys = arrow.column_names
    columns, warnings = resolve_columns(keys, mapping)
    _check_required(path.name, keys, columns, mapping)
    records = [(n, [row.get(k) for k in keys]) for n, row in enumerate(arrow.to_pylist(), 1)]
    return Table(path, "parquet", None, "", columns, records, warnings=[f"{path.name}: {w}" for w in warnings])


def _read_kokorochat(path: Path, data: bytes, mapping: Mapping) -> Table:
    """One KokoroChat dialogue: id = file name without .json, started_at = the first message's time."""
    text, encoding = decode(data, path.name, mapping.encoding)
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
    return Table(path, "kokorochat", encoding, "", columns, records, bad_rows)
