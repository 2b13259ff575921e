"""Compare the outputs of two run folders: are they the same report?

Checks, for every report set found in the first folder (report.* / summary.md and
survey_report.* / survey_summary.md, also in sub-folders such as demo's survey/):
- aggregates/*.csv and explore/*.csv byte-identical;
- every xlsx sheet name and every cell value (openpyxl values, not styles) identical;
- summary.md / survey_summary.md identical;
- html visible text identical (tags, styles and embedded image bytes ignored);
- pptx slide texts identical (python-pptx shape texts, tables cell by cell, in order).

The output folders' own paths (and with --roots the source checkouts the inputs were read
from) are replaced by placeholders, and README rows of stage timings are skipped: they differ
between any two runs. Prints one line per check and the first differences; exit code 1 when
anything differs.

Usage:
    python scripts/compare_reports.py /tmp/ref16a/demo outputs/demo --roots /tmp/ref16a/src .
"""

from __future__ import annotations

import argparse
import difflib
import sys
from html.parser import HTMLParser
from pathlib import Path

REPORT_STEMS = ("report", "survey_report")
SUMMARIES = ("summary.md", "survey_summary.md")


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def html_text(path: Path) -> list[str]:
    parser = _TextOnly()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.parts


RUN_SPECIFIC = ("処理時間", "explore / seconds", "explore / write_seconds")  # README timings differ in any two runs
_REPLACE: list[tuple[str, str]] = []  # (path prefix, placeholder): output folders and source roots


def normalise(text: object) -> object:
    if not isinstance(text, str):
        return text
    for prefix, placeholder in _REPLACE:
        text = text.replace(prefix, placeholder)
    return text


def xlsx_cells(path: Path) -> list[str]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=False, data_only=True)
    lines = [f"sheets: {book.sheetnames}"]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            label = str(row[0].value or "")
            if sheet.title == "README" and label.startswith(RUN_SPECIFIC):
                lines.append(f"{sheet.title}!row {row[0].row}: {label} (run-specific, not compared)")
                continue
            for cell in row:
                if cell.value is not None:
                    lines.append(f"{sheet.title}!{cell.coordinate}={normalise(cell.value)!r}")
    return lines


def pptx_texts(path: Path) -> list[str]:
    from pptx import Presentation

    lines = []
    for number, slide in enumerate(Presentation(str(path)).slides, 1):
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip():
                lines.append(f"{number}: {shape.text_frame.text}")
            if getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    lines.append(f"{number}: | " + " | ".join(c.text for c in row.cells))
            if shape.shape_type == 13:  # picture
                lines.append(f"{number}: [picture]")
    return lines


def _diff(name: str, a: list[str], b: list[str], shown: int) -> bool:
    if a == b:
        print(f"same  {name} ({len(a)} items)")
        return True
    delta = [d for d in difflib.unified_diff(a, b, "before", "after", n=0, lineterm="") if not d.startswith(("---", "+++"))]
    print(f"DIFF  {name}: {sum(1 for d in delta if d[:1] in '+-')} lines differ")
    for line in delta[:shown]:
        print("      " + line[:240])
    return False


def compare(before: Path, after: Path, shown: int = 12) -> bool:
    ok = True
    for folder in sorted({p.parent for p in before.rglob("*.csv")} | {before}):
        rel = folder.relative_to(before)
        if folder.name in ("aggregates", "explore", "topics"):
            same_folder = True
            for csv in sorted(folder.glob("*.csv")):
                other = after / rel / csv.name
                same = other.exists() and other.read_bytes() == csv.read_bytes()
                if not same:
                    print(f"DIFF  {rel / csv.name}: {'missing' if not other.exists() else 'bytes differ'}")
                same_folder &= same
            extra = sorted({p.name for p in (after / rel).glob("*.csv")} - {p.name for p in folder.glob("*.csv")})
            if extra:
                print(f"DIFF  {rel}: new files {extra}")
                same_folder = False
            print(f"{'same ' if same_folder else 'DIFF '} {rel}/*.csv byte-identical ({len(list(folder.glob('*.csv')))} files)")
            ok &= same_folder
            continue
        for name in SUMMARIES:
            if (folder / name).exists():
                b = (after / rel / name).read_text(encoding="utf-8").splitlines() if (after / rel / name).exists() else []
                ok &= _diff(str(rel / name), (folder / name).read_text(encoding="utf-8").splitlines(), b, shown)
        for stem in REPORT_STEMS:
            for ext, reader in (("xlsx", xlsx_cells), ("html", html_text), ("pptx", pptx_texts)):
                path = folder / f"{stem}.{ext}"
                if path.exists():
                    other = after / rel / path.name
                    ok &= _diff(str(rel / path.name), reader(path), reader(other) if other.exists() else [], shown)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--shown", type=int, default=12, help="differences printed per file")
    parser.add_argument("--roots", nargs=2, metavar=("BEFORE", "AFTER"),
                        help="source checkouts the two runs read their inputs from (paths compared relative to them)")
    args = parser.parse_args()
    _REPLACE.extend([(str(args.before.resolve()), "<out>"), (str(args.after.resolve()), "<out>")])
    if args.roots:
        _REPLACE.extend([(str(Path(r).resolve()), "<src>") for r in args.roots])
    ok = compare(args.before, args.after, args.shown)
    print("IDENTICAL" if ok else "DIFFERENT")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
