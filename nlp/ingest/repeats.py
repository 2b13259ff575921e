"""Repeats among the accepted rows of all files of a run (see :mod:`nlp.ingest.messages`).

A consultation row repeats an earlier one with the same id (same text: kept once; another text:
refused as a duplicate id); a message row repeats one with the same id, time, role, text and
own message time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from nlp.ingest.checks import Problem
from nlp.ingest.rows import _Rows

class _Deduplicator:
    """Refuses repeats among the rows of all files of a run (see the module docstring).

    Rows are compared by a 64-bit hash of their key first: a row whose hash no other row of the run
    has is no repeat. Only the others (in real exports a few, when any) are compared by their keys,
    in file and row order, so a repeat names the first accepted row with its key. Consultations
    and messages are deduplicated apart.
    """

    def filter_all(self, parts: list[tuple[_Rows, list[Problem], bool]]) -> list[_Rows]:
        """Each file's rows without the repeats, a problem added to the file's list for each
        (in row order, after the file's other problems).

        Args:
            parts: per file in reading order: its accepted rows, its problems, whether its rows are messages.
        """
        kept = [rows for rows, _, _ in parts]
        for message_mode in (False, True):
            chosen = [number for number, (rows, _, mode) in enumerate(parts) if mode == message_mode and len(rows)]
            if not chosen:
                continue
            texts = [list(map(str.strip, parts[number][0].text.tolist())) for number in chosen]  # accepted texts are strings
            hashes = [_key_hashes(parts[number][0], text, message_mode) for number, text in zip(chosen, texts)]
            repeated_hash = pd.Series(np.concatenate(hashes)).duplicated(keep=False).to_numpy()
            if not repeated_hash.any():
                continue
            ends = np.cumsum([len(h) for h in hashes])
            seen: dict[Any, tuple[str, int, str]] = {}  # key → (source, row, text) of its first accepted row
            repeated = [np.zeros(len(h), dtype=bool) for h in hashes]
            for place in np.flatnonzero(repeated_hash).tolist():
                which = int(np.searchsorted(ends, place, side="right"))
                position = place - (int(ends[which - 1]) if which else 0)
                rows, problems, _ = parts[chosen[which]]
                key = _key(rows, texts[which], position, message_mode)
                first = seen.get(key)
                if first is None:
                    seen[key] = (rows.source, int(rows.row[position]), texts[which][position])
                    continue
                repeated[which][position] = True
                problems.append(_repeat_problem(rows.source, int(rows.row[position]), first, texts[which][position],
                                                message_mode))
            for which, number in enumerate(chosen):
                if repeated[which].any():
                    kept[number] = parts[number][0].take(np.flatnonzero(~repeated[which]))
        return kept


def _repeat_problem(source: str, number: int, first: tuple[str, int, str], text: str, message_mode: bool) -> Problem:
    if message_mode:
        return Problem(source, number, "text", "duplicate_row", f"重複行: {first[0]} の {first[1]} 行目と同じ発言です（1件だけ採用）")
    if first[2] == text:
        return Problem(source, number, "consultation_id", "duplicate_row",
                       f"重複行: {first[0]} の {first[1]} 行目と相談IDも本文も同じです（1件だけ採用）")
    return Problem(source, number, "consultation_id", "duplicate_id",
                   f"相談IDの重複: {first[0]} の {first[1]} 行目に同じ相談IDで本文の異なる行があります")


def _key(rows: _Rows, texts: list[str], position: int, message_mode: bool) -> Any:
    """What makes a row a repeat: the id for a consultation; id, time, role, text and the message's
    own time for a message."""
    if not message_mode:
        return rows.consultation_id[position]
    return (rows.consultation_id[position], int(rows.instant[position]), rows.role[position], texts[position],
            str(rows.message_time[position]))


def _key_hashes(rows: _Rows, texts: list[str], message_mode: bool) -> np.ndarray:
    """A 64-bit hash of each row's key (of part of it: the message's own time is left out), the same
    for equal keys in every file of the run."""
    combined = _hashes(rows.consultation_id.tolist())
    if message_mode:
        for part in (rows.instant.view(np.uint64), _hashes(rows.role.tolist()), _hashes(texts)):
            combined = combined * np.uint64(0x100000001B3) ^ part
    return combined


def _hashes(values: list[Any]) -> np.ndarray:
    """Python's hash of each value (strings and None): equal values hash alike within a process."""
    return np.fromiter(map(hash, values), dtype=np.int64, count=len(values)).view(np.uint64)
