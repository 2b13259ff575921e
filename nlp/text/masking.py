"""Masking of personal data in any quote that can reach an output.

Placeholders: 〔氏名〕 〔電話番号〕 〔メール〕 〔URL〕 〔ID〕 〔住所〕 〔学校名〕 〔会社名〕.

Detectors (each finds spans; the longest span wins an overlap, then the earliest):

- names: Sudachi 名詞-固有名詞-人名 tokens (adjacent ones merged: 山田太郎); a word before an
  honorific (さん くん 君 ちゃん 様 先生 …) when it is a proper noun, a kana/latin word that is
  not a role (お母さん, 店員さん, 皆さん stay), or a kanji word before くん/ちゃん/君 that is not
  kinship (兄ちゃん stays); the name in 「名前は○○です」「○○と申します / といいます / と呼んで」.
  The honorific itself is kept: 山田太郎さん → 〔氏名〕さん.
- phone numbers: Japanese numbers of 10–11 digits (or +81), with or without hyphens, spaces or
  parentheses, full-width included (０９０１２３４５６７８).
- e-mail (also ＠ and (at)), URLs (http(s)://, www., bare domains with a common TLD).
- LINE / SNS ids: the value after LINE, インスタ, Twitter, TikTok, Discord … ID, after ``ID:``,
  and @mentions: "LINE ID: abc_123" → "LINE ID: 〔ID〕".
- postal addresses: 〒 / 郵便番号 codes, and places (…都道府県市区町村郡…) followed by block
  numbers (1-1, 1丁目2番3号, 123番地). A town name alone (熊本市) is not masked.
- schools: a name ending in 小学校 中学校 高校 大学 学園 … whose name part holds a proper
  noun, symbols (○○, △△) or latin letters; 県立高校, 志望大学, 中学校 alone stay.
- companies: legal forms (株式会社, 有限会社, ㈱, 一般社団法人 …) with the name on either side.

Regex detectors run on an NFKC view of the text (full-width digits and ＠ match) whose
positions map back to the original, so the returned text is the original with spans replaced.

Example:
    >>> mask_text("山田太郎さんの番号は０９０１２３４５６７８、LINE ID: abc_123")
    '〔氏名〕さんの番号は〔電話番号〕、LINE ID: 〔ID〕'
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Iterable, NamedTuple

from nlp.text.tokenize import SudachiTokenizer, Token, Tokenizer

PLACEHOLDERS = {
    "name": "〔氏名〕", "phone": "〔電話番号〕", "email": "〔メール〕", "url": "〔URL〕", "id": "〔ID〕",
    "address": "〔住所〕", "school": "〔学校名〕", "company": "〔会社名〕",
}


class Span(NamedTuple):
    start: int
    end: int
    label: str


# --------------------------------------------------------------------------- normalised view

_DASH_BETWEEN_DIGITS = re.compile(r"(?<=\d)[‐‑‒–—―−ー~〜](?=\d)")


def normalized_view(text: str) -> tuple[str, list[int]]:
    """NFKC of ``text`` character by character, dashes between digits as '-', and for each
    character of the result the index of the original character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for n in unicodedata.normalize("NFKC", ch):
            chars.append(n)
            origin.append(i)
    view = _DASH_BETWEEN_DIGITS.sub("-", "".join(chars))
    return view, origin


# --------------------------------------------------------------------------- regex detectors

_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]"
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+\-]+\s?(?:@|\(at\)|\[at\]|アットマーク)\s?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_URL = re.compile(
    rf"(?:https?|ftp)://{_URL_CHARS}+"
    rf"|www\.[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?:/{_URL_CHARS}*)?"
    rf"|(?<![A-Za-z0-9@.\-])[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*"
    rf"\.(?:com|net|org|jp|io|me|ly|co|info|biz|tv|app|dev|xyz)(?:\.[a-z]{{2}})?(?:/{_URL_CHARS}*)?"
    rf"(?![A-Za-z0-9])")
