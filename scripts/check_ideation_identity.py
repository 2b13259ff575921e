"""Check that the ideation scorer gives identical results to the scorer of a git revision.

Scores every KokoroChat client message, every dialogue's client messages as a consultation and
joined into one text, every WRIME post (../shared/eval) and every Japanese string constant in
tests/, with the working tree's scorer and with ``--ref``'s (nlp/ and taxonomy/ from
``git archive``, run in a subprocess), and compares the full results (level, strength, flags,
evidence). Used when making the scorer faster: any difference is printed by file and index only
(the texts are CC BY-NC-ND) and the exit status is 1. Nothing is written to disk.

Usage:
    python scripts/check_ideation_identity.py --ref HEAD
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import pickle
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"


def corpora(eval_dir: Path) -> dict[str, list]:
    """Name → list of items: a message (str) or a consultation (list of str)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from eval_ideation import load_client_messages, load_wrime

    messages = load_client_messages(eval_dir)
    dialogues: dict[str, list[str]] = {}
    for (name, _), text in messages.items():
        dialogues.setdefault(name, []).append(text)
    tests = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(ord(c) > 0x3000 for c in node.value):
                tests.append(node.value)
    return {
        "kokorochat messages": list(messages.values()),
        "kokorochat consultations": list(dialogues.values()),
        "kokorochat joined dialogues": ["\n".join(d) for d in dialogues.values()],
        "wrime": [s for rows in load_wrime(eval_dir).values() for s in rows],
        "test strings": tests,
    }


def score_all(eval_dir: Path) -> dict[str, list[tuple]]:
    """Name → each item's result as a plain tuple (dataclass fields)."""
    from dataclasses import astuple

    try:
        from nlp.analysis import ideation
    except ImportError:  # a revision before the stage sub-packages (issue #16)
        from nlp import ideation

    scorer = ideation.IdeationScorer()
    out: dict = {"_module": ideation.__file__}
    for name, items in corpora(eval_dir).items():
        score = scorer.score_consultation if name == "kokorochat consultations" else scorer.score_message
        out[name] = [astuple(score(item)) for item in items]
    return out


def score_ref(ref: str, eval_dir: Path) -> dict[str, list[tuple]]:
    """:func:`score_all` with nlp/ and taxonomy/ of ``ref`` (this script's own corpora code)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "nlp", "taxonomy"],
                                 check=True, capture_output=True).stdout
        with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        env = {**os.environ, "PYTHONPATH": tmp}
        code = (f"import sys, pickle; sys.path.insert(0, {tmp!r}); sys.argv = ['x'];"
                f"import runpy; m = runpy.run_path({str(Path(__file__))!r});"
                f"sys.stdout.buffer.write(pickle.dumps(m['score_all'](__import__('pathlib').Path({str(eval_dir)!r}))))")
        done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=env, cwd=tmp)
        return pickle.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="HEAD", help="git revision to compare with (default HEAD)")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    before = score_ref(args.ref, args.eval_dir)
    after = score_all(args.eval_dir)
    print(f"{args.ref}: {before.pop('_module')}; working tree: {after.pop('_module')}")
    differences = 0
    for name, results in after.items():
        old = before[name]
        diff = [i for i, (a, b) in enumerate(zip(old, results)) if a != b] + list(range(min(len(old), len(results)), max(len(old), len(results))))
        differences += len(diff)
        positive = sum(1 for r in results if r[0] > 0)
        print(f"{name}: {len(results)} compared ({positive} level >= 1), {len(diff)} differences"
              + (f" at indexes {diff[:20]}" if diff else ""))
    print(f"total differences vs {args.ref}: {differences}")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())
