"""survey_report.pptx (16:9 slides) and survey_report.html (one self-contained page).

Order in both: title, 主な所見, 回答者の属性, each open question (theme chart, theme × attribute
heat map, masked quotes), 孤独感 (with the benchmark when given), 選択式の設問, 方法と秘匿処理.
Text boxes are filled by an estimate of Japanese line breaks; what does not fit goes to a
continuation slide （続き）.
"""

from __future__ import annotations

import base64
import math
import unicodedata
from pathlib import Path

import jinja2
import pandas as pd
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from nlp.labels import REFERENCE_NOTE, SUPPRESSED_MARK, SUPPRESSED_NOTE
from nlp.report.document import Finding, format_cell
from nlp.report_pptx import ACCENT, GREY, INK, add_fitted_picture, set_font
from nlp.loneliness import ALL
from nlp.survey_charts import short_label, short_question
from nlp.survey_report import (
    REPORT_TITLE, SYNTHETIC_NOTE, display, run_facts, table_description, table_order, table_title,
)

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN, BODY_TOP, BODY_HEIGHT = Inches(0.5), Inches(1.25), Inches(5.6)
BODY_WIDTH = WIDTH - 2 * MARGIN
MAX_TABLE_ROWS = 13
QUOTE_THEMES = 5  # themes with quotes shown per open question (highest shares first)


def method_notes(run_info: dict) -> list[str]:
    return [f"{label}：{text}" for label, text in run_facts(run_info)] + [
        "自由記述は、相談ログと同じテーマ辞書に住民アンケート用のテーマ（居場所、交流・つながり、情報が届かない など）を加えたキーワード辞書で分類しています。1件の回答に複数のテーマが付くことがあります。",
        "テーマの割合の分母は「記述あり」の回答数です（「特になし」や無回答は含みません）。",
        SUPPRESSED_NOTE, REFERENCE_NOTE,
        "回答の例は、氏名・電話番号・メールアドレス・地名・年齢・地区名などを含む回答や念慮に触れた回答を除いたうえで伏せ字処理をし、属性を添える場合はその属性の回答者が最小セル数以上いるときに限っています。",
        "詳細な実行パラメータとバージョンは survey_report.xlsx の README シートと run.json にあります。",
    ]


def _units(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.55 for ch in text)


def _lines(paragraphs: list[str], width: int, size: float) -> int:
    per_line = max(1.0, (width / 12700 - 14) / size)
    return sum(max(1, math.ceil(_units(p) / per_line)) for p in paragraphs)


def _fits(paragraphs: list[str], width: int, height: int, size: float) -> bool:
    """Whether the paragraphs fit, with 15 % to spare (LibreOffice and PowerPoint break lines differently)."""
    return Pt(size * 1.3 * _lines(paragraphs, width, size) + size * 0.4 * len(paragraphs)) <= 0.85 * height


