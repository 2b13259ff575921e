"""What the browser app (``soudan app``) shows of a finished run, as plain data.

The app only lays these out. Every table is a sheet of the report document the xlsx is
rendered from (:meth:`nlp.report.document.Report.tables`, in the workbook's order), so 秘匿 and
参考値 read exactly as in report.xlsx / survey_report.xlsx. Findings are
:func:`nlp.report.summary.summarize`'s; quotes are the pipeline's masked ones, cleaned by
:func:`nlp.report.build_consultations.clean_quotes`. No consultation text is read: the run
folder holds none.

Example:
    >>> view = run_view("outputs/demo")  # doctest: +SKIP
    >>> view.tables[0].title, list(view.tables[0].frame.columns)  # doctest: +SKIP
    ('月別の相談件数', ['月', '件数', '割合', '注記'])
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from nlp.tables.disclosure import suppress_weekday_hour
from nlp.report.labels import SECTIONS, table_description, theme_label
from nlp.report.build_consultations import ReportInputs, build_consultations, clean_quotes, min_cell_of
from nlp.report.document import Table, format_cell
from nlp.report.summary import summarize

REPORT_FILES = ("report.xlsx", "report.pptx", "report.html", "summary.md")
SURVEY_REPORT_FILES = ("survey_report.xlsx", "survey_report.pptx", "survey_report.html", "survey_summary.md")
COUNT_COLUMNS = ("consultations", "a_consultations", "b_consultations", "a_n", "b_n")
FLAG_COLUMNS = ("suppressed", "reference", "significant")
# Text even when every cell is empty or looks like a number (a comparison's marker, 2024-08).
TEXT_COLUMNS = ("age_band", "month", "category", "dimension", "group_a", "group_b", "marker")


@dataclass(frozen=True)
class ShownTable:
    """One table as the reports print it: Japanese headers, cells as text (秘匿, 参考値 included)."""

    name: str
    title: str
    description: str
    frame: pd.DataFrame  # every cell a str
    suppressed_rows: int
    reference_rows: int
    charts: tuple[Path, ...] = ()


@dataclass
class RunView:
    run_info: dict
    tables: list[ShownTable]
    findings: list[str]
    quotes: dict[str, list[str]] = field(default_factory=dict)  # theme label → masked quotes
    downloads: dict[str, Path] = field(default_factory=dict)  # file name → path, for those written
    missing: list[str] = field(default_factory=list)  # report tables this run did not produce

    def table(self, name: str) -> ShownTable:
        return next(t for t in self.tables if t.name == name)


def shown_frame(headers: list[str], rows: list[list[object]], kinds: list[str], formatter=format_cell) -> pd.DataFrame:
    """The display rows as a frame of strings; repeated headers (none expected) get a suffix."""
    unique = []
    for header in headers:
        unique.append(header if header not in unique else f"{header}_{unique.count(header) + 1}")
    return pd.DataFrame([[formatter(v, k) for v, k in zip(row, kinds)] for row in rows], columns=unique, dtype=object)


def _read_tidy(path: Path) -> pd.DataFrame:
    """A tidy CSV as the run wrote it, counts as Int64 and flags as bool (as they were in memory)."""
    df = pd.read_csv(path, encoding="utf-8-sig", dtype={c: str for c in TEXT_COLUMNS})
    for column in COUNT_COLUMNS:
        if column in df:
            df[column] = df[column].astype("Int64")
    for column in FLAG_COLUMNS:
        if column in df:
            df[column] = df[column].astype(str).str.lower().isin(["true", "1"])
    for column in df.columns:  # an empty text cell (a comparison's marker) was "" before the CSV
        if column not in FLAG_COLUMNS and not pd.api.types.is_numeric_dtype(df[column]):
            df[column] = df[column].astype(object).where(df[column].notna(), "")
    return df


def report_data(folder: str | Path, quotes: dict[str, list[str]] | None = None) -> ReportInputs:
    """The :class:`ReportInputs` a run's reports were built from, read back from its folder.

    weekday_hour is rebuilt from consultations.parquet and suppressed as the reports do.
    """
    folder = Path(folder)
    run_info = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    tables: dict[str, pd.DataFrame] = {}
    comparisons: dict[str, pd.DataFrame] = {}
    for path in sorted((folder / "aggregates").glob("*.csv")):
        if path.stem.startswith("compare_"):
            comparisons[path.stem[len("compare_"):]] = _read_tidy(path)
        else:
            tables[path.stem] = _read_tidy(path)
    if (folder / "consultations.parquet").exists() and "weekday_hour" not in tables:
        frame = pd.read_parquet(folder / "consultations.parquet", columns=["weekday", "hour"])
        counts = frame.groupby(["weekday", "hour"]).size().rename("consultations").reset_index()
        tables["weekday_hour"] = suppress_weekday_hour(counts, min_cell_of(run_info))
    comparisons = dict(sorted(comparisons.items(), key=lambda item: _comparison_rank(item[0], run_info)))
    topics_path = folder / "topics" / "topics.csv"
    topics = pd.read_csv(topics_path, encoding="utf-8-sig") if topics_path.exists() else None
    charts = {p.stem: p for p in sorted((folder / "charts").glob("*.png"))}
    findings = summarize(tables, comparisons=comparisons, topics=topics)
    return ReportInputs(tables, run_info, findings, charts, comparisons, topics, clean_quotes(quotes))


def _comparison_rank(name: str, run_info: dict) -> tuple[int, int]:
    """The order :func:`nlp.runs.pipeline.aggregate_stage` makes comparisons in: region, year, events as given."""
    events = [re.sub(r"[^\w]+", "_", str(spec).rsplit(":", 2)[0].strip())
              for spec in (run_info.get("parameters") or {}).get("events") or []]
    if name == "region":
        return (0, 0)
    if name == "year_over_year":
        return (1, 0)
    event = name[len("event_"):]
    return (2, events.index(event) if event in events else len(events))


def _charts_for(name: str, charts: dict[str, Path]) -> tuple[Path, ...]:
    """A table's chart, and for a comparison its items chart too (as report.html shows them)."""
    found = [charts[n] for n in (name, f"{name}_items") if n in charts]
    return tuple(found)


