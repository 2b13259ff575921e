"""Themes of survey open answers: the survey taxonomy YAML, its tagger, and answer status.

``taxonomy/survey_themes.yaml`` adds survey-specific themes (居場所, 交流・つながり, 情報が届かない …)
to the 14 consultation themes of ``taxonomy/themes.yaml``. Both are compiled into one
:class:`taxonomy.themes.Taxonomy` and tagged by the consultation pipeline's
:class:`nlp.analysis.themes.ThemeTagger` with the survey's scoring: short answers, no position boost,
every theme whose distinct keywords weigh ``min_score`` or more is kept. A survey keyword wins
over a consultation keyword of the same normalised form (the survey's are compiled first).

Answer status: blank → 無回答; "特になし", "なし", "わからない", "-" … → 特になし; anything else
→ 記述あり (a substantive answer). Theme shares are taken over substantive answers; a
substantive answer with no theme is counted under ``unclassified`` (その他（該当テーマなし）).

Example:
    >>> tagger = SurveyThemeTagger()
    >>> tagger.tag("気軽に立ち寄れる居場所がほしい。回覧板では情報が届かない。")
    ('ibasho', 'info_gap')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

import yaml

from nlp.text.tokenize import SudachiTokenizer, Tokenizer
from taxonomy.themes import SCORING_DEFAULTS, THEME_IDS, Keyword, Taxonomy, TaxonomyError, load_taxonomy

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "taxonomy" / "survey_themes.yaml"
UNCLASSIFIED = "unclassified"
UNCLASSIFIED_LABEL = "その他（該当テーマなし）"
ANSWERED, NOTHING, NO_ANSWER = "記述あり", "特になし", "無回答"
STATUSES = [ANSWERED, NOTHING, NO_ANSWER]
_TOP_KEYS = {"version", "include_consultation_themes", "drop_consultation_keywords", "scoring", "themes"}
_THEME_KEYS = {"label", "also", "keywords"}
_KEYWORD_KEYS = {"term", "weight", "variants", "also"}
_ID = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
# After NFKC, whitespace and punctuation removed: answers that say nothing.
_NOTHING = re.compile(
    r"^(?:特に|とくに)?(?:なし|無し|ない|無い|ありません|ございません|なにもない|何もない|ないです|有りません|記載なし|意見なし)"
    r"(?:です|。)?$|^(?:わからない|分からない|わかりません|分かりません|不明|無回答|未記入|該当なし|同上|以上|特記事項なし"
    r"|[-ー―‐×x0〇○・.]+)$"
)
_STRIP = re.compile(r"[\s、。,.!?！？「」（）()『』・…]+")


@dataclass(frozen=True)
class SurveyThemes:
    """A validated survey taxonomy combined with the consultation themes.

    Attributes:
        version: "survey <v>" plus the consultation taxonomy's version when it is included.
        labels: theme id → Japanese label, survey themes first (the table order), then
            the consultation themes, then ``unclassified``.
        survey_ids: the survey-specific theme ids.
        taxonomy: the combined taxonomy the tagger compiles.
        path: the survey YAML read.
    """

    version: str
    labels: dict[str, str]
    survey_ids: tuple[str, ...]
    taxonomy: Taxonomy
    path: str


def load_survey_themes(path: str | Path | None = None, *, base: Taxonomy | None = None) -> SurveyThemes:
    """Read and validate a survey themes YAML and combine it with the consultation taxonomy.

    Args:
        path: the survey YAML; default ``taxonomy/survey_themes.yaml``.
        base: the consultation taxonomy; default the packaged ``taxonomy/themes.yaml``.

    Returns:
        The :class:`SurveyThemes`.

    Raises:
        TaxonomyError: naming each bad key, the allowed values and the value received.
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except OSError as error:
        raise TaxonomyError([f"cannot read the survey themes file ({error.strerror or error})"], path) from None
    except yaml.YAMLError as error:
        raise TaxonomyError([f"not valid YAML: {getattr(error, 'problem', None) or error}"], path) from None
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        raise TaxonomyError([f"the file must be a mapping with keys {sorted(_TOP_KEYS)}; got {type(raw).__name__}"], path)
    for key in raw:
        if key not in _TOP_KEYS:
            problems.append(f"top level: unknown key {key!r}; allowed keys are {sorted(_TOP_KEYS)}")
    version = raw.get("version")
    if not isinstance(version, (str, int, float)) or not str(version).strip():
        problems.append(f"version: must be a non-empty string such as '1.0'; got {version!r}")
    include = raw.get("include_consultation_themes", True)
    if not isinstance(include, bool):
        problems.append(f"include_consultation_themes: must be true or false; got {include!r}")
        include = True
    scoring = _scoring(raw.get("scoring") or {}, problems)
    labels, keywords = _themes(raw.get("themes"), problems, include)
    drop = raw.get("drop_consultation_keywords") or []
    if not isinstance(drop, list) or not all(isinstance(d, str) and d.strip() for d in drop):
        problems.append(f"drop_consultation_keywords: must be a list of keywords of taxonomy/themes.yaml; got {drop!r}")
        drop = []
    if problems:
        raise TaxonomyError(problems, path)
    base = (base or load_taxonomy()) if include else None
    if base is not None and drop:
        unknown = [d for d in drop if not any(d in k.variants for k in base.keywords)]
        if unknown:
            raise TaxonomyError([f"drop_consultation_keywords: {unknown} are not keywords of {base.path or 'taxonomy/themes.yaml'}"], path)
        kept = tuple(k for k in base.keywords if not set(k.variants) & set(drop))
        base = replace(base, keywords=kept)
    all_labels = {**labels, **(base.themes if base else {}), UNCLASSIFIED: UNCLASSIFIED_LABEL}
    taxonomy = Taxonomy(
        version=f"survey {version}" + (f" + themes {base.version}" if base else ""),
        themes={**labels, **(base.themes if base else {})},
        primary_weights={t: 1.0 for t in [*labels, *(base.themes if base else {})]},
        subthemes=dict(base.subthemes) if base else {},
        keywords=tuple(keywords) + (base.keywords if base else ()),
        scoring=scoring,
        statement_markers=base.statement_markers if base else (),
        path=str(path),
    )
    return SurveyThemes(taxonomy.version, all_labels, tuple(labels), taxonomy, str(path))


