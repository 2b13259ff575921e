"""The Streamlit page of ``soudan app``: layout only. Work is in :mod:`flows.app.jobs`, what to
show (cells, marks, charts, findings) in :mod:`nlp.report.app_view`.

Started by :mod:`flows.app.launch` (``soudan app``) bound to 127.0.0.1, headless, no telemetry.
Every failure is shown as ``st.error`` with one sentence; no traceback reaches the page.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # streamlit runs this file as a script

import flows  # noqa: E402,F401  (privacy and offline environment)
import streamlit as st  # noqa: E402

from flows.app import jobs  # noqa: E402
from nlp.report.app_view import RunView, explore_view, mark_style, run_view, survey_view  # noqa: E402
from nlp.report.labels import REFERENCE_NOTE, SUPPRESSED_NOTE  # noqa: E402
from nlp.ingest.schema import PREFECTURES  # noqa: E402

INPUT_TYPES = ["csv", "xlsx", "jsonl", "parquet", "json"]
STATIC_TABLE_ROWS = 150  # longer tables scroll in a grid
MIME = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".html": "text/html", ".md": "text/markdown"}


def main() -> None:
    st.set_page_config(page_title="soudan 相談ログ分析", page_icon="📊", layout="wide")
    st.title("soudan 相談ログ分析")
    st.caption("このアプリはこのパソコンの中だけで動きます（127.0.0.1）。アップロードしたファイルは分析後に消去され、"
               "相談本文は画面にもダウンロードにも出ません（引用と KWIC は匿名化済みのものだけ）。")
    consultations, survey = st.tabs(["相談ログの分析", "アンケートの分析"])
    with consultations:
        consultation_tab()
    with survey:
        survey_tab()


def guarded(action, *args):
    """Run ``action``; on any failure show one Japanese sentence (never a traceback) and return None."""
    try:
        return action(*args)
    except Exception as error:  # noqa: BLE001 — users never see a traceback
        st.error(jobs.friendly_message(error))
        return None


# --------------------------------------------------------------------------- consultations


def consultation_tab() -> None:
    source = st.radio("データの場所", ["ファイルをアップロード", "処理済みストア（soudan update のフォルダ）"], horizontal=True)
    uploads: list[jobs.Upload] = []
    store = ""
    ready = False
    if source.startswith("ファイル"):
        files = st.file_uploader("相談ログ（CSV・XLSX・JSONL・Parquet・KokoroChat JSON、複数可）", type=INPUT_TYPES,
                                 accept_multiple_files=True, key="consultation_files")
        uploads = [jobs.Upload(f.name, f.getvalue()) for f in files or []]
        if uploads:
            report = guarded(jobs.validate_uploads, uploads)
            ready = report is not None and show_validation(report)
    else:
        store = st.text_input("処理済みストアのフォルダ", placeholder="outputs/store")
        ready = bool(store.strip())
    choices = run_choices()
    out_dir = st.text_input("出力フォルダ（空欄なら一時フォルダ。アプリ終了時に消去）", key="out_dir").strip() or None
    if st.button("分析を実行", type="primary", disabled=not ready or choices is None, key="run"):
        run_consultations(uploads, store.strip(), choices, out_dir)
    view_folder = st.session_state.get("run_folder")
    if view_folder and Path(view_folder, "run.json").exists():
        view = guarded(run_view, view_folder, st.session_state.get("run_quotes"))
        if view is not None:
            show_results(view, "run", {"語の分析": lambda: explore_panel(view_folder),
                                       "KWIC（語の前後の文脈）": lambda: kwic_panel(view)})


def show_validation(report) -> bool:
    """The validator's own Japanese messages, grouped; True when the files can be analysed."""
    read = sum(f["rows_read"] for f in report.files)
    accepted = sum(f["rows_accepted"] for f in report.files)
    for message in report.fatal:
        st.error(message)
    if report.fatal:
        return False
    errors = [g for g in report.problems.values() if g.severity == "error"]
    warnings = [g for g in report.problems.values() if g.severity != "error"]
    if not report.problems:
        st.success(f"入力チェック: {len(report.files)} ファイル、{read:,} 行すべて読み込めます。")
    else:
        st.info(f"入力チェック: {len(report.files)} ファイル、{read:,} 行中 {accepted:,} 行を採用。"
                "採用されない行は rejects.csv に理由つきで記録され、分析は続けられます。")
    with st.expander(f"入力チェックの詳細（除外 {sum(g.count for g in errors):,} 行、警告 {sum(g.count for g in warnings):,} 行）",
                     expanded=bool(errors)):
        for group in errors + warnings:
            rows = "；".join(f"{source}: {_rows(numbers)} 行目" for source, numbers in group.rows.items())
            text = f"**{group.label}**（{group.count:,} 行） — {rows}"
            if group.examples:  # the reasons as written to rejects.csv (values of dates, ids; never text)
                text += "  \n例: " + " ／ ".join(group.examples)
            (st.error if group.severity == "error" else st.warning)(text)
        for warning in report.warnings:
            st.warning(warning)
    return True


