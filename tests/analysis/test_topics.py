"""Topic discovery on a synthetic Japanese corpus with three clear subjects and chat filler."""

from __future__ import annotations

import random
import socket
from collections import Counter

import numpy as np
import pytest

from nlp.analysis.embeddings import GinzaStaticEmbedder, TfidfSvdEmbedder
from nlp.text.stopwords import StopwordsError, load_topic_stopwords
from nlp.text.tokenize import SudachiTokenizer
from nlp.analysis.topics import TopicTooFewDocuments, default_n_topics, discover_topics, topic_growth

SUBJECTS = {
    "school": ["学校で先生に怒られました。", "クラスの友達に無視されています。", "宿題とテストが多くて大変です。",
               "部活の先輩が厳しいです。", "担任の先生に言えません。", "授業についていけません。"],
    "work": ["上司に毎日怒鳴られます。", "会社の残業が長すぎます。", "同僚とうまくいきません。",
             "給料が安くて生活が苦しいです。", "職場を辞めて転職したいです。", "部署の異動が不安です。"],
    "romance": ["彼氏と喧嘩ばかりしています。", "恋人に別れようと言われました。", "デートの約束を破られました。",
                "片思いの相手に告白できません。", "付き合って三年になる彼女がいます。", "結婚を考えていますが不安です。"],
}
# Filler differs by subject, as in real chats, so c-TF-IDF alone would rank it high.
FILLER = {
    "school": ["今日は自分のことを話したいと思います。", "本当にそう思うこともあります。"],
    "work": ["なんか感じが悪いと思うことがあります。", "よろしくお願いします。ありがとうございます。"],
    "romance": ["自分の気持ちがよく分からない感じです。", "はい、そうですね、今日は本当に話したいです。"],
}
FILLER_WORDS = {"こと", "自分", "感じ", "思う", "今日", "本当", "ありがとう", "お願い", "御願い", "気持ち", "はい",
                "そう", "分かる", "ない", "いる", "ある", "する", "なる"}
SECRET = "担任の先生に言えませんでした秘密です。"  # only in consultations with ideation: never quoted
# Consultations per subject in April and May: romance grows, work shrinks.
PLAN = {"school": (25, 25), "work": (35, 15), "romance": (15, 35)}


def build_corpus(seed: int = 7):
    rng = random.Random(seed)
    texts, months, subjects = [], [], []
    for subject, (april, may) in PLAN.items():
        for month, count in (("2024-04", april), ("2024-05", may)):
            for _ in range(count):
                body = rng.sample(SUBJECTS[subject], 3)
                texts.append("".join([*FILLER[subject], *body, *FILLER[subject]]))
                months.append(month)
                subjects.append(subject)
    return texts, months, subjects


@pytest.fixture(scope="module")
def corpus():
    texts, months, subjects = build_corpus()
    ideation = [0] * len(texts)
    romance = [i for i, s in enumerate(subjects) if s == "romance"]
    for i in romance[:10]:
        ideation[i] = 2
    school = [i for i, s in enumerate(subjects) if s == "school"]
    for i in school[:5]:
        ideation[i] = 1
        texts[i] = SECRET + texts[i]
    # As read back from consultations.parquet: numpy arrays of theme ids.
    themes = [np.array([s] + (["mental"] if n % 4 == 0 else [])) for n, s in enumerate(subjects)]
    return texts, months, subjects, ideation, themes


def _mask(text: str) -> str:
    return "［済］" + text.replace("先生", "〇〇")


@pytest.fixture(scope="module")
def result(corpus):
    texts, months, _, ideation, themes = corpus
    return discover_topics(texts, months=months, ideation_levels=ideation, themes=themes, mask=_mask,
                           n_topics=3, min_documents=100)


def _subject_of_topics(doc_topics, subjects):
    by_topic: dict[int, Counter] = {}
    for topic, subject in zip(doc_topics, subjects):
        by_topic.setdefault(topic, Counter())[subject] += 1
    return by_topic


def test_three_subjects_become_three_pure_topics(result, corpus):
    subjects = corpus[2]
    by_topic = _subject_of_topics(result.doc_topics, subjects)
    assert sorted(by_topic) == [0, 1, 2]
    majority = {t: c.most_common(1)[0] for t, c in by_topic.items()}
    assert {s for s, _ in majority.values()} == {"school", "work", "romance"}
    for topic, (subject, count) in majority.items():
        assert count == sum(by_topic[topic].values()), f"topic {topic} mixes subjects: {by_topic[topic]}"
        assert set(result.words[topic]) <= _vocabulary(SUBJECTS[subject]), result.words[topic]


