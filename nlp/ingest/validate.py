"""``soudan validate``: every problem of every input at once, grouped by kind, with row numbers.

It runs the same reading and checks as :func:`nlp.ingest.messages.read_inputs` but does not stop at the
first unreadable file, and it also lists accepted values it had to treat as 不明 and dates
without a time. No message text is ever printed.

Example:
    >>> report = validate_inputs(["data/examples/messy.csv"])  # doctest: +SKIP
    >>> print(report.format())  # doctest: +SKIP
    エラー: 相談日時を解釈できない（2 行）
      messy.csv: 5 行目, 9 行目
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from nlp.ingest.messages import KIND_LABELS, WARNING_KINDS, Problem, ingest

MAX_ROWS_SHOWN = 30


@dataclass(frozen=True)
class ProblemGroup:
    """All rows with one kind of problem, per source file."""

    kind: str
    label: str
    severity: str  # "error" (row refused or file unusable) or "warning" (row accepted)
    rows: dict[str, list[int]]  # source → row numbers, ascending
    examples: list[str] = field(default_factory=list)  # a few reasons, as written to rejects.csv

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


@dataclass
class ValidationReport:
    """What validate found. ``ok`` is False when a file is unusable or a row would be refused."""

    files: list[dict]
    fatal: list[str]
    problems: dict[str, ProblemGroup]  # kind → group, refused kinds first
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.fatal and not any(g.severity == "error" for g in self.problems.values())

    def format(self) -> str:
        """The report as plain text for a terminal (Japanese, no message text)."""
        read = sum(f["rows_read"] for f in self.files)
        accepted = sum(f["rows_accepted"] for f in self.files)
        lines = [f"検証: {len(self.files)} ファイル、{read} 行を読み、{accepted} 行を採用"]
        for f in self.files:
            detail = f"{f['format']}" + (f", {f['encoding']}" if f.get("encoding") else "") + (f", シート {f['sheet']}" if f.get("sheet") else "")
            lines.append(f"  {Path(f['path']).name}（{detail}）: {f['rows_read']} 行中 {f['rows_accepted']} 行を採用、{f['rows_rejected']} 行を除外")
        for message in self.fatal:
            lines.append(f"エラー: {message}")
        for group in self.problems.values():
            head = "エラー" if group.severity == "error" else "警告"
            lines.append(f"{head}: {group.label}（{group.count} 行）")
            for source, rows in group.rows.items():
                shown = ", ".join(str(r) for r in rows[:MAX_ROWS_SHOWN]) + (f" ほか {len(rows) - MAX_ROWS_SHOWN} 行" if len(rows) > MAX_ROWS_SHOWN else "")
                lines.append(f"  {source}: {shown} 行目")
            for example in group.examples:
                lines.append(f"    例: {example}")
        for warning in self.warnings:
            lines.append(f"注意: {warning}")
        lines.append("問題は見つかりませんでした。" if self.ok and not self.problems else
                     ("読み込みに支障はありません（警告のみ）。" if self.ok else "上の問題を直すか、除外される行を確認してください。"))
        return "\n".join(lines)


def validate_inputs(paths: Sequence[str | Path], *, fmt: str = "auto", mapping: str | Path | None = None) -> ValidationReport:
    """Check inputs without stopping at the first problem.

    Args:
        paths: files or directories, as for :func:`nlp.ingest.messages.read_inputs`.
        fmt: input format, "auto" by suffix.
        mapping: optional YAML column mapping.

    Returns:
        A ValidationReport; ``report.format()`` gives the text to print.
    """
    found = ingest(paths, fmt=fmt, mapping=mapping, keep_going=True)
    return ValidationReport(found.result.sources, found.fatal, group_problems(found.problems), found.result.warnings)


def group_problems(problems: list[Problem]) -> dict[str, ProblemGroup]:
    """Problems grouped by kind (in KIND_LABELS order), rows per source ascending and unique."""
    groups: dict[str, ProblemGroup] = {}
    for kind, label in KIND_LABELS.items():
        mine = [p for p in problems if p.kind == kind]
        if not mine:
            continue
        rows: dict[str, list[int]] = {}
        for p in mine:
            rows.setdefault(p.source, []).append(p.row)
        rows = {source: sorted(set(numbers)) for source, numbers in rows.items()}
        examples = list(dict.fromkeys(p.reason for p in mine))[:3]
        groups[kind] = ProblemGroup(kind, label, "warning" if kind in WARNING_KINDS else "error", rows, examples)
    return groups