class SurveyDeck:
    """Blank 16:9 slides with a title line, a footer and page numbers."""

    def __init__(self, footer: str) -> None:
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.layout = self.prs.slide_layouts[6]
        self.footer = footer

    def slide(self, title: str):
        slide = self.prs.slides.add_slide(self.layout)
        size = next((s for s in (26, 22, 18) if _fits([title], BODY_WIDTH, Inches(0.8), s)), 16)
        self.text(slide, MARGIN, Inches(0.3), BODY_WIDTH, Inches(0.8), [title], size, bold=True, color=ACCENT)
        line = slide.shapes.add_connector(1, MARGIN, Inches(1.1), WIDTH - MARGIN, Inches(1.1))
        line.line.color.rgb = ACCENT
        self.text(slide, MARGIN, HEIGHT - Inches(0.45), BODY_WIDTH, Inches(0.35),
                  [f"{self.footer}　{len(self.prs.slides)}"], 10, color=GREY)
        return slide

    @staticmethod
    def text(slide, left, top, width, height, paragraphs: list[str], size: float, *, bold: bool = False,
             color: RGBColor = INK) -> None:
        frame = slide.shapes.add_textbox(left, top, width, height).text_frame
        frame.word_wrap = True
        for i, paragraph in enumerate(paragraphs):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            para.line_spacing = 1.25
            para.space_after = Pt(size * 0.4)
            run = para.add_run()
            run.text = paragraph
            set_font(run, size, bold=bold, color=color)

    def text_slides(self, title: str, paragraphs: list[str], size: float = 18) -> None:
        size = next((s for s in range(int(size), 13, -1) if _fits(paragraphs, BODY_WIDTH, BODY_HEIGHT, s)), 14)
        pages: list[list[str]] = [[]]
        for p in paragraphs:
            if pages[-1] and not _fits(pages[-1] + [p], BODY_WIDTH, BODY_HEIGHT, size):
                pages.append([])
            pages[-1].append(p)
        for k, page in enumerate(pages):
            slide = self.slide(title if k == 0 else f"{title}（続き）")
            self.text(slide, MARGIN, BODY_TOP, BODY_WIDTH, BODY_HEIGHT, page, size)

    def picture_slide(self, title: str, image: Path, note: str = "") -> None:
        slide = self.slide(title)
        height = BODY_HEIGHT - (Inches(0.5) if note else 0)
        add_fitted_picture(slide, image, height)
        if note:
            self.text(slide, MARGIN, BODY_TOP + height + Inches(0.05), BODY_WIDTH, Inches(0.45), [note], 12, color=GREY)

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

    def table_slide(self, title: str, tables: list[tuple[str, pd.DataFrame]], note: str = "") -> None:
        """Up to three tables side by side (秘匿 in suppressed cells, 注記 column)."""
        slide = self.slide(title)
        gap = Inches(0.3)
        width = int((BODY_WIDTH - gap * (len(tables) - 1)) / len(tables))
        for k, (caption, df) in enumerate(tables):
            df = df.assign(**{c: df[c].map(short_label) for c in ("role", "district") if c in df})
            headers, rows, kinds = display(df)
            rows = rows[:MAX_TABLE_ROWS]
            left = MARGIN + k * (width + gap)
            self.text(slide, left, BODY_TOP, width, Inches(0.4), [caption], 15, bold=True)
            shape = slide.shapes.add_table(len(rows) + 1, len(headers), left, BODY_TOP + Inches(0.5), width,
                                           Inches(0.33) * (len(rows) + 1))
            size = 12 if len(headers) <= 5 else 10
            for j, header in enumerate(headers):
                _cell(shape.table.cell(0, j), header, size, bold=True)
            for i, row in enumerate(rows, 1):
                for j, (value, kind) in enumerate(zip(row, kinds)):
                    _cell(shape.table.cell(i, j), format_cell(value, kind), size)
        if note:
            self.text(slide, MARGIN, HEIGHT - Inches(0.95), BODY_WIDTH, Inches(0.4), [note], 11, color=GREY)

    def save(self, path: Path) -> None:
        self.prs.save(str(path))


def _cell(cell, text: str, size: float, *, bold: bool = False) -> None:
    frame = cell.text_frame
    frame.paragraphs[0].text = ""
    run = frame.paragraphs[0].add_run()
    run.text = text
    set_font(run, size, bold=bold, color=GREY if text == SUPPRESSED_MARK else INK)
    cell.margin_top = cell.margin_bottom = Pt(2)


def quote_lines(quotes: pd.DataFrame, themes: pd.DataFrame | None, question: str) -> list[str]:
    """「quote」（attribute） lines of one question, grouped under its most frequent themes."""
    rows = quotes[quotes["question"] == question]
    if rows.empty:
        return []
    order = list(rows["theme"].drop_duplicates())
    if themes is not None:
        shares = themes[themes["question"] == question].set_index("theme")["share"]
        order.sort(key=lambda t: -(shares.get(t) if pd.notna(shares.get(t)) else 0))
    lines = []
    for theme in order[:QUOTE_THEMES]:
        group = rows[rows["theme"] == theme]
        lines.append(f"【{group['theme_label'].iloc[0]}】")
        lines += [f"　「{r.quote}」（{r.attribute}）" for r in group.itertuples()]
    return lines


def _overall(df: pd.DataFrame | None) -> pd.DataFrame | None:
    if df is None:
        return None
    return df[(df["gender"] == ALL) & (df["age_band"] == ALL)].drop(columns=["gender", "age_band"])


