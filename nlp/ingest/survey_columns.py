"""Which survey column is what: attributes, loneliness items, open and choice questions.

Order of decisions for each column of the header:

1. the mapping file's ``columns:`` (canonical name → header), ``open_questions:``,
   ``choice_questions:`` and ``ignore:``;
2. built-in headers for the canonical columns (回答者ID, 回答日, 年代, 年齢, 性別, 地区, 立場,
   職業, 回答方法), also after a question number (問1 年代, F2 性別, Q3. あなたの年代を…);
3. the national loneliness questions by their wording (「孤独であると感じる」, UCLA
   「人とのつきあいがない」「取り残されている」「孤立している」), kept only when most answers are
   answers of that scale;
4. the rest by their values: an **open** question has sentences (。、 in at least 30 % of its
   answers), long answers (30 characters on average) or mostly distinct ones; a **choice**
   question has at most :data:`CHOICE_MAX` distinct answers; anything else (ids, numbers,
   dates, empty columns) is ignored and listed in run.json.

When the mapping names open (or choice) questions, only those are open (or choice).

Example mapping (``--mapping survey_mapping.yaml``)::

    columns: {respondent_id: 整理番号, district: お住まいの地区, loneliness_direct: 問6}
    open_questions: [問11 自由記述, 問12 自由記述]
    choice_questions: {問3 近所付き合い: [よく付き合っている, ある程度付き合っている, あまり付き合っていない]}
    ignore: [備考]
    values: {gender: {"1": 男性, "2": 女性}}
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlp.tables.loneliness import UCLA_ITEMS, direct_answer, ucla_item_score
from nlp.io.formats import InputError
from nlp.io.grid import header_key

CANONICAL = ["respondent_id", "answered_at", "age_band", "age", "gender", "district", "role", "occupation",
             "response_mode", "loneliness_direct", *UCLA_ITEMS]
ATTRIBUTES = ["age_band", "gender", "district", "role"]  # breakdowns of every question
CHOICE_MAX = 15
COLUMN_LABELS = {
    "respondent_id": "回答者ID", "answered_at": "回答日", "age_band": "年代", "age": "年齢", "gender": "性別",
    "district": "地区", "role": "立場", "occupation": "職業", "response_mode": "回答方法",
    "loneliness_direct": "孤独感（直接質問）", "ucla_1": "UCLA(1) 人とのつきあいがない",
    "ucla_2": "UCLA(2) 取り残されている", "ucla_3": "UCLA(3) 孤立している",
}
_ALIASES = {
    "respondent_id": ["回答者id", "回答者番号", "回答id", "回答番号", "id", "no", "no.", "番号", "整理番号", "調査票番号",
                      "票番号", "通し番号", "サンプル番号", "サンプルno", "連番", "respondent_id", "respondent"],
    "answered_at": ["回答日", "回答日時", "記入日", "回答年月日", "提出日", "受付日", "タイムスタンプ", "timestamp",
                    "answered_at", "回答時刻", "送信日時"],
    "age_band": ["年代", "年齢層", "年齢区分", "年齢階級", "年齢階層", "age_band", "age_group"],
    "age": ["年齢", "満年齢", "age"],
    "gender": ["性別", "性", "gender", "sex"],
    "district": ["地区", "居住地区", "お住まいの地区", "地域", "居住地域", "お住まいの地域", "校区", "小学校区", "中学校区",
                 "行政区", "圏域", "日常生活圏域", "居住地", "district", "area"],
    "role": ["立場", "参加者の立場", "回答者の立場", "回答者区分", "参加者区分", "区分", "属性", "参加者属性", "role"],
    "occupation": ["職業", "職業・学齢", "就労状況", "職業・就労状況", "occupation"],
    "response_mode": ["回答方法", "回答方式", "回答媒体", "回答経路", "調査方法", "mode", "response_mode"],
    "loneliness_direct": ["孤独感", "孤独感(直接質問)", "直接質問", "loneliness_direct", "loneliness"],
    "ucla_1": ["ucla_1", "ucla1", "ucla(1)"], "ucla_2": ["ucla_2", "ucla2", "ucla(2)"],
    "ucla_3": ["ucla_3", "ucla3", "ucla(3)"],
}
ALIASES = {header_key(a): c for c, names in _ALIASES.items() for a in names}
_WORDING = [
    ("loneliness_direct", re.compile(r"孤独であると感じる|孤独だと感じる|孤独を感じることがあります")),
    ("ucla_1", re.compile(r"(?:つきあい|付き合い|付合い)がない")),
    ("ucla_2", re.compile(r"取り残されて")),
    ("ucla_3", re.compile(r"孤立している")),
]
_NUMBER = re.compile(r"^(?:問|q|f|sq|設問)\s*\d+(?:\s*[-_.(（]\s*\d+\s*[)）]?)*\s*[.:：、．)）]?\s*", re.IGNORECASE)
_LEAD = re.compile(r"^(?:あなたの|あなたは|ご自身の|回答者の)")
_TAIL = re.compile(r"(?:を(?:お)?(?:教えて|答えて|選んで|お選び|ご記入|記入).*|は(?:何|どれ|どちら).*"
                   r"|に(?:最も|もっとも)?(?:近い|あてはまる|当てはまる).*|[(（][^)）]*[)）])$")
_MAPPING_KEYS = {"columns", "open_questions", "choice_questions", "ignore", "values", "sheet", "header_row",
                 "encoding", "themes"}
_NUMERIC = re.compile(r"^-?\d+(?:\.\d+)?$")
_DATE = re.compile(r"^\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}")


@dataclass(frozen=True)
class SurveyMapping:
    """A survey mapping YAML (all keys optional); headers compared by :func:`nlp.io.grid.header_key`."""

    columns: dict[str, str] = field(default_factory=dict)
    open_questions: tuple[str, ...] | None = None
    choice_questions: dict[str, tuple[str, ...] | None] | None = None
    ignore: tuple[str, ...] = ()
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    sheet: str | None = None
    header_row: int | None = None
    encoding: str | None = None
    themes: str | None = None


@dataclass(frozen=True)
class Question:
    """One survey question column.

    Attributes:
        key: the column name in the respondents frame (``open_1``, ``choice_2``).
        label: the question as shown in tables (the header, NFKC, e.g. 問11 どのような支援が…).
        kind: "open" or "choice".
        position: 0-based column in the file.
        order: the answer order of a choice question, when the mapping gives one.
    """

    key: str
    label: str
    kind: str
    position: int
    order: tuple[str, ...] | None = None


@dataclass
class SurveyLayout:
    canonical: dict[str, int]
    questions: list[Question]
    ignored: list[str]


def load_survey_mapping(path: str | Path | None) -> SurveyMapping:
    """Read and check a survey mapping YAML.

    Raises:
        InputError: the file is missing or not YAML, a key is unknown, or a canonical column is not one of CANONICAL.
    """
    if path is None:
        return SurveyMapping()
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except FileNotFoundError:
        raise InputError(f"マッピングファイルが見つかりません: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise InputError(f"{path.name}: マッピングファイルを YAML として読めません（{type(error).__name__}）") from None
    if not isinstance(data, dict):
        raise InputError(f"{path.name}: マッピングは「キー: 値」の形の YAML にしてください（使えるキー: {', '.join(sorted(_MAPPING_KEYS))}）")
    unknown = set(data) - _MAPPING_KEYS
    if unknown:
        raise InputError(f"{path.name}: 不明なキー {sorted(unknown)}（使えるキー: {', '.join(sorted(_MAPPING_KEYS))}）")
    columns = data.get("columns") or {}
    if not isinstance(columns, dict) or any(c not in CANONICAL for c in columns):
        bad = sorted(set(columns) - set(CANONICAL)) if isinstance(columns, dict) else columns
        raise InputError(f"{path.name}: columns の列名 {bad} は使えません（使える列名: {', '.join(CANONICAL)}）")
    open_q = data.get("open_questions")
    if open_q is not None and (not isinstance(open_q, list) or not all(isinstance(q, (str, int)) for q in open_q)):
        raise InputError(f"{path.name}: open_questions は見出しのリストにしてください（例: [問11, 問12]）")
    choice = data.get("choice_questions")
    if isinstance(choice, list):
        choice = {q: None for q in choice}
    if choice is not None and (not isinstance(choice, dict) or not all(v is None or isinstance(v, list) for v in choice.values())):
        raise InputError(f"{path.name}: choice_questions は見出しのリスト、または「見出し: [選択肢の順]」にしてください")
    values = data.get("values") or {}
    if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
        raise InputError(f"{path.name}: values は「列名または見出し: {{元の値: 値}}」にしてください")
    themes = data.get("themes")
    return SurveyMapping(
        columns={c: str(h) for c, h in columns.items()},
        open_questions=tuple(str(q) for q in open_q) if open_q is not None else None,
        choice_questions={str(q): tuple(map(str, v)) if v else None for q, v in choice.items()} if choice is not None else None,
        ignore=tuple(str(h) for h in data.get("ignore") or []),
        values={str(c): {_value_key(k): str(v) for k, v in m.items()} for c, m in values.items()},
        sheet=data.get("sheet"), header_row=data.get("header_row"), encoding=data.get("encoding"),
        themes=str((path.parent / themes).resolve()) if themes else None,
    )


def _value_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text[:-2] if re.fullmatch(r"\d+\.0", text) else text


def alias_of(header: str) -> str | None:
    """The canonical column a header names, also after a question number (問1 年代 → age_band)."""
    key = header_key(header)
    if not key:
        return None
    stripped = _NUMBER.sub("", key)
    for candidate in (key, stripped, _LEAD.sub("", stripped), _TAIL.sub("", _LEAD.sub("", stripped))):
        if candidate in ALIASES:
            return ALIASES[candidate]
    return None


def wording_of(header: str) -> str | None:
    """loneliness_direct / ucla_1..3 when the header quotes the national question's wording."""
    text = unicodedata.normalize("NFKC", header)
    for canonical, pattern in _WORDING:
        if pattern.search(text):
            return canonical
    return None