_PHONE = re.compile(
    r"(?<![\d\-+])(?:\+81[\-\s]?\(?0?\)?|\(?0)\d{1,4}\)?[\-\s]?\d{1,4}[\-\s]?\d{3,4}(?![\d\-])")
_ID_VALUE = r"@?(?P<v>(?=[A-Za-z0-9_.\-]*[A-Za-z_])[A-Za-z0-9_][A-Za-z0-9_.\-]{2,29})(?![A-Za-z0-9_])"
_SNS = (r"(?:LINE|[Ll]ine|ライン|インスタ(?:グラム)?|[Ii]nstagram|[Ii]nsta|ツイッター|[Tt]witter|TikTok|[Tt]iktok"
        r"|ティックトック|[Dd]iscord|ディスコード?|カカオ(?:トーク)?|[Kk]akao(?:[Tt]alk)?|[Ss]kype|スカイプ"
        r"|[Ff]acebook|フェイスブック|Threads|スレッズ|[Ss]napchat)")
_SNS_ID = re.compile(
    rf"(?<![A-Za-z0-9]){_SNS}\s*の?\s*(?:ID|Id|id|アカウント|ユーザー?名|垢)?\s*(?:[:=→]|は|です)?\s*{_ID_VALUE}")
_GENERIC_ID = re.compile(rf"(?<![A-Za-z0-9])(?:ID|Id|id|アカウント名?|ユーザー?名|垢)\s*(?:[:=]|は)\s*{_ID_VALUE}")
_MENTION = re.compile(r"(?<![A-Za-z0-9._%+\-])@(?P<v>[A-Za-z0-9_][A-Za-z0-9_.]{2,29})")
_POSTAL = r"(?:〒|郵便番号\s*[:は]?)\s*\d{3}-?\d{4}"
_BLOCK = (r"\s?(?:(?:\d+|[一二三四五六七八九十]+)(?:丁目|番地|番)(?:\d+(?:番地|番|号|-)?)*"
          r"|\d+(?:-\d+)+(?:号室|号)?)")
_ADDRESS = re.compile(
    rf"(?:{_POSTAL}\s*)?[一-龥々〆ヶァ-ヴー]*?(?:都|道|府|県|市|区|町|村|郡)[一-龥々〆ヶケァ-ヴー]{{0,15}}?{_BLOCK}"
    rf"|{_POSTAL}")
_SCHOOL = re.compile(
    r"[一-龥々〆ヶァ-ヴーA-Za-z0-9○〇◯●△▲□■◇◆×☆★*・]{1,20}?"
    r"(?P<suffix>中等教育学校|義務教育学校|特別支援学校|支援学校|高等専門学校|高等学校|専門学校|小学校|中学校|高校"
    r"|高専|短期大学|短大|大学院|大学|学園|学院|幼稚園|保育園|保育所|こども園)")
_LEGAL_FORM = re.compile(
    r"株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人"
    r"|社会福祉法人|医療法人(?:社団|財団)?|学校法人|NPO法人|特定非営利活動法人|\((?:株|有|同)\)")
_NOT_A_NAME = r"(?!あまり|ちょっと|秘密|内緒|言え|言い|伏せ|ないです)"
_SELF_INTRO = re.compile(
    r"(?:^|(?<=[\s、。,.!?「」『』()\[\]:]))(?:(?:私|僕|俺|わたし|ぼく|おれ|あたし|うち|自分)は)?"
    rf"{_NOT_A_NAME}(?P<v>[^\s、。,.!?「」『』()\[\]:はがをにで]{{1,8}})\s*"
    r"(?=(?:と申します|といいます|と言います|って言います|と呼んで|って呼んで)(?!か|もの|けど|が|ね|よね))")
_NAME_IS = re.compile(
    rf"名前は\s*{_NOT_A_NAME}(?P<v>[^\s、。,.!?「」『』()\[\]:]{{1,8}}?)\s*(?=です|だよ|って|と申|といい|と言い)")


