"""Supervised primary theme, for organisations with labelled history.

The model stacks two views of a consultation: a Complement Naive Bayes text model on Sudachi
normalised forms (the keys the taxonomy matches on), whose out-of-fold class probabilities
are computed by an inner stratified cross-validation, and the taxonomy's theme scores
(:class:`nlp.analysis.themes.ThemeTagger`). A multinomial logistic regression over both gives the
calibrated probabilities. The taxonomy still supplies ``themes`` and the evidence; the model
only sets ``primary_theme``.

Example:
    >>> model, report = train_theme_model(texts, labels, cv=5)   # doctest: +SKIP
    >>> print(report)                                             # accuracy, macro-F1, per class
    >>> model.save("model.joblib"); ThemeModel.load("model.joblib").predict(["上司が怖い"])
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from nlp.analysis.themes import ThemeTagger
from nlp.text.tokenize import SudachiTokenizer, Token, Tokenizer
from taxonomy.themes import Taxonomy, load_taxonomy

FORMAT = 1  # bump when the saved layout changes


def _identity(keys: list[str]) -> list[str]:  # module level so the vectoriser pickles
    return keys


@dataclass(frozen=True)
class CVReport:
    """Cross-validated quality of a theme model; ``str()`` gives a printable report.

    Attributes:
        n, cv: number of labelled texts and of folds.
        accuracy, macro_f1: over the out-of-fold predictions.
        per_class: label -> {"precision", "recall", "f1", "support"}.
        labels, confusion: the confusion matrix (rows true, columns predicted).
        calibration_error: expected calibration error of the out-of-fold probabilities.
    """

    n: int
    cv: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]
    labels: list[str]
    confusion: list[list[int]]
    calibration_error: float
    random_state: int = 0

    def __str__(self) -> str:
        lines = [
            f"{self.cv}-fold stratified cross-validation (seed {self.random_state}) on {self.n} labelled texts",
            f"accuracy {self.accuracy:.3f}   macro-F1 {self.macro_f1:.3f}   "
            f"expected calibration error {self.calibration_error:.3f}",
            "",
            f"{'class':<16}{'precision':>10}{'recall':>8}{'f1':>8}{'n':>6}",
        ]
        for label in self.labels:
            m = self.per_class[label]
            lines.append(f"{label:<16}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}{int(m['support']):>6}")
        lines += ["", "confusion (rows true, columns predicted)", " " * 16 + "".join(f"{l[:6]:>7}" for l in self.labels)]
        for label, row in zip(self.labels, self.confusion):
            lines.append(f"{label:<16}" + "".join(f"{v:>7}" for v in row))
        return "\n".join(lines)


class ThemeModel:
    """Primary-theme classifier: text model + taxonomy scores, stacked by logistic regression.

    Args:
        taxonomy: whose scores are features; default the packaged one (a copy is saved with the model).
        tokenizer: for :meth:`predict` on raw text; default :class:`SudachiTokenizer`.
        alpha: smoothing of the Complement Naive Bayes text model.
        C: inverse regularisation of the final logistic regression.
        inner_cv: folds of the inner cross-validation giving out-of-fold text probabilities.
        random_state: seed of the inner folds.
    """

    def __init__(
        self,
        *,
        taxonomy: Taxonomy | None = None,
        tokenizer: Tokenizer | None = None,
        alpha: float = 1.0,
        C: float = 3.0,
        inner_cv: int = 5,
        random_state: int = 0,
    ) -> None:
        for name, value in (("alpha", alpha), ("C", C)):
            if not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"The {name!r} parameter of ThemeModel must be a number > 0. Got {value!r}.")
        if not isinstance(inner_cv, int) or inner_cv < 2:
            raise ValueError(f"The 'inner_cv' parameter of ThemeModel must be an int >= 2. Got {inner_cv!r}.")
        self.taxonomy = taxonomy or load_taxonomy()
        self.tokenizer = tokenizer or SudachiTokenizer()
        self.alpha, self.C, self.inner_cv, self.random_state = alpha, C, inner_cv, random_state
        self._tagger: ThemeTagger | None = None

    # -- features ---------------------------------------------------------------------------
    @property
    def tagger(self) -> ThemeTagger:
        if self._tagger is None:
            self._tagger = ThemeTagger(taxonomy=self.taxonomy, tokenizer=self.tokenizer)
        return self._tagger

    def features(self, token_lists: Sequence[Sequence[Token]]) -> tuple[list[list[str]], np.ndarray]:
        """Per text: its match keys (the text model's input) and its taxonomy features: each
        theme's share of the weighted taxonomy score, then a one-hot primary theme."""
        themes = list(self.taxonomy.themes)
        weights = np.array([self.taxonomy.primary_weights[t] for t in themes])
        out = np.zeros((len(token_lists), 2 * len(themes)))
        keys: list[list[str]] = []
        for i, tokens in enumerate(token_lists):
            result, text_keys = self.tagger.tag_with_keys(tokens)
            keys.append(text_keys)
            scores = np.array([result.scores.get(t, 0.0) for t in themes]) * weights
            if scores.sum() > 0:
                out[i, : len(themes)] = scores / scores.sum()
            if result.primary_theme is not None:
                out[i, len(themes) + themes.index(result.primary_theme)] = 1.0
        return keys, out

    def _text_model(self):
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.naive_bayes import ComplementNB
        from sklearn.pipeline import make_pipeline

        return make_pipeline(
            CountVectorizer(analyzer=_identity, min_df=2), ComplementNB(alpha=self.alpha)
        )

    # -- training and prediction -------------------------------------------------------------
    def fit_tokens(self, token_lists: Sequence[Sequence[Token]], labels: Sequence[str]) -> "ThemeModel":
        """Fit on tokenised texts and their theme labels."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        labels = np.asarray(labels)
        if len(set(labels)) < 2:
            raise ValueError(f"Training needs at least two different labels; got {sorted(set(labels))}.")
        keys, taxonomy_features = self.features(token_lists)
        smallest = min(np.unique(labels, return_counts=True)[1])
        folds = StratifiedKFold(max(2, min(self.inner_cv, smallest)), shuffle=True, random_state=self.random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # folds may miss a rare class; its probability is 0
            text_oof = cross_val_predict(self._text_model(), keys, labels, cv=folds, method="predict_proba")
        self.text_model_ = self._text_model().fit(keys, labels)
        meta = np.hstack([text_oof, taxonomy_features])
        self.classifier_ = LogisticRegression(C=self.C, max_iter=5000).fit(meta, labels)
        self.classes_ = [str(c) for c in self.classifier_.classes_]
        self.format_ = FORMAT
        self.info_ = _info(self.taxonomy, len(labels))
        return self

    def predict_proba_tokens(self, token_lists: Sequence[Sequence[Token]]) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        if not hasattr(self, "classifier_"):
            raise RuntimeError("This ThemeModel is not fitted yet; call fit_tokens or train_theme_model first.")
        keys, taxonomy_features = self.features(token_lists)
        if len(token_lists) <= 8:  # the pipeline asks one consultation at a time: skip sklearn's checks
            return np.vstack([self._fast_proba(k, f) for k, f in zip(keys, taxonomy_features)])
        meta = np.hstack([self.text_model_.predict_proba(keys), taxonomy_features])
        return self.classifier_.predict_proba(meta)

    def _fast_proba(self, keys: list[str], taxonomy_features: np.ndarray) -> np.ndarray:
        """predict_proba of the fitted pipeline for one text in plain numpy (about 20 times
        faster than going through sklearn's input validation; tests check it agrees)."""
        vocabulary = self.text_model_[0].vocabulary_
        counts: dict[int, int] = {}
        for key in keys:
            column = vocabulary.get(key)
            if column is not None:
                counts[column] = counts.get(column, 0) + 1
        nb = self.text_model_[-1]
        if counts:
            columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            values = np.fromiter(counts.values(), dtype=float, count=len(counts))
            joint = nb.feature_log_prob_[:, columns] @ values
        else:
            joint = np.zeros(len(nb.classes_))
        text_proba = np.exp(joint - np.logaddexp.reduce(joint))
        decision = self.classifier_.coef_ @ np.concatenate([text_proba, taxonomy_features]) + self.classifier_.intercept_
        if decision.shape[0] == 1:  # two classes: logistic
            positive = 1.0 / (1.0 + np.exp(-decision[0]))
            return np.array([1.0 - positive, positive])
        decision = np.exp(decision - decision.max())
        return decision / decision.sum()

    def predict_tokens(self, token_lists: Sequence[Sequence[Token]]) -> list[str]:
        """The primary theme of each tokenised text."""
        if len(token_lists) == 0:
            return []
        proba = self.predict_proba_tokens(token_lists)
        return [self.classes_[i] for i in proba.argmax(axis=1)]

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The primary theme of each text (tokenised with the model's tokenizer)."""
        return self.predict_tokens([self.tokenizer(text) for text in texts])

    # -- persistence -------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the model with joblib; returns the path."""
        import joblib

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "ThemeModel":
        """Read a model written by :meth:`save`; fails clearly on anything else."""
        import joblib

        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: theme model file not found (train one with `soudan train`).")
        model = joblib.load(path)
        if not isinstance(model, cls) or getattr(model, "format_", None) != FORMAT:
            raise ValueError(f"{path}: not a soudan theme model of format {FORMAT}; retrain it with `soudan train`.")
        return model

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_tagger"] = None  # rebuilt from the saved taxonomy on first use
        return state

    @property
    def info(self) -> dict:
        """What the model was trained with: taxonomy version and hash, classes, sizes, versions."""
        return dict(getattr(self, "info_", {}))


def normalise_labels(
    labels: Sequence[object], taxonomy: Taxonomy, label_map: Mapping[str, str | None] | None = None
) -> list[str | None]:
    """Theme ids from labels given as ids (work), Japanese labels (職場・仕事) or via ``label_map``.

    A label mapped to None (e.g. ``{"その他": None}``) is dropped by the caller.

    Raises:
        ValueError: naming the labels that are neither, and the allowed values.
    """
    by_label = {label: theme for theme, label in taxonomy.themes.items()}
    out: list[str | None] = []
    unknown: set[str] = set()
    for raw in labels:
        label = str(raw).strip()
        if label_map is not None and label in label_map:
            mapped = label_map[label]
            label = None if mapped is None else str(mapped)
        if label is None:
            out.append(None)
        elif label in taxonomy.themes:
            out.append(label)
        elif label in by_label:
            out.append(by_label[label])
        else:
            unknown.add(label)
            out.append(None)
    if unknown:
        allowed = ", ".join(f"{t} ({l})" for t, l in taxonomy.themes.items())
        raise ValueError(
            f"Unknown theme labels {sorted(unknown)}; labels must be theme ids or their Japanese labels: {allowed}."
        )
    return out


def cross_validate_tokens(
    token_lists: Sequence[Sequence[Token]],
    labels: Sequence[str],
    *,
    cv: int = 5,
    random_state: int = 0,
    taxonomy: Taxonomy | None = None,
    tokenizer: Tokenizer | None = None,
) -> tuple[CVReport, list[str]]:
    """Stratified, seeded k-fold cross-validation of :class:`ThemeModel`.

    Returns:
        The report and the out-of-fold prediction for every text.
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray([str(l) for l in labels])
    if not isinstance(cv, int) or cv < 2:
        raise ValueError(f"The 'cv' parameter must be an int >= 2. Got {cv!r}.")
    smallest = min(np.unique(labels, return_counts=True)[1]) if len(labels) else 0
    if len(labels) < 2 * cv:
        raise ValueError(f"{cv}-fold cross-validation needs at least {2 * cv} labelled texts; got {len(labels)}.")
    taxonomy = taxonomy or load_taxonomy()
    tokenizer = tokenizer or SudachiTokenizer()
    predicted = np.empty(len(labels), dtype=object)
    confidence = np.zeros(len(labels))
    folds = StratifiedKFold(cv, shuffle=True, random_state=random_state)
    with warnings.catch_warnings():
        if smallest < cv:
            warnings.simplefilter("ignore", UserWarning)  # a class rarer than the number of folds
        splits = list(folds.split(np.zeros(len(labels)), labels))
    for train, test in splits:
        model = ThemeModel(taxonomy=taxonomy, tokenizer=tokenizer, random_state=random_state)
        model.fit_tokens([token_lists[i] for i in train], labels[train])
        proba = model.predict_proba_tokens([token_lists[i] for i in test])
        predicted[test] = [model.classes_[j] for j in proba.argmax(axis=1)]
        confidence[test] = proba.max(axis=1)
    classes = sorted(set(labels))
    p, r, f, s = precision_recall_fscore_support(labels, predicted.astype(str), labels=classes, zero_division=0)
    report = CVReport(
        n=len(labels),
        cv=cv,
        accuracy=float(accuracy_score(labels, predicted.astype(str))),
        macro_f1=float(f1_score(labels, predicted.astype(str), labels=classes, average="macro", zero_division=0)),
        per_class={c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": float(s[i])} for i, c in enumerate(classes)},
        labels=classes,
        confusion=confusion_matrix(labels, predicted.astype(str), labels=classes).tolist(),
        calibration_error=_calibration_error(confidence, predicted.astype(str) == labels),
        random_state=random_state,
    )
    return report, [str(x) for x in predicted]


def _calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: |confidence - accuracy| averaged over confidence bins."""
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        mask = (confidence > lo) & (confidence <= hi)
        if mask.any():
            total += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total)


def train_theme_model(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    cv: int = 5,
    random_state: int = 0,
    taxonomy: Taxonomy | None = None,
    tokenizer: Tokenizer | None = None,
    label_map: Mapping[str, str | None] | None = None,
) -> tuple[ThemeModel, CVReport]:
    """Cross-validate, then fit on everything: what `soudan train` runs.

    Args:
        texts: one consultation's client text each.
        labels: theme ids or Japanese theme labels (see :func:`normalise_labels`).
        cv: folds of the stratified cross-validation report.
        random_state: seed of the folds.
        taxonomy, tokenizer: defaults the packaged taxonomy and :class:`SudachiTokenizer`.
        label_map: maps an organisation's own labels to theme ids (None drops a label).

    Returns:
        The fitted model and its cross-validation report.
    """
    if len(texts) != len(labels):
        raise ValueError(f"texts and labels differ in length: {len(texts)} texts, {len(labels)} labels.")
    taxonomy = taxonomy or load_taxonomy()
    tokenizer = tokenizer or SudachiTokenizer()
    themes = normalise_labels(labels, taxonomy, label_map)
    keep = [i for i, theme in enumerate(themes) if theme is not None and str(texts[i]).strip()]
    token_lists = [tokenizer(str(texts[i])) for i in keep]
    kept = [str(themes[i]) for i in keep]
    report, _ = cross_validate_tokens(token_lists, kept, cv=cv, random_state=random_state, taxonomy=taxonomy, tokenizer=tokenizer)
    model = ThemeModel(taxonomy=taxonomy, tokenizer=tokenizer, random_state=random_state).fit_tokens(token_lists, kept)
    model.info_.update(cv_folds=cv, cv_accuracy=round(report.accuracy, 4), cv_macro_f1=round(report.macro_f1, 4))
    return model, report


def _info(taxonomy: Taxonomy, n: int) -> dict:
    import sklearn

    digest = ""
    if taxonomy.path and Path(taxonomy.path).is_file():
        digest = hashlib.sha256(Path(taxonomy.path).read_bytes()).hexdigest()
    return {
        "taxonomy_version": taxonomy.version,
        "taxonomy_sha256": digest,
        "n_train": n,
        "sklearn_version": sklearn.__version__,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
