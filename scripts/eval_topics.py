"""Evaluate topic discovery on the KokoroChat dialogues, offline, twice.

Prints the topics with their top words, NMI and purity against ``topic.main_jp``, wall times,
whether the second run gives identical topics, and how many network connections were tried
(sockets are patched to refuse and count every attempt; HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE
are set before anything is imported). Exit status 1 when a check fails.

Usage:
    python scripts/eval_topics.py [--dialogues ../shared/eval/kokorochat/dialogues]
        [--embedder ginza|tfidf|concat] [--n-topics K] [--runs 2] [--show-excerpts]

The corpus is CC BY-NC-ND: nothing is written, only figures and top words are printed.
"""

from __future__ import annotations

import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NETWORK_ATTEMPTS: list[str] = []
FILLER = ["こと", "自分", "感じ", "思う", "今日", "ない", "いる", "ある", "する", "なる", "思い", "気持ち",
          "お願い", "御願い", "ありがとう", "すみません", "はい", "そう", "本当", "今", "話", "相談"]


def block_network() -> None:
    """Make every socket connection and name lookup fail loudly and record it."""

    def refuse(kind):
        def blocked(*args, **kwargs):
            NETWORK_ATTEMPTS.append(f"{kind}{args[1:2] if kind.startswith('socket') else args[:1]}")
            raise OSError(f"network disabled during topic evaluation ({kind})")
        return blocked

    socket.socket.connect = refuse("socket.connect")
    socket.socket.connect_ex = refuse("socket.connect_ex")
    socket.create_connection = refuse("create_connection")
    socket.getaddrinfo = refuse("getaddrinfo")


def forbid_sentence_transformers() -> None:
    """Record and refuse any SentenceTransformer construction (BERTopic's default embedding model)."""
    import sentence_transformers

    def refuse(self, *args, **kwargs):
        NETWORK_ATTEMPTS.append(f"SentenceTransformer{args[:1]}")
        raise RuntimeError("no sentence-transformer may be loaded during topic evaluation")

    sentence_transformers.SentenceTransformer.__init__ = refuse