def _vocabulary(sentences: list[str]) -> set[str]:
    tokens = SudachiTokenizer()("".join(sentences))
    return {t.lemma for t in tokens} | {t.surface for t in tokens}


def test_filler_never_in_top_words_and_labels_are_three_words(result, corpus):
    words = {w for ws in result.words.values() for w in ws}
    assert not words & FILLER_WORDS
    texts, months = corpus[0], corpus[1]
    unfiltered = discover_topics(texts, months=months, n_topics=3, stopwords=frozenset())
    assert {w for ws in unfiltered.words.values() for w in ws} & FILLER_WORDS  # the stop words do the work
    for row in result.topics.itertuples():
        assert row.label == "・".join(result.words[row.topic_id][:3])
        assert row.top_words.split("、") == result.words[row.topic_id]


def test_topic_table_sizes_ideation_themes_and_growth(result, corpus):
    _, _, subjects, _, _ = corpus
    table = result.topics.set_index("topic_id")
    subject_of = {t: c.most_common(1)[0][0] for t, c in _subject_of_topics(result.doc_topics, subjects).items()}
    topic_of = {s: t for t, s in subject_of.items()}
    assert table["size"].sum() == len(subjects) and table["size"].is_monotonic_decreasing
    assert table.at[topic_of["romance"], "ideation_share"] == pytest.approx(10 / 50)
    assert np.isnan(table.at[topic_of["school"], "ideation_share"])  # 5 consultations < min_cell 10
    assert table.at[topic_of["school"], "main_themes"] == "school、mental"
    assert table.at[topic_of["work"], "growth"] == pytest.approx(15 / 75 - 35 / 75)
    assert table["new_topic"].tolist().count(True) == 1 and table.at[topic_of["romance"], "new_topic"]


def test_over_time_counts_and_shares(result):
    over = result.over_time
    assert list(over.columns) == ["month", "topic_id", "label", "consultations", "share", "suppressed", "reference"]
    assert not over["suppressed"].any() and not over["reference"].any()
    assert len(over) == 2 * 3 and over.groupby("month")["consultations"].sum().tolist() == [75, 75]
    assert over.groupby("month")["share"].sum().tolist() == pytest.approx([1.0, 1.0])


def test_small_cells_are_suppressed_with_their_complements(corpus):
    texts, months, subjects, ideation, _ = corpus
    found = discover_topics(texts, months=months, ideation_levels=ideation, n_topics=3, min_cell=20,
                            embedder=TfidfSvdEmbedder())
    over = found.over_time
    assert (over.loc[~over["suppressed"], "consultations"] >= 20).all()
    assert over.loc[over["suppressed"], "consultations"].isna().all() and over.loc[over["suppressed"], "share"].isna().all()
    assert over["suppressed"].sum() >= 2
    for key in ("month", "topic_id"):
        assert (over.groupby(key)["suppressed"].sum() != 1).all(), f"a lone suppressed cell along {key}"
    hidden_topics = set(over.loc[over["suppressed"], "topic_id"])
    table = found.topics.set_index("topic_id")
    assert table.loc[sorted(hidden_topics), "growth"].isna().all()
    assert table["ideation_share"].isna().all()  # at most 10 per topic < 20


def test_excerpts_are_short_masked_and_never_from_ideation(result):
    excerpts = [e for cell in result.topics["excerpts"] for e in cell.split("｜") if e]
    assert len(excerpts) == 2 * 3
    for excerpt in excerpts:
        assert excerpt.startswith("［済］") and len(excerpt) <= 60 and "先生" not in excerpt
        assert "秘密" not in excerpt


def test_same_topics_on_a_second_run(result, corpus):
    texts, months, _, ideation, themes = corpus
    again = discover_topics(texts, months=months, ideation_levels=ideation, themes=themes, mask=_mask,
                            n_topics=3)
    assert again.doc_topics == result.doc_topics
    assert again.topics.equals(result.topics) and again.over_time.equals(result.over_time)


