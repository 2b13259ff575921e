"""Build the benchmark corpus: the shared KokoroChat dialogues repeated to ~17 million characters.

Written at bench time into a temporary folder, never into the repository (the dialogues are
CC BY-NC-ND). Every repetition gets fresh consultation ids, a start time spread over the
months, and deterministic synthetic attributes, so month partitions and tables are exercised.
One CSV per month, as a chat line would export them: ``layout="messages"`` writes one row per
message (相談ID, 相談日時, 発言者, 相談内容, 年代, 性別, 都道府県; counsellor rows included, the
pipeline drops them), ``layout="consultations"`` one row per consultation with its client
text joined (no 発言者 column).
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

DEFAULT_DIALOGUES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "kokorochat" / "dialogues"
HEADER = ["相談ID", "相談日時", "発言者", "相談内容", "年代", "性別", "都道府県"]
LAYOUTS = ("messages", "consultations")
AGE_BANDS = ["10代", "20代", "30代", "40代", "50代", "60代"]
GENDERS = ["女性", "男性", "女性", "不明"]
PREFECTURES = ["東京都", "大阪府", "熊本県", "北海道", "福岡県", "愛知県"]


@dataclass
class Corpus:
    files: dict[str, Path]  # month → CSV
    characters: int  # all text written
    client_characters: int
    consultations: int
    messages: int  # rows written
    client_texts: list[str]  # each consultation's client text as the pipeline joins it (for the raw baseline)
    all_texts: list[str]  # each consultation's whole text, both roles, in order (for the whole-corpus baseline)


def load_dialogues(folder: Path) -> list[list[tuple[str, float, str]]]:
    """Each dialogue as (role, seconds since its first message, utterance)."""
    dialogues = []
    for path in sorted(folder.glob("*.json"), key=lambda p: int(p.stem) if p.stem.isdigit() else p.stem):
        turns = json.loads(path.read_text(encoding="utf-8"))["dialogue"]
        start = datetime.fromisoformat(turns[0]["time"])
        dialogues.append([(t["role"], (datetime.fromisoformat(t["time"]) - start).total_seconds(), t["utterance"] or "")
                          for t in turns if (t.get("utterance") or "").strip()])
    return dialogues


def month_names(first: str, count: int) -> list[str]:
    year, month = (int(p) for p in first.split("-"))
    names = []
    for _ in range(count):
        names.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return names


def build_corpus(
    out_dir: Path, *, target_chars: int = 17_000_000, months: list[str] | None = None,
    dialogues_dir: Path = DEFAULT_DIALOGUES, seed: int = 0, id_prefix: str = "b", layout: str = "messages",
) -> Corpus:
    """Repeat the dialogues until ``target_chars`` characters of text, spread over ``months``.

    Args:
        out_dir: folder for the CSVs (one per month, named YYYY-MM.csv).
        target_chars: characters of text to write (client and counsellor for "messages").
        layout: "messages" or "consultations".
        months: months to spread consultations over, round robin (default 12 months of 2024).
        id_prefix: consultation ids are ``<prefix><month><number>``, unique per corpus.
    """
    if not dialogues_dir.is_dir():
        raise FileNotFoundError(f"KokoroChat dialogues not found at {dialogues_dir} (../shared/eval is needed).")
    if layout not in LAYOUTS:
        raise ValueError(f"The 'layout' parameter must be one of {LAYOUTS}. Got {layout!r}.")
    months = months or month_names("2024-01", 12)
    dialogues = load_dialogues(dialogues_dir)
    client_text = ["\n".join(text for role, _, text in d if role == "client") for d in dialogues]
    whole_text = client_text if layout == "consultations" else ["\n".join(text for _, _, text in d) for d in dialogues]
    header = HEADER if layout == "messages" else [h for h in HEADER if h != "発言者"]
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    handles = {m: (out_dir / f"{m}.csv").open("w", encoding="utf-8", newline="") for m in months}
    writers = {m: csv.writer(h) for m, h in handles.items()}
    for writer in writers.values():
        writer.writerow(header)
    chars = client_chars = consultations = messages = 0
    texts: list[str] = []
    all_texts: list[str] = []
    try:
        while chars < target_chars:
            for number_in_corpus, dialogue in enumerate(dialogues):
                if chars >= target_chars:
                    break
                month = months[consultations % len(months)]
                year, number = (int(p) for p in month.split("-"))
                start = datetime(year, number, rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59))
                cid = f"{id_prefix}{month.replace('-', '')}{consultations:06d}"
                attributes = [rng.choice(AGE_BANDS), rng.choice(GENDERS), rng.choice(PREFECTURES)]
                joined = client_text[number_in_corpus]
                if layout == "consultations":
                    first_client = next((o for r, o, _ in dialogue if r == "client"), 0.0)
                    when = (start + timedelta(seconds=first_client)).strftime("%Y-%m-%d %H:%M:%S")
                    writers[month].writerow([cid, when, joined, *attributes])
                    chars += len(joined)
                    messages += 1
                else:
                    for role, offset, text in dialogue:
                        when = (start + timedelta(seconds=offset)).strftime("%Y-%m-%d %H:%M:%S")
                        writers[month].writerow([cid, when, role, text, *attributes])
                        chars += len(text)
                        messages += 1
                client_chars += len(joined)
                texts.append(joined)
                all_texts.append(whole_text[number_in_corpus])
                consultations += 1
    finally:
        for handle in handles.values():
            handle.close()
    return Corpus({m: out_dir / f"{m}.csv" for m in months}, chars, client_chars, consultations, messages, texts,
                  all_texts)


if __name__ == "__main__":
    import sys
    import tempfile

    corpus = build_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp()))
    print({k: v for k, v in vars(corpus).items() if not k.endswith("_texts")})
