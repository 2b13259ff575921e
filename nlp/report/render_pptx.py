"""Render a :class:`~nlp.report.document.Report` as 16:9 slides, Japanese text measured to fit.

A title slide, then per section (see :class:`~nlp.report.document.Section`): its title slide
or findings slides, text slides of its notes, native table slides and one slide per chart.
Text boxes are filled by an estimate of Japanese line breaks (:mod:`nlp.report.slide_text`);
what does not fit first gets a smaller font, then goes to a continuation slide （続き）.
"""

from __future__ import annotations

from pathlib import Path

from pptx import Presentation
from pptx.util import Emu, Inches, Pt

from nlp.report.document import NUMERIC_KINDS, SUPPRESSED_MARK, Chart, Notes, Report, Section, Table
from nlp.report.slide_text import (
    ACCENT, BODY_HEIGHT, BODY_TOP, BODY_WIDTH, GREY, HEIGHT, INK, MARGIN, TITLE_HEIGHT, TITLE_TOP, WIDTH,
    add_fitted_picture, fit_size, paginate, set_font, text_box, text_height, text_units,
)

MAX_TABLE_ROWS = 13


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
        text_box(slide, MARGIN, TITLE_TOP, BODY_WIDTH, TITLE_HEIGHT, [title], size, bold=True, color=ACCENT)
        line = slide.shapes.add_connector(1, MARGIN, TITLE_TOP + TITLE_HEIGHT, WIDTH - MARGIN, TITLE_TOP + TITLE_HEIGHT)
        line.line.color.rgb = ACCENT
        number = len(self.prs.slides)
        text_box(slide, MARGIN, HEIGHT - Inches(0.45), BODY_WIDTH, Inches(0.35), [f"{self.footer}　{number}"], 10, color=GREY)
        return slide

    def title_page(self, title: str, facts: list[str]) -> None:
        slide = self.prs.slides.add_slide(self.layout)
        text_box(slide, MARGIN, Inches(2.2), BODY_WIDTH, Inches(1.2), [title], 40, bold=True, color=ACCENT)
        size = fit_size(facts, BODY_WIDTH, Inches(3.0), 20, 12) or 12
        text_box(slide, MARGIN, Inches(3.6), BODY_WIDTH, Inches(3.0), facts, size, color=GREY)

    def text_slides(self, title: str, paragraphs: list, *, size: float = 20, bullet: bool = True,
                    minimum: float = 16) -> None:
        mark = "・" if bullet else ""
        flat = [mark + p if isinstance(p, str) else (mark + p[0], p[1]) for p in paragraphs]
        chosen = fit_size(flat, BODY_WIDTH, BODY_HEIGHT, size, minimum) or minimum
        start = 0
        for k, page in enumerate(paginate(flat, BODY_WIDTH, BODY_HEIGHT, chosen)):
            items = paragraphs[start: start + len(page)]
            start += len(page)
            slide = self.slide(title if k == 0 else f"{title}（続き）")
            text_box(slide, MARGIN, BODY_TOP, BODY_WIDTH, BODY_HEIGHT, items, chosen, bullet=bullet)

    def section_slide(self, title: str, findings: list[tuple[str, str]], notes: list[str]) -> None:
        """A section's title slide: its findings (the slide's summary), then grey notes."""
        slide = self.slide(title)
        flat = [("・" + a, b) for a, b in findings] + notes
        size = fit_size(flat, BODY_WIDTH, BODY_HEIGHT, 20, 12) or 12
        if findings:
            text_box(slide, MARGIN, BODY_TOP, BODY_WIDTH, BODY_HEIGHT, findings, size, bullet=True)
        if notes:
            top = BODY_TOP + text_height([("・" + a, b) for a, b in findings], BODY_WIDTH, size) if findings else BODY_TOP + Inches(0.3)
            text_box(slide, MARGIN, top, BODY_WIDTH, BODY_TOP + BODY_HEIGHT - top, notes, min(size, 16), color=GREY)

    def picture_slide(self, title: str, image: Path, note: str = "") -> None:
        slide = self.slide(title)
        height = BODY_HEIGHT - (Inches(0.5) if note else 0)
        add_fitted_picture(slide, image, height)
        if note:
            text_box(slide, MARGIN, BODY_TOP + height + Inches(0.05), BODY_WIDTH, Inches(0.45), [note], 12, color=GREY)

    def pictures_slide(self, title: str, images: list[Path]) -> None:
        """Two charts side by side (or one centred)."""
        from PIL import Image

        slide = self.slide(title)
        gap = Inches(0.3)
        width = int((BODY_WIDTH - gap * (len(images) - 1)) / len(images))
        for k, image in enumerate(images):
            with Image.open(image) as img:
                w, h = img.size
            scale = min(width / w, BODY_HEIGHT / h)
            slide.shapes.add_picture(str(image), int(MARGIN + k * (width + gap) + (width - w * scale) / 2), BODY_TOP,
                                     Emu(int(w * scale)), Emu(int(h * scale)))

    def table_slide(self, title: str, tables: list[Table]) -> None:
        """Tables side by side as native tables (秘匿 in suppressed cells), the first one's note below."""
        slide = self.slide(title)
        gap = Inches(0.3)
        width = int((BODY_WIDTH - gap * (len(tables) - 1)) / len(tables))
        for k, table in enumerate(tables):
            rows = table.cells()[: table.max_rows or MAX_TABLE_ROWS]
            left = MARGIN + k * (width + gap)
            text_box(slide, left, BODY_TOP, width, Inches(0.45), [table.caption or table.title], 16, bold=True)
            shape = slide.shapes.add_table(len(rows) + 1, len(table.headers), left, BODY_TOP + Inches(0.5), width,
                                           Inches(0.36) * (len(rows) + 1))
            grid = shape.table
            widths = [max([text_units(table.headers[j])] + [text_units(r[j]) for r in rows]) + 1.5
                      for j in range(len(table.headers))]
            for j, w in enumerate(widths):
                grid.columns[j].width = int(width * w / sum(widths))
            size = 13 if len(table.headers) <= 5 else 11
            for j, header in enumerate(table.headers):
                _cell(grid.cell(0, j), header, size, bold=True)
            for i, row in enumerate(rows, start=1):
                for j, (text, kind) in enumerate(zip(row, table.kinds)):
                    _cell(grid.cell(i, j), text, size, right=kind in NUMERIC_KINDS and text != SUPPRESSED_MARK)
        if tables and tables[0].note:
            text_box(slide, MARGIN, HEIGHT - Inches(0.95), BODY_WIDTH, Inches(0.4), [tables[0].note], 11, color=GREY)

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


