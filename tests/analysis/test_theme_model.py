"""Supervised primary-theme model (nlp/analysis/theme_model.py): train, report, save/load, labels."""

from __future__ import annotations

import pytest

from nlp.analysis.theme_model import CVReport, ThemeModel, cross_validate_tokens, normalise_labels, train_theme_model
from taxonomy.themes import load_taxonomy

OPENINGS = ["こんばんは。", "よろしくお願いします。", "はじめて相談します。", "30代の女性です。"]
CONCERNS = {
    "work": [
        "上司に毎日怒鳴られています", "職場の同僚に無視されています", "残業が多すぎて会社に行くのがつらい",
        "部署の異動があってから仕事がうまくいきません", "パワハラを受けていて出勤できません", "先輩からの指示がきつくて困っています",
    ],
    "family": [
        "母親が過干渉で家にいたくないです", "息子が反抗期で言うことを聞きません", "父の介護で疲れてしまいました",
        "娘との関係がうまくいきません", "実家の両親と喧嘩ばかりしています", "子育てがうまくいかなくてイライラします",
    ],
    "romance": [
        "彼氏と別れてしまって立ち直れません", "好きな人に告白するか迷っています", "付き合っている彼が浮気しているみたいです",
        "片思いがつらいです", "恋人と遠距離恋愛で寂しいです", "元彼のことが忘れられません",
    ],
}
CLOSINGS = ["どうしたらいいですか。", "誰にも言えなくて。", "もう疲れました。", "ありがとうございました。"]


def synthetic() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, concerns in CONCERNS.items():
        for i, concern in enumerate(concerns):
            texts.append(f"{OPENINGS[i % 4]}\n{concern}。\n{CLOSINGS[i % 4]}")
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def trained(tokenizer):
    texts, labels = synthetic()
    return train_theme_model(texts, labels, cv=3, random_state=0, tokenizer=tokenizer)


def test_train_reports_cross_validation(trained):
    model, report = trained
    assert isinstance(report, CVReport)
    assert report.n == 18 and report.cv == 3
    assert report.labels == ["family", "romance", "work"]
    assert report.accuracy >= 0.8 and report.macro_f1 >= 0.8
    assert sum(map(sum, report.confusion)) == 18
    text = str(report)
    assert "accuracy" in text and "macro-F1" in text and "romance" in text and "confusion" in text


def test_model_predicts_unseen_consultations(trained, tokenizer):
    model, _ = trained
    texts = ["上司からのパワハラで会社に行けません。", "彼氏に振られてしまいました。", "母親とうまくいかなくて家にいるのがつらいです。"]
    assert model.predict(texts) == ["work", "romance", "family"]
    assert model.predict_tokens([tokenizer(t) for t in texts]) == ["work", "romance", "family"]
    proba = model.predict_proba_tokens([tokenizer(texts[0])])
    assert proba.shape == (1, 3) and abs(proba.sum() - 1) < 1e-9
    assert model.predict([]) == []


def test_save_and_load_round_trip(trained, tmp_path):
    model, _ = trained
    path = model.save(tmp_path / "models" / "theme.joblib")
    loaded = ThemeModel.load(path)
    texts = ["職場の人間関係がつらい", "片思いの相手がいます", "娘が口をきいてくれない"]
    assert loaded.predict(texts) == model.predict(texts)
    assert loaded.info["taxonomy_version"] == load_taxonomy().version
    assert loaded.info["n_train"] == 18 and loaded.info["cv_folds"] == 3
    assert len(loaded.info["taxonomy_sha256"]) == 64


def test_load_rejects_other_files(tmp_path):
    import joblib

    joblib.dump({"not": "a model"}, tmp_path / "other.joblib")
    with pytest.raises(ValueError, match="not a soudan theme model"):
        ThemeModel.load(tmp_path / "other.joblib")
    with pytest.raises(FileNotFoundError, match="soudan train"):
        ThemeModel.load(tmp_path / "missing.joblib")


def test_labels_may_be_japanese_or_mapped_and_unknown_ones_are_named():
    tax = load_taxonomy()
    assert normalise_labels(["職場・仕事", "work", " 恋愛 "], tax) == ["work", "work", "romance"]
    assert normalise_labels(["職場問題", "その他"], tax, {"職場問題": "work", "その他": None}) == ["work", None]
    with pytest.raises(ValueError, match=r"Unknown theme labels \['仕事の悩み'\].*work \(職場・仕事\)"):
        normalise_labels(["仕事の悩み"], tax)


def test_training_input_is_validated(tokenizer):
    texts, labels = synthetic()
    with pytest.raises(ValueError, match="differ in length"):
        train_theme_model(texts, labels[:-1], tokenizer=tokenizer)
    with pytest.raises(ValueError, match="at least two different labels"):
        ThemeModel(tokenizer=tokenizer).fit_tokens([tokenizer(t) for t in texts[:3]], ["work"] * 3)
    with pytest.raises(ValueError, match="at least 10 labelled texts"):
        cross_validate_tokens([tokenizer(t) for t in texts[:4]], labels[:4], cv=5, tokenizer=tokenizer)
    with pytest.raises(ValueError, match="'C' parameter"):
        ThemeModel(C=0)


def test_single_text_fast_path_agrees_with_sklearn(trained, tokenizer):
    import numpy as np

    model, _ = trained
    texts = ["上司がこわくて眠れない", "", "あああ", "彼氏と喧嘩した。母にも相談できない。"] * 3
    token_lists = [tokenizer(t) for t in texts]
    batch = model.predict_proba_tokens(token_lists)  # more than 8 texts: through sklearn
    single = np.vstack([model.predict_proba_tokens([tokens]) for tokens in token_lists])
    assert np.allclose(batch, single, atol=1e-12)