def run_view(folder: str | Path, quotes: dict[str, list[str]] | None = None) -> RunView:
    """Tables, charts, findings, quotes and report files of a consultation run folder."""
    folder = Path(folder)
    data = report_data(folder, quotes)
    shown = [_shown(t, table_description(t.name), _charts_for(t.name, data.charts))
             for t in build_consultations(data).tables()]
    return RunView(
        run_info=data.run_info, tables=shown, findings=[f.text for f in data.findings],
        quotes={theme_label(theme): texts for theme, texts in data.quotes.items()},
        downloads={n: folder / n for n in REPORT_FILES if (folder / n).exists()},
        missing=[n for s in SECTIONS for n in data.missing(s)],
    )


def survey_view(folder: str | Path) -> RunView:
    """The same for a survey run folder (tables in survey_report.xlsx's order, masked quotes)."""
    from nlp.report.build_survey import build_survey
    from nlp.report.survey_report import load_survey_run

    folder = Path(folder)
    materials = load_survey_run(folder)
    report = build_survey(materials.tables, materials.quotes, materials.findings, materials.run_info, materials.charts)
    shown = [_shown(t, t.description, tuple(c.path for c in t.charts)) for t in report.tables()
             if t.name in materials.tables and t.rows]
    quotes: dict[str, list[str]] = {}
    for record in materials.quotes.to_dict("records"):
        key = f"{record.get('question', '')}／{record.get('theme_label', '')}"
        quotes.setdefault(key, []).append(f"{record.get('quote', '')}（{record.get('attribute', '')}）")
    return RunView(
        run_info=materials.run_info, tables=shown, findings=[f.text for f in materials.findings], quotes=quotes,
        downloads={n: folder / n for n in SURVEY_REPORT_FILES if (folder / n).exists()},
    )