def _cited(findings) -> list:
    return [(f.text, f"　出典：{f.source}") if f.source else f.text for f in findings]


def _section(deck: Deck, number: int, section: Section) -> None:
    head = section.slide_head or f"{number}. {section.title}"
    blocks = list(section.blocks)
    if section.slides == "findings":
        big, small = section.size
        if section.intro:
            deck.text_slides(head, _cited(section.intro), size=big, minimum=small)
        else:
            deck.text_slides(head, ["所見を計算できる表がありませんでした。"], size=big, minimum=small, bullet=False)
    elif section.slides == "title":
        notes = [line for b in blocks if isinstance(b, Notes) and b.on_slide and b.style == "note" for line in b.lines]
        deck.section_slide(head, [(f.text, f"　出典：{f.source}") for f in section.intro], notes)
        blocks = [b for b in blocks if not (isinstance(b, Notes) and b.style == "note")]
    pending: list[Table] = []
    pairs: list[Chart] = []

    def flush() -> None:
        if pending:
            deck.table_slide(pending[0].slide_title, list(pending))
            pending.clear()
        for k in range(0, len(pairs), 2):
            deck.pictures_slide(pairs[0].slide_title + ("" if k == 0 else "（続き）"), [c.path for c in pairs[k:k + 2]])
        pairs.clear()

    for block in blocks:
        if isinstance(block, Table) and block.slide_title:
            if pending and (block.new_slide or block.slide_title != pending[0].slide_title):
                flush()
            pending.append(block)
            continue
        charts = block.charts if isinstance(block, Table) else (block,) if isinstance(block, Chart) else ()
        if charts or isinstance(block, Notes):
            flush()
        if isinstance(block, Notes) and block.on_slide:
            deck.text_slides(block.slide_title or head, list(block.lines), size=block.size, bullet=block.bullet,
                             minimum=block.size - 2)
        for chart in charts:
            if chart.on_slide and chart.pair:
                pairs.append(chart)
            elif chart.on_slide and Path(chart.path).exists():
                deck.picture_slide(chart.slide_title or chart.title, chart.path, chart.note)
    flush()


def render_pptx(report: Report, path: Path) -> Path:
    """Write the slides to ``path`` and return it."""
    deck = Deck(report.footer)
    facts = [f"{label}：{text}" for label, text in report.facts] + ([report.synthetic_note] if report.synthetic_note else [])
    deck.title_page(report.title, facts)
    for number, section in enumerate(report.sections, 1):
        _section(deck, number, section)
    deck.save(path)
    return path
