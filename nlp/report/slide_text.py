"""Japanese text on slides: widths in ems, line breaks estimated, font sizes chosen to fit.

A full-width character is one em, a half-width one about half; a box that would overflow first
gets a smaller font (:func:`fit_size`), then the rest goes to a continuation page (:func:`paginate`).
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

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


def text_box(slide, left, top, width, height, paragraphs: list[str | tuple[str, str]], size: float, *,
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
