"""Render a :class:`~nlp.report.document.Report` as markdown: summary.md / survey_summary.md and
the Prefect artifact (summary plus key tables, aggregates only).

The report's ``extra["markdown"]`` says how its summary reads (title, how facts and sources are
written, the closing notes, quotes by question); everything else comes from the document.
"""

from __future__ import annotations

from nlp.report.document import NUMERIC_KINDS, Report, Table

NO_FINDINGS = "所見を計算できる表がありませんでした。"


def summary_markdown(report: Report) -> str:
    """The summary: title, run facts, findings with their source table, quotes, notes."""
    style = report.extra.get("markdown", {})
    sep = style.get("fact_separator", ": ")
    facts = [f"- {label}{sep}{text}" for label, text in report.facts]
    synthetic = [f"> {report.synthetic_note}", ""] if report.synthetic_note else []
    out = [f"# {style.get('title', report.title)}", ""]
    if style.get("synthetic_first"):
        out += synthetic + facts + [""]
    else:
        out += (facts + [""] if facts else []) + synthetic
    out += ["## 主な所見", ""]
    cite = style.get("cite", "出典: ")
    if style.get("numbered"):
        out += [f"{i}. {f.text}（{cite}{f.source}）" for i, f in enumerate(report.findings, 1)] or [NO_FINDINGS]
    else:
        out += [f"- {f.text}（{cite}{f.source}）" for f in report.findings] or [f"- {NO_FINDINGS}"]
    quotes = style.get("quotes") or []
    if quotes:
        out += ["", "## 自由記述の例（匿名化済み）", ""]
        for question, groups in quotes:
            out += [f"### {question}", ""]
            for theme, lines in groups:
                out += [f"- **{theme}**"] + [f"  - {line}" for line in lines]
            out.append("")
    out += ["", f"## {style.get('notes_title', '注記')}", ""] + [f"- {line}" for line in style.get("notes", [])]
    return "\n".join(out) + "\n"


def table_markdown(table: Table, *, max_rows: int = 50) -> str:
    """One table as a markdown table with Japanese headers; suppressed cells show 秘匿."""
    lines = ["| " + " | ".join(table.headers) + " |",
             "|" + "|".join("---:" if k in NUMERIC_KINDS else "---" for k in table.kinds) + "|"]
    cells = table.cells()
    lines += ["| " + " | ".join(row) + " |" for row in cells[:max_rows]]
    if len(cells) > max_rows:
        lines.append(f"\n（先頭{max_rows}行のみ。全{len(cells)}行は report.xlsx を参照）")
    return "\n".join(lines)


def artifact_markdown(report: Report, names: tuple[str, ...] = ("by_month", "by_age_band", "ideation_by_age_band")) -> str:
    """Summary plus the key tables, for a Prefect markdown artifact (aggregates only, no text)."""
    parts = [summary_markdown(report)]
    shown = {t.name: t for t in report.tables()}
    for name in names:
        if name in shown and shown[name].rows:
            parts += [f"## {shown[name].title}（{name}）", "", table_markdown(shown[name]), ""]
    return "\n".join(parts)