def header_score(header: list[str]) -> float:
    """How much a row looks like the survey header: recognised columns count most."""
    recognised = {alias_of(h) or wording_of(h) for h in header if h} - {None}
    texts = {h for h in header if h and not _NUMERIC.match(h) and not _DATE.match(h) and len(h) <= 80}
    return 10 * ("respondent_id" in recognised) + 3 * len(recognised) + 0.2 * len(texts)


def resolve_layout(header: list[str], groups: list[str], columns: list[list[str]], mapping: SurveyMapping,
                   name: str) -> SurveyLayout:
    """Decide what every column is (see the module docstring).

    Args:
        header: header text per column.
        groups: the group header above each column ("" when none).
        columns: the non-blank cell texts of each column.
        mapping: the survey mapping.
        name: file name, for messages.

    Raises:
        InputError: a header named in the mapping is not in the file.
    """
    keys = [header_key(h) for h in header]
    canonical: dict[str, int] = {}
    taken: set[int] = set()

    def find(source: str, what: str) -> int:
        key = header_key(source)
        if key in keys:
            return keys.index(key)
        matches = [i for i, h in enumerate(header) if _NUMBER.match(header_key(h)) and _question_number(h) == _question_number(source)]
        if len(matches) == 1 and _question_number(source):
            return matches[0]
        shown = ", ".join(h for h in header if h)[:300]
        raise InputError(f"{name}: マッピングの{what} '{source}' が見出しにありません。見つかった見出し: {shown}")

    for column, source in mapping.columns.items():
        canonical[column] = find(source, f" {column}")
        taken.add(canonical[column])
    ignored_positions = {find(h, " ignore") for h in mapping.ignore}
    open_named = [find(q, "自由記述の設問") for q in mapping.open_questions] if mapping.open_questions is not None else None
    choice_named = {find(q, "選択式の設問"): order for q, order in mapping.choice_questions.items()} \
        if mapping.choice_questions is not None else None
    named = set(open_named or []) | set(choice_named or {})
    for position, text in enumerate(header):
        if position in taken or position in ignored_positions or position in named or not text:
            continue
        found = alias_of(text)
        if found and found not in canonical and _attribute_like(found, columns[position]):
            canonical[found] = position
            taken.add(position)
    for position, text in enumerate(header):
        if position in taken or position in ignored_positions or position in named or not text:
            continue
        found = wording_of(text) or alias_of(text)
        if found in ("loneliness_direct", *UCLA_ITEMS) and found not in canonical and _scale_like(found, columns[position]):
            canonical[found] = position
            taken.add(position)
    questions: list[Question] = []
    ignored: list[str] = []
    labels = _labels(header, groups)
    for position, text in enumerate(header):
        if position in taken:
            continue
        if position in ignored_positions:
            ignored.append(f"{text}（マッピングで除外）")
            continue
        auto = classify(columns[position])
        if open_named is not None and position in open_named:
            kind = "open"
        elif choice_named is not None and position in choice_named:
            kind = "choice"
        elif auto == "open" and open_named is None or auto == "choice" and choice_named is None:
            kind = auto
        else:
            if text or columns[position]:
                reason = _ignore_reason(columns[position]) if auto == "ignore" else "マッピングで設問として指定されていない"
                ignored.append(f"{text or f'{position + 1}列目'}（{reason}）")
            continue
        number = sum(q.kind == kind for q in questions) + 1
        order = choice_named.get(position) if choice_named and kind == "choice" else None
        questions.append(Question(f"{kind}_{number}", labels[position], kind, position, order))
    return SurveyLayout(canonical, questions, ignored)


