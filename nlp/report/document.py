"""The report document: Report → Section → Finding | Table | Chart | Quotes | Notes.

Builders (:mod:`nlp.report.build_consultations`, :mod:`nlp.report.build_survey`) turn a run's
tables into one :class:`Report`; the renderers (xlsx, pptx, html, markdown) only lay it out.
A :class:`Table` is already the display: Japanese headers, cells as numbers or the words
秘匿 / 参考値, and a number format (kind) per column, so every renderer shows the same marks.

Example:
    >>> t = Table("by_gender", "性別の相談件数", ("性別", "件数", "割合", "注記"),
    ...           (("女性", 12, 0.6, ""), ("男性", "秘匿", "秘匿", "")), ("text", "count", "share", "note"))
    >>> t.cells()[1]
    ['男性', '秘匿', '秘匿', '']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Union

import pandas as pd

SUPPRESSED_MARK = "秘匿"
REFERENCE_MARK = "参考値"
NUMERIC_KINDS = ("count", "share", "number", "decimal", "pt")


@dataclass(frozen=True)
class Link:
    """A cell that links to another xlsx sheet (shown as ``text`` everywhere else)."""

    text: str
    sheet: str


def format_cell(value: object, kind: str) -> str:
    """Display text of a table cell: 1,234 counts, 12.4% shares, +1.2pt, 秘匿 / 参考値 as they are."""
    if isinstance(value, Link):
        return value.text
    if isinstance(value, str):
        return value
    if kind == "count":
        return f"{int(value):,}"
    if kind == "share":
        return f"{float(value) * 100:.1f}%"
    if kind == "number":
        return f"{float(value):.3g}"
    if kind == "decimal":
        return f"{float(value):.3f}"
    if kind == "pt":
        return f"{float(value):+.1f}pt"
    return str(value)


def method_notes(facts, notes) -> tuple[str, ...]:
    """The 方法と秘匿処理 chapter of any report: the run facts (label：text), then its notes."""
    return tuple(f"{label}：{text}" for label, text in facts) + tuple(notes)


def cell_class(value: object, kind: str) -> str:
    """How a cell is marked: masked (秘匿), ref (参考値), num (a number), or plain."""
    if value == SUPPRESSED_MARK:
        return "masked"
    if value == REFERENCE_MARK or (kind == "note" and value):
        return "ref"
    return "num" if kind in NUMERIC_KINDS and not isinstance(value, str) else ""


@dataclass(frozen=True)
class Finding:
    """One sentence of the summary and the table its numbers come from."""

    text: str
    table: str
    source: str = ""  # how the sentence cites its table (月別の相談件数（by_month）)


@dataclass(frozen=True)
class Chart:
    """A PNG chart; ``note`` is the legend line shown under it on a slide."""

    name: str
    title: str
    path: Path
    note: str = ""
    slide_title: str = ""  # pptx: its slide's title ("" → ``title``)
    on_page: bool = True
    on_slide: bool = True
    pair: bool = False  # pptx: two such charts side by side (a slide title shared, then （続き）)


@dataclass(frozen=True)
class Table:
    """One table as every renderer shows it.

    ``rows`` hold numbers or text (秘匿 and 参考値 as words, a :class:`Link` for a sheet link);
    ``kinds`` give each column's number format (text, count, share, number, decimal, pt, note,
    wrap, merged). ``sheet`` is the xlsx sheet name ("" when the table is not a sheet of its own).
    """

    name: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    kinds: tuple[str, ...]
    description: str = ""
    sheet: str = ""
    heading: str = ""  # the xlsx sheet's title line
    legend: str = ""  # what 秘匿 / 参考値 mean, above the table
    charts: tuple[Chart, ...] = ()
    suppressed_rows: int = 0
    reference_rows: int = 0
    widths: tuple[int, ...] = ()  # xlsx column widths
    wrap: bool = False  # xlsx: wrap text cells
    caption: str = ""  # a slide table's caption
    note: str = ""  # a slide's note line
    max_rows: int | None = None  # a slide shows at most this many rows
    collapsed: bool | None = None  # html: shut even when short (None: open up to 12 rows)
    on_page: bool = True  # html shows it (a slide-only table does not)
    slide_title: str = ""  # pptx: a native table on the slide of this title (consecutive ones side by side)
    new_slide: bool = False  # pptx: start a new slide even after a table of the same slide title

    def cells(self) -> list[list[str]]:
        return [[format_cell(v, k) for v, k in zip(row, self.kinds)] for row in self.rows]

    def frame(self) -> pd.DataFrame:
        """The display as a frame of strings (repeated headers get a suffix)."""
        unique: list[str] = []
        for header in self.headers:
            unique.append(header if header not in unique else f"{header}_{unique.count(header) + 1}")
        return pd.DataFrame(self.cells(), columns=unique, dtype=object)


@dataclass(frozen=True)
class Quotes:
    """Masked quotes grouped under headings (a theme, or a question's theme)."""

    title: str
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    attributes: tuple[tuple[str, ...], ...] = ()  # per group, the respondent attribute of each quote


@dataclass(frozen=True)
class Notes:
    """Paragraphs of text; ``style`` is note (grey), text or title.

    On slides, ``note`` lines of a section with a title slide go onto that slide (grey); other
    notes with ``on_slide`` become text slides (``slide_title``, ``size``, ``bullet``).
    """

    lines: tuple[str, ...]
    style: str = "note"
    on_page: bool = True
    on_slide: bool = True
    slide_title: str = ""
    size: int = 18
    bullet: bool = False


Block = Union[Finding, Table, Chart, Quotes, Notes]


@dataclass(frozen=True)
class Section:
    """A chapter of the page and the slides.

    ``slides``: "title" (a title slide ``slide_head`` with the ``intro`` findings and the
    section's notes, then the blocks' slides), "findings" (text slides of the ``intro``
    findings at ``size`` pt) or "blocks" (only the blocks' slides).
    """

    key: str
    title: str
    blocks: tuple[Block, ...] = ()
    intro: tuple[Finding, ...] = ()
    slides: str = "blocks"
    slide_head: str = ""
    size: tuple[int, int] = (18, 16)  # findings slides: largest and smallest font size

    def of(self, kind: type) -> list:
        return [b for b in self.blocks if isinstance(b, kind)]


@dataclass(frozen=True)
class Report:
    """A whole report: what every renderer lays out.

    ``front`` are the xlsx front sheets (README, 主な所見) as sections of blocks; ``sheets`` the
    table sheets in xlsx order (also what the browser app shows); ``sections`` the chapters of
    the html page, the slides and the summary.
    """

    kind: str  # "consultations" or "survey"
    title: str
    facts: tuple[tuple[str, str], ...]
    findings: tuple[Finding, ...]
    sections: tuple[Section, ...]
    sheets: tuple[Table, ...] = ()
    front: tuple[Section, ...] = ()
    synthetic_note: str = ""
    footer: str = ""
    files: dict[str, str] = field(default_factory=dict)  # summary / xlsx / html / pptx → file name
    extra: dict = field(default_factory=dict)  # renderer hints (markdown layout, artifact tables)

    def tables(self) -> Iterator[Table]:
        """The table sheets of the xlsx, in order."""
        return iter(self.sheets)

    def table(self, name: str) -> Table:
        return next(t for t in self.sheets if t.name == name)
