"""The settings of the exploratory views, read and checked from ``taxonomy/explore.yaml``.

Example:
    >>> config = load_explore_config()
    >>> config.parts_of_speech["名詞"], "こと" in config.stopwords
    ('名詞', True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from nlp.text.stopwords import load_topic_stopwords, with_normalised_forms

DEFAULT_EXPLORE_PATH = Path(__file__).resolve().parents[3] / "taxonomy" / "explore.yaml"
SUDACHI_POS = ("名詞", "動詞", "形容詞", "形状詞", "副詞", "連体詞", "感動詞", "代名詞", "接頭辞", "接尾辞")
PROPER_NOUN_TYPES = ("人名", "地名", "一般")
CONSULTATION_DIMENSIONS = ("age_band", "gender", "occupation", "prefecture", "primary_theme", "month", "period")
SURVEY_DIMENSIONS = ("question", "age_band", "gender", "district", "role", "occupation", "response_mode")
TOP_KEYS = {"version", "parts_of_speech", "excluded_proper_nouns", "stopword_files", "extra_stopwords",
            "frequency", "network", "correspondence", "kwic"}


class ExploreConfigError(ValueError):
    """The explore YAML is unreadable or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class NetworkGroup:
    """A subset drawn as its own network: attribute values to keep, and ideation >= 1 if asked."""

    name: str
    where: tuple[tuple[str, str], ...] = ()
    ideation: bool = False


@dataclass(frozen=True)
class ExploreConfig:
    version: str
    parts_of_speech: dict[str, str]
    excluded_proper_nouns: frozenset[str]
    stopwords: frozenset[str]
    top_words: int = 30
    dimensions: tuple[str, ...] = ("age_band", "gender", "occupation", "primary_theme")
    survey_dimensions: tuple[str, ...] = ("question", "age_band", "gender")
    top_edges: int = 60
    max_nodes: int = 60
    network_groups: tuple[NetworkGroup, ...] = ()
    ca_top_words: int = 40
    ca_label_words: int = 25
    ca_dimensions: tuple[str, ...] = ("age_band", "occupation", "period")
    ca_survey_dimensions: tuple[str, ...] = ("age_band", "question")
    kwic_width: int = 20
    kwic_limit: int = 100
    path: str = field(default="", compare=False)


def load_explore_config(path: str | Path | None = None) -> ExploreConfig:
    """Read and check the explore YAML (default ``taxonomy/explore.yaml``).

    Raises:
        ExploreConfigError: the file cannot be read, or a key is unknown or has a wrong value.
    """
    return _load(str(Path(path or DEFAULT_EXPLORE_PATH).resolve()))


