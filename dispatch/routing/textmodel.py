"""The text classifier itself, free of Django: features, fitting, prediction, explanation.

Chinese is cut into words by jieba (its dictionary ships inside the package; its cache file goes
to VAR_DIR, see `use_cache_dir`), English is lower-cased words; both give word 1-2 grams, and
character 1-3 grams catch typos, homophones and words jieba does not know. The category model is
a linear SVM calibrated by cross-validation (sigmoid), so its probabilities can be summed by
handler; the kind (consultation) and urgency detectors are logistic regressions on the same
features, learned from the labels. Coefficients are stored as float32 and the vocabulary is
bounded (min_df, max_features) so a worker stays well inside its memory budget.
"""
from __future__ import annotations

import logging
import pickle
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import jieba
import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

jieba.setLogLevel(logging.WARNING)

CONSULTATION, COMPLAINT = "consultation", "complaint"
TOP = 5
EXPLAIN_WORDS = 5
# Bounds of the vocabulary: memory and speed of every worker depend on them.
WORD_MAX_FEATURES = 60_000
CHAR_MAX_FEATURES = 60_000
_SPACE = re.compile(r"\s+")


def use_cache_dir(path: str) -> None:
    """jieba writes a cache of its parsed dictionary; keep it in the var directory, not the repo."""
    jieba.dt.tmp_dir = str(path)


def words(text: str) -> list[str]:
    """jieba's words of the lower-cased text, blanks and lone punctuation dropped (a module-level
    function so the fitted vectoriser pickles)."""
    return [w for w in jieba.lcut(_SPACE.sub(" ", text.lower())) if w.strip() and (w.isalnum() or len(w) > 1)]


def _vectorisers(min_df: int) -> tuple[TfidfVectorizer, TfidfVectorizer]:
    word = TfidfVectorizer(
        tokenizer=words, token_pattern=None, lowercase=False, ngram_range=(1, 2), sublinear_tf=True,
        min_df=min_df, max_features=WORD_MAX_FEATURES, dtype=np.float32,
    )
    char = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, lowercase=True,
        min_df=min_df, max_features=CHAR_MAX_FEATURES, dtype=np.float32,
    )
    return word, char


@dataclass(frozen=True)
class Prediction:
    categories: list[tuple[str, float]]
    kind: str
    kind_confidence: float
    urgent: bool
    urgent_confidence: float
    words: list[str]


