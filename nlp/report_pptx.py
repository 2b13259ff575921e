"""report.pptx: 16:9 slides in section order, Japanese text measured to fit its boxes.

Text boxes are filled by an estimate of Japanese line breaks (a full-width character is one em,
a half-width one about half); a box that would overflow first gets a smaller font, then the
rest goes to a continuation slide (（続き）). Charts are PNGs scaled to the content area.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from nlp.labels import (
    REFERENCE_NOTE, SECTIONS, SUPPRESSED_MARK, SUPPRESSED_NOTE, Section, display_table, format_cell,
    table_title, theme_label,
)
from nlp.summary import comparison_title, key_findings, run_facts, source_title

if TYPE_CHECKING:
    from nlp.report.build_consultations import ReportInputs as ReportData

FONT = "Meiryo UI"  # on every Windows PowerPoint; LibreOffice substitutes a Japanese font
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TITLE_TOP, TITLE_HEIGHT = Inches(0.3), Inches(0.8)
BODY_TOP = Inches(1.25)
BODY_HEIGHT = Inches(5.65)
BODY_WIDTH = WIDTH - 2 * MARGIN
INK, GREY, ACCENT = RGBColor(0x22, 0x22, 0x22), RGBColor(0x66, 0x66, 0x66), RGBColor(0x00, 0x72, 0xB2)
LINE_SPACING = 1.25
MAX_TABLE_ROWS = 13


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F", "A")


def text_units(text: str) -> float:
    """Width of a text in ems, on the safe side: full-width (Japanese) characters 1, others 0.6,
    plus 0.25 at each switch between the two (renderers add space between 2024 and 年)."""
    units = sum(1.0 if _wide(ch) else 0.6 for ch in text)
    switches = sum(1 for a, b in zip(text, text[1:]) if _wide(a) != _wide(b) and not (a.isspace() or b.isspace()))
    return units + 0.25 * switches


def _units(paragraph: str | tuple[str, str], size: float) -> float:
    """Width in ems at ``size``; a (text, note) pair has its note at the smaller note size."""
    if isinstance(paragraph, str):
        return text_units(paragraph)
    text, note = paragraph
    return text_units(text) + text_units(note) * note_size(size) / size


def note_size(size: float) -> float:
    return max(10, size - 6)


def text_height(paragraphs: list, width: int, size: float, space_after: float = 0.4) -> float:
    """Estimated height (EMU) of paragraphs (str or (text, note)) at ``size`` pt wrapped to ``width`` EMU."""
    per_line = max(1.0, (width / 12700 - 14) / size)  # 14 pt of insets
    lines = sum(max(1, math.ceil(_units(p, size) / per_line)) for p in paragraphs)
    return Pt(size * LINE_SPACING * lines + size * space_after * len(paragraphs))


def fit_size(paragraphs: list, width: int, height: int, size: float = 20, minimum: float = 14) -> float | None:
    """The largest font size (step 1 pt, ``size`` down to ``minimum``) at which the text fits, else None."""
    while size >= minimum:
        if text_height(paragraphs, width, size) <= height:
            return size
        size -= 1
    return None


def paginate(paragraphs: list, width: int, height: int, size: float) -> list[list]:
    """Split paragraphs into pages that each fit ``height`` at ``size`` pt."""
    pages: list[list[str]] = [[]]
    for p in paragraphs:
        if pages[-1] and text_height(pages[-1] + [p], width, size) > height:
            pages.append([])
        pages[-1].append(p)
    return pages


def add_fitted_picture(slide, image: Path, height: int) -> None:
    """``image`` centred under the title, as large as fits the body width and ``height``."""
    from PIL import Image

    with Image.open(image) as img:
        w, h = img.size
    scale = min(BODY_WIDTH / w, height / h)
    width_emu, height_emu = int(w * scale), int(h * scale)
    slide.shapes.add_picture(str(image), int((WIDTH - width_emu) / 2), BODY_TOP, Emu(width_emu), Emu(height_emu))


def set_font(run, size: float, *, bold: bool = False, color: RGBColor = INK) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = FONT
    run.font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):
        element = rpr.find(qn(tag))
        if element is None:
            element = rpr.makeelement(qn(tag), {})
            rpr.append(element)
        element.set("typeface", FONT)


def _text_box(slide, left, top, width, height, paragraphs: list[str | tuple[str, str]], size: float, *,
              bold: bool = False, color: RGBColor = INK, bullet: bool = False):
    """A wrapped text box; a paragraph may be (text, grey note) shown as one paragraph."""
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for side in ("left", "right"):
        setattr(frame, f"margin_{side}", Pt(7))
    for i, item in enumerate(paragraphs):
        text, note = (item, "") if isinstance(item, str) else item
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.line_spacing = Pt(size * LINE_SPACING)  # exact pitch: font metrics differ (Meiryo is tall)
        para.space_after = Pt(size * 0.4)
        set_font(para.add_run(), size, bold=bold, color=color)
        para.runs[0].text = ("・" if bullet else "") + text
        if note:
            run = para.add_run()
            set_font(run, note_size(size), color=GREY)
            run.text = note
    return box


class Deck:
    """A presentation with a title line, a footer and page numbers on every slide."""

    def __init__(self, footer: str) -> None:
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.layout = self.prs.slide_layouts[6]  # blank
        self.footer = footer

    def slide(self, title: str):
        slide = self.prs.slides.add_slide(self.layout)
        size = fit_size([title], BODY_WIDTH, TITLE_HEIGHT, 28, 18) or 18
        _text_box(slide, MARGIN, TITLE_TOP, BODY_WIDTH, TITLE_HEIGHT, [title], size, bold=True, color=ACCENT)
        line = slide.shapes.add_connector(1, MARGIN, TITLE_TOP + TITLE_HEIGHT, WIDTH - MARGIN, TITLE_TOP + TITLE_HEIGHT)
        line.line.color.rgb = ACCENT
        number = len(self.prs.slides)
        _text_box(slide, MARGIN, HEIGHT - Inches(0.45), BODY_WIDTH, Inches(0.35), [f"{self.footer}　{number}"], 10, color=GREY)
        return slide

    def text_slides(self, title: str, paragraphs: list[str | tuple[str, str]], *, size: float = 20, bullet: bool = True,
                    minimum: float = 16) -> None:
        mark = "・" if bullet else ""
        flat = [mark + p if isinstance(p, str) else (mark + p[0], p[1]) for p in paragraphs]
        chosen = fit_size(flat, BODY_WIDTH, BODY_HEIGHT, size, minimum) or minimum
        pages = paginate(flat, BODY_WIDTH, BODY_HEIGHT, chosen)
        start = 0
        for k, page in enumerate(pages):
            items = paragraphs[start: start + len(page)]
            start += len(page)
            slide = self.slide(title if k == 0 else f"{title}（続き）")
            _text_box(slide, MARGIN, BODY_TOP, BODY_WIDTH, BODY_HEIGHT, items, chosen, bullet=bullet)

    def picture_slide(self, title: str, image: Path, note: str = "") -> None:
        slide = self.slide(title)
        height = BODY_HEIGHT - (Inches(0.5) if note else 0)
        add_fitted_picture(slide, image, height)
        if note:
            _text_box(slide, MARGIN, BODY_TOP + height + Inches(0.05), BODY_WIDTH, Inches(0.45), [note], 12, color=GREY)

    def table_slide(self, title: str, tables: list[tuple[str, object]]) -> None:
        """Up to two tidy tables side by side as native tables (秘匿 in suppressed cells)."""
        slide = self.slide(title)
        gap = Inches(0.3)
        width = int((BODY_WIDTH - gap * (len(tables) - 1)) / len(tables))
        for k, (caption, df) in enumerate(tables):
            headers, rows, kinds = display_table(df)
            rows = rows[:MAX_TABLE_ROWS]
            left = MARGIN + k * (width + gap)
            _text_box(slide, left, BODY_TOP, width, Inches(0.45), [caption], 16, bold=True)
            height = Inches(0.36) * (len(rows) + 1)
            shape = slide.shapes.add_table(len(rows) + 1, len(headers), left, BODY_TOP + Inches(0.5), width, height)
            grid = shape.table
            widths = [max([text_units(headers[j])] + [text_units(format_cell(r[j], kinds[j])) for r in rows]) + 1.5
                      for j in range(len(headers))]
            for j, w in enumerate(widths):
                grid.columns[j].width = int(width * w / sum(widths))
            for j, header in enumerate(headers):
                _cell(grid.cell(0, j), header, 13, bold=True)
            for i, row in enumerate(rows, start=1):
                for j, (value, kind) in enumerate(zip(row, kinds)):
                    _cell(grid.cell(i, j), format_cell(value, kind), 13, right=kind in ("count", "share", "number") and not isinstance(value, str))

    def save(self, path: Path) -> None:
        self.prs.save(str(path))


def _cell(cell, text: str, size: float, *, bold: bool = False, right: bool = False) -> None:
    from pptx.enum.text import PP_ALIGN

    frame = cell.text_frame
    frame.paragraphs[0].text = ""
    run = frame.paragraphs[0].add_run()
    set_font(run, size, bold=bold, color=INK if text != SUPPRESSED_MARK else GREY)
    run.text = text
    frame.paragraphs[0].alignment = PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT
    cell.margin_top = cell.margin_bottom = Pt(2)


def section_findings(section: Section, data: ReportData) -> list:
    """The findings whose table belongs to the section (comparisons: compare_*, topics: topics)."""
    def belongs(table: str) -> bool:
        if section.key == "comparisons":
            return table.startswith("compare_")
        if section.key == "topics":
            return table == "topics"
        return table in section.tables
    return [f for f in data.findings if belongs(f.table)]


def _section_slide(deck: Deck, number: int, section: Section, data: ReportData, extra: list[str] | None = None) -> None:
    """Section title slide: its findings (the slide's summary), then what is missing and why."""
    findings = [(f.text, f"　出典：{source_title(f.table)}") for f in section_findings(section, data)]
    notes = list(extra or [])
    missing = data.missing(section)
    if missing:
        notes.append("今回の実行で作成されなかった表（この節では省略）：" + "、".join(f"{table_title(n)}（{n}）" for n in missing))
    slide = deck.slide(f"{number}. {section.title}")
    flat = [("・" + a, b) for a, b in findings] + notes
    size = fit_size(flat, BODY_WIDTH, BODY_HEIGHT, 20, 12) or 12
    if findings:
        _text_box(slide, MARGIN, BODY_TOP, BODY_WIDTH, BODY_HEIGHT, findings, size, bullet=True)
    if notes:
        top = BODY_TOP + text_height([("・" + a, b) for a, b in findings], BODY_WIDTH, size) if findings else BODY_TOP + Inches(0.3)
        _text_box(slide, MARGIN, top, BODY_WIDTH, BODY_TOP + BODY_HEIGHT - top, notes, min(size, 16), color=GREY)


def _title_slide(deck: Deck, data: ReportData) -> None:
    slide = deck.prs.slides.add_slide(deck.layout)
    _text_box(slide, MARGIN, Inches(2.2), BODY_WIDTH, Inches(1.2), ["相談ログ分析レポート"], 40, bold=True, color=ACCENT)
    facts = [f"{label}：{text}" for label, text in run_facts(data.run_info)]
    if data.run_info.get("synthetic_data"):
        facts.append("合成データ（デモ）による結果です。実際の相談の傾向を示すものではありません。")
    size = fit_size(facts, BODY_WIDTH, Inches(3.0), 20, 12) or 12
    _text_box(slide, MARGIN, Inches(3.6), BODY_WIDTH, Inches(3.0), facts, size, color=GREY)


def write_pptx(path: Path, data: ReportData) -> Path:
    """Write report.pptx: title, 主な所見, then one section per :data:`SECTIONS` entry.

    Args:
        path: the .pptx file to write.
        data: the run's tables, findings, charts, comparisons, topics and masked quotes.

    Returns:
        ``path``.
    """
    deck = Deck("相談ログ分析（soudan）" + ("　合成データ" if data.run_info.get("synthetic_data") else ""))
    _title_slide(deck, data)
    number = 0
    for section in SECTIONS:
        number += 1
        if section.key == "findings":
            findings = [(f.text, f"　出典：{source_title(f.table)}") for f in key_findings(data.findings)]
            deck.text_slides(f"{number}. {section.title}", findings or ["所見を計算できる表がありませんでした。"], size=20, minimum=14)
            continue
        if section.key in ("time", "attributes", "themes", "ideation"):
            _section_slide(deck, number, section, data)
            if section.key == "attributes":
                small = [(table_title(n), data.tables[n]) for n in ("by_age_band", "by_gender") if n in data.tables and not data.tables[n].empty]
                if small:
                    deck.table_slide("年代別・性別の件数（表）", small)
            for name in data.present(section):
                if name in data.charts:
                    deck.picture_slide(table_title(name), data.charts[name], chart_note(data.tables.get(name)))
        elif section.key == "comparisons":
            if not data.comparisons:
                _section_slide(deck, number, section, data, ["比較は今回の実行では指定されていません（--compare-region など）。"])
                continue
            _section_slide(deck, number, section, data)
            for name, df in data.comparisons.items():
                for chart in (f"compare_{name}", f"compare_{name}_items"):
                    if chart in data.charts:
                        deck.picture_slide(comparison_title(name), data.charts[chart], chart_note(df))
        elif section.key == "topics":
            if "topics" in data.charts:
                deck.picture_slide(f"{number}. {section.title}", data.charts["topics"])
                deck.table_slide("主なトピック（表）", [("件数上位10（抜粋は report.html / report.xlsx）", topic_summary(data.topics))])
            else:
                _section_slide(deck, number, section, data, ["トピック分析は今回の実行では行われていません。"])
        elif section.key == "quotes":
            items = [f"【{theme_label(theme)}】{quote}" for theme, quotes in data.quotes.items() for quote in quotes]
            if items:
                deck.text_slides(f"{number}. {section.title}", items, size=18)
            else:
                _section_slide(deck, number, section, data, ["掲載できる匿名化済みの相談内容の例はありません。"])
        elif section.key == "method":
            if data.explore is not None:
                from nlp.report.explore_blocks import pptx_slides

                pptx_slides(deck, number, data.explore)
                number += 1
            deck.text_slides(f"{number}. {section.title}", method_notes(data), size=18)
    deck.save(path)
    return path


def topic_summary(topics, limit: int = 10):
    """The largest topics with label, main themes, size, ideation share and new-topic flag."""
    columns = [c for c in ("label", "main_themes", "size", "ideation_share", "new_topic") if c in topics.columns]
    ranked = topics.assign(_n=topics["size"]).sort_values("_n", ascending=False) if "size" in topics else topics
    return ranked[columns].head(limit).reset_index(drop=True)


def chart_note(df) -> str:
    """The legend line under a chart: only the marks the table actually has."""
    notes = []
    if df is not None and "suppressed" in df and df["suppressed"].fillna(False).astype(bool).any():
        notes.append("「秘匿」（灰色・空欄）は最小セル数未満のため非表示")
    if df is not None and "reference" in df and df["reference"].fillna(False).astype(bool).any():
        notes.append("※は参考値（母数30件以下）")
    return "。".join(notes) + ("。" if notes else "")


def method_notes(data: ReportData) -> list[str]:
    """Notes on method and suppression, shared by the pptx and html."""
    facts = [f"{label}：{text}" for label, text in run_facts(data.run_info)]
    return facts + [
        "テーマはキーワード辞書（taxonomy）で判定し、1件の相談に複数のテーマが付くことがあります。",
        "自殺念慮はキーワードと文脈の規則で推定したもので、カウンセラーの判断に代わるものではありません。",
        SUPPRESSED_NOTE, REFERENCE_NOTE,
        "引用は固有名詞・連絡先などを伏せ字にした上で、各テーマ数件に限って掲載しています。",
        "詳細な実行パラメータとバージョンは report.xlsx の README シートと run.json にあります。",
    ]
