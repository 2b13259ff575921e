"""The exploratory views (nlp/explore): counts and Jaccard against an independent pandas
computation, --min-cell on words, edges and groups, masked KWIC, ideation exclusion, determinism."""

from __future__ import annotations

import random
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from nlp.analysis.explore.config import ExploreConfigError, NetworkGroup, load_explore_config
from nlp.analysis.explore.cooccurrence import cooccurrence_network
from nlp.analysis.explore.documents import build_corpus
from nlp.analysis.explore.frequency import group_table, word_frequencies
from nlp.analysis.explore.kwic import concordance
from nlp.analysis.explore.stage import explore_documents, explore_tables, write_explore
from nlp.text.masking import find_leaks

# Nouns that Sudachi keeps as one token whose normalised form is the word itself.
VOCABULARY = ["学校", "友達", "家族", "仕事", "病院", "部活", "上司", "彼氏"]
MIN_CELL = 5


@pytest.fixture(scope="module")
def config():
    return load_explore_config()


@pytest.fixture(scope="module")
def constructed():
    """80 documents built from known words (some twice), each with an age band."""
    rng = random.Random(17)
    docs, bands = [], []
    for _ in range(80):
        words = rng.sample(VOCABULARY, rng.randint(1, 4))
        if rng.random() < 0.3:
            words.append(words[0])  # a repeat: counts once in documents, twice in frequency
        docs.append(words)
        bands.append(rng.choice(["10代", "20代", "30代"]))
    texts = ["と".join(words) + "のことで悩んでいます。" for words in docs]
    return [words + ["悩む"] for words in docs], texts, pd.DataFrame({"age_band": bands})


