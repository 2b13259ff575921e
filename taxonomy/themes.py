"""The theme taxonomy: loading, validation and checks of ``taxonomy/themes.yaml``.

The YAML holds the 14 stable top-level themes (DESIGN.md, Themes), the sub-themes that hang
under them, the keywords of each, and the scoring rules that decide ``themes`` and
``primary_theme``. Keywords are written as people write them (いじめ, 学校に行きたくない);
:class:`nlp.analysis.themes.ThemeTagger` turns each into Sudachi normalised forms when it compiles them.

Example:
    >>> tax = load_taxonomy()
    >>> tax.themes["school"], tax.subthemes["いじめ"].parent
    ('学校', 'school')
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

DEFAULT_PATH = Path(__file__).with_name("themes.yaml")
DEFAULT_STATEMENT_MARKERS = ("悩む", "悩み", "相談", "困る", "迷う", "について", "に関して")

# Stable top-level theme ids (DESIGN.md): every taxonomy defines exactly these, in any order.
THEME_IDS = (
    "school", "family", "couple", "mental", "work", "career", "romance",
    "relationships", "money", "health", "gender", "violence", "internet", "loneliness",
)
TOP_KEYS = {"version", "scoring", "statement_markers", "themes", "subthemes"}
THEME_KEYS = {"label", "primary_weight", "keywords"}
SUBTHEME_KEYS = {"parent", "also", "keywords"}
KEYWORD_KEYS = {"term", "weight", "variants"}
SCORING_DEFAULTS: dict[str, float] = {
    "min_score": 2.0,  # a theme needs this much weighted evidence to be listed in `themes`
    "min_share": 0.2,  # ... and at least this share of the best theme's score
    "min_subtheme_score": 2.0,  # a sub-theme is listed when its own evidence reaches this
    "lead_tokens": 120,  # keywords among the first N tokens (where people state their concern) ...
    "lead_boost": 2.0,  # ... count this many times
    "statement_tokens": 400,  # keywords in a sentence stating the concern among the first N tokens ...
    "statement_boost": 3.0,  # ... count this many times (a sentence with a statement marker)
    "repeat_decay": 0.5,  # k occurrences of one keyword count weight * (boost + decay * ln k)
    "also_share": 0.5,  # a sub-theme's keyword counts this much for its `also` themes when choosing the primary
}


class TaxonomyError(ValueError):
    """A themes YAML that cannot be used; the message lists every problem found."""

    def __init__(self, problems: list[str], path: str | Path | None = None) -> None:
        self.problems = problems
        where = f"{path}: " if path else ""
        super().__init__(where + "; ".join(problems))


@dataclass(frozen=True)
class Keyword:
    """One keyword: its written form, the spellings that count as it, and what it scores for.

    Args:
        term: the form shown as evidence.
        variants: other spellings matched as the same keyword (the term itself included).
        weight: evidence added per occurrence (before position boost and repeat decay).
        theme: the top-level theme it scores for.
        subtheme: the sub-theme it belongs to, if any.
        also: further top-level themes it scores for (from the sub-theme's ``also``).
    """

    term: str
    variants: tuple[str, ...]
    weight: float
    theme: str
    subtheme: str | None = None
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubTheme:
    name: str
    parent: str
    also: tuple[str, ...]
    keywords: tuple[Keyword, ...]


@dataclass(frozen=True)
class Taxonomy:
    """A validated taxonomy.

    Attributes:
        version: the YAML's version string (recorded in run.json and in trained models).
        themes: top-level id -> Japanese label, in YAML order (the primary tie-break order).
        primary_weights: top-level id -> multiplier applied when choosing ``primary_theme``.
        subthemes: sub-theme name -> :class:`SubTheme`.
        keywords: every keyword, top-level ones first.
        scoring: the scoring rules (see ``SCORING_DEFAULTS``).
        statement_markers: words that mark a sentence stating the concern (悩む, 相談 …).
    """

    version: str
    themes: dict[str, str]
    primary_weights: dict[str, float]
    subthemes: dict[str, SubTheme]
    keywords: tuple[Keyword, ...]
    scoring: dict[str, float] = field(default_factory=lambda: dict(SCORING_DEFAULTS))
    statement_markers: tuple[str, ...] = DEFAULT_STATEMENT_MARKERS
    path: str = ""


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and validate a themes YAML.

    Args:
        path: the YAML file; default the packaged ``taxonomy/themes.yaml``.

    Returns:
        The :class:`Taxonomy`.

    Raises:
        TaxonomyError: naming each bad key, the allowed values and the value received.
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    raw = _read(path)
    problems: list[str] = []
    taxonomy = _build(raw, problems, str(path))
    if problems or taxonomy is None:
        raise TaxonomyError(problems, path)
    return taxonomy


def check_taxonomy(path: str | Path | None = None, *, conflicts: Callable[[Taxonomy], list[str]] | None = None) -> list[str]:
    """Every problem of a themes YAML as a human-readable line; empty when it is fine.

    The structure only (unknown parent, duplicate keyword, empty theme, bad weights), unless
    ``conflicts`` is given: :func:`nlp.analysis.theme_check.check_taxonomy` passes the Sudachi compilation of
    :class:`nlp.analysis.themes.ThemeTagger`, which also catches two differently written keywords of
    different themes that normalise to the same form (taxonomy/ never imports nlp.analysis.themes).

    Args:
        path: the YAML file; default the packaged one.
        conflicts: a structurally valid taxonomy → its keyword conflicts.

    Returns:
        A list of problems, each naming the key concerned.
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        raw = _read(path)
    except TaxonomyError as error:
        return error.problems
    problems: list[str] = []
    taxonomy = _build(raw, problems, str(path))
    if taxonomy is not None and not problems and conflicts is not None:
        problems.extend(conflicts(taxonomy))
    return problems


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10× faster, the same data


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise TaxonomyError([f"cannot read the file ({error.strerror or error})"], path) from error
    try:
        return yaml.load(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        pass
    try:  # the pure-Python loader's messages and positions are the clearer ones
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise TaxonomyError([f"not valid YAML{where}: {getattr(error, 'problem', None) or error}"], path) from error


def _norm(term: str) -> str:
    """The form used to detect duplicate keywords: NFKC, katakana folded, lower case."""
    from nlp.text.normalize import normalize_for_matching

    return normalize_for_matching(unicodedata.normalize("NFKC", term)).strip()


def _build(raw: Any, problems: list[str], path: str) -> Taxonomy | None:
    if not isinstance(raw, Mapping):
        problems.append(f"the file must be a mapping with keys {sorted(TOP_KEYS)}; got {type(raw).__name__}")
        return None
    _unknown_keys(raw, TOP_KEYS, "top level", problems)
    version = raw.get("version")
    if not isinstance(version, (str, int, float)) or str(version).strip() == "":
        problems.append(f"version: must be a non-empty string such as '1.0'; got {version!r}")
    scoring = _scoring(raw.get("scoring") or {}, problems)
    markers = raw.get("statement_markers", list(DEFAULT_STATEMENT_MARKERS))
    if not isinstance(markers, list) or not all(isinstance(m, str) and m.strip() for m in markers):
        problems.append(f"statement_markers: must be a list of non-empty strings; got {markers!r}")
        markers = []
    seen: dict[str, str] = {}  # normalised keyword -> where it was first defined
    themes, weights, keywords = _themes(raw.get("themes"), problems, seen)
    subthemes = _subthemes(raw.get("subthemes") or {}, themes, problems, seen)
    for sub in subthemes.values():
        keywords.extend(sub.keywords)
    for theme_id in themes:
        if not any(k.theme == theme_id or theme_id in k.also for k in keywords):
            problems.append(f"themes.{theme_id}: empty theme, it has no keywords and no sub-theme with keywords")
    if problems:
        return None
    return Taxonomy(str(version), themes, weights, subthemes, tuple(keywords), scoring, tuple(markers), path)


def _unknown_keys(mapping: Mapping, allowed: set[str], where: str, problems: list[str]) -> None:
    for key in mapping:
        if key not in allowed:
            problems.append(f"{where}: unknown key {key!r}; allowed keys are {sorted(allowed)}")


def _scoring(raw: Any, problems: list[str]) -> dict[str, float]:
    scoring = dict(SCORING_DEFAULTS)
    if not isinstance(raw, Mapping):
        problems.append(f"scoring: must be a mapping of {sorted(SCORING_DEFAULTS)}; got {raw!r}")
        return scoring
    _unknown_keys(raw, set(SCORING_DEFAULTS), "scoring", problems)
    for key, value in raw.items():
        if key in SCORING_DEFAULTS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                problems.append(f"scoring.{key}: must be a number >= 0; got {value!r}")
            else:
                scoring[key] = float(value)
    return scoring


def _themes(raw: Any, problems: list[str], seen: dict[str, str]) -> tuple[dict, dict, list[Keyword]]:
    themes: dict[str, str] = {}
    weights: dict[str, float] = {}
    keywords: list[Keyword] = []
    if not isinstance(raw, Mapping):
        problems.append(f"themes: must be a mapping from theme id to its definition; got {raw!r}")
        return themes, weights, keywords
    for theme_id, body in raw.items():
        where = f"themes.{theme_id}"
        if theme_id not in THEME_IDS:
            problems.append(f"themes: unknown theme id {theme_id!r}; allowed ids are {', '.join(THEME_IDS)}")
            continue
        if not isinstance(body, Mapping):
            problems.append(f"{where}: must be a mapping with keys {sorted(THEME_KEYS)}; got {body!r}")
            continue
        _unknown_keys(body, THEME_KEYS, where, problems)
        label = body.get("label")
        if not isinstance(label, str) or not label.strip():
            problems.append(f"{where}.label: must be a non-empty Japanese label; got {label!r}")
        weight = body.get("primary_weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            problems.append(f"{where}.primary_weight: must be a number > 0; got {weight!r}")
            weight = 1.0
        themes[theme_id] = str(label)
        weights[theme_id] = float(weight)
        keywords.extend(_keywords(body.get("keywords") or [], where, theme_id, None, (), problems, seen))
    for theme_id in THEME_IDS:
        if theme_id not in themes and theme_id not in raw:
            problems.append(f"themes: missing theme id {theme_id!r}; every one of {', '.join(THEME_IDS)} is required")
    return themes, weights, keywords


def _subthemes(raw: Any, themes: dict[str, str], problems: list[str], seen: dict[str, str]) -> dict[str, SubTheme]:
    out: dict[str, SubTheme] = {}
    if not isinstance(raw, Mapping):
        problems.append(f"subthemes: must be a mapping from sub-theme name to its definition; got {raw!r}")
        return out
    for name, body in raw.items():
        where = f"subthemes.{name}"
        if not isinstance(body, Mapping):
            problems.append(f"{where}: must be a mapping with keys {sorted(SUBTHEME_KEYS)}; got {body!r}")
            continue
        _unknown_keys(body, SUBTHEME_KEYS, where, problems)
        parent = body.get("parent")
        if parent not in THEME_IDS:
            problems.append(f"{where}.parent: unknown parent {parent!r}; allowed values are {', '.join(THEME_IDS)}")
            continue
        also_raw = body.get("also") or []
        also_list = [also_raw] if isinstance(also_raw, str) else list(also_raw) if isinstance(also_raw, list) else None
        if also_list is None:
            problems.append(f"{where}.also: must be a list of theme ids; got {also_raw!r}")
            also_list = []
        for other in also_list:
            if other not in THEME_IDS or other == parent:
                problems.append(f"{where}.also: unknown or repeated theme {other!r}; allowed values are the theme ids other than the parent {parent!r}")
        also = tuple(a for a in also_list if a in THEME_IDS and a != parent)
        keywords = _keywords(body.get("keywords") or [], where, parent, str(name), also, problems, seen)
        if not keywords:
            problems.append(f"{where}: empty sub-theme, it has no keywords")
        out[str(name)] = SubTheme(str(name), parent, also, tuple(keywords))
    return out


def _keywords(
    raw: Any, where: str, theme: str, subtheme: str | None, also: tuple[str, ...],
    problems: list[str], seen: dict[str, str],
) -> list[Keyword]:
    if not isinstance(raw, list):
        problems.append(f"{where}.keywords: must be a list of terms or {{term, weight, variants}} mappings; got {raw!r}")
        return []
    out: list[Keyword] = []
    for i, item in enumerate(raw):
        at = f"{where}.keywords[{i}]"
        if isinstance(item, str):
            term, weight, variants = item, 1.0, []
        elif isinstance(item, Mapping):
            _unknown_keys(item, KEYWORD_KEYS, at, problems)
            term, weight, variants = item.get("term"), item.get("weight", 1.0), item.get("variants") or []
        else:
            problems.append(f"{at}: must be a term or a mapping with keys {sorted(KEYWORD_KEYS)}; got {item!r}")
            continue
        if not isinstance(term, str) or not term.strip():
            problems.append(f"{at}.term: must be a non-empty string; got {term!r}")
            continue
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            problems.append(f"{at}.weight: must be a number > 0; got {weight!r}")
            continue
        if not isinstance(variants, list) or not all(isinstance(v, str) and v.strip() for v in variants):
            problems.append(f"{at}.variants: must be a list of non-empty strings; got {variants!r}")
            continue
        forms = tuple(dict.fromkeys([term.strip(), *(v.strip() for v in variants)]))
        own: set[str] = set()  # variants of one entry may fold together (イジメ, いじめ): not a duplicate
        for form in forms:
            key = _norm(form)
            if key in seen and key not in own:
                problems.append(f"{at}: duplicate keyword {form!r}, already defined at {seen[key]}")
            elif key not in seen:
                seen[key] = f"{at} ({term.strip()})"
                own.add(key)
        out.append(Keyword(term.strip(), forms, float(weight), theme, subtheme, also))
    return out