@lru_cache(maxsize=4)
def _load(path: str) -> ExploreConfig:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ExploreConfigError(f"{path}: cannot read the explore settings ({error})") from error
    check = _Checker(path)
    raw = check.mapping(raw, "", TOP_KEYS)
    if not isinstance(raw.get("version"), (int, str)):
        check.fail("version", "a number or string", raw.get("version"))
    pos = check.mapping(raw.get("parts_of_speech"), "parts_of_speech", set(SUDACHI_POS))
    if not pos or not all(isinstance(v, str) and v for v in pos.values()):
        check.fail("parts_of_speech", f"a mapping of {list(SUDACHI_POS)} to labels", pos)
    proper = check.strings(raw.get("excluded_proper_nouns", []), "excluded_proper_nouns", PROPER_NOUN_TYPES)
    stopwords: set[str] = set()
    for name in check.strings(raw.get("stopword_files", []), "stopword_files"):
        stopwords |= load_topic_stopwords(Path(path).parent / name)
    stopwords |= with_normalised_forms(check.strings(raw.get("extra_stopwords", []), "extra_stopwords"))
    freq = check.mapping(raw.get("frequency", {}), "frequency", {"top_words", "dimensions", "survey_dimensions"})
    net = check.mapping(raw.get("network", {}), "network", {"top_edges", "max_nodes", "groups"})
    ca = check.mapping(raw.get("correspondence", {}), "correspondence",
                       {"top_words", "label_words", "dimensions", "survey_dimensions"})
    kwic = check.mapping(raw.get("kwic", {}), "kwic", {"width", "limit"})
    return ExploreConfig(
        version=str(raw["version"]), parts_of_speech=dict(pos), excluded_proper_nouns=frozenset(proper),
        stopwords=frozenset(stopwords),
        top_words=check.positive(freq.get("top_words", 30), "frequency.top_words"),
        dimensions=tuple(check.strings(freq.get("dimensions", list(ExploreConfig.dimensions)), "frequency.dimensions",
                                       CONSULTATION_DIMENSIONS)),
        survey_dimensions=tuple(check.strings(freq.get("survey_dimensions", ["question", "age_band", "gender"]),
                                              "frequency.survey_dimensions", SURVEY_DIMENSIONS)),
        top_edges=check.positive(net.get("top_edges", 60), "network.top_edges"),
        max_nodes=check.positive(net.get("max_nodes", 60), "network.max_nodes"),
        network_groups=tuple(_group(g, f"network.groups[{i}]", check) for i, g in enumerate(net.get("groups", []) or [])),
        ca_top_words=check.positive(ca.get("top_words", 40), "correspondence.top_words"),
        ca_label_words=check.positive(ca.get("label_words", 25), "correspondence.label_words"),
        ca_dimensions=tuple(check.strings(ca.get("dimensions", ["age_band", "occupation", "period"]),
                                          "correspondence.dimensions", CONSULTATION_DIMENSIONS)),
        ca_survey_dimensions=tuple(check.strings(ca.get("survey_dimensions", ["age_band", "question"]),
                                                 "correspondence.survey_dimensions", SURVEY_DIMENSIONS)),
        kwic_width=check.positive(kwic.get("width", 20), "kwic.width"),
        kwic_limit=check.positive(kwic.get("limit", 100), "kwic.limit"),
        path=path,
    )


def _group(raw: Any, key: str, check: _Checker) -> NetworkGroup:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
        check.fail(key, "a mapping with a non-empty 'name'", raw)
    allowed = set(CONSULTATION_DIMENSIONS) | set(SURVEY_DIMENSIONS) | {"name", "ideation"}
    check.mapping(raw, key, allowed)
    if not isinstance(raw.get("ideation", False), bool):
        check.fail(f"{key}.ideation", "true or false", raw.get("ideation"))
    where = tuple((k, str(v)) for k, v in raw.items() if k not in ("name", "ideation"))
    return NetworkGroup(raw["name"].strip(), where, bool(raw.get("ideation", False)))


class _Checker:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, key: str, allowed: str, received: Any) -> None:
        raise ExploreConfigError(f"{self.path}: '{key}' must be {allowed}. Got {received!r:.80}.")

    def mapping(self, raw: Any, key: str, allowed: set[str]) -> Mapping:
        if not isinstance(raw, Mapping):
            self.fail(key or "(top level)", f"a mapping with keys from {sorted(allowed)}", raw)
        unknown = sorted(set(raw) - allowed)
        if unknown:
            self.fail(f"{key}.{unknown[0]}" if key else unknown[0], f"one of {sorted(allowed)}", unknown[0])
        return raw

    def strings(self, raw: Any, key: str, allowed: tuple[str, ...] | None = None) -> list[str]:
        if not isinstance(raw, list) or not all(isinstance(w, str) and w.strip() for w in raw):
            self.fail(key, "a list of non-empty strings", raw)
        for value in raw:
            if allowed is not None and value not in allowed:
                self.fail(key, f"a list of values from {list(allowed)}", value)
        return [w.strip() for w in raw]

    def positive(self, raw: Any, key: str) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
            self.fail(key, "an integer >= 1", raw)
        return raw
