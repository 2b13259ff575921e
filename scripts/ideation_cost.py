"""Cost of ideation scoring against tokenisation alone, for scripts/eval_ideation.py."""

from __future__ import annotations

import time

from nlp.analysis.ideation import IdeationScorer


def throughput(scorer: IdeationScorer, messages: dict[tuple[str, int], str], repeats: int = 3) -> dict[str, tuple[float, float, float]]:
    """CPU seconds (process time, so other jobs on a shared machine do not count) for
    SudachiTokenizer alone and for the scorer alone, and the ratio (tokenizer + scorer) /
    tokenizer, the best of ``repeats`` runs each. Two units: every client message on its own
    (``score_message``), every dialogue's client messages (tokenizer on the joined text,
    ``score_consultation`` on the list), and the dialogues in chunks as the pipeline analyses them
    (``score_consultations`` on DEFAULT_CHUNK_SIZE consultations: their stage-2 sentences parsed
    in one batch).

    Returns:
        {"message": (tokenizer_s, scorer_s, ratio), "consultation": (...), "chunk": (...)}.
    """
    from nlp.analysis.analyse import DEFAULT_CHUNK_SIZE
    from nlp.text.tokenize import SudachiTokenizer

    tokenizer = SudachiTokenizer()
    tokenizer("準備")
    scorer.score_message("準備")
    load = getattr(scorer.context, "load", None)
    if load is not None:  # the one-off parser load is reported apart (ginza_load)
        load()
    texts = list(messages.values())
    dialogues: dict[str, list[str]] = {}
    for (name, _), text in messages.items():
        dialogues.setdefault(name, []).append(text)
    joined = ["\n".join(d) for d in dialogues.values()]
    consultations = list(dialogues.values())
    chunks = [consultations[i : i + DEFAULT_CHUNK_SIZE] for i in range(0, len(consultations), DEFAULT_CHUNK_SIZE)]

    def best(fn, items) -> float:
        times = []
        for _ in range(repeats):
            start = time.process_time()
            for item in items:
                fn(item)
            times.append(time.process_time() - start)
        return min(times)

    out = {}
    for unit, tok_items, score_fn, score_items in (
        ("message", texts, scorer.score_message, texts),
        ("consultation", joined, scorer.score_consultation, consultations),
        ("chunk", joined, scorer.score_consultations, chunks),
    ):
        tok = best(tokenizer, tok_items)
        score = best(score_fn, score_items)
        out[unit] = (tok, score, (tok + score) / tok)
    return out


def _rss_mb() -> float:
    """This process's resident set size (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration, ValueError):
        return 0.0
