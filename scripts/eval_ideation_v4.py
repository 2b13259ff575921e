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
  even → ``heldout4`` (scored once, at the end);
- the first annotators were told to choose the cautious level when unsure and counted distress
  about living (生きるのがしんどい) and meaning-of-life statements as level 1, which the project's
  convention (taxonomy/ideation.yaml, ikitakunai; tests) does not. A second annotator, blind to
  the scorer, adjudicated every label to the written convention (CONVENTION.md beside the parts:
  31 of 843 changed, 28 of them 1 → 0); ``level`` is the adjudicated label, ``first_level`` the
  first one, and both are scored;
- a second batch of dialogues (parts 10 and up, the next 180 numbers of the same shuffle,
  labelled under the convention directly) is all ``dev4``: more text to learn from, the held-out
  half unchanged.

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
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LABELS_V4 = ROOT / "data" / "eval" / "ideation_labels_v4.csv"
DEFAULT_V4 = ROOT.parent / "heldout_v4"  # beside the project, like ../shared
# Held-out v5: 160 more dialogues of the same shuffle (parts 20 and up), labelled under the
# convention while the scorer was changed on dev4 and the read heldout4 errors; scored once.
LABELS_V5 = ROOT / "data" / "eval" / "ideation_labels_v5.csv"
DEFAULT_V5 = ROOT.parent / "heldout_v5"
# Held-out v6: 120 more (parts 30 and up), labelled after the iteration on the heldout5 errors,
# to measure the final lexicon once.
LABELS_V6 = ROOT / "data" / "eval" / "ideation_labels_v6.csv"
DEFAULT_V6 = ROOT.parent / "heldout_v6"
# Session 6: 280 more dialogues of the shuffle (numbers 850-1169), labelled at once by blind
# annotators: v7 (parts 40-42, 120 dialogues) is scored once with the scorer as it stood, then
# its errors are read (dev7); v8 (parts 50-54, 200 dialogues) is scored once at the end.
LABELS_V7 = ROOT / "data" / "eval" / "ideation_labels_v7.csv"
DEFAULT_V7 = ROOT.parent / "heldout_v7"
LABELS_V8 = ROOT / "data" / "eval" / "ideation_labels_v8.csv"
DEFAULT_V8 = ROOT.parent / "heldout_v8"
# v9 (parts 60-66, 280 more dialogues, positions 1170-1449), labelled while the heldout8 errors were
# read; the annotators reported counts only. Scored once with the final scorer of session 6.
LABELS_V9 = ROOT / "data" / "eval" / "ideation_labels_v9.csv"
DEFAULT_V9 = ROOT.parent / "heldout_v9"
FIELDS = ["file", "time", "text_sha1", "split", "group", "level", "strong", "past_attempt", "third_party",
          "self_harm", "context_only", "first_level", "first_context_only", "note", "adjudication"]
FLAGS = ("strong", "past_attempt", "third_party", "self_harm", "context_only")


@dataclass(frozen=True)
class LabelV4:
    file: str
    index: str  # the message's time stamp: (file, time) names a message of the public corpus
    split: str
    level: int
    note: str
    context_only: bool
    text_sha1: str
    first_level: int = -1  # the first annotator's level, before adjudication to the convention


def split_of(file: str) -> str:
    return "dev4" if int(Path(file).stem) % 2 else "heldout4"


