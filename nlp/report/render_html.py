"""Render a :class:`~nlp.report.document.Report` as one self-contained html page.

Charts are inlined as data URIs (no external files or scripts). One template for every report:
facts, a table of contents when the report asks for one, then each section's blocks in order:
notes as paragraphs, findings as a numbered list citing their table, quotes under their
headings, tables under their charts (short tables open, long ones folded).
"""

from __future__ import annotations

import base64
from pathlib import Path

import jinja2

from nlp.report.document import Chart, Finding, Notes, Quotes, Report, Section, Table, cell_class, format_cell

OPEN_ROWS = 12  # a table this short is shown open

TEMPLATE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body{font-family:"Meiryo UI","Meiryo","Yu Gothic","Hiragino Sans","IPAexGothic","Noto Sans CJK JP",sans-serif;
 color:#222;max-width:1100px;margin:0 auto;padding:24px;line-height:1.7}
h1{color:#0072B2;border-bottom:3px solid #0072B2;padding-bottom:4px}
h2{color:#0072B2;border-bottom:1px solid #0072B2;margin-top:2.2em}
h3{margin-top:1.6em}
nav ol{columns:2}
img{max-width:100%;height:auto;border:1px solid #eee}
table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}
th,td{border:1px solid #ccc;padding:3px 8px}
td:first-child,th:first-child{white-space:nowrap}
.scroll{overflow-x:auto}
th{background:#DCE9F5;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.masked{color:#777;background:#EEE;text-align:right}
td.ref,span.ref{color:#B35900}
.note{color:#555;font-size:13px}
.who{color:#555;font-size:13px}
.banner{background:#FFF4E0;border-left:4px solid #E69F00;padding:6px 12px}
.source{color:#777;font-size:12px}
blockquote{border-left:4px solid #56B4E9;margin:6px 0;padding:2px 12px;background:#F5FAFD}
details summary{cursor:pointer;color:#0072B2}
.block{break-inside:avoid}
@media print{h2{break-before:page}th{position:static}h3{break-after:avoid}}
</style></head><body>
<h1>{{ title }}</h1>
<ul>{% for label, text in facts %}<li>{{ label }}：{{ text }}</li>{% endfor %}</ul>
{% if synthetic %}<p class="banner">{{ synthetic }}</p>{% endif %}
{% if toc %}<nav><h2 style="margin-top:1em">目次</h2><ol>{% for s in sections %}<li><a href="#{{ s.key }}">{{ s.title }}</a></li>{% endfor %}</ol></nav>{% endif %}
{% for s in sections %}
<section id="{{ s.key }}"><h2>{{ loop.index }}. {{ s.title }}</h2>
{% for b in s.blocks %}{% if b.type == "notes" %}{% for line in b.lines %}<p class="{{ b.cls }}">{{ line }}</p>{% endfor %}
{% elif b.type == "findings" %}<ol>{% for f in b.findings %}<li>{{ f.text }}{% if f.source %} <a class="source" href="#t-{{ f.table }}">出典：{{ f.source }}</a>{% endif %}</li>{% endfor %}</ol>
{% elif b.type == "quotes" %}{% if b.title %}<h3>{{ b.title }}</h3>{% endif %}{% for g in b.groups %}<{{ b.level }}>{{ g.heading }}</{{ b.level }}>{% for q in g.quotes %}<blockquote>{{ q.text }}{% if q.who %} <span class="who">（{{ q.who }}）</span>{% endif %}</blockquote>{% endfor %}{% endfor %}
{% else %}<div class="block">{% if b.title %}<h3 id="t-{{ b.name }}">{{ b.title }}</h3>{% endif %}
{% if b.description %}<p class="note">{{ b.description }}</p>{% endif %}
{% for img in b.images %}<img src="data:image/png;base64,{{ img }}" alt="{{ b.title }}">{% endfor %}</div>
{% if b.table %}<details{% if b.open %} open{% endif %}><summary>表を{% if b.open %}閉じる / 開く{% else %}開く{% endif %}（{{ b.table.rows|length }}行）</summary>
<div class="scroll"><table><thead><tr>{% for h in b.table.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in b.table.rows %}<tr>{% for c in row %}<td class="{{ c.cls }}">{{ c.text }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table></div></details>{% endif %}
{% endif %}{% endfor %}</section>
{% endfor %}
{% if footer %}<p class="note">{{ footer }}</p>{% endif %}
</body></html>
"""


def _image(path: Path | None) -> list[str]:
    return [base64.b64encode(Path(path).read_bytes()).decode("ascii")] if path and Path(path).exists() else []


def _table(table: Table) -> dict:
    rows = [[{"text": format_cell(v, k), "cls": cell_class(v, k)} for v, k in zip(row, table.kinds)] for row in table.rows]
    return {"headers": list(table.headers), "rows": rows}


def _items(section: Section) -> list[dict]:
    items: list[dict] = []
    for block in section.blocks:
        if isinstance(block, Notes) and block.on_page:
            items.append({"type": "notes", "lines": list(block.lines), "cls": "" if block.style == "text" else "note"})
        elif isinstance(block, Finding):
            if items and items[-1]["type"] == "findings":
                items[-1]["findings"].append(block)
            else:
                items.append({"type": "findings", "findings": [block]})
        elif isinstance(block, Quotes):
            groups = [{"heading": heading, "quotes": [{"text": text, "who": who} for text, who in
                                                      zip(texts, block.attributes[k] if k < len(block.attributes) else [""] * len(texts))]}
                      for k, (heading, texts) in enumerate(block.groups)]
            items.append({"type": "quotes", "title": block.title, "level": "h4" if block.title else "h3", "groups": groups})
        elif isinstance(block, Table) and block.on_page:
            images = [img for chart in block.charts if chart.on_page for img in _image(chart.path)]
            shown = _table(block) if block.headers else None
            is_open = (len(block.rows) <= OPEN_ROWS) if block.collapsed is None else not block.collapsed
            items.append({"type": "block", "name": block.name, "title": block.title, "description": block.description,
                          "images": images, "table": shown, "open": is_open})
        elif isinstance(block, Chart) and block.on_page:
            items.append({"type": "block", "name": block.name, "title": block.title, "description": "",
                          "images": _image(block.path), "table": None, "open": False})
    return items


def render_html(report: Report, path: Path) -> Path:
    """Write the page to ``path`` and return it."""
    sections = [{"key": s.key, "title": s.title, "blocks": _items(s)} for s in report.sections]
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    html = env.from_string(TEMPLATE).render(
        title=report.title, facts=report.facts, synthetic=report.synthetic_note, sections=sections,
        toc=bool(report.extra.get("toc")), footer=report.extra.get("page_footer", ""))
    Path(path).write_text(html, encoding="utf-8")
    return path