def test_default_topic_count_tfidf_backend_and_no_network(corpus, monkeypatch):
    texts, months, subjects, _, _ = corpus
    tried: list[tuple] = []

    def refuse(self, address):
        tried.append(address)
        raise OSError("network disabled in test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    found = discover_topics(texts, months=months, embedder=TfidfSvdEmbedder(n_components=20))
    assert tried == []
    assert len(found.topics) == default_n_topics(150) == 5
    for topic, counts in _subject_of_topics(found.doc_topics, subjects).items():
        subject, count = counts.most_common(1)[0]
        assert count / sum(counts.values()) >= 0.9, (topic, counts)
    assert {c.most_common(1)[0][0] for c in _subject_of_topics(found.doc_topics, subjects).values()} == set(PLAN)


class RecordingEmbedder(GinzaStaticEmbedder):
    """The default embedder that keeps the token lists it was given."""

    def embed(self, token_lists):
        self.seen = [list(tokens) for tokens in token_lists]
        return super().embed(token_lists)


def test_document_over_48_kb_is_chunked_not_truncated(corpus):
    texts, months, subjects, _, _ = corpus
    long_text = "".join(SUBJECTS["school"]) * 300 + "最後に宿題の話です。"
    assert len(long_text.encode("utf-8")) > 48_000
    embedder = RecordingEmbedder()
    found = discover_topics([*texts, long_text], months=[*months, "2024-05"], n_topics=3, embedder=embedder)
    assert sum(t.lemma == "宿題" for t in embedder.seen[-1]) == 301  # every repeat and the last sentence
    school_topic = Counter(t for t, s in zip(found.doc_topics, subjects) if s == "school").most_common(1)[0][0]
    assert found.doc_topics[-1] == school_topic
    assert found.topics.set_index("topic_id").at[school_topic, "size"] == 51


def test_single_month_has_no_growth_and_no_new_topic(corpus):
    texts, _, _, _, _ = corpus
    found = discover_topics(texts, months=["2024-05"] * len(texts), n_topics=3, embedder=TfidfSvdEmbedder())
    assert found.topics["growth"].isna().all() and not found.topics["new_topic"].any()
    assert found.over_time["consultations"].sum() == len(texts)


def test_too_few_documents_names_count_and_minimum(corpus):
    texts, months, _, _, _ = corpus
    usable, filler_only = texts[:40], ["".join(FILLER["romance"])] * 30
    with pytest.raises(TopicTooFewDocuments) as error:
        discover_topics(usable + filler_only, months=months[:70], min_documents=100)
    assert error.value.count == 40 and error.value.minimum == 100
    assert "at least 100" in str(error.value) and "got 40" in str(error.value) and "100件以上" in str(error.value)


def test_stopwords_cover_normalised_forms_and_keep_content():
    words = load_topic_stopwords()
    assert {"お願い", "御願い", "こと", "自分", "感じ", "思う", "今日"} <= words
    assert not {"学校", "仕事", "一人", "不安", "死ぬ", "お金", "友達", "寂しい"} & words


def test_malformed_stopword_file_names_the_key(tmp_path):
    path = tmp_path / "stop.yaml"
    path.write_text("version: 1\nstopwords:\n  filler: こと\n", encoding="utf-8")
    with pytest.raises(StopwordsError, match="stopwords.filler must be a list"):
        load_topic_stopwords(path)


def test_ginza_vectors_place_related_words_closer():
    tok = SudachiTokenizer()
    school, lesson, boss = GinzaStaticEmbedder().embed([tok("学校の先生"), tok("授業と宿題"), tok("上司と残業")])
    cos = lambda a, b: float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))  # noqa: E731
    assert cos(school, lesson) > cos(school, boss)


def test_topic_growth_works_on_any_period_labels():
    doc_topics = [0] * 10 + [1] * 10 + [0] * 5 + [1] * 15 + [-1] * 2
    periods = ["2023"] * 20 + ["2024"] * 22
    growth = topic_growth(doc_topics, periods, {0: "学校", 1: "仕事"}, n_new=1)
    assert growth["topic_id"].tolist() == [1, 0] and growth["new_topic"].tolist() == [True, False]
    assert growth["previous_share"].tolist() == [0.5, 0.5]
    assert growth["growth"].tolist() == pytest.approx([15 / 22 - 0.5, 5 / 22 - 0.5])
