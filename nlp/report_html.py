"""report.html: one self-contained page (charts inlined as data URIs, no external files or scripts).

Same sections as the slides, a table of contents, and each table under its chart: one-way
tables as they are, theme and ideation tables as group × theme (measure) cross tables.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
import pandas as pd

from nlp.labels import (
    REFERENCE_MARK, SECTIONS, SUPPRESSED_MARK, column_label, display_any, format_cell,
    table_description, table_title, theme_label, value_label,
)
from nlp.charts import in_natural_order
from nlp.report_pptx import method_notes
from nlp.summary import comparison_title, run_facts, source_title

if TYPE_CHECKING:
    from nlp.report.build_consultations import ReportInputs as ReportData

TEMPLATE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>相談ログ分析レポート</title>
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
.banner{background:#FFF4E0;border-left:4px solid #E69F00;padding:6px 12px}
.source{color:#777;font-size:12px}
blockquote{border-left:4px solid #56B4E9;margin:6px 0;padding:2px 12px;background:#F5FAFD}
details summary{cursor:pointer;color:#0072B2}
.block{break-inside:avoid}
@media print{h2{break-before:page}th{position:static}h3{break-after:avoid}}
</style></head><body>
<h1>相談ログ分析レポート</h1>
<ul>{% for label, text in facts %}<li>{{ label }}：{{ text }}</li>{% endfor %}</ul>
{% if synthetic %}<p class="banner">合成データ（デモ）による結果です。実際の相談の傾向を示すものではありません。</p>{% endif %}
<nav><h2 style="margin-top:1em">目次</h2><ol>{% for s in sections %}<li><a href="#{{ s.key }}">{{ s.title }}</a></li>{% endfor %}</ol></nav>
{% for s in sections %}
<section id="{{ s.key }}"><h2>{{ loop.index }}. {{ s.title }}</h2>
{% for p in s.paragraphs %}<p class="{{ p.cls }}">{{ p.text }}</p>{% endfor %}
{% if s.findings %}<ol>{% for f in s.findings %}<li>{{ f.text }} <a class="source" href="#t-{{ f.table }}">出典：{{ f.source }}</a></li>{% endfor %}</ol>{% endif %}
{% for q in s.quotes %}<h3>{{ q.theme }}</h3>{% for text in q.texts %}<blockquote>{{ text }}</blockquote>{% endfor %}{% endfor %}
{% for b in s.blocks %}<div class="block"><h3 id="t-{{ b.name }}">{{ b.title }}</h3>
{% if b.description %}<p class="note">{{ b.description }}</p>{% endif %}
{% if b.image %}<img src="data:image/png;base64,{{ b.image }}" alt="{{ b.title }}">{% endif %}</div>
{% if b.extra_image %}<div class="block"><img src="data:image/png;base64,{{ b.extra_image }}" alt="{{ b.title }}"></div>{% endif %}
{% if b.table %}<details{% if b.open %} open{% endif %}><summary>表を{% if b.open %}閉じる / 開く{% else %}開く{% endif %}（{{ b.n_rows }}行）</summary>
<div class="scroll"><table><thead><tr>{% for h in b.table.headers %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in b.table.rows %}<tr>{% for c in row %}<td class="{{ c.cls }}">{{ c.text }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table></div></details>{% endif %}
{% endfor %}</section>
{% endfor %}
<p class="note">作成：soudan。{{ suppressed_note }}</p>
</body></html>
"""


def _image(path: Path | None) -> str:
    return base64.b64encode(Path(path).read_bytes()).decode("ascii") if path and Path(path).exists() else ""


def _cells(values: list[object], kinds: list[str]) -> list[dict]:
    cells = []
    for value, kind in zip(values, kinds):
        cls = "masked" if value == SUPPRESSED_MARK else ("ref" if value == REFERENCE_MARK else ("num" if kind in ("count", "share", "number", "pt") else ""))
        cells.append({"text": format_cell(value, kind), "cls": cls})
    return cells


def tidy_html_table(df: pd.DataFrame, name: str = "") -> dict:
    """Headers and classed cells of a tidy or comparison table (秘匿 / 参考値 kept as words)."""
    headers, rows, kinds = display_any(name, df)
    return {"headers": headers, "rows": [_cells(r, kinds) for r in rows]}