def _once(n: int, positives: int, tp: int, fp: int, fn: int, level_accuracy: float) -> dict:
    """A recorded once-only row (precision and recall follow from the counts)."""
    return {"n": n, "positives": positives, "tp": tp, "fp": fp, "fn": fn, "precision": tp / (tp + fp),
            "recall": tp / (tp + fn), "level_accuracy": level_accuracy}


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def load_v4_labels(path: Path = LABELS_V4, *, first: bool = False) -> list[LabelV4]:  # v5 files too
    """The adjudicated labels (``first``: the first annotators' levels and context flags instead)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [LabelV4(r["file"], r["time"], r["split"], int(r["first_level"] if first else r["level"]), r["note"],
                    r["first_context_only" if first else "context_only"] == "true",
                    r["text_sha1"], int(r["first_level"])) for r in rows]


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


def dialogue_levels(scorer, labels: list[LabelV4], texts: dict[tuple[str, str], str]) -> dict[tuple[str, str], int]:
    """Each labelled message's level scored in its dialogue (``score_dialogue``), the dialogue
    being its labelled client messages in time order: less context than the pipeline has (it
    reads every client message), so the discourse rules fire here at most as often."""
    by_file: dict[str, list[tuple[str, str]]] = {}
    for key in sorted({(x.file, x.index) for x in labels} & texts.keys(), key=lambda k: (k[0], k[1])):
        by_file.setdefault(key[0], []).append(key)
    out = {}
    for keys in by_file.values():
        for key, scored in zip(keys, scorer.score_dialogue([texts[k] for k in keys])):
            out[key] = scored.level
    return out


def consultation_figures(labels: list[LabelV4], levels: dict[tuple[str, str], int]) -> dict:
    """What the tables count: each dialogue's highest level (``levels``: :func:`dialogue_levels`)
    against the highest labelled level (context-only answers left out), as a row of the same shape
    as the message rows."""
    by_file: dict[str, list[LabelV4]] = {}
    for x in labels:
        by_file.setdefault(x.file, []).append(x)
    tp = fp = fn = exact = 0
    for rows in by_file.values():
        gold = max([x.level for x in rows if not x.context_only] or [0])
        predicted = max(levels[(x.file, x.index)] for x in rows)
        tp, fp, fn = tp + (gold > 0 and predicted > 0), fp + (gold == 0 and predicted > 0), fn + (gold > 0 and predicted == 0)
        exact += gold > 0 and predicted == gold
    nan = float("nan")
    return {"n": len(by_file), "positives": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "precision": tp / (tp + fp) if tp + fp else nan, "recall": tp / (tp + fn) if tp + fn else nan,
            "level_accuracy": exact / tp if tp else nan}


def find_source(option: Path | None, default: Path = DEFAULT_V4) -> Path | None:
    """The texts: the given path, else DEFAULT/messages.jsonl or DEFAULT/kokorochat_dialogues when present."""
    for candidate in ([option] if option else [default / "messages.jsonl", default / "kokorochat_dialogues"]):
        if candidate.exists():
            return candidate
    return None


_LONG_QUOTE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef、。…]{7,}")


def _note(text: str) -> str:
    """A note without quotes of the corpus longer than a word (the text stays out of the project)."""
    return _LONG_QUOTE.sub("[…]", text or "")


def build(parts_dir: Path, out: Path = LABELS_V4) -> None:
    """Merge the annotators' part*.jsonl and the adjudication (adjudicated.jsonl: the levels and
    flags under the project's convention, CONVENTION.md) into the label file (no text) and
    messages.jsonl."""
    adjudicated = {}
    if (parts_dir / "adjudicated.jsonl").exists():
        for line in (parts_dir / "adjudicated.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                adjudicated[(row["file"], row["time"])] = row
    rows = []
    for part in sorted(parts_dir.glob("part*.jsonl")):
        if part.name.endswith("_dialogues.jsonl"):
            continue
        number = int(part.stem.removeprefix("part"))
        rows += [{**json.loads(line), "part": number} for line in part.read_text(encoding="utf-8").splitlines() if line.strip()]
    seen: set[tuple[str, str]] = set()
    labels, messages = [], []
    for r in sorted(rows, key=lambda r: (int(Path(r["file"]).stem), r["time"])):
        key = (r["file"], r["time"])
        if key in seen:
            raise SystemExit(f"{key} recorded twice")
        seen.add(key)
        split = (split_of(r["file"]) if r["part"] < 10 else "dev4" if r["part"] < 20 else "heldout5" if r["part"] < 30
                 else "heldout6" if r["part"] < 40 else "dev7" if r["part"] < 50 else "heldout8" if r["part"] < 60
                 else "heldout9")
        final = adjudicated.get(key, r)
        flags = {k: "true" if final.get(k) else "false" for k in FLAGS}
        labels.append({"file": r["file"], "time": r["time"], "text_sha1": sha1(r["text"]), "split": split,
                       "group": r["group"], "level": int(final["level"]), **flags, "first_level": int(r["level"]),
                       "first_context_only": "true" if r.get("context_only") else "false", "note": _note(r.get("note", "")), "adjudication": _note(final.get("note", "")) if final.get("changed") else ""})
        messages.append({"file": r["file"], "time": r["time"], "text": r["text"]})
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(labels)
    (parts_dir / "messages.jsonl").write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in messages),
                                              encoding="utf-8")
    print(f"{len(labels)} labels → {out}; texts → {parts_dir / 'messages.jsonl'}")



# v3 (lexicon version 3 + stage 2, main at 470cf33) scored once on all of v4, right after the
# labels were merged and before any change: the unbiased v3 figure on dialogues never seen.
FROZEN_V3_ON_V4: dict[str, dict] = {
    # labels as adjudicated to the project's convention (the figures the targets use)
    "dev4": _once(471, 24, 19, 1, 5, 1.000),
    "heldout4": _once(353, 46, 30, 1, 16, 0.900),
    "heldout4 + context-only": _once(363, 56, 30, 1, 26, 0.900),
    # the first annotators' labels (cautious: distress about living and meaning of life counted)
    "heldout4, first labels": _once(351, 59, 31, 0, 28, 0.903),
}


# v4 (lexicon + stage 2 at b1e7284, developed on dev4 only) scored once on heldout4: the unbiased
# v4 figure. Identical to v3's: none of the dev4 classes occurs among the heldout4 misses.
FROZEN_V4_ONCE: dict[str, dict] = {name: row for name, row in FROZEN_V3_ON_V4.items() if name != "dev4"}


def _load(path: Path, source: Path) -> tuple[list[LabelV4], dict[tuple[str, str], str], str]:
    """The labels whose text was found, the texts, and a line saying where they came from."""
    labels = load_v4_labels(path)
    texts, differ = load_v4_texts(source, labels)
    found = [x for x in labels if (x.file, x.index) in texts]
    said = (f"{len({x.file for x in labels})} unseen dialogues, {len(labels)} labelled client messages; texts from "
            f"{source}, {len(labels) - len(found)} missing, {differ} differing from the labelled copy")
    return found, texts, said


def _scored(scorer, score_labels, labels: list[LabelV4], texts, splits=None, first=None, in_dialogue=None):
    """(variant, split, scores) for each way a set is scored: each message alone, in its dialogue
    (``in_dialogue``: :func:`dialogue_levels`, computed here when not given), with the context-only
    answers, and (``first``) under the first annotators' labels."""
    in_dialogue = in_dialogue if in_dialogue is not None else dialogue_levels(scorer, labels, texts)
    variants = [("", False, labels, None), (" in dialogue", False, labels, in_dialogue),
                (" + context-only", True, labels, None)]
    if first is not None:
        variants.append((", first labels", False, [first[(x.file, x.index)] for x in labels], None))
    for name, context, chosen_labels, levels in variants:
        chosen = [x for x in chosen_labels if (splits is None or x.split in splits)
                  and (context or not (x.context_only and x.level > 0))]
        for split, s in sorted(score_labels(scorer, chosen, texts, levels).items()):
            yield name, split, s