def _rows(numbers: list[int], shown: int = 20) -> str:
    head = ", ".join(str(n) for n in numbers[:shown])
    return head + (f" ほか {len(numbers) - shown} 行" if len(numbers) > shown else "")


def run_choices() -> jobs.RunChoices | None:
    """Period, comparison region, campaign windows, min-cell; None (with a message) when invalid."""
    with st.expander("分析の設定（期間・比較・最小セル数）", expanded=True):
        left, right = st.columns(2)
        with left:
            use_period = st.checkbox("期間を指定する", key="use_period")
            since = until = None
            if use_period:
                since = st.date_input("開始日", value=date(2024, 4, 1), key="since")
                until = st.date_input("終了日", value=date(2025, 3, 31), key="until")
            previous = st.checkbox("前年同期と比較する（期間の指定が必要）", key="previous", disabled=not use_period)
            min_cell = st.number_input("最小セル数（これ未満の件数は秘匿）", min_value=1, max_value=1000, value=10, step=1,
                                       key="min_cell")
        with right:
            region = st.selectbox("比較する地域（その他の地域と比較）", ["（比較しない）", *PREFECTURES], key="region")
            events_text = st.text_area("キャンペーン期間（1行に1つ：名前:開始日:終了日）", key="events",
                                       placeholder="夏キャンペーン:2024-07-01:2024-08-31")
            topics = st.checkbox("トピックを自動抽出する（時間がかかります）", key="topics")
            explore = st.checkbox("語の分析を含める（頻度・共起ネットワーク・対応分析）", value=True, key="explore")
    try:
        events = jobs.parse_events(events_text)
        choices = jobs.RunChoices(since=since, until=until, min_cell=int(min_cell),
                                  compare_region=None if region.startswith("（") else region,
                                  compare_previous_year=bool(previous and use_period), events=events, topics=topics,
                                  explore=explore)
        jobs.run_options([], Path("."), choices)  # the run's own parameter checks
        return choices
    except ValueError as error:
        st.error(f"設定を確認してください: {error}")
        return None


def run_consultations(uploads, store: str, choices: jobs.RunChoices, out_dir: str | None) -> None:
    bar = st.progress(0.0, text="開始")

    def progress(value: float, text: str) -> None:
        bar.progress(min(max(value, 0.0), 1.0), text=text)

    jobs.discard_output(Path(st.session_state["run_folder"]) if st.session_state.get("run_folder") else None)
    for name in ("run_folder", "run_uploads", "kwic"):
        st.session_state.pop(name, None)
    out = jobs.output_folder(out_dir)
    if uploads:
        quotes = guarded(jobs.run_uploads, uploads, out, choices, progress)
    else:
        quotes = {} if guarded(jobs.run_store, store, out, choices, progress) is not None else None
    if quotes is None:
        bar.empty()
        return
    st.session_state["run_folder"] = str(out)
    st.session_state["run_quotes"] = quotes
    st.session_state["run_uploads"] = list(uploads)  # KWIC reads the same files (memory only)
    st.session_state.pop("kwic", None)
    st.success("分析が終わりました。下に表とグラフ、ダウンロードがあります。")


# --------------------------------------------------------------------------- results