def cross_table(df: pd.DataFrame, row: str, col: str) -> dict:
    """Group × theme (or measure) shares, 秘匿 in suppressed cells, 参考値 marks per group.

    With at most 12 groups and themes as the inner dimension the table is turned so that groups
    are the columns (short labels: 10代, 女性 …) and the 14 themes the rows; otherwise one row
    per group.
    """
    groups = list(dict.fromkeys(in_natural_order(df, row)[row]))
    inner = list(dict.fromkeys(in_natural_order(df, col)[col]))
    cells: dict[tuple, object] = {}
    for rec in df.to_dict("records"):
        hidden = bool(rec.get("suppressed", False))
        share = pd.to_numeric(pd.Series([rec.get("share")]), errors="coerce").iloc[0]
        cells[(rec[row], rec[col])] = SUPPRESSED_MARK if hidden else ("" if pd.isna(share) else float(share))
    reference = {g: bool(df.loc[df[row] == g, "reference"].fillna(False).astype(bool).any()) if "reference" in df else False
                 for g in groups}
    inner_label = (lambda c: theme_label(c)) if col == "theme" else (lambda c: value_label(col, c))
    if col == "theme" and len(groups) <= 12:
        headers = [column_label(col)] + [value_label(row, g) + ("※" if reference[g] else "") for g in groups]
        rows = [_cells([inner_label(c)] + [cells.get((g, c), "") for g in groups], ["text"] + ["share"] * len(groups))
                for c in inner]
        if any(reference.values()):
            rows.append(_cells(["注記"] + [REFERENCE_MARK if reference[g] else "" for g in groups], ["text"] + ["note"] * len(groups)))
        return {"headers": headers, "rows": rows}
    headers = [column_label(row)] + [inner_label(c) for c in inner] + ["注記"]
    rows = [_cells([value_label(row, g)] + [cells.get((g, c), "") for c in inner] + [REFERENCE_MARK if reference[g] else ""],
                   ["text"] + ["share"] * len(inner) + ["note"]) for g in groups]
    return {"headers": headers, "rows": rows}


def _block(name: str, df: pd.DataFrame | None, chart: Path | None, title: str | None = None) -> dict:
    table, n_rows = None, 0
    if df is not None and not df.empty:
        dim = name.split("_by_", 1)[1] if "_by_" in name else None
        second = "theme" if name.startswith("theme_by_") else ("measure" if name.startswith("ideation_by_") else None)
        if dim in df and second in df:
            table = cross_table(df, dim, second)
        else:
            table = tidy_html_table(df, name)
        n_rows = len(table["rows"])
    return {"name": name, "title": title or table_title(name), "description": table_description(name),
            "image": _image(chart), "extra_image": "", "table": table, "n_rows": n_rows, "open": n_rows <= 12}


def write_html(path: Path, data: ReportData) -> Path:
    """Write report.html.

    Args:
        path: the .html file to write.
        data: the run's tables, findings, charts, comparisons, topics and masked quotes.

    Returns:
        ``path``.
    """
    sections = []
    for section in SECTIONS:
        item = {"key": section.key, "title": section.title, "paragraphs": [], "findings": [], "quotes": [], "blocks": []}
        missing = data.missing(section)
        if missing:
            item["paragraphs"].append({"cls": "note", "text": "今回の実行で作成されなかった表（この節では省略）：" + "、".join(f"{table_title(n)}（{n}）" for n in missing)})
        if section.key == "findings":
            item["findings"] = [{"text": f.text, "source": source_title(f.table), "table": f.table} for f in data.findings]
            if not data.findings:
                item["paragraphs"].append({"cls": "", "text": "所見を計算できる表がありませんでした。"})
        for name in data.present(section):
            item["blocks"].append(_block(name, data.tables.get(name), data.charts.get(name)))
        if section.key == "comparisons":
            for name, df in data.comparisons.items():
                block = _block(f"compare_{name}", df, data.charts.get(f"compare_{name}"), comparison_title(name))
                block["extra_image"] = _image(data.charts.get(f"compare_{name}_items"))
                item["blocks"].append(block)
            if not data.comparisons:
                item["paragraphs"].append({"cls": "note", "text": "比較は今回の実行では指定されていません。"})
        elif section.key == "topics":
            if data.topics is not None and not data.topics.empty:
                item["blocks"].append(_block("topics", data.topics, data.charts.get("topics"), "主なトピック"))
            else:
                item["paragraphs"].append({"cls": "note", "text": "トピック分析は今回の実行では行われていません。"})
        elif section.key == "quotes":
            item["quotes"] = [{"theme": theme_label(t), "texts": q} for t, q in data.quotes.items()]
            item["paragraphs"].append({"cls": "note", "text": "自動で匿名化（伏せ字）した文のみを、各テーマ数件に限って掲載しています。"
                                       if data.quotes else "掲載できる匿名化済みの相談内容の例はありません。"})
        elif section.key == "method":
            item["paragraphs"] += [{"cls": "", "text": line} for line in method_notes(data)]
        sections.append(item)
    if data.explore is not None:
        from nlp.report.explore_blocks import html_section

        sections.insert(len(sections) - 1, html_section(data.explore))  # before 方法と秘匿処理
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    html = env.from_string(TEMPLATE).render(
        sections=sections, facts=run_facts(data.run_info), synthetic=bool(data.run_info.get("synthetic_data")),
        suppressed_note="表の「秘匿」は最小セル数未満、「参考値」は母数30件以下です。")
    Path(path).write_text(html, encoding="utf-8")
    return path