def _phone_ok(match: re.Match) -> bool:
    digits = re.sub(r"\D", "", match.group())
    if digits.startswith("81") and match.group().lstrip().startswith("+"):
        digits = "0" + digits[2:].lstrip("0")
    return len(digits) in (10, 11)


def _regex_spans(view: str) -> list[Span]:
    spans: list[Span] = []
    for pattern, label in [(_EMAIL, "email"), (_URL, "url"), (_ADDRESS, "address")]:
        spans += [Span(m.start(), m.end(), label) for m in pattern.finditer(view)]
    spans += [Span(m.start(), m.end(), "phone") for m in _PHONE.finditer(view) if _phone_ok(m)]
    for pattern in (_SNS_ID, _GENERIC_ID, _MENTION):
        spans += [Span(m.start("v"), m.end("v"), "id") for m in pattern.finditer(view)]
    for pattern in (_SELF_INTRO, _NAME_IS):
        spans += [Span(m.start("v"), m.end("v"), "name") for m in pattern.finditer(view)]
    return spans


# --------------------------------------------------------------------------- token detectors

HONORIFICS = {"さん", "くん", "君", "ちゃん", "様", "さま", "氏", "たん", "殿", "先生", "先輩", "ちゃま"}
YOUNG_HONORIFICS = {"くん", "君", "ちゃん", "たん", "ちゃま"}
# Words before an honorific that name a role or a relative, not a person.
ROLE_WORDS = {
    "ママ", "パパ", "カウンセラー", "パート", "クライアント", "ヘルパー", "ナース", "ドクター", "ケアマネ",
    "ユーチューバー", "YouTuber", "スタッフ", "オーナー", "マスター", "ばあ", "じい", "おばあ", "おじい", "かあ",
    "とう", "おかあ", "おとう", "にい", "ねえ", "おにい", "おねえ", "みな", "みんな", "おまわり", "おばちゃ",
    "あなた", "おじ", "おば", "ねこ", "いぬ", "うさぎ", "くま",
}
KIN_WORDS = {
    "兄", "姉", "母", "父", "婆", "爺", "赤", "坊", "嬢", "弟", "妹", "彼氏", "彼女", "旦那", "嫁", "娘", "息子",
    "孫", "伯母", "叔母", "伯父", "叔父", "甥", "姪", "後輩", "先輩", "同僚", "友達", "子", "皆", "お姉", "お兄",
    "母親", "父親", "夫", "妻", "主人", "奥", "義母", "義父", "姑", "舅", "先生", "生徒", "客", "相手",
}
_KANA_OR_LATIN = re.compile(r"[ぁ-ゖァ-ヴーA-Za-z]+")
_KANJI = re.compile(r"[一-龥々〆ヶ]+")
_COMPANY_NAME_POS = {"名詞", "接頭辞", "接尾辞", "感動詞", "形状詞", "記号"}
_JOINERS = {"・", "&", "＆", "-"}


def _offsets(text: str, tokens: list[Token]) -> list[tuple[int, int]]:
    """Character offsets of tokens (Sudachi surfaces concatenate to the input)."""
    out, pos = [], 0
    for t in tokens:
        start = pos if text.startswith(t.surface, pos) else text.find(t.surface, pos)
        start = pos if start < 0 else start
        out.append((start, start + len(t.surface)))
        pos = start + len(t.surface)
    return out


def _is_person(t: Token) -> bool:
    return t.pos[0] == "名詞" and t.pos[1] == "固有名詞" and t.pos[2] == "人名"


_LONG_KATAKANA = re.compile(r"[ァ-ヴー]{4,}")


def _loanword_person(tokens: list[Token], i: int) -> bool:
    """A long katakana 人名 with no honorific is mostly a loanword (アルツハイマー, マーベル)."""
    next_is_honorific = i + 1 < len(tokens) and tokens[i + 1].surface in HONORIFICS
    return bool(_LONG_KATAKANA.fullmatch(tokens[i].surface)) and not next_is_honorific


