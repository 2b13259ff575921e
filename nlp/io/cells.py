"""Cells as the readers hand them on: control characters and lone surrogates removed, blanks told apart.

One cleaning for consultations and survey answers alike (:func:`clean_text`), and the small
cell helpers both use (:func:`blank`, :func:`as_str`, :func:`cell_text`, :func:`show`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import pandas as pd

# C0 and C1 control characters except tab and newline, stray BOMs and non-characters, and lone
# surrogates (a JSON "\ud800" escape makes one; SudachiPy cannot encode it). Emoji ZWJs are kept.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff\ud800-\udfff]")


def clean_text(value: str) -> str:
    """The text as given, minus control characters and lone surrogates; CR LF and lone CR become LF."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return CONTROL.sub("", value)


# What clean_text changes; a text without any of these is kept as it is.
NEEDS_CLEANING = re.compile("[\r\u2028\u2029" + CONTROL.pattern[1:])


def blank(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def as_str(value: Any) -> str:
    """Cell to string: 1001.0 → "1001", anything else str()."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def show(value: Any) -> str:
    """A short, printable rendering of a refused value (never used for message text)."""
    text = CONTROL.sub("", as_str(value)).replace("\n", " ")
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


def cell_text(value: Any) -> str:
    """A cell as display text: NFKC, whitespace collapsed, control characters and lone surrogates
    removed (as :func:`clean_text`), 1001.0 → "1001"; "" for blank."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value)))
    return CONTROL.sub("", text).strip() if NEEDS_CLEANING.search(text) else text.strip()