@dataclass
class ExploreView:
    """The 語の分析 section as report.xlsx prints it: its three sheets, charts, notes."""

    tables: list[ShownTable]
    notes: list[str]
    not_shown: list[str]  # network groups under --min-cell (named, never drawn)
    captions: dict[Path, str] = field(default_factory=dict)  # chart → title, as the reports title it


def explore_cell(value: object, kind: str) -> str:
    """An explore cell as report.xlsx shows it (coordinates and Jaccard with 3 decimals, 0.000)."""
    return f"{float(value):.3f}" if kind == "number" and not isinstance(value, str) else format_cell(value, kind)


def explore_view(folder: str | Path) -> ExploreView | None:
    """The explore tables of a run folder (None when it has none) with their charts.

    Only :func:`nlp.analysis.explore.stage.explore_tables` is read: every word and group in those files
    passed --min-cell, so a word in fewer documents, or a group under --min-cell, cannot appear.
    """
    from nlp.report import explore_blocks as explore_report
    from nlp.analysis.explore.stage import explore_tables

    folder = Path(folder)
    tables = explore_tables(folder)
    if not tables:
        return None
    charts = sorted((folder / "charts").glob("explore_*.png"), key=lambda p: (_chart_rank(p.stem), p.stem))
    shown = []
    for name, title in explore_report.SHEETS:
        df = tables.get(name)
        if df is None or df.empty:
            continue
        headers, rows, kinds = explore_report.display(name, df)
        kind = {"word_frequency": "_frequency", "network_edges": "_network_", "correspondence": "_ca_"}[name]
        shown.append(ShownTable(name, title, f"explore/{name}.csv", shown_frame(headers, rows, kinds, explore_cell),
                                0, 0, tuple(p for p in charts if kind in p.stem)))
    run_info = json.loads((folder / "run.json").read_text(encoding="utf-8")) if (folder / "run.json").exists() else {}
    networks = pd.concat([tables.get(n, pd.DataFrame(columns=["network", "title"]))[["network", "title"]]
                          for n in ("network_nodes", "network_edges")])
    names = dict(zip(networks["network"].astype(str), networks["title"].astype(str)))
    captions = {p: _chart_caption(p.stem, names) for p in charts}
    return ExploreView(shown, list(explore_report.NOTES), list((run_info.get("explore") or {}).get("not_shown", [])),
                       captions)


def _chart_caption(stem: str, networks: dict[str, str]) -> str:
    """A chart's title as the reports give it; a network's names its group (共起ネットワーク：念慮あり)."""
    from nlp.report.explore_blocks import chart_title

    key = stem.split("_network_", 1)[1] if "_network_" in stem else None
    return f"共起ネットワーク：{networks[key]}" if key in networks else chart_title(stem)


def _chart_rank(stem: str) -> int:
    """The order the charts are drawn in: frequency, heat maps, networks, biplots."""
    return 0 if stem.endswith("_frequency") else 1 if "_frequency_" in stem else 2 if "_network_" in stem else 3


def _count_flags(df: pd.DataFrame, column: str) -> int:
    return int(df[column].fillna(False).astype(bool).sum()) if column in df else 0


def _shown(table: Table, description: str, charts: tuple[Path, ...]) -> ShownTable:
    return ShownTable(table.name, table.title, description, table.frame(), table.suppressed_rows,
                      table.reference_rows, charts)


def mark_style(cell: object) -> str:
    """CSS for a displayed cell: 秘匿 grey, 参考値 orange, as report.xlsx colours them."""
    from nlp.report.labels import REFERENCE_MARK, SUPPRESSED_MARK

    if cell == SUPPRESSED_MARK:
        return "color: #777777; background-color: #EEEEEE"
    if cell == REFERENCE_MARK:
        return "color: #B35900"
    return ""


__all__ = ["ShownTable", "RunView", "ExploreView", "report_data", "run_view", "survey_view", "explore_view",
           "explore_cell", "shown_frame", "mark_style"]