def _honorific_target(t: Token, honorific: Token) -> bool:
    if t.pos[0] != "名詞" or t.pos[1] in {"数詞", "助動詞語幹"}:
        return False
    if t.pos[1] == "固有名詞":
        return True
    if t.surface in ROLE_WORDS or t.surface in KIN_WORDS:
        return False
    if _KANA_OR_LATIN.fullmatch(t.surface):  # ゆうきくん, but not トレーナーさん
        return not (re.fullmatch(r"[ァ-ヴー]{3,}", t.surface) and t.surface.endswith("ー"))
    return bool(_KANJI.fullmatch(t.surface)) and honorific.surface in YOUNG_HONORIFICS


def _name_spans(text: str, tokens: list[Token], offsets: list[tuple[int, int]]) -> list[Span]:
    spans: list[Span] = []
    for i, t in enumerate(tokens):
        is_honorific = t.surface in HONORIFICS and t.pos[0] in {"接尾辞", "名詞"}
        if _is_person(t) and not _loanword_person(tokens, i):
            spans.append(Span(*offsets[i], "name"))
        elif is_honorific and i > 0 and _honorific_target(tokens[i - 1], t) and not _is_person(tokens[i - 1]):
            spans.append(Span(*offsets[i - 1], "name"))
    return _merge_adjacent(spans, text)