def report_v4(scorer, score_labels, source_option: Path | None, *, heldout: bool, show: bool, row_format) -> None:
    """Print the v4 rows: recorded v3 figures, then the current scorer on dev4 (and heldout4
    unless ``heldout`` is False), without and with the context-only messages."""
    if not LABELS_V4.exists():
        return
    source = find_source(source_option)
    if source is None:
        print(f"held-out v4: skipped, no texts (give --v4 with a clone of the public KokoroChat repository "
              f"or the annotators' messages.jsonl; looked in {DEFAULT_V4})")
        return
    labels, texts, said = _load(LABELS_V4, source)
    print(f"held-out v4 ({said})")
    for name, figures in FROZEN_V3_ON_V4.items():
        print(row_format(f"(4) v3 once, {name} (unbiased, recorded)", figures))
    for name, figures in FROZEN_V4_ONCE.items():
        print(row_format(f"(4b) v4 once, {name} (unbiased, recorded)", figures))
    splits = ("dev4", "heldout4") if heldout else ("dev4",)
    first = {(x.file, x.index): x for x in load_v4_labels(first=True)}
    for name, split, s in _scored(scorer, score_labels, labels, texts, splits, first):
        tag = "(5) current, dev4" if split == "dev4" else "(6) current, heldout4 (optimistic: errors read)"
        print(row_format(f"{tag}{name}", s))
        if show and split == "dev4" and not name:
            for kind, label, predicted in s.errors:
                evidence = list(scorer.score_message(texts[(label.file, label.index)]).evidence)
                print(f"  [dev4 {kind}] {label.file} {label.index} gold={label.level} pred={predicted} {evidence} "
                      f"| {texts[(label.file, label.index)][:120]}")


# v4 at f363f12 (developed on dev4, the shared sets and the read heldout4 errors) scored once on
# heldout5 right after it was merged: the unbiased figure on dialogues never seen.
FROZEN_V5_ONCE: dict[str, dict] = {
    "heldout5": _once(457, 47, 27, 7, 20, 1.000),
    "heldout5 in dialogue": _once(457, 47, 27, 7, 20, 1.000),
    "heldout5 + context-only": _once(479, 69, 27, 7, 42, 1.000),
}


