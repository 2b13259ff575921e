"""Normalisation of the attribute columns: age band, gender, prefecture, role, free values.

Each function takes one raw cell (any type) and returns a canonical value, never raising.
An empty cell or an explicit "unknown" (不明, 無回答, -, …) gives 不明; so does a value that
cannot be understood, which :func:`is_stated` lets a validator tell apart.

Example:
    >>> age_band("17歳"), age_band(85), gender("F"), prefecture("熊本"), role("相談者")
    ('10代', '80代以上', '女性', '熊本県', 'client')
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache, wraps
from typing import Callable, TypeVar

from nlp.ingest.schema import AGE_BANDS, PREFECTURES, UNKNOWN

# Written in exports for "no answer"; compared after NFKC, trimming and case folding.
UNKNOWN_MARKERS = frozenset({
    "", "不明", "無回答", "未回答", "回答なし", "回答しない", "答えたくない", "言いたくない", "未記入",
    "未入力", "未設定", "不詳", "なし", "unknown", "n/a", "na", "nan", "none", "null", "-", "--", "ー",
    "―", "—", "?", "??", "*", "・",
})
_GENDERS = {
    "女性": ("女性", "女", "女子", "女の子", "おんな", "f", "female", "woman", "girl", "w"),
    "男性": ("男性", "男", "男子", "男の子", "おとこ", "m", "male", "man", "boy"),
    "その他": ("その他", "other", "others", "x", "xジェンダー", "ノンバイナリー", "ノンバイナリ",
              "non-binary", "nonbinary", "どちらでもない", "答えられない性"),
}
GENDER_VALUES = {alias: canonical for canonical, aliases in _GENDERS.items() for alias in aliases}
_ROLES = {
    "client": ("client", "相談者", "相談者様", "クライアント", "利用者", "ユーザー", "user", "本人", "来談者"),
    "counselor": ("counselor", "counsellor", "相談員", "カウンセラー", "支援員", "支援者", "スタッフ",
                  "staff", "operator", "オペレーター", "担当者", "相談担当"),
}
ROLE_VALUES = {alias: canonical for canonical, aliases in _ROLES.items() for alias in aliases}
# 熊本 → 熊本県, 東京 → 東京都, 大阪 → 大阪府, 京都 → 京都府; 北海道 has no shorter form.
_PREFECTURE_SHORT = {name[:-1]: name for name in PREFECTURES if name != "北海道"}
_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_AGE = re.compile(r"^(?P<age>\d{1,3})(?:\.\d+)?(?:歳|才|yrs?|years?)?$")
_AGE_BAND = re.compile(r"^(?P<decade>\d{1,3})(?:代|歳代|才代|s)(?:前半|後半|半ば|中盤)?$")
_AGE_RANGE = re.compile(r"^(?P<low>\d{1,3})(?:歳|才)?[-~〜ー－](?P<high>\d{1,3})(?:歳|才)?$")
_AGE_UNDER = re.compile(r"^(?P<limit>\d{1,3})(?:代|歳|才)未満$")
_AGE_OVER = re.compile(r"^(?P<limit>\d{1,3})(?:代|歳代|歳|才)以上$")
MAX_AGE = 120
T = TypeVar("T")


def _memoised(function: Callable[[object], T]) -> Callable[[object], T]:
    """Cells repeat across thousands of rows: each distinct value is normalised once."""
    cached = lru_cache(maxsize=8192, typed=True)(function)

    @wraps(function)
    def wrapper(value: object) -> T:
        try:
            return cached(value)
        except TypeError:  # an unhashable cell, such as a list from JSON
            return function(value)

    return wrapper


def _key(value: object) -> str:
    """The comparable form of a cell: NFKC, no spaces, case folded; '' for empty or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).casefold()


@_memoised
def is_stated(value: object) -> bool:
    """True when a cell holds something other than blank or an explicit unknown marker."""
    return _key(value) not in UNKNOWN_MARKERS


