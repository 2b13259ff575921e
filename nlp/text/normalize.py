"""Text normalisation shared by every matcher: NFKC, width, case, elongation, kana folding.

Example:
    >>> normalize_text("ｼﾆﾀｲｲｲ！！")
    'シニタイ!!'
    >>> fold_kana(normalize_text("ｼﾆﾀｲｲｲ"))
    'しにたい'
"""

from __future__ import annotations

import re
import unicodedata

# Control characters except tab and newline; they break CSV writers and terminals.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff\ud800-\udfff]")
# The same kana (or small kana / prolonged sound mark) three or more times: しにたいいい → しにたい.
_ELONGATION = re.compile(r"([ぁ-ゖァ-ヺー〜~])\1{2,}")
_WAVE_DASH = re.compile(r"[〜～~]+")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}


def normalize_text(text: str) -> str:
    """NFKC (full-width ASCII and half-width kana unified), control characters and lone surrogates removed,
    runs of three or more identical kana collapsed to one, wave dashes unified to ー.

    Letter case and kana type are kept; see :func:`fold_kana` for matching.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    text = _WAVE_DASH.sub("ー", text)
    return _ELONGATION.sub(r"\1", text)


def fold_kana(text: str) -> str:
    """Katakana to hiragana and ASCII to lower case, for lexicon matching (シニタイ → しにたい)."""
    return text.translate(_KATAKANA_TO_HIRAGANA).lower()


def normalize_for_matching(text: str) -> str:
    """:func:`normalize_text` then :func:`fold_kana`: the form lexicon patterns are written for."""
    return fold_kana(normalize_text(text))