def _question_number(text: str) -> str:
    match = _NUMBER.match(header_key(text))
    return re.sub(r"[\s.:：、．)）]+$", "", match.group()) if match else ""


def _labels(header: list[str], groups: list[str]) -> list[str]:
    """Question labels: the header, prefixed with its group header when two headers are the same."""
    labels = [h or f"{i + 1}列目" for i, h in enumerate(header)]
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    out = []
    for i, label in enumerate(labels):
        if seen[label] > 1 and groups[i]:
            label = f"{groups[i]} {label}"
        out.append(label)
    counts: dict[str, int] = {}
    for i, label in enumerate(out):
        counts[label] = counts.get(label, 0) + 1
        if counts[label] > 1:
            out[i] = f"{label}（{counts[label]}）"
    return out


def _attribute_like(canonical: str, values: list[str]) -> bool:
    """An attribute has few distinct short values (ids and dates excepted)."""
    if canonical in ("respondent_id", "answered_at", "age") or not values:
        return True
    distinct = set(values)
    return len(distinct) <= 60 and sum(map(len, values)) / len(values) <= 25


def _scale_like(canonical: str, values: list[str]) -> bool:
    if not values:
        return True
    parse = direct_answer if canonical == "loneliness_direct" else ucla_item_score
    return sum(parse(v) is not None for v in values) >= 0.8 * len(values)