def _scoring(raw: Any, problems: list[str]) -> dict[str, float]:
    scoring = dict(SCORING_DEFAULTS)
    if not isinstance(raw, Mapping):
        problems.append(f"scoring: must be a mapping of {sorted(SCORING_DEFAULTS)}; got {raw!r}")
        return scoring
    for key, value in raw.items():
        if key not in SCORING_DEFAULTS:
            problems.append(f"scoring: unknown key {key!r}; allowed keys are {sorted(SCORING_DEFAULTS)}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.append(f"scoring.{key}: must be a number >= 0; got {value!r}")
        else:
            scoring[key] = float(value)
    return scoring


def _also(raw: Any, where: str, own: str, problems: list[str]) -> tuple[str, ...]:
    values = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else None
    if values is None:
        problems.append(f"{where}.also: must be a list of theme ids; got {raw!r}")
        return ()
    return tuple(v for v in values if v != own)


def _themes(raw: Any, problems: list[str], include: bool) -> tuple[dict[str, str], list[Keyword]]:
    """Survey themes (label + keywords) and extra keywords for consultation themes (keywords only)."""
    labels: dict[str, str] = {}
    keywords: list[Keyword] = []
    if not isinstance(raw, Mapping) or not raw:
        problems.append(f"themes: must be a non-empty mapping from theme id to its definition; got {raw!r}")
        return labels, keywords
    seen: dict[str, str] = {}
    pending_also: list[tuple[str, tuple[str, ...]]] = []
    for theme_id, body in raw.items():
        where = f"themes.{theme_id}"
        extends = theme_id in THEME_IDS  # more keywords for a consultation theme
        if not isinstance(theme_id, str) or not _ID.match(theme_id) or theme_id == UNCLASSIFIED or (extends and not include):
            problems.append(f"themes: bad theme id {theme_id!r}; use lower-case ASCII (ibasho, info_gap) other than "
                            f"{UNCLASSIFIED!r}, or a consultation id ({', '.join(THEME_IDS)}) to add keywords to it "
                            "(only with include_consultation_themes: true)")
            continue
        if not isinstance(body, Mapping):
            problems.append(f"{where}: must be a mapping with keys {sorted(_THEME_KEYS)}; got {body!r}")
            continue
        for key in body:
            if key not in _THEME_KEYS or (extends and key == "label"):
                allowed = sorted(_THEME_KEYS - ({"label"} if extends else set()))
                problems.append(f"{where}: unknown key {key!r}; allowed keys are {allowed}")
        label = body.get("label")
        if not extends and (not isinstance(label, str) or not label.strip()):
            problems.append(f"{where}.label: must be a non-empty Japanese label; got {label!r}")
            continue
        if not extends:
            labels[theme_id] = label.strip()
        theme_also = _also(body.get("also") or [], where, theme_id, problems)
        items = body.get("keywords")
        if not isinstance(items, list) or not items:
            problems.append(f"{where}.keywords: must be a non-empty list of terms or {{term, weight, variants, also}}; got {items!r}")
            continue
        for i, item in enumerate(items):
            keyword = _keyword(item, f"{where}.keywords[{i}]", theme_id, theme_also, problems, seen)
            if keyword is not None:
                keywords.append(keyword)
                pending_also.append((f"{where}.keywords[{i}]", keyword.also))
    allowed = set(labels) | set(THEME_IDS)
    for where, also in pending_also:
        for other in also:
            if other not in allowed:
                problems.append(f"{where}.also: unknown theme {other!r}; allowed values are {', '.join(sorted(allowed))}")
    return labels, keywords


def _keyword(item: Any, at: str, theme: str, theme_also: tuple[str, ...], problems: list[str],
             seen: dict[str, str]) -> Keyword | None:
    if isinstance(item, str):
        item = {"term": item}
    if not isinstance(item, Mapping):
        problems.append(f"{at}: must be a term or a mapping with keys {sorted(_KEYWORD_KEYS)}; got {item!r}")
        return None
    for key in item:
        if key not in _KEYWORD_KEYS:
            problems.append(f"{at}: unknown key {key!r}; allowed keys are {sorted(_KEYWORD_KEYS)}")
    term, weight, variants = item.get("term"), item.get("weight", 1.0), item.get("variants") or []
    if not isinstance(term, str) or not term.strip():
        problems.append(f"{at}.term: must be a non-empty string; got {term!r}")
        return None
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
        problems.append(f"{at}.weight: must be a number > 0; got {weight!r}")
        return None
    if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip() for v in variants):
        problems.append(f"{at}.variants: must be a list of non-empty strings; got {variants!r}")
        return None
    forms = tuple(dict.fromkeys([term.strip(), *(v.strip() for v in variants)]))
    for form in forms:
        key = unicodedata.normalize("NFKC", form).casefold()
        if key in seen and seen[key] != at:
            problems.append(f"{at}: duplicate keyword {form!r}, already defined at {seen[key]}")
        seen.setdefault(key, at)
    also = tuple(dict.fromkeys(theme_also + _also(item.get("also") or [], at, theme, problems)))
    return Keyword(term.strip(), forms, float(weight), theme, None, also)