# The final lexicon (94185b0, code 137019c: after the heldout5 iteration) scored once on heldout6
# right after it was merged. Only 26 positives: a 95 % interval for the recall is about 0.66-0.95.
FROZEN_V6_ONCE: dict[str, dict] = {
    "heldout6": _once(331, 26, 22, 0, 4, 1.000),
    "heldout6 in dialogue": _once(331, 26, 22, 0, 4, 1.000),
    "heldout6 + context-only": _once(348, 43, 23, 0, 20, 1.000),
}


# The session-5 final scorer (fb84922) scored once on v7 right after it was merged, before any of
# its errors was read: the unbiased figure on 104 more unseen dialogues (57 positives).
ERRORS_READ = {"v5", "v6", "v7", "v8"}  # sets whose errors were read while changing the scorer
FROZEN_V7_ONCE: dict[str, dict] = {
    "dev7": _once(341, 57, 31, 6, 26, 1.000),
    "dev7 in dialogue": _once(341, 57, 32, 6, 25, 1.000),
    "dev7 + context-only": _once(365, 81, 31, 6, 50, 1.000),
    "dev7 consultations (highest level)": _once(104, 18, 15, 3, 3, 1.000),
}
# Scored once on v8 (179 unseen dialogues, 61 positives) right after it was merged, after the dev7
# changes (5634e73); the session-5 scorer (fb84922) gives the
# same figures on it: none of the dev7 classes occurs among the heldout8 messages.
FROZEN_V8_ONCE: dict[str, dict] = {
    "heldout8": _once(572, 61, 40, 4, 21, 0.975),
    "heldout8 in dialogue": _once(572, 61, 40, 4, 21, 0.975),
    "heldout8 + context-only": _once(586, 75, 40, 4, 35, 0.975),
    "heldout8 consultations (highest level)": _once(179, 16, 13, 3, 3, 0.846),
}

# The final scorer of session 6 (4fd50b1) scored once on v9 right after it was merged (its errors not
# read); the session-5 scorer (fb84922) on the same set: 0.958 / 0.791 / 0.985 (68 of 86), and
# consultations 27 of 29, 1 false: identical.
FROZEN_V9_ONCE: dict[str, dict] = {
    "heldout9": _once(847, 86, 69, 3, 17, 0.986),
    "heldout9 in dialogue": _once(847, 86, 69, 3, 17, 0.986),
    "heldout9 + context-only": _once(890, 129, 69, 3, 60, 0.986),
    "heldout9 consultations (highest level)": _once(260, 29, 27, 1, 2, 0.926),
}


# The sets labelled under the convention: (version, labels, texts folder, once-only figures).
LATER_SETS = (("v5", LABELS_V5, DEFAULT_V5, FROZEN_V5_ONCE), ("v6", LABELS_V6, DEFAULT_V6, FROZEN_V6_ONCE),
              ("v7", LABELS_V7, DEFAULT_V7, FROZEN_V7_ONCE), ("v8", LABELS_V8, DEFAULT_V8, FROZEN_V8_ONCE),
              ("v9", LABELS_V9, DEFAULT_V9, FROZEN_V9_ONCE))


def report_v5(scorer, score_labels, *, heldout: bool, row_format) -> None:
    """The held-out sets labelled under the convention (:data:`LATER_SETS`): each set's once-only
    figures, then the current scorer unless ``heldout`` is False (OPTIMISTIC once the set's errors
    were read: :data:`ERRORS_READ`)."""
    for version, path, folder, frozen in LATER_SETS:
        if not path.exists():
            continue
        for name, figures in frozen.items():
            print(row_format(f"({version}) once, {name} (unbiased, recorded)", figures))
        source = find_source(None, folder)
        if not heldout or source is None:
            print(f"held-out {version}: not scored now" + ("" if heldout else " (--no-heldout)")
                  + (f"; no texts at {folder}" if source is None else ""))
            continue
        labels, texts, said = _load(path, source)
        print(f"held-out {version} ({said})")
        in_dialogue = dialogue_levels(scorer, labels, texts)
        for name, split, s in _scored(scorer, score_labels, labels, texts, in_dialogue=in_dialogue):
            print(row_format(f"({version}) current, {split}{name}" + (" (optimistic once read)" if version in ERRORS_READ else ""), s))
        print(row_format(f"({version}) current, consultations (highest level)", consultation_figures(labels, in_dialogue)))


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "build":
        build(Path(sys.argv[2]), *(Path(a) for a in sys.argv[3:]))
    else:
        raise SystemExit(__doc__)
