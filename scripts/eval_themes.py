"""Evaluate primary_theme against KokoroChat's topic.main_jp (../shared/eval/kokorochat).

Only client utterances are read. Dialogues are split by file number: ``n % 3 == 0`` is the
development part (read to write keywords), the rest is held out (never read, only scored).
The taxonomy is scored on each part; the supervised model is scored by stratified, seeded
k-fold cross-validation on all dialogues, and separately on the held-out ones' fold predictions.
Nothing is written: dialogue text stays in memory (the corpus is CC BY-NC-ND).

Usage:
    python scripts/eval_themes.py                 # taxonomy (dev, held-out) and model CV
    python scripts/eval_themes.py --no-model      # taxonomy only
    python scripts/eval_themes.py --repeats 5         # model CV also with seeds 0..4
    python scripts/eval_themes.py --taxonomy my_themes.yaml --cv 5 --seed 0
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "kokorochat"

# KokoroChat topic.main_jp -> soudan theme id; その他 is ignored.
KOKOROCHAT_TO_THEME: dict[str, str] = {
    "家庭内問題（夫婦以外）": "family",
    "家庭内問題（夫婦）": "couple",
    "職場問題": "work",
    "心理的問題": "mental",
    "学校問題": "school",
    "進路・キャリア問題": "career",
    "恋愛問題": "romance",
    "人間関係": "relationships",
    "経済的問題": "money",
    "身体的健康問題": "health",
}
OTHER = "(other)"  # a prediction outside the ten gold classes, or no primary theme


@dataclass(frozen=True)
class Dialogue:
    number: int  # file number: 120.json -> 120
    label: str  # gold theme id
    text: str  # client utterances joined by newlines (in memory only)

    @property
    def dev(self) -> bool:
        return is_dev(self.number)


def is_dev(number: int) -> bool:
    """The development part: file numbers divisible by 3; the rest is held out."""
    return number % 3 == 0


def load_kokorochat(corpus: Path = DEFAULT_CORPUS) -> list[Dialogue]:
    """Labelled dialogues in file-number order; その他 and unknown topics are skipped."""
    out = []
    for path in sorted((corpus / "dialogues").glob("*.json"), key=lambda p: int(p.stem)):
        data = json.loads(path.read_text(encoding="utf-8"))
        label = KOKOROCHAT_TO_THEME.get(data.get("topic", {}).get("main_jp", ""))
        if label is None:
            continue
        text = "\n".join(u["utterance"] for u in data["dialogue"] if u.get("role") == "client")
        out.append(Dialogue(int(path.stem), label, text))
    return out


@dataclass(frozen=True)
class Scores:
    n: int
    accuracy: float
    macro_f1: float
    table: str

    def __str__(self) -> str:
        return f"n={self.n}  accuracy={self.accuracy:.3f}  macro-F1={self.macro_f1:.3f}\n{self.table}"


def score(gold: Sequence[str], predicted: Sequence[str | None]) -> Scores:
    """Accuracy, macro-F1 over the gold classes present, and a confusion table (rows gold)."""
    from sklearn.metrics import f1_score

    pred = [p if p in KOKOROCHAT_TO_THEME.values() else OTHER for p in predicted]
    classes = [c for c in KOKOROCHAT_TO_THEME.values() if c in set(gold)]
    accuracy = sum(g == p for g, p in zip(gold, pred)) / max(len(gold), 1)
    macro = f1_score(gold, pred, labels=classes, average="macro", zero_division=0)
    return Scores(len(gold), accuracy, float(macro), confusion_table(gold, pred, classes))


def confusion_table(gold: Sequence[str], pred: Sequence[str], classes: Sequence[str]) -> str:
    columns = list(classes) + ([OTHER] if OTHER in set(pred) else [])
    width = max(len(c) for c in columns + ["gold \\ predicted"]) + 1
    lines = ["gold \\ predicted".ljust(width) + "".join(c[:6].rjust(7) for c in columns) + "   recall"]
    for g in classes:
        row = [sum(1 for a, b in zip(gold, pred) if a == g and b == c) for c in columns]
        total = sum(row)
        recall = row[columns.index(g)] / total if total else 0.0
        lines.append(g.ljust(width) + "".join(str(v).rjust(7) for v in row) + f"   {recall:.2f}")
    return "\n".join(lines)


def evaluate_taxonomy(dialogues: Sequence[Dialogue], tagger=None, tokens=None) -> Scores:
    """Taxonomy-only primary_theme against the gold labels."""
    from nlp.analysis.themes import ThemeTagger

    tagger = tagger or ThemeTagger()
    predicted = [
        tagger.tag_tokens(tokens[i]).primary_theme if tokens is not None else tagger.tag(d.text).primary_theme
        for i, d in enumerate(dialogues)
    ]
    return score([d.label for d in dialogues], predicted)


def evaluate_model(dialogues: Sequence[Dialogue], token_lists, *, cv: int = 5, seed: int = 0):
    """Cross-validated model predictions: (report on all, scores on the held-out dialogues)."""
    from nlp.analysis.theme_model import cross_validate_tokens

    labels = [d.label for d in dialogues]
    report, predicted = cross_validate_tokens(token_lists, labels, cv=cv, random_state=seed)
    held = [i for i, d in enumerate(dialogues) if not d.dev]
    return report, score([labels[i] for i in held], [predicted[i] for i in held])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--taxonomy", type=Path, default=None, help="themes YAML (default: packaged)")
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1, help="also repeat the model CV with seeds seed..seed+N-1")
    parser.add_argument("--no-model", action="store_true", help="skip the supervised model")
    parser.add_argument("--part", choices=["all", "dev", "heldout"], default="all", help="taxonomy parts to score")
    args = parser.parse_args(argv)
    if not (args.corpus / "dialogues").is_dir():
        print(f"KokoroChat not found at {args.corpus}/dialogues", file=sys.stderr)
        return 2

    from nlp.analysis.themes import ThemeTagger
    from nlp.text.tokenize import SudachiTokenizer
    from taxonomy.themes import load_taxonomy

    dialogues = load_kokorochat(args.corpus)
    start = time.perf_counter()
    tokenizer = SudachiTokenizer()
    tokens = [tokenizer(d.text) for d in dialogues]
    took = time.perf_counter() - start
    taxonomy = load_taxonomy(args.taxonomy)
    tagger = ThemeTagger(taxonomy=taxonomy, tokenizer=tokenizer)
    start = time.perf_counter()
    for t in tokens:
        tagger.tag_tokens(t)
    tagging = time.perf_counter() - start
    print(f"KokoroChat: {len(dialogues)} dialogues ({sum(d.dev for d in dialogues)} dev, "
          f"{sum(not d.dev for d in dialogues)} held out); tokenising {took:.2f}s, tagging {tagging:.2f}s "
          f"({tagging / took:.0%} of tokenising); taxonomy version {taxonomy.version}")
    parts = {"dev": [True], "heldout": [False], "all": [True, False]}[args.part]
    for dev in parts:
        idx = [i for i, d in enumerate(dialogues) if d.dev == dev]
        name = "development part (n % 3 == 0, read to write keywords)" if dev else "HELD-OUT part (never read)"
        print(f"\n== Taxonomy only, {name}")
        print(evaluate_taxonomy([dialogues[i] for i in idx], tagger, [tokens[i] for i in idx]))
    if not args.no_model:
        start = time.perf_counter()
        report, held = evaluate_model(dialogues, tokens, cv=args.cv, seed=args.seed)
        print(f"\n== Supervised model, {args.cv}-fold stratified cross-validation (seed {args.seed}) "
              f"on all {len(dialogues)} dialogues ({time.perf_counter() - start:.0f}s)")
        print(report)
        print("\n-- the same out-of-fold predictions, held-out dialogues only")
        print(held)
        if args.repeats > 1:
            import statistics

            runs = [evaluate_model(dialogues, tokens, cv=args.cv, seed=s) for s in range(args.seed, args.seed + args.repeats)]
            for name, values in (("accuracy", [r.accuracy for r, _ in runs]), ("macro-F1", [r.macro_f1 for r, _ in runs]),
                                 ("held-out accuracy", [h.accuracy for _, h in runs])):
                print(f"repeated {args.cv}-fold CV, seeds {args.seed}..{args.seed + args.repeats - 1}: {name} "
                      f"mean {statistics.mean(values):.3f} sd {statistics.stdev(values):.3f} "
                      f"(min {min(values):.3f}, max {max(values):.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