def write_pptx(path: Path, tables: dict[str, pd.DataFrame], quotes: pd.DataFrame, found: list[Finding],
               run_info: dict, charts: dict[str, Path], explore=None) -> Path:
    """Write survey_report.pptx."""
    synthetic = bool(run_info.get("synthetic_data"))
    deck = SurveyDeck("住民アンケート分析（soudan）" + ("　合成データ" if synthetic else ""))
    slide = deck.prs.slides.add_slide(deck.layout)
    deck.text(slide, MARGIN, Inches(2.0), BODY_WIDTH, Inches(1.2), [REPORT_TITLE], 40, bold=True, color=ACCENT)
    facts = [f"{label}：{text}" for label, text in run_facts(run_info)] + ([SYNTHETIC_NOTE] if synthetic else [])
    deck.text(slide, MARGIN, Inches(3.4), BODY_WIDTH, Inches(3.2), facts, 18, color=GREY)
    deck.text_slides("1. 主な所見", [f"・{f.text}" for f in found] or ["所見を計算できる表がありませんでした。"])
    small = [(table_title(n), tables[n]) for n in ("survey_respondents_by_age_band", "survey_respondents_by_gender",
                                                   "survey_respondents_by_role") if n in tables]
    if small:
        deck.table_slide("2. 回答者の属性", small, "割合は全回答者に占める割合。")
    themes = tables.get("survey_open_themes")
    number = 3
    for q in (q for q in run_info.get("questions", []) if q["kind"] == "open"):
        title = f"{number}. 自由記述：{short_question(q['label'], 40)}"
        if f"survey_themes_{q['key']}" in charts:
            deck.picture_slide(title, charts[f"survey_themes_{q['key']}"], f"設問：{q['label']}")
        for column in ("role", "age_band", "district"):
            if f"survey_themes_by_{column}_{q['key']}" in charts:
                deck.picture_slide(f"{title}（属性別）", charts[f"survey_themes_by_{column}_{q['key']}"],
                                   "秘匿＝最小セル数未満のため非表示。※＝参考値（母数30人以下）。")
        lines = quote_lines(quotes, themes, q["label"])
        if lines:
            deck.text_slides(f"{title}（回答の例・匿名化済み）", lines, size=16)
        number += 1
    direct, ucla = tables.get("survey_loneliness_direct"), tables.get("survey_ucla_score")
    if direct is not None or ucla is not None:
        title = f"{number}. 孤独感"
        for name, caption in (("survey_loneliness_direct", "直接質問"), ("survey_loneliness_by_age", "年代別"),
                              ("survey_ucla_score", "UCLA孤独感尺度")):
            if name in charts:
                note = f"比較対象：{run_info['benchmark']}" if run_info.get("benchmark") else ""
                deck.picture_slide(f"{title}（{caption}）", charts[name], note)
        side = [(table_title(n), _overall(tables[n])) for n in ("survey_loneliness_direct_benchmark", "survey_ucla_score_benchmark")
                if n in tables and not _overall(tables[n]).empty]
        note = "差＝本調査−比較対象（ポイント）。秘匿のセルは差を示しません。"
        if side:
            deck.table_slide(f"{title}（比較対象との比較・全体）", side, note)
        bench = tables.get("survey_loneliness_direct_benchmark")
        if bench is not None:
            by_age = bench[(bench["gender"] == ALL) & (bench["age_band"] != ALL)].drop(columns="gender")
            for k in range(0, len(by_age), MAX_TABLE_ROWS):
                deck.table_slide(f"{title}（比較対象との比較・年代別）" + ("" if k == 0 else "（続き）"),
                                 [("孤独感（直接質問）", by_age.iloc[k:k + MAX_TABLE_ROWS])], note)
        number += 1
    choice_charts = [charts[c] for c in charts if c.startswith("survey_choice_")]
    for k in range(0, len(choice_charts), 2):
        deck.pictures_slide(f"{number}. 選択式の設問" + ("" if k == 0 else "（続き）"), choice_charts[k:k + 2])
    if choice_charts:
        number += 1
    if explore is not None:
        from nlp.report.explore_blocks import pptx_slides

        pptx_slides(deck, number, explore)
        number += 1
    deck.text_slides(f"{number}. 方法と秘匿処理について", method_notes(run_info), size=16)
    deck.save(path)
    return path