def show_results(view: RunView, key: str, extra: dict | None = None) -> None:
    """Header and downloads, then the tables (and, for a consultation run, the 語の分析 and KWIC tabs)."""
    rows = view.run_info.get("rows", {})
    if view.run_info.get("synthetic_data"):
        st.warning("合成データ（デモ）による結果です。実際の相談の傾向を示すものではありません。")
    if "consultations" in rows:
        st.subheader(f"結果：相談 {rows['consultations']:,} 件（除外 {rows.get('rejected', 0):,} 行）")
    elif "respondents" in rows:
        st.subheader(f"結果：回答者 {rows['respondents']:,} 人（除外 {rows.get('rejected', 0):,} 行）")
    download_buttons(view, key)
    if not extra:
        show_tables(view, key)
        return
    tabs = st.tabs(["集計表とグラフ", *extra])
    with tabs[0]:
        show_tables(view, key)
    for tab, draw in zip(tabs[1:], extra.values()):
        with tab:
            draw()


def show_tables(view: RunView, key: str) -> None:
    st.caption(f"{SUPPRESSED_NOTE}　{REFERENCE_NOTE}")
    if view.findings:
        with st.expander("主な所見", expanded=True):
            st.markdown("\n".join(f"- {text}" for text in view.findings))
    if not view.tables:
        st.info("表を作れるデータがありませんでした。")
        return
    titles = {t.name: f"{t.title}（{t.name}）" for t in view.tables}
    name = st.selectbox("表を選ぶ", list(titles), format_func=titles.get, key=f"{key}_table")
    table = view.table(name)
    text, chart = st.columns([3, 2]) if table.charts else (st.container(), None)
    with text:
        st.markdown(f"**{table.title}**　{table.description}")
        st.caption(f"秘匿 {table.suppressed_rows} 行・参考値 {table.reference_rows} 行")
        styled = table.frame.style.map(mark_style)
        if len(table.frame) <= STATIC_TABLE_ROWS:  # a plain HTML table, read like the report's
            st.table(styled, hide_index=True)
        else:
            st.dataframe(styled, hide_index=True, width="stretch", height=560)
    if chart is not None:
        with chart:
            for path in table.charts:
                st.image(str(path), caption=table.title, width="stretch")
    if view.quotes:
        with st.expander("引用（匿名化済み・レポートと同じもの）"):
            for theme, quotes in view.quotes.items():
                st.markdown(f"**{theme}**\n" + "\n".join(f"- {q}" for q in quotes))


def explore_panel(folder: str) -> None:
    """The 語の分析 section of the reports: its tables (only words and groups past min-cell) and charts."""
    view = guarded(explore_view, folder)
    if view is None and not st.session_state.get("run_uploads"):
        st.info("処理済みストアからの実行には語の分析がありません（ストアには本文がないため）。")
        return
    if view is None:
        st.info("この結果には語の分析が含まれていません。「分析の設定」で「語の分析を含める」をオンにして実行してください。")
        return
    st.caption("  \n".join(view.notes))
    if view.not_shown:
        st.caption("最小セル数未満のため示さないグループ：" + "、".join(view.not_shown))
    if not view.tables:
        st.info("最小セル数以上の文書に出現した語がありませんでした。")
        return
    titles = {t.name: t.title for t in view.tables}
    name = st.selectbox("語の分析の表を選ぶ", list(titles), format_func=titles.get, key="explore_table")
    table = next(t for t in view.tables if t.name == name)
    text, chart = st.columns([1, 1]) if table.charts else (st.container(), None)
    with text:
        st.markdown(f"**{table.title}**　（{table.description}、{len(table.frame):,} 行）")
        st.dataframe(table.frame, hide_index=True, width="stretch", height=560)
    if chart is not None:
        with chart:
            captions = {str(path): view.captions.get(path, path.stem) for path in table.charts}
            shown = st.selectbox("グラフを選ぶ", list(captions), format_func=captions.get, key=f"explore_chart_{name}")
            st.image(shown, caption=captions[shown], width="stretch")