def _expected(docs: list[list[str]], bands: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Documents, frequency per (band, word) and Jaccard per pair, with plain pandas."""
    long = pd.DataFrame([(d, w, bands[d]) for d, words in enumerate(docs) for w in words], columns=["doc", "word", "band"])
    counts = long.groupby("word").agg(documents=("doc", "nunique"), frequency=("doc", "size")).reset_index()
    present = long.drop_duplicates(["doc", "word"])
    pairs = present.merge(present, on="doc")
    pairs = pairs[pairs["word_x"] < pairs["word_y"]]
    co = pairs.groupby(["word_x", "word_y"]).size().rename("co").reset_index()
    df = counts.set_index("word")["documents"]
    co["jaccard"] = co["co"] / (co["word_x"].map(df) + co["word_y"].map(df) - co["co"])
    return counts, co


def test_counts_equal_pandas(constructed, config):
    docs, texts, attributes = constructed
    corpus = build_corpus(texts, config)
    table = word_frequencies(corpus, attributes, ["age_band"], min_cell=MIN_CELL)
    counts, _ = _expected(docs, attributes["age_band"].tolist())
    overall = table[table["dimension"] == "全体"].set_index("word")
    assert set(overall.index) == set(VOCABULARY) | {"悩む"}  # no particle, no こと, no いる
    for row in counts.itertuples():
        assert overall.at[row.word, "documents"] == row.documents
        assert overall.at[row.word, "frequency"] == row.frequency
        assert overall.at[row.word, "share"] == pytest.approx(row.documents / len(docs))


def test_group_counts_equal_pandas(constructed, config):
    docs, texts, attributes = constructed
    corpus = build_corpus(texts, config)
    table = word_frequencies(corpus, attributes, ["age_band"], min_cell=MIN_CELL)
    long = pd.DataFrame([(d, w, attributes.at[d, "age_band"]) for d, ws in enumerate(docs) for w in set(ws)],
                        columns=["doc", "word", "band"])
    expected = long.groupby(["band", "word"])["doc"].nunique()
    shown = table[table["dimension"] == "age_band"]
    assert len(shown) > 10
    for row in shown.itertuples():
        assert row.documents == expected[(row.group, row.word)] >= MIN_CELL


def test_jaccard_equal_pandas(constructed, config):
    docs, texts, attributes = constructed
    corpus = build_corpus(texts, config)
    network = cooccurrence_network(corpus, min_documents=MIN_CELL, max_nodes=100, top_edges=1000)
    _, co = _expected(docs, attributes["age_band"].tolist())
    expected = co[co["co"] >= MIN_CELL].set_index(["word_x", "word_y"])
    got = network.edges.assign(key=[tuple(sorted(p)) for p in zip(network.edges["source"], network.edges["target"])])
    assert set(got["key"]) == set(expected.index)
    for row in got.itertuples():
        assert row.co_documents == expected.at[row.key, "co"]
        assert row.jaccard == pytest.approx(expected.at[row.key, "jaccard"], abs=1e-6)
    assert set(network.nodes["community"]) >= {1}


def test_top_edges_are_the_strongest(constructed, config):
    _, texts, _ = constructed
    corpus = build_corpus(texts, config)
    full = cooccurrence_network(corpus, min_documents=MIN_CELL, max_nodes=100, top_edges=1000).edges
    top = cooccurrence_network(corpus, min_documents=MIN_CELL, max_nodes=100, top_edges=5).edges
    assert len(top) == 5
    assert top["jaccard"].min() >= full["jaccard"].nlargest(5).min() - 1e-12


def test_word_in_few_documents_of_a_group_is_hidden_with_its_complement(config):
    # 学校 in 12 documents of 10代 and 4 of 20代: 20代 is under min_cell, and 10代 would give
    # it away (16 overall − 12), so both cells are hidden while the overall count stays.
    texts = ["学校の話"] * 12 + ["学校の話"] * 4 + ["仕事の話"] * 30
    attributes = pd.DataFrame({"age_band": ["10代"] * 12 + ["20代"] * 4 + ["20代"] * 15 + ["10代"] * 15})
    table = word_frequencies(build_corpus(texts, config), attributes, ["age_band"], min_cell=10)
    school = table[table["word"] == "学校"]
    assert school["dimension"].tolist() == ["全体"]
    assert int(school["documents"].iloc[0]) == 16


def test_small_groups_are_suppressed_with_a_complement():
    attributes = pd.DataFrame({"age_band": ["10代"] * 40 + ["20代"] * 12 + ["30代"] * 3})
    groups = group_table(attributes, ["age_band"], min_cell=10).set_index("group")
    assert groups.loc["30代", "suppressed"] and groups.loc["20代", "suppressed"]  # 55 − 40 would show 15
    assert pd.isna(groups.loc["30代", "documents"]) and groups.loc["10代", "documents"] == 40


def test_small_network_group_is_not_drawn(constructed, config):
    _, texts, attributes = constructed
    attributes = attributes.assign(ideation_level=[1] * 3 + [0] * (len(texts) - 3))
    result = explore_documents(texts, attributes, min_cell=MIN_CELL, dimensions=["age_band"], ca_dimensions=[],
                               network_groups=[NetworkGroup("念慮あり", (), True)], config=config)
    assert result.not_shown == ["念慮あり"]
    assert set(result.tables()["network_edges"]["network"]) == {"overall"}


PII_MESSAGE = ("田中さんとゆうきくんのことで学校がつらい。電話は090-1234-5678、メールは tanaka.k@example.com、"
               "住所は熊本市中央区水前寺6丁目18-1です。")
PII = ["田中", "ゆうき", "090-1234-5678", "tanaka.k@example.com", "水前寺6丁目18-1", "水前寺"]


def test_kwic_contexts_hold_no_personal_data(tmp_path):
    documents = [[PII_MESSAGE, "学校の先生に相談したい。"] for _ in range(12)]
    result = concordance(documents, "学校", min_cell=10, width=60, limit=500)
    assert len(result.lines) == 24 and not result.reason
    text = "\n".join("".join(line) for line in result.lines.itertuples(index=False))
    assert "〔氏名〕さん" in text and "〔電話番号〕" in text and "〔メール〕" in text and "〔住所〕" in text
    result.lines.to_csv(tmp_path / "kwic.csv", index=False)
    assert find_leaks(tmp_path, PII) == []


def test_kwic_term_inside_a_masked_span_is_never_shown():
    documents = [[PII_MESSAGE]] * 12
    assert concordance(documents, "田中", min_cell=10).lines.empty
    assert concordance(documents, "氏名", min_cell=10).lines.empty  # the placeholder is no word


def test_kwic_skips_ideation_messages_unless_asked():
    documents = [["学校に行くくらいなら死にたい。", "学校の友達と話した。"] for _ in range(12)]
    without = concordance(documents, "学校", min_cell=10)
    assert len(without.lines) == 12 and not without.lines["right"].str.contains("死").any()
    with_flag = concordance(documents, "学校", min_cell=10, include_ideation=True)
    assert len(with_flag.lines) == 24 and with_flag.lines["right"].str.contains("死にたい").any()


def test_kwic_rare_term_and_small_group_show_nothing():
    documents = [["学校の話です。"]] * 9 + [["仕事の話です。"]] * 20
    rare = concordance(documents, "学校", min_cell=10)
    assert rare.lines.empty and "最小セル数" in rare.reason and rare.documents == 0
    small = concordance([["学校の話です。"]] * 9, "学校", min_cell=10)
    assert small.lines.empty and small.reason


def test_kwic_matches_normalised_forms():
    documents = [["学校へ行きたくない。"], ["学校に行った。"]] * 6
    lines = concordance(documents, "行く", min_cell=10).lines
    assert set(lines["keyword"]) == {"行き", "行っ"}


def test_masked_names_never_become_words(config):
    corpus = build_corpus([PII_MESSAGE] * 12, config)
    assert not {"田中", "ゆうき", "水前寺", "熊本", "中央", "tanaka", "example"} & set(corpus.words)
    assert "学校" in corpus.words


def test_outputs_are_reproducible(constructed, config, tmp_path):
    _, texts, attributes = constructed
    attributes = attributes.assign(occupation=["高校生", "会社員"] * 40)
    for name in ("a", "b"):
        result = explore_documents(texts, attributes, min_cell=MIN_CELL, dimensions=["age_band", "occupation"],
                                   ca_dimensions=["age_band"], config=config)
        write_explore(result, tmp_path / name, charts=False)
    for csv in sorted((tmp_path / "a" / "explore").glob("*.csv")):
        assert csv.read_bytes() == (tmp_path / "b" / "explore" / csv.name).read_bytes(), csv.name
    tables = explore_tables(tmp_path / "a")
    assert set(tables) == {"groups", "word_frequency", "network_nodes", "network_edges", "correspondence",
                           "correspondence_inertia"}


def test_correspondence_coordinates_follow_the_ca_formulas(config):
    # Words concentrated in one group lie on that group's side of the first axis.
    texts = (["学校と部活"] * 20 + ["仕事と上司"] * 20 + ["家族と病院"] * 20 + ["友達"] * 30)
    bands = ["10代"] * 20 + ["40代"] * 20 + ["70代"] * 20 + ["10代", "40代", "70代"] * 10
    result = explore_documents(texts, pd.DataFrame({"age_band": bands}), min_cell=MIN_CELL, dimensions=[],
                               ca_dimensions=["age_band"], config=config)
    coords = result.correspondences[0].coordinates.set_index("label")
    for word, group in (("学校", "10代"), ("仕事", "40代"), ("病院", "70代")):
        distances = np.hypot(coords.loc[["10代", "40代", "70代"], "dim1"] - coords.at[word, "dim1"],
                             coords.loc[["10代", "40代", "70代"], "dim2"] - coords.at[word, "dim2"])
        assert distances.idxmin() == group
    assert sum(result.correspondences[0].inertia) == pytest.approx(1.0)  # 3 groups: two axes hold everything


def test_config_errors_name_key_allowed_and_received(tmp_path):
    bad = tmp_path / "explore.yaml"
    bad.write_text("version: 1\nparts_of_speech: {名詞: 名詞}\nnetwork: {top_edge: 5}\n", encoding="utf-8")
    with pytest.raises(ExploreConfigError, match=r"network\.top_edge.*one of \['groups', 'max_nodes', 'top_edges'\].*Got 'top_edge'"):
        load_explore_config(bad)
    bad.write_text("version: 1\nparts_of_speech: {名詞: 名詞}\nfrequency: {dimensions: [age]}\n", encoding="utf-8")
    with pytest.raises(ExploreConfigError, match=r"frequency\.dimensions.*Got 'age'"):
        load_explore_config(bad)


def test_survey_min_cell_counts_people_not_answers(config):
    from nlp.analysis.explore.stage import explore_answers

    rows = []
    for r in range(4):  # 4 people write バス in each of 3 answers: 12 answers, but 4 people
        rows += [(f"R{r}", f"q{q}", f"問{q}", "記述あり", [], "バスの本数が少ない", "70代", "女性") for q in range(3)]
    for r in range(4, 16):  # 12 people write 公園 once
        rows.append((f"R{r}", "q0", "問0", "記述あり", [], "公園がほしい", "30代", "男性"))
    answers = pd.DataFrame(rows, columns=["respondent_id", "question", "label", "status", "themes", "text", "age_band",
                                          "gender"])
    result = explore_answers(answers, min_cell=10, config=config)
    words = set(result.frequencies["word"])
    assert "公園" in words and not {"バス", "本数"} & words
    overall = result.groups.set_index("dimension").loc["全体"]
    assert int(overall["documents"]) == 16  # respondents, not the 24 answers


def test_kwic_parameters_are_checked():
    with pytest.raises(ValueError, match="'min_cell' parameter must be an integer >= 1. Got 0"):
        concordance([["学校"]] * 20, "学校", min_cell=0)
    with pytest.raises(ValueError, match="non-empty"):
        concordance([["学校"]] * 20, " ")
