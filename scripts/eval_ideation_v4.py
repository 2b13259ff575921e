"""Held-out v4 for scripts/eval_ideation.py: client messages of KokoroChat dialogues that are NOT in
../shared (the public corpus has 6,589 dialogues; ../shared holds the 659 whose number is a
multiple of 10), so neither the lexicon nor any earlier labelling has seen them.

How the set was made (fixed before anything was scored on it):
- 300 dialogue numbers drawn with ``random.Random(20261207).shuffle`` of the numbers 1..6599 not
  divisible by 10 (the first 300; 26 have no file in the public repository: 274 dialogues,
  12,408 client messages, 843 of them labelled);
- each dialogue read whole, from github.com/UEC-InabaLab/KokoroChat (kokorochat_dialogues/N.json),
  by annotators working blind (the lexicon, the scorer and earlier labels closed to them); every
  client message recorded that holds a death, disappearance, self-harm or 生きる word (the
  SURFACES and SURFACES_V3 lists of eval_ideation.py, in any script), every one that in the
  annotator's reading expresses ideation without such a word, and the client messages at 1/3 and
  2/3 of the dialogue (ordinary text); level 0–4 and the flags by DESIGN.md's rules;
  ``context_only`` marks a message that is ideation only through the counsellor's question
  (「はい、毎日です」): a per-message scorer cannot see it, so recall is printed without them (the
  figure the targets use) and with them;
- split by dialogue number: odd → ``dev4`` (its errors may be read while changing the scorer),
  even → ``heldout4`` (scored once, at the end).

The labels (data/eval/ideation_labels_v4.csv) hold no text: file, time, the SHA-1 of the text,
split, labels. The texts come from a clone of the public repository (``--v4 DIR`` holding
kokorochat_dialogues/ or the JSON files; texts are checked against the SHA-1) or from the
annotators' verbatim copies (``--v4 FILE.jsonl`` with file, time, text; kept outside the
project: the corpus is CC BY-NC-ND). Without either the v4 rows are skipped.

``python scripts/eval_ideation_v4.py build PARTS_DIR`` merges the annotators' part*.jsonl into
the label file and PARTS_DIR/messages.jsonl.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS_V4 = ROOT / "data" / "eval" / "ideation_labels_v4.csv"
DEFAULT_V4 = ROOT.parent / "heldout_v4"  # beside the project, like ../shared
FIELDS = ["file", "time", "text_sha1", "split", "group", "level", "strong", "past_attempt", "third_party",
          "self_harm", "context_only", "note"]


@dataclass(frozen=True)
class LabelV4:
    file: str
    index: str  # the message's time stamp: (file, time) names a message of the public corpus
    split: str
    level: int
    note: str
    context_only: bool
    text_sha1: str


def split_of(file: str) -> str:
    return "dev4" if int(Path(file).stem) % 2 else "heldout4"


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def load_v4_labels(path: Path = LABELS_V4) -> list[LabelV4]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [LabelV4(r["file"], r["time"], r["split"], int(r["level"]), r["note"], r["context_only"] == "true",
                        r["text_sha1"]) for r in csv.DictReader(fh)]


def load_v4_texts(source: Path, labels: list[LabelV4]) -> tuple[dict[tuple[str, str], str], int]:
    """(file, time) → client text for the labelled messages, and how many differ from the text
    the label was made on (SHA-1; an annotator's copying slip: the source text is used)."""
    wanted = {(x.file, x.index): x.text_sha1 for x in labels}
    texts: dict[tuple[str, str], str] = {}
    if source.is_file():
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts[(row["file"], row["time"])] = row["text"]
    else:
        folder = source / "kokorochat_dialogues" if (source / "kokorochat_dialogues").is_dir() else source
        for file in sorted({f for f, _ in wanted}):
            path = folder / file
            if path.is_file():
                for turn in json.loads(path.read_text(encoding="utf-8"))["dialogue"]:
                    if turn.get("role") == "client" and (file, turn["time"]) in wanted:
                        texts.setdefault((file, turn["time"]), turn["utterance"])
    differ = sum(1 for key, text in texts.items() if key in wanted and sha1(text) != wanted[key])
    return {k: v for k, v in texts.items() if k in wanted}, differ


def find_source(option: Path | None) -> Path | None:
    """The v4 texts: the given path, else ../heldout_v4/messages.jsonl or ../heldout_v4/ when present."""
    for candidate in ([option] if option else [DEFAULT_V4 / "messages.jsonl", DEFAULT_V4 / "kokorochat_dialogues"]):
        if candidate.exists():
            return candidate
    return None


def build(parts_dir: Path, out: Path = LABELS_V4) -> None:
    """Merge the annotators' part*.jsonl into the label file (no text) and messages.jsonl."""
    rows = []
    for part in sorted(parts_dir.glob("part*.jsonl")):
        if part.name.endswith("_dialogues.jsonl"):
            continue
        rows += [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines() if line.strip()]
    seen: set[tuple[str, str]] = set()
    labels, messages = [], []
    for r in sorted(rows, key=lambda r: (int(Path(r["file"]).stem), r["time"])):
        key = (r["file"], r["time"])
        if key in seen:
            raise SystemExit(f"{key} recorded twice")
        seen.add(key)
        flags = {k: "true" if r.get(k) else "false" for k in ("strong", "past_attempt", "third_party", "self_harm", "context_only")}
        labels.append({"file": r["file"], "time": r["time"], "text_sha1": sha1(r["text"]), "split": split_of(r["file"]),
                       "group": r["group"], "level": int(r["level"]), **flags, "note": r.get("note", "")})
        messages.append({"file": r["file"], "time": r["time"], "text": r["text"]})
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(labels)
    (parts_dir / "messages.jsonl").write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in messages),
                                              encoding="utf-8")
    print(f"{len(labels)} labels → {out}; texts → {parts_dir / 'messages.jsonl'}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "build":
        build(Path(sys.argv[2]))
    else:
        raise SystemExit(__doc__)


# v3 (lexicon version 3 + stage 2, main at 470cf33) scored once on all of v4, right after the
# labels were merged and before any change: the unbiased v3 figure on dialogues never seen.
FROZEN_V3_ON_V4: dict[str, dict] = {
    "dev4": {"n": 470, "positives": 37, "tp": 19, "fp": 1, "fn": 18, "precision": 0.950, "recall": 0.514, "level_accuracy": 0.947},
    "heldout4": {"n": 351, "positives": 59, "tp": 31, "fp": 0, "fn": 28, "precision": 1.000, "recall": 0.525, "level_accuracy": 0.903},
    "all v4": {"n": 821, "positives": 96, "tp": 50, "fp": 1, "fn": 46, "precision": 0.980, "recall": 0.521, "level_accuracy": 0.920},
    "all v4 + context-only": {"n": 843, "positives": 118, "tp": 50, "fp": 1, "fn": 68, "precision": 0.980, "recall": 0.424,
                              "level_accuracy": 0.920},
}


def report_v4(scorer, score_labels, source_option: Path | None, *, heldout: bool, show: bool, row_format) -> None:
    """Print the v4 rows: recorded v3 figures, then the current scorer on dev4 (and heldout4
    unless ``heldout`` is False), without and with the context-only messages."""
    if not LABELS_V4.exists():
        return
    labels = load_v4_labels()
    source = find_source(source_option)
    if source is None:
        print(f"held-out v4: skipped, no texts (give --v4 with a clone of the public KokoroChat repository "
              f"or the annotators' messages.jsonl; looked in {DEFAULT_V4})")
        return
    texts, differ = load_v4_texts(source, labels)
    missing = [x for x in labels if (x.file, x.index) not in texts]
    print(f"held-out v4 ({len({x.file for x in labels})} unseen dialogues, {len(labels)} labelled client messages; "
          f"texts from {source}, {len(missing)} missing, {differ} differing from the labelled copy)")
    labels = [x for x in labels if (x.file, x.index) in texts]
    for name, figures in FROZEN_V3_ON_V4.items():
        print(row_format(f"(4) v3 once, {name} (unbiased, recorded)", figures))
    splits = ("dev4", "heldout4") if heldout else ("dev4",)
    for context in (False, True):
        chosen = [x for x in labels if x.split in splits and (context or not (x.context_only and x.level > 0))]
        for split, s in sorted(score_labels(scorer, chosen, texts).items()):
            tag = "(5) current, dev4" if split == "dev4" else "(6) current, heldout4"
            print(row_format(f"{tag}{' + context-only' if context else ''}", s))
            if show and split == "dev4" and not context:
                for kind, label, predicted in s.errors:
                    evidence = list(scorer.score_message(texts[(label.file, label.index)]).evidence)
                    print(f"  [dev4 {kind}] {label.file} {label.index} gold={label.level} pred={predicted} {evidence} "
                          f"| {texts[(label.file, label.index)][:120]}")