def _band_of_age(age: int) -> str:
    if age < 0 or age > MAX_AGE:
        return UNKNOWN
    if age < 10:
        return "10代未満"
    if age >= 80:
        return "80代以上"
    return f"{age // 10 * 10}代"


def _kanji_to_digits(text: str) -> str:
    """二十代 → 20代, 十七歳 → 17歳 (numbers below 100 written in kanji)."""
    def convert(match: re.Match[str]) -> str:
        token = match.group(0)
        if "十" not in token:
            return "".join(str(_KANJI_DIGITS[c]) for c in token)
        tens, _, ones = token.partition("十")
        return str((_KANJI_DIGITS.get(tens, 1) if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0))

    return re.sub(r"[〇零一二三四五六七八九]?十[一二三四五六七八九]?|[〇零一二三四五六七八九]+", convert, text)


@_memoised
def age_band(value: object) -> str:
    """One of AGE_BANDS from a band ("10代", "20代後半", "10歳代") or an age (17, "17歳", "十七歳").

    Args:
        value: the cell of an age_band or age column.

    Returns:
        "10代未満" … "70代", "80代以上" or "不明" (unknown, ambiguous such as 70代以上, or out of range).
    """
    if isinstance(value, bool):
        return UNKNOWN
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return UNKNOWN
        return _band_of_age(math.floor(value))
    key = _kanji_to_digits(_key(value))
    if key in UNKNOWN_MARKERS:
        return UNKNOWN
    if key in AGE_BANDS:
        return key
    if match := _AGE.match(key):
        return _band_of_age(int(match["age"]))
    if match := _AGE_BAND.match(key):
        decade = int(match["decade"])
        return _band_of_age(decade) if decade % 10 == 0 and decade > 0 else UNKNOWN
    if match := _AGE_RANGE.match(key):
        low, high = int(match["low"]), int(match["high"])
        band = _band_of_age(low)
        return band if low <= high and (_band_of_age(high) == band) else UNKNOWN
    if match := _AGE_UNDER.match(key):
        return "10代未満" if int(match["limit"]) == 10 else UNKNOWN
    if match := _AGE_OVER.match(key):
        return "80代以上" if int(match["limit"]) >= 80 else UNKNOWN
    return UNKNOWN


@_memoised
def gender(value: object) -> str:
    """女性 / 男性 / その他 / 不明 from 女, F, female, 男子, M, male, Xジェンダー, 無回答 …"""
    return GENDER_VALUES.get(_key(value), UNKNOWN)


@_memoised
def prefecture(value: object) -> str:
    """One of the 47 prefecture names, or 不明.

    Accepts the full name, the name without 県/府/都 (熊本 → 熊本県, 東京 → 東京都), a full name
    followed by a municipality (熊本県熊本市 → 熊本県) and the JIS code 1–47 (43 → 熊本県).
    """
    key = _key(value)
    if key in UNKNOWN_MARKERS:
        return UNKNOWN
    if key in _PREFECTURE_SHORT:
        return _PREFECTURE_SHORT[key]
    if re.fullmatch(r"\d{1,2}(?:\.0)?", key):
        code = int(float(key))
        return PREFECTURES[code - 1] if 1 <= code <= len(PREFECTURES) else UNKNOWN
    for name in PREFECTURES:
        if key.startswith(name):
            return name
    return UNKNOWN


@_memoised
def role(value: object) -> str | None:
    """"client" (相談者, クライアント, 利用者, client) or "counselor" (相談員, カウンセラー, 支援員,
    counselor); None when the value is empty or not recognised."""
    return ROLE_VALUES.get(_key(value))


@_memoised
def free_value(value: object) -> str:
    """A free attribute (occupation, municipality) kept as given, trimmed; 不明 when blank."""
    if not is_stated(value):
        return UNKNOWN
    text = value if isinstance(value, str) else _format_number(value)
    kept = "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cs"})  # controls, lone surrogates
    return re.sub(r"\s+", " ", kept).strip() or UNKNOWN


def _format_number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
