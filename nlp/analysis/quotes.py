"""A few short, masked, representative quotes per theme for the meeting materials.

A quote is one client sentence that contains the theme's evidence, 12–60 characters, passed
through the mask; themes with fewer consultations than ``min_cell`` get none, since a quote from
a small group can identify its writer.
"""

from __future__ import annotations

import hashlib
import re
from typing import Callable, Iterator, Sequence

import pandas as pd

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
# Never quoted, whoever they concern: death, suicide, self-harm, abuse details.
_SENSITIVE = re.compile(r"死|自殺|じさつ|しに|シニ|タヒ|消え|リスカ|自傷|切っ|OD|ＯＤ|薬|首|飛び降|遺書|殺")


def _sentences(messages: Sequence[str]) -> Iterator[str]:
    """The non-blank sentences, in order (lazily: the first usable one is often enough)."""
    return (s.strip() for m in messages for s in _SENTENCE.findall(m) if s.strip())


def _stable_key(text: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{text}".encode("utf-8")).hexdigest()


def select_quotes(
    consultations: pd.DataFrame,
    messages: Sequence[Sequence[str]],
    *,
    mask: Callable[[str], str],
    per_theme: int = 3,
    min_cell: int = 10,
    min_chars: int = 12,
    max_chars: int = 60,
    seed: int = 0,
) -> dict[str, list[str]]:
    """Masked quotes keyed by primary theme id, at most one per consultation.

    Args:
        consultations: the consultations table (primary_theme, theme_evidence, ideation_level).
        messages: each consultation's client messages, aligned with ``consultations`` rows.
        mask: the masking function (nlp.text.masking.mask_text).
    """
    quotes: dict[str, list[str]] = {}
    for theme, group in consultations.groupby("primary_theme", sort=True):
        if len(group) < min_cell:
            continue
        candidates: list[tuple[str, str]] = []
        columns = [group[name].tolist() for name in ("theme_evidence", "ideation_level", "third_party", "past_attempt", "self_harm")]
        for index, found, level, third_party, past_attempt, self_harm in zip(group.index, *columns):
            if level >= 1 or third_party or past_attempt or self_harm:
                continue  # anyone's ideation is reported as shares, never quoted
            evidence = [e.split(":")[-1] for e in found]
            for sentence in _sentences(messages[index]):
                if _SENSITIVE.search(sentence):
                    continue
                if min_chars <= len(sentence) <= max_chars and any(e and e in sentence for e in evidence):
                    candidates.append((_stable_key(sentence, seed), sentence))
                    break
        chosen: list[str] = []
        for _, sentence in sorted(candidates):
            masked = mask(sentence)
            if masked not in chosen:
                chosen.append(masked)
            if len(chosen) == per_theme:
                break
        if chosen:
            quotes[str(theme)] = chosen
    return quotes