def fingerprint(result) -> str:
    """Short hash of the document topics and topic tables, to compare runs across processes."""
    payload = json.dumps([result.doc_topics, result.topics.to_csv(index=False),
                          result.over_time.to_csv(index=False)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def load(folder: Path) -> tuple[list[str], list[str], list[str]]:
    """Client text, month of the first message, and main_jp label of each dialogue."""
    texts, months, labels = [], [], []
    for path in sorted(folder.glob("*.json"), key=lambda p: int(p.stem) if p.stem.isdigit() else p.stem):
        dialogue = json.loads(path.read_text(encoding="utf-8"))
        turns = dialogue["dialogue"]
        texts.append("\n".join(t["utterance"] for t in turns if t.get("role") == "client"))
        months.append(turns[0]["time"][:7])
        labels.append(dialogue["topic"]["main_jp"])
    return texts, months, labels


def purity(topics: list[int], labels: list[str]) -> float:
    groups: dict[int, Counter] = defaultdict(Counter)
    for topic, label in zip(topics, labels):
        groups[topic][label] += 1
    return sum(max(c.values()) for c in groups.values()) / len(topics)


def make_embedder(name: str):
    from nlp.analysis.embeddings import ConcatEmbedder, GinzaStaticEmbedder, TfidfSvdEmbedder

    return {"ginza": GinzaStaticEmbedder, "tfidf": TfidfSvdEmbedder,
            "concat": lambda: ConcatEmbedder([GinzaStaticEmbedder(), TfidfSvdEmbedder()])}[name]()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dialogues", type=Path, default=ROOT.parent / "shared" / "eval" / "kokorochat" / "dialogues")
    parser.add_argument("--embedder", choices=["ginza", "tfidf", "concat"], default="ginza")
    parser.add_argument("--n-topics", type=int, default=None)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--show-excerpts", action="store_true")
    args = parser.parse_args()
    if not args.dialogues.is_dir():
        print(f"no KokoroChat dialogues at {args.dialogues}; skipped")
        return 0

    started = time.perf_counter()
    block_network()
    forbid_sentence_transformers()
    from sklearn.metrics import normalized_mutual_info_score

    from nlp.analysis.topics import discover_topics, topic_growth

    try:
        from nlp.text.masking import mask_text
    except ImportError:
        mask_text = None
    texts, months, labels = load(args.dialogues)
    results, times = [], []
    for run in range(args.runs):
        t0 = time.perf_counter()
        result = discover_topics(texts, months=months, embedder=make_embedder(args.embedder),
                                 n_topics=args.n_topics, seed=0, **({"mask": mask_text} if mask_text else {}))
        times.append(time.perf_counter() - t0)
        results.append(result)
    total = time.perf_counter() - started

    first = results[0]
    assigned = [(t, lab) for t, lab in zip(first.doc_topics, labels) if t >= 0]
    topics_, labels_ = [t for t, _ in assigned], [lab for _, lab in assigned]
    majority = defaultdict(Counter)
    for t, lab in assigned:
        majority[t][lab] += 1
    print(f"dialogues: {len(texts)}, with a topic: {len(assigned)}, embedder: {args.embedder}, mask: "
          f"{'nlp.text.masking.mask_text' if mask_text else 'none (module missing)'}")
    print(f"topics: {len(first.topics)}")
    for row in first.topics.itertuples():
        top_label, count = majority[row.topic_id].most_common(1)[0]
        new = " NEW" if row.new_topic else ""
        print(f"  {row.topic_id:>2} n={row.size:>3} [{row.label}] {row.top_words}  "
              f"— {top_label} {count / row.size:.0%}{new}")
        if args.show_excerpts and row.excerpts:
            print(f"       excerpts: {row.excerpts}")
    nmi = normalized_mutual_info_score(labels_, topics_)
    pur = purity(topics_, labels_)
    words = [w for ws in first.words.values() for w in ws]
    filler = sorted({w for w in words if w in FILLER})
    identical = all(r.doc_topics == first.doc_topics and r.words == first.words
                    and r.topics.equals(first.topics) for r in results[1:])
    new = first.topics[first.topics["new_topic"]]
    month_counts = Counter(months)
    last, before = sorted(month_counts)[-1], sorted(month_counts)[-2]
    print(f"new-topic flags ({last}: {month_counts[last]} dialogues vs {before}: {month_counts[before]}): "
          f"{', '.join(f'{r.label} (+{r.growth:.0%} pts)' for r in new.itertuples()) or 'none'}")
    labels_by_id = dict(zip(first.topics["topic_id"], first.topics["label"]))
    years = topic_growth(first.doc_topics, [m[:4] for m in months], labels_by_id)
    year_counts = Counter(m[:4] for m in months)
    print(f"new-topic flags by year (2024: {year_counts['2024']} dialogues vs 2023: {year_counts['2023']}): "
          + ", ".join(f"{r.label} ({r.previous_share:.1%} → {r.current_share:.1%})"
                      for r in years[years["new_topic"]].itertuples()))
    print(f"NMI vs topic.main_jp: {nmi:.3f}   purity: {pur:.3f}")
    print(f"wall time per run: {', '.join(f'{t:.1f}s' for t in times)}; whole script incl. imports: {total:.1f}s")
    print(f"identical topics on {args.runs} runs: {identical}; fingerprint {fingerprint(first)}")
    print(f"filler words among top words: {filler or 'none'}")
    print(f"network connection / model download attempts: {len(NETWORK_ATTEMPTS)} {NETWORK_ATTEMPTS[:5]}; "
          f"HF_HUB_OFFLINE={os.environ['HF_HUB_OFFLINE']} TRANSFORMERS_OFFLINE={os.environ['TRANSFORMERS_OFFLINE']}")
    ok = len(first.topics) >= 8 and not filler and identical and not NETWORK_ATTEMPTS and times[0] < 90
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
