"""Which files to read, what format each is, and its bytes as text.

Format by content first (an .xlsx renamed .csv still reads), then by suffix; text decoded from
a BOM, strict UTF-8, then charset-normalizer with the Japanese encodings first (CP932,
EUC-JP, ISO-2022-JP, UTF-16/32). Used alike for consultation and survey files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

FORMATS = ("csv", "xlsx", "jsonl", "parquet", "kokorochat")
SUFFIX_FORMATS = {
    ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".parquet": "parquet", ".json": "kokorochat",
}
SUPPORTED_TEXT = ".csv .tsv .xlsx .xlsm .jsonl .parquet .json"
_JAPANESE_ENCODINGS = ["utf_8", "cp932", "euc_jp", "iso2022_jp", "utf_16", "utf_32"]


class InputError(Exception):
    """A fatal input problem; ``str()`` is one sentence naming the file (and the column)."""


@dataclass
class Source:
    """One file's bytes, its format and their digest."""

    path: Path
    format: str
    data: bytes
    sha256: str


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
                raise InputError(f"{path} に読み込める入力ファイル（{SUPPORTED_TEXT}）がありません")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"入力ファイルが見つかりません: {path}")
    return files


def read_source(path: Path, fmt: str = "auto", *, formats: tuple[str, ...] = FORMATS,
                supported: str = SUPPORTED_TEXT) -> Source:
    """A file's bytes and format ("auto": by content, then suffix).

    Args:
        formats: the formats this use reads; another detected format is refused.
        supported: the suffixes named when a file's format is refused.

    Raises:
        InputError: the file is missing, unreadable or empty, or of a format not in ``formats``.
    """
    name = path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"入力ファイルが見つかりません: {path}") from None
    except OSError as error:
        raise InputError(f"{name}: ファイルを開けません（{error.strerror or type(error).__name__}）") from None
    if not data[:4096].strip() and not data.strip():  # the head decides without copying a large file
        raise InputError(f"{name}: ファイルが空です")
    fmt = detect_format(path, data, supported) if fmt == "auto" else fmt
    if fmt not in formats:
        raise InputError(f"{name}: この形式は読めません（対応: {supported}）")
    return Source(path, fmt, data, hashlib.sha256(data).hexdigest())


def detect_format(path: Path, data: bytes, supported: str = SUPPORTED_TEXT) -> str:
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
        hint = "。--format で指定もできます" if supported == SUPPORTED_TEXT else ""  # surveys have no --format
        raise InputError(f"{name}: この形式は読めません（対応: {supported}{hint}）")
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