def kwic_panel(view: RunView) -> None:
    """Keyword in context over the run's own uploads, as ``soudan kwic`` with the run's min-cell."""
    uploads = st.session_state.get("run_uploads") or []
    min_cell = int((view.run_info.get("parameters") or {}).get("min_cell", 10))
    if not uploads:
        st.info("KWIC はアップロードしたファイルで分析したときだけ使えます（処理済みストアには本文がありません）。")
        return
    st.caption("分析したファイルの相談本文（相談者の発言）から、語の前後を匿名化して示します。"
               "期間の指定にかかわらずファイル全体が対象です。"
               f"語を含む相談が最小セル数（{min_cell}）未満なら何も示しません。相談ID や属性は示しません。")
    term_column, width_column = st.columns([3, 1])
    with term_column:
        term = st.text_input("調べる語", placeholder="学校", key="kwic_term")
    with width_column:
        width = st.number_input("前後の文字数", min_value=5, max_value=60, value=jobs.kwic_default_width(), step=5,
                                key="kwic_width")
    include = st.checkbox("希死念慮などの内容を含む発言も対象にする", value=False, key="kwic_ideation")
    if include:
        st.warning("希死念慮・自殺念慮・自傷などの内容を含む発言も表示されます。"
                   "必要なときだけ使い、画面の共有や印刷に注意してください。")
    submitted = st.button("KWIC を表示", key="kwic_run")
    if submitted:
        with st.spinner("検索中…"):
            st.session_state["kwic"] = guarded(lambda: jobs.kwic_uploads(
                uploads, term, min_cell=min_cell, width=int(width), include_ideation=include))
    result = st.session_state.get("kwic")
    if result is None:
        return
    if result.message:
        st.info(result.message)
        return
    st.markdown(f"**「{result.term}」**：{result.documents:,} 件の相談から {len(result.lines):,} 行"
                + (f"（先頭の {len(result.lines):,} 行を表示）" if result.truncated else ""))
    st.html(kwic_html(result.frame))


KWIC_CELL = "padding: 3px 8px; border-bottom: 1px solid #e6e6e6;"


def kwic_html(frame) -> str:
    """The lines as a concordance reads: left context right-aligned against the keyword (text escaped)."""
    from html import escape

    head = "".join(f'<th style="{KWIC_CELL} text-align: {a}; color: #555; font-weight: normal;">{escape(h)}</th>'
                   for h, a in zip(frame.columns, ("right", "center", "left")))
    rows = "".join(
        f'<tr><td style="{KWIC_CELL} text-align: right; direction: ltr;">{escape(str(left))}</td>'
        f'<td style="{KWIC_CELL} text-align: center; font-weight: bold; color: #B35900;">{escape(str(word))}</td>'
        f'<td style="{KWIC_CELL} text-align: left;">{escape(str(right))}</td></tr>'
        for left, word, right in frame.itertuples(index=False))
    return (f'<table data-kwic="lines" style="width: 100%; table-layout: fixed; border-collapse: collapse; font-size: 14px;">'
            f'<colgroup><col style="width: 44%"><col style="width: 12%"><col style="width: 44%"></colgroup>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def download_buttons(view: RunView, key: str) -> None:
    columns = st.columns(max(len(view.downloads), 1))
    for column, (name, path) in zip(columns, view.downloads.items()):
        with column:
            st.download_button(f"{name} をダウンロード", data=path.read_bytes(), file_name=name,
                               mime=MIME.get(path.suffix, "application/octet-stream"), key=f"{key}_dl_{name}")


# --------------------------------------------------------------------------- survey


def survey_tab() -> None:
    st.markdown("1行に1人の回答者のアンケート（XLSX または CSV）。自由記述のテーマ、選択式、孤独感の尺度を集計します。")
    survey = st.file_uploader("アンケートのファイル", type=["xlsx", "csv", "jsonl", "parquet"], key="survey_file")
    reference = st.file_uploader("比較対象の表（任意、例：全国調査の割合の CSV）", type=["csv"], key="survey_reference")
    min_cell = st.number_input("最小セル数（これ未満の人数は秘匿）", min_value=1, max_value=1000, value=10, step=1,
                               key="survey_min_cell")
    if st.button("アンケートを分析", type="primary", disabled=survey is None, key="run_survey"):
        bar = st.progress(0.0, text="開始")
        jobs.discard_output(Path(st.session_state["survey_folder"]) if st.session_state.get("survey_folder") else None)
        st.session_state.pop("survey_folder", None)
        out = jobs.output_folder()
        done = guarded(jobs.run_survey_upload, jobs.Upload(survey.name, survey.getvalue()),
                       jobs.Upload(reference.name, reference.getvalue()) if reference else None, out, int(min_cell),
                       lambda value, text: bar.progress(value, text=text))
        if done is None:
            bar.empty()
        else:
            st.session_state["survey_folder"] = str(out)
    folder = st.session_state.get("survey_folder")
    if folder and Path(folder, "run.json").exists():
        view = guarded(survey_view, folder)
        if view is not None:
            show_results(view, "survey")


main()
