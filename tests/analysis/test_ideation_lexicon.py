"""The ideation lexicon (taxonomy/ideation.yaml): versioned, validated with messages naming the key,
the allowed values and the value received, and swappable for a custom one."""

from __future__ import annotations

import copy

import pytest
import yaml

from nlp.analysis.ideation import IdeationScorer
from taxonomy.ideation import (
    DEFAULT_PATH,
    IdeationLexiconError,
    load_ideation_lexicon,
    parse_ideation_lexicon,
)


@pytest.fixture(scope="module")
def raw_yaml() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_lexicon_loads_with_version(raw_yaml: dict) -> None:
    lexicon = load_ideation_lexicon()
    assert lexicon.version == raw_yaml["version"] == 3
    assert {t.level for t in lexicon.terms} == {0, 1, 2, 3, 4}
    assert lexicon.levels[1] == "希死念慮"


def test_run_json_records_the_lexicon_version() -> None:
    from nlp.runs.pipeline import versions

    assert versions()["ideation_lexicon"] == "3"


def _broken(raw: dict, path: list, value) -> dict:
    data = copy.deepcopy(raw)
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize("path, value, message", [
    (["version"], 1, r"'version' must be one of 2, 3\. Got 1\."),
    (["terms", 0, "level"], 7, r"'terms\[0\] \(shinitai\)\.level' must be one of 1, 2, 3 \(for kind wish\)\. Got 7\."),
    (["terms", 0, "kind"], "wishful", r"'terms\[0\] \(shinitai\)\.kind' must be one of wish, urge, act, report\. Got 'wishful'\."),
    (["terms", 0, "pattern"], "死に(たい", r"'terms\[0\] \(shinitai\)\.pattern' must be a valid regular expression"),
    (["terms", 0, "examples"], ["死んだ"], r"'terms\[0\] \(shinitai\)\.examples' must be texts its pattern matches\. Got '死んだ'\."),
    (["terms", 0, "examples"], ["元気です"], r"'prefilter' must be .* \(term shinitai\)\. Got '元気です'\."),
    (["terms", 0, "self_harm"], "yes", r"'terms\[0\] \(shinitai\)\.self_harm' must be true or false\. Got 'yes'\."),
    (["prefilter"], ["自殺"], r"'prefilter' must be a list of anchors one of which occurs in each example \(term shinitai\)"),
    (["levels"], {0: "a", 1: "b"}, r"'levels' must be a mapping with exactly the keys 0, 1, 2, 3, 4"),
    (["strength_markers"], [], r"'strength_markers' must be a non-empty string or list"),
])
def test_validation_errors_name_key_allowed_and_received(raw_yaml: dict, path: list, value, message: str) -> None:
    with pytest.raises(IdeationLexiconError, match=message):
        parse_ideation_lexicon(_broken(raw_yaml, path, value), source="ideation.yaml")


def test_validation_of_missing_and_unknown_keys(raw_yaml: dict) -> None:
    data = copy.deepcopy(raw_yaml)
    del data["exclusions"]["negation_after"]
    with pytest.raises(IdeationLexiconError, match=r"'exclusions\.negation_after' must be present"):
        parse_ideation_lexicon(data)
    data = copy.deepcopy(raw_yaml)
    data["colour"] = "red"
    with pytest.raises(IdeationLexiconError, match=r"only the keys version, levels.*Got \['colour'\]"):
        parse_ideation_lexicon(data)


def test_custom_lexicon_is_used(raw_yaml: dict) -> None:
    data = copy.deepcopy(raw_yaml)
    data["terms"] = [t for t in data["terms"] if t["id"] != "kietai"]
    scorer = IdeationScorer(lexicon=parse_ideation_lexicon(data))
    assert scorer.score_message("消えたい").level == 0
    assert scorer.score_message("死にたい").level == 1


def test_unreadable_file_names_the_file(tmp_path) -> None:
    bad = tmp_path / "ideation.yaml"
    bad.write_text("version: [1\n", encoding="utf-8")
    with pytest.raises(IdeationLexiconError, match="ideation.yaml: cannot read"):
        load_ideation_lexicon(bad)