TEMPLATE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body{font-family:"Meiryo UI","Meiryo","Yu Gothic","Hiragino Sans","IPAexGothic",sans-serif;color:#222;max-width:1100px;margin:0 auto;padding:24px;line-height:1.7}
h1{color:#0072B2;border-bottom:3px solid #0072B2}h2{color:#0072B2;border-bottom:1px solid #0072B2;margin-top:2em}
img{max-width:100%;height:auto;border:1px solid #eee}table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}
th,td{border:1px solid #ccc;padding:3px 8px}th{background:#DCE9F5}td.num{text-align:right}
td.masked{color:#777;background:#EEE;text-align:right}td.ref{color:#B35900}.note{color:#555;font-size:13px}
.banner{background:#FFF4E0;border-left:4px solid #E69F00;padding:6px 12px}.scroll{overflow-x:auto}
blockquote{border-left:4px solid #56B4E9;margin:6px 0;padding:2px 12px;background:#F5FAFD}.who{color:#555;font-size:13px}
</style></head><body>
<h1>{{ title }}</h1>
<ul>{% for label, text in facts %}<li>{{ label }}：{{ text }}</li>{% endfor %}</ul>
{% if synthetic %}<p class="banner">{{ synthetic }}</p>{% endif %}
{% for s in sections %}<section><h2>{{ loop.index }}. {{ s.title }}</h2>
{% for p in s.paragraphs %}<p>{{ p }}</p>{% endfor %}
{% if s.findings %}<ol>{% for f in s.findings %}<li>{{ f }}</li>{% endfor %}</ol>{% endif %}
{% for b in s.blocks %}{% if b.title %}<h3>{{ b.title }}</h3>{% endif %}
{% if b.description %}<p class="note">{{ b.description }}</p>{% endif %}
{% for img in b.images %}<img src="data:image/png;base64,{{ img }}" alt="{{ b.title }}">{% endfor %}
{% for q in b.quotes %}<h4>{{ q.theme }}</h4>{% for r in q.rows %}<blockquote>{{ r.quote }} <span class="who">（{{ r.attribute }}）</span></blockquote>{% endfor %}{% endfor %}
{% if b.table %}<details><summary>表を開く（{{ b.table.rows|length }}行）</summary><div class="scroll"><table>
<thead><tr>{% for h in b.table.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in b.table.rows %}<tr>{% for c in row %}<td class="{{ c.cls }}">{{ c.text }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table></div></details>{% endif %}{% endfor %}</section>{% endfor %}
</body></html>"""


def _html_table(df: pd.DataFrame) -> dict:
    headers, rows, kinds = display(df)
    out = []
    for row in rows:
        cells = []
        for value, kind in zip(row, kinds):
            text = format_cell(value, kind)
            cls = "masked" if text == SUPPRESSED_MARK else "ref" if kind == "note" and text else "num" if kind != "text" else ""
            cells.append({"text": text, "cls": cls})
        out.append(cells)
    return {"headers": headers, "rows": out}


def _image(path: Path | None) -> list[str]:
    return [base64.b64encode(Path(path).read_bytes()).decode("ascii")] if path and Path(path).exists() else []


def write_html(path: Path, tables: dict[str, pd.DataFrame], quotes: pd.DataFrame, found: list[Finding],
               run_info: dict, charts: dict[str, Path], explore=None) -> Path:
    """Write survey_report.html (charts inlined, no external files or scripts)."""

    def block(name: str, images: list[str] | None = None, title: str | None = None) -> dict:
        return {"title": title or table_title(name), "description": table_description(name), "images": images or [],
                "table": _html_table(tables[name]) if name in tables else None, "quotes": []}

    sections = [{"title": "主な所見", "findings": [f.text for f in found], "paragraphs": [], "blocks": []},
                {"title": "回答者の属性", "findings": [], "paragraphs": [],
                 "blocks": [block(n) for n in table_order(tables) if n.startswith("survey_respondents_by_")]}]
    themes = tables.get("survey_open_themes")
    for q in (q for q in run_info.get("questions", []) if q["kind"] == "open"):
        images = _image(charts.get(f"survey_themes_{q['key']}"))
        images += [s for c in ("role", "age_band", "district") for s in _image(charts.get(f"survey_themes_by_{c}_{q['key']}"))]
        rows = quotes[quotes["question"] == q["label"]]
        grouped = [{"theme": t, "rows": g.to_dict("records")} for t, g in rows.groupby("theme_label", sort=False)]
        if themes is not None:
            part = themes[themes["question"] == q["label"]]
            main = {"title": "", "description": table_description("survey_open_themes"), "images": images,
                    "table": _html_table(part), "quotes": []}
        else:
            main = {"title": "", "description": "", "images": images, "table": None, "quotes": []}
        quote_block = {"title": "回答の例（匿名化済み）", "description": "", "images": [], "table": None, "quotes": grouped}
        sections.append({"title": f"自由記述：{q['label']}", "findings": [], "paragraphs": [], "blocks": [main, quote_block]})
    lonely = [block(n, _image(charts.get(c))) for n, c in (
        ("survey_loneliness_direct", "survey_loneliness_direct"), ("survey_loneliness_direct_benchmark", "survey_loneliness_by_age"),
        ("survey_ucla_score", "survey_ucla_score"), ("survey_ucla_score_benchmark", None)) if n in tables]
    if lonely:
        sections.append({"title": "孤独感", "findings": [], "blocks": lonely,
                         "paragraphs": [f"比較対象：{run_info['benchmark']}"] if run_info.get("benchmark") else []})
    if "survey_choice" in tables:
        images = [s for c in charts if c.startswith("survey_choice_") for s in _image(charts[c])]
        sections.append({"title": "選択式の設問", "findings": [], "paragraphs": [],
                         "blocks": [block("survey_choice", images)] + [block(n) for n in table_order(tables)
                                                                      if n.startswith("survey_choice_by_")]})
    if explore is not None:
        from nlp.report.explore_blocks import survey_html_section

        sections.append(survey_html_section(explore))
    sections.append({"title": "方法と秘匿処理について", "findings": [], "paragraphs": method_notes(run_info), "blocks": []})
    html = jinja2.Environment(autoescape=True).from_string(TEMPLATE).render(
        title=REPORT_TITLE, facts=run_facts(run_info), sections=sections,
        synthetic=SYNTHETIC_NOTE if run_info.get("synthetic_data") else "")
    Path(path).write_text(html, encoding="utf-8")
    return path