def _merge_adjacent(spans: list[Span], text: str) -> list[Span]:
    """山田 + 太郎 (or 山田 + space + 太郎) → one span."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and not text[merged[-1].end:span.start].strip() and span.start - merged[-1].end <= 1:
            merged[-1] = Span(merged[-1].start, span.end, span.label)
        else:
            merged.append(span)
    return merged


def _extend_over_tokens(span: Span, tokens: list[Token], offsets, label: str, max_tokens: int = 5) -> Span | None:
    """Grow a legal-form span over the name tokens on its right and left; None if there are none."""
    inside = [i for i, (s, e) in enumerate(offsets) if s < span.end and e > span.start]
    if not inside:
        return None
    first, last = inside[0], inside[-1]
    start, end = min(span.start, offsets[first][0]), max(span.end, offsets[last][1])
    grown = (start, end) != (span.start, span.end)

    def name_like(t: Token) -> bool:
        return (t.pos[0] in _COMPANY_NAME_POS and t.pos[1] not in {"数詞"}) or t.surface in _JOINERS \
            or bool(re.fullmatch(r"[A-Za-zＡ-Ｚａ-ｚ0-9]+", t.surface))

    j = last + 1
    while j < len(tokens) and j - last <= max_tokens and name_like(tokens[j]):
        end, grown, j = offsets[j][1], True, j + 1
    j = first - 1
    while j >= 0 and first - j <= max_tokens and name_like(tokens[j]) and tokens[j].pos[1] != "代名詞":
        start, grown, j = offsets[j][0], True, j - 1
    return Span(start, end, label) if grown else None


def _school_span(span: Span, suffix_start: int, tokens: list[Token], offsets) -> Span | None:
    """Keep a school candidate only when its name part holds a proper noun, symbols or latin;
    start it at the first such token (去年熊本高校 → 熊本高校)."""
    for i, (s, e) in enumerate(offsets):
        if e <= span.start or s >= suffix_start:
            continue
        t = tokens[i]
        if t.pos[1] == "固有名詞" or t.pos[0] in {"記号", "補助記号"} \
                or re.search(r"[A-Za-zＡ-Ｚａ-ｚ○〇◯●△▲□■◇◆×☆★＊*]", t.surface):
            return Span(max(s, span.start), span.end, "school")
    return None


# --------------------------------------------------------------------------- public API

@lru_cache(maxsize=1)
def _default_tokenizer() -> SudachiTokenizer:
    return SudachiTokenizer(mode="C")


def find_spans(text: str, *, tokenizer: Tokenizer | None = None) -> list[Span]:
    """All personal-data spans of ``text`` (original positions), overlaps resolved.

    Args:
        text: any text.
        tokenizer: Sudachi-compatible tokenizer (default SudachiTokenizer mode C).

    Returns:
        Non-overlapping spans sorted by start.
    """
    if not text:
        return []
    tokenizer = tokenizer or _default_tokenizer()
    view, origin = normalized_view(text)

    def back(start: int, end: int, label: str) -> Span:
        return Span(origin[start], origin[end - 1] + 1, label)

    spans = [back(*s) for s in _regex_spans(view) if s.end > s.start]
    tokens = tokenizer(text)
    offsets = _offsets(text, tokens)
    spans += _name_spans(text, tokens, offsets)
    for m in _LEGAL_FORM.finditer(view):
        grown = _extend_over_tokens(back(m.start(), m.end(), "company"), tokens, offsets, "company")
        if grown:
            spans.append(grown)
    for m in _SCHOOL.finditer(view):
        candidate = back(m.start(), m.end(), "school")
        school = _school_span(candidate, origin[m.start("suffix")], tokens, offsets)
        if school:
            spans.append(school)
    return _resolve(spans)


def _resolve(spans: Iterable[Span]) -> list[Span]:
    """Longest first, then earliest; drop spans overlapping an accepted one."""
    accepted: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (-(s.end - s.start), s.start, s.label)):
        if all(span.end <= a.start or span.start >= a.end for a in accepted):
            accepted.append(span)
    return sorted(accepted)


def mask_text(text: str, *, tokenizer: Tokenizer | None = None) -> str:
    """``text`` with names, phone numbers, e-mail, URLs, SNS ids, addresses, schools and
    companies replaced by 〔氏名〕 〔電話番号〕 〔メール〕 〔URL〕 〔ID〕 〔住所〕 〔学校名〕 〔会社名〕.

    Args:
        text: a quote (None and "" give "").
        tokenizer: Sudachi-compatible tokenizer (default SudachiTokenizer mode C).

    Returns:
        The masked text; everything outside the masked spans is unchanged.
    """
    if not text:
        return ""
    out = text
    for span in reversed(find_spans(text, tokenizer=tokenizer)):
        out = out[: span.start] + PLACEHOLDERS[span.label] + out[span.end:]
    return out


# --------------------------------------------------------------------------- leak check

_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".yaml", ".yml", ".log", ".xml"}
_ZIP_SUFFIXES = {".xlsx", ".pptx", ".docx"}


def _file_text(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in _ZIP_SUFFIXES:
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    if suffix == ".parquet":
        import pandas as pd

        return pd.read_parquet(path).to_csv(index=False)
    if suffix in _TEXT_SUFFIXES:
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "cp932"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        return raw.decode("utf-8", "replace")
    return None  # images and other binaries hold no searchable text


def _needle_pattern(needle: str) -> re.Pattern:
    norm = unicodedata.normalize("NFKC", needle)
    digits = re.sub(r"\D", "", norm)
    if len(digits) >= 8 and len(digits) >= len(norm) - 4:  # a phone-like number: any separators
        return re.compile(r"[\s\-‐－−ー()]?".join(map(re.escape, digits)))
    return re.compile(re.escape(norm), re.IGNORECASE)


def find_leaks(root: str | Path, needles: Iterable[str]) -> list[tuple[str, str]]:
    """Every (file, needle) where a needle occurs in a file under ``root``.

    Text files (csv, md, html, json …) are read as UTF-8 or CP932, xlsx/pptx/docx through their
    XML, parquet through pandas; images are skipped. Matching is on NFKC text, and a phone
    number matches with any separators (０９０１２３４５６７８ finds 090-1234-5678).

    Args:
        root: an output directory (or a single file).
        needles: personal data planted in the input.

    Returns:
        Sorted list of (path relative to root, needle); empty when nothing leaked.
    """
    root = Path(root)
    patterns = {n: _needle_pattern(n) for n in needles if n}
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    leaks = []
    for path in files:
        text = _file_text(path)
        if text is None:
            continue
        text = unicodedata.normalize("NFKC", text)
        rel = path.name if path == root else str(path.relative_to(root))
        leaks += [(rel, n) for n, p in patterns.items() if p.search(text)]
    return sorted(leaks)