def classify(values: list[str]) -> str:
    """"open", "choice" or "ignore" for a column from its non-blank cell texts.

    Example:
        >>> classify(["はい", "いいえ", "はい"]), classify(["バスが少ない", "居場所がほしい", "特になし"])
        ('choice', 'open')
    """
    if not values:
        return "ignore"
    distinct = set(values)
    mean_len = sum(map(len, values)) / len(values)
    numeric = sum(bool(_NUMERIC.match(v)) for v in values) / len(values)
    dates = sum(bool(_DATE.match(v)) for v in values) / len(values)
    if dates > 0.8:
        return "ignore"
    sentences = sum(("。" in v or "、" in v or len(v) >= 40) for v in values) / len(values)
    if numeric < 0.5 and (mean_len >= 30 or sentences >= 0.3
                          or (len(distinct) >= 0.5 * len(values) and mean_len >= 6 and len(distinct) >= 3)):
        return "open"
    if len(distinct) <= CHOICE_MAX:
        return "choice"
    return "ignore"


def _ignore_reason(values: list[str]) -> str:
    if not values:
        return "空の列"
    if sum(bool(_NUMERIC.match(v)) for v in values) >= 0.5 * len(values):
        return "数値の列"
    if sum(bool(_DATE.match(v)) for v in values) > 0.8 * len(values):
        return "日付の列"
    return f"選択肢が{CHOICE_MAX}種類を超える短い回答"