class SurveyThemeTagger:
    """Tags survey answers with survey and consultation themes.

    Args:
        themes: default :func:`load_survey_themes` of the packaged YAML.
        tokenizer: default :class:`SudachiTokenizer`.
    """

    def __init__(self, themes: SurveyThemes | None = None, *, tokenizer: Tokenizer | None = None) -> None:
        from nlp.analysis.themes import ThemeTagger

        self.themes = themes or load_survey_themes()
        self.tokenizer = tokenizer or SudachiTokenizer()
        self.tagger = ThemeTagger(taxonomy=self.themes.taxonomy, tokenizer=self.tokenizer)
        self._order = {t: i for i, t in enumerate(self.themes.labels)}

    @property
    def shadowed(self) -> list[str]:
        """Consultation keywords that a survey keyword of the same normalised form overrides."""
        return list(self.tagger.conflicts)

    def tag(self, text: str) -> tuple[str, ...]:
        """Theme ids of one answer in table order (survey themes first); () without evidence."""
        if not text or not text.strip():
            return ()
        found = self.tagger.tag(text).themes
        return tuple(sorted(found, key=self._order.__getitem__))


def answer_status(value: object) -> str:
    """記述あり, 特になし or 無回答 for one open-answer cell.

    Example:
        >>> answer_status(None), answer_status("特になし。"), answer_status("バスの本数を増やしてほしい")
        ('無回答', '特になし', '記述あり')
    """
    if value is None or (isinstance(value, float) and value != value):
        return NO_ANSWER
    text = unicodedata.normalize("NFKC", str(value))
    if not text.strip():
        return NO_ANSWER
    core = _STRIP.sub("", text)
    if not core:
        return NOTHING
    return NOTHING if _NOTHING.match(core) else ANSWERED