class TextModel:
    """Fitted on (text, category, kind, urgent) rows; `predict` takes a batch of texts."""

    def __init__(self, *, min_df: int = 2, c: float = 0.5, calibration_folds: int = 3):
        self.min_df, self.c, self.calibration_folds = min_df, c, calibration_folds

    # --- fitting ---------------------------------------------------------------------------------

    def fit(self, texts: Sequence[str], categories: Sequence[str], kinds: Sequence[str | None],
            urgent: Sequence[bool | None]) -> TextModel:
        self.word, self.char = _vectorisers(self.min_df)
        x = self._fit_features(texts)
        self.category = CalibratedClassifierCV(
            LinearSVC(C=self.c), cv=self.calibration_folds, method="sigmoid", ensemble=False,
        ).fit(x, list(categories))
        self.kind = self._binary(x, [k == CONSULTATION if k else None for k in kinds])
        self.urgent = self._binary(x, list(urgent))
        self._shrink()
        return self

    def _fit_features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([self.word.fit_transform(texts), self.char.fit_transform(texts)], format="csr")

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return sparse.hstack([self.word.transform(texts), self.char.transform(texts)], format="csr")

    @staticmethod
    def _binary(x, labels: list[bool | None]) -> LogisticRegression | None:
        """A detector learned from the rows that carry the label; None when the labels are all one
        value (nothing to learn, the detector then always answers no)."""
        rows = [i for i, label in enumerate(labels) if label is not None]
        y = np.array([bool(labels[i]) for i in rows])
        if len(set(y)) < 2:
            return None
        return LogisticRegression(C=10, max_iter=2000).fit(x[rows], y)

    def _shrink(self) -> None:
        """float32 coefficients, and no stop-word list kept (scikit-learn keeps every pruned term)."""
        for vectoriser in (self.word, self.char):
            vectoriser.stop_words_ = None
        svc = self.category.calibrated_classifiers_[0].estimator
        svc.coef_ = svc.coef_.astype(np.float32)
        for detector in (self.kind, self.urgent):
            if detector is not None:
                detector.coef_ = detector.coef_.astype(np.float32)

    # --- prediction ------------------------------------------------------------------------------

    @property
    def classes(self) -> np.ndarray:
        return self.category.classes_

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities of every category (columns in `classes` order)."""
        return self.category.predict_proba(self.features(texts))

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        x = self.features(texts)
        probabilities = self.category.predict_proba(x)
        kind = self._detect(self.kind, x)
        urgent = self._detect(self.urgent, x)
        classes = self.classes
        best = np.argsort(-probabilities, axis=1)[:, :TOP]
        return [
            Prediction(
                categories=[(str(classes[j]), round(float(probabilities[i, j]), 4)) for j in best[i]],
                kind=CONSULTATION if kind[i] >= 0.5 else COMPLAINT,
                kind_confidence=round(float(max(kind[i], 1 - kind[i])), 4),
                urgent=bool(urgent[i] >= 0.5),
                urgent_confidence=round(float(max(urgent[i], 1 - urgent[i])), 4),
                words=self.explain(x[i], best[i, 0]),
            )
            for i in range(len(texts))
        ]

    @staticmethod
    def _detect(detector: LogisticRegression | None, x) -> np.ndarray:
        if detector is None:
            return np.zeros(x.shape[0])
        return detector.predict_proba(x)[:, 1]

    def explain(self, row: sparse.csr_matrix, class_index: int) -> list[str]:
        """The words of the text that pushed hardest towards the class: feature value times the
        SVM's weight, word features only (character grams explain nothing to a person)."""
        svc = self.category.calibrated_classifiers_[0].estimator
        weights = svc.coef_[class_index] if svc.coef_.shape[0] > 1 else svc.coef_[0]
        n_word = len(self.word.vocabulary_)
        indices = row.indices[row.indices < n_word]
        if not len(indices):
            return []
        contribution = row[0, indices].toarray().ravel() * weights[indices]
        order = np.argsort(-contribution)
        names = self._word_names()
        return [names[indices[k]] for k in order[:EXPLAIN_WORDS] if contribution[k] > 0]

    def _word_names(self) -> np.ndarray:
        names = getattr(self, "_names", None)
        if names is None:
            names = self._names = self.word.get_feature_names_out()
        return names

    # --- storage ---------------------------------------------------------------------------------

    def dumps(self) -> bytes:
        self._names = None
        return zlib.compress(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL), 6)

    @staticmethod
    def loads(blob: bytes) -> TextModel:
        """Only ever called on a model this application trained and stored in its own database."""
        return pickle.loads(zlib.decompress(blob))  # noqa: S301


def accuracy(model: TextModel, texts: Sequence[str], categories: Sequence[str]) -> dict:
    """Top-1 and top-3 accuracy, and top-1 per category, of the model on labelled texts."""
    if not texts:
        return {"top1": None, "top3": None, "count": 0, "per_category": {}}
    probabilities = model.probabilities(texts)
    best = np.argsort(-probabilities, axis=1)[:, :3]
    classes = model.classes
    top1 = [classes[best[i, 0]] == c for i, c in enumerate(categories)]
    top3 = [c in classes[best[i]] for i, c in enumerate(categories)]
    per: dict[str, list[int]] = {}
    for hit, category in zip(top1, categories, strict=True):
        tally = per.setdefault(category, [0, 0])
        tally[0] += int(hit)
        tally[1] += 1
    return {
        "top1": round(float(np.mean(top1)), 4), "top3": round(float(np.mean(top3)), 4), "count": len(texts),
        "per_category": {code: [hits, total] for code, (hits, total) in sorted(per.items())},
    }
