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

import itertools
import logging
import pickle
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jieba
import numpy as np
import sklearn
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from dispatch.routing import features

jieba.setLogLevel(logging.WARNING)

CONSULTATION, COMPLAINT = "consultation", "complaint"
TOP = 5
EXPLAIN_WORDS = 5
# Bounds of the vocabulary: memory and speed of every worker depend on them.
WORD_MAX_FEATURES = 60_000
CHAR_MAX_FEATURES = 60_000
# The urgency detector says yes from the lowest probability at which, out of fold on the training
# rows, at least this share of its yeses are dangers (a missed gas leak costs more than a false
# alarm; no lower than that, or units stop trusting the urgent tier); never from above 0.5.
URGENT_MIN_PRECISION = 0.6
THRESHOLD_FOLDS = 5
_SPACE = re.compile(r"\s+")
# What a stored model was made with: a model of another format (features, estimators or their
# library changed) is not loaded; the next training makes a new one.
FORMAT = (f"jieba-nohmm-word12+char13/svc-sigmoid/lr-kind-urgent-oof/3;"
          f"scikit-learn {sklearn.__version__};jieba {jieba.__version__}")


class IncompatibleModel(Exception):
    """A stored model made by other code than this one."""


def use_cache_dir(path: str) -> None:
    """jieba writes a cache of its parsed dictionary; keep it in the var directory, not the repo."""
    jieba.dt.tmp_dir = str(path)


def words(text: str) -> list[str]:
    """jieba's words of the lower-cased text, blanks and lone punctuation dropped (a module-level
    function so the fitted vectoriser pickles). Dictionary words only (HMM off): guessing unknown
    words is a quarter of jieba's time, and the character grams already catch what its dictionary
    does not know (top-1 and top-3 on the held-out split are no worse without it)."""
    cut = jieba.lcut(_SPACE.sub(" ", text.lower()), HMM=False)
    return [w for w in cut if w.strip() and (w.isalnum() or len(w) > 1)]


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
class _Prepared:
    analyse: Callable[[str], list[str]]
    word_idf: np.ndarray
    char_grams: features.CharGrams
    char_idf: np.ndarray


@dataclass(frozen=True)
class Prediction:
    categories: list[tuple[str, float]]
    kind: str
    kind_confidence: float
    urgent: bool
    urgent_confidence: float
    words: list[str]


class TextModel:
    """Fitted on (text, category, kind, urgent) rows; `predict` takes a batch of texts.

    After fitting only plain arrays are kept: the SVM's weights, each class's sigmoid calibration
    (a, b) and the two detectors' weights, so a prediction is one sparse product and a vectorised
    sigmoid (scikit-learn's calibrated classifier loops over the classes in Python)."""

    def __init__(self, *, min_df: int = 2, c: float = 0.5, calibration_folds: int = 3):
        self.min_df, self.c, self.calibration_folds = min_df, c, calibration_folds

    # --- fitting ---------------------------------------------------------------------------------

    def fit(self, texts: Sequence[str], categories: Sequence[str], kinds: Sequence[str | None],
            urgent: Sequence[bool | None]) -> TextModel:
        self.format = FORMAT
        self.word, self.char = _vectorisers(self.min_df)
        x = sparse.hstack([self.word.fit_transform(texts), self.char.fit_transform(texts)], format="csr")
        for vectoriser in (self.word, self.char):
            vectoriser.stop_words_ = None  # scikit-learn keeps every pruned term: memory for nothing
        rows, labels = self._every_class_in_every_fold(list(categories))
        calibrated = CalibratedClassifierCV(
            LinearSVC(C=self.c, random_state=0), cv=self.calibration_folds, method="sigmoid", ensemble=False,
        ).fit(x[rows], labels)
        fitted = calibrated.calibrated_classifiers_[0]
        svc = fitted.estimator
        if len(svc.classes_) < 3:
            raise ValueError("the classifier needs at least three categories")
        self.classes = np.asarray(svc.classes_)
        self.coef = np.ascontiguousarray(svc.coef_.T, dtype=np.float32)  # features x classes
        self.intercept = svc.intercept_.astype(np.float32)
        self.cal_a = np.array([c.a_ for c in fitted.calibrators], dtype=np.float32)
        self.cal_b = np.array([c.b_ for c in fitted.calibrators], dtype=np.float32)
        self.kind = self._binary(x, [k == CONSULTATION if k else None for k in kinds])
        # Danger is rare in the data and missing it costs most: the rare class weighs more, and the
        # detector answers yes from the lowest probability still precise enough (out of fold).
        self.urgent = self._binary(x, list(urgent), class_weight="balanced", min_precision=URGENT_MIN_PRECISION)
        self._names = self._ready = None
        return self

    def _every_class_in_every_fold(self, categories: list[str]) -> tuple[list[int], list[str]]:
        """Row indices and labels to fit on, a rare category's rows repeated until it has one per
        calibration fold: a category operators used once or twice (a new one, say) is learned too."""
        rows = list(range(len(categories)))
        by_class: dict[str, list[int]] = {}
        for i, category in enumerate(categories):
            by_class.setdefault(category, []).append(i)
        for members in by_class.values():
            missing = self.calibration_folds - len(members)
            rows += [members[k % len(members)] for k in range(max(missing, 0))]
        return rows, [categories[i] for i in rows]

    @staticmethod
    def _binary(x, labels: list[bool | None], class_weight=None,
                min_precision: float | None = None) -> tuple[np.ndarray, float] | None:
        """A detector learned from the rows that carry the label: (weights, intercept); None when
        the labels are all one value (nothing to learn: the detector then always answers no).

        With `min_precision`, the intercept is moved so that the detector says yes (probability 0.5)
        from the threshold `recall_threshold` chooses on out-of-fold probabilities of the training
        rows themselves: no evaluation set is looked at."""
        rows = [i for i, label in enumerate(labels) if label is not None]
        y = np.array([bool(labels[i]) for i in rows])
        if len(set(y)) < 2:
            return None

        def learner():
            return LogisticRegression(C=10, max_iter=2000, class_weight=class_weight, random_state=0)

        fitted = learner().fit(x[rows], y)
        intercept = float(fitted.intercept_[0])
        if min_precision is not None and min(y.sum(), (~y).sum()) >= THRESHOLD_FOLDS:
            folds = StratifiedKFold(THRESHOLD_FOLDS, shuffle=True, random_state=0)
            held_out = cross_val_predict(learner(), x[rows], y, cv=folds, method="predict_proba")[:, 1]
            threshold = recall_threshold(held_out, y, min_precision)
            intercept -= float(np.log(threshold / (1 - threshold)))
        return fitted.coef_[0].astype(np.float32), intercept

    # --- prediction ------------------------------------------------------------------------------

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The texts' TF-IDF rows as the fitted vectorisers' `transform` computes them (counts of
        the known terms, 1 + log, times idf, each block l2-normalised), for the whole batch at once
        (dispatch/routing/features.py): scikit-learn's per-call checks and per-text Python cost
        more than the arithmetic."""
        prepared = self._prepared()
        word = features.tfidf(*features.term_lookup(texts, prepared.analyse, self.word.vocabulary_),
                              texts=len(texts), idf=prepared.word_idf)
        char = features.tfidf(*prepared.char_grams.lookup(texts), texts=len(texts), idf=prepared.char_idf)
        return sparse.hstack([word, char], format="csr")

    def _prepared(self) -> _Prepared:
        """What the features need, built once per process from the fitted vectorisers."""
        if self._ready is None:
            self._ready = _Prepared(
                analyse=self.word.build_analyzer(), word_idf=np.asarray(self.word.idf_, dtype=np.float64),
                char_grams=features.CharGrams(self.char.vocabulary_),
                char_idf=np.asarray(self.char.idf_, dtype=np.float64),
            )
        return self._ready

    def _calibrated(self, x) -> np.ndarray:
        decision = x @ self.coef + self.intercept
        probabilities = _expit(-(self.cal_a * decision + self.cal_b))
        total = probabilities.sum(axis=1, keepdims=True)
        return np.divide(probabilities, total, out=np.full_like(probabilities, 1 / len(self.classes)),
                         where=total != 0)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities of every category (columns in `classes` order)."""
        return self._calibrated(self.features(texts))

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        x = self.features(texts)
        probabilities = self._calibrated(x)
        kind = self._detect(self.kind, x)
        urgent = self._detect(self.urgent, x)
        best = np.argsort(-probabilities, axis=1)[:, :TOP]
        return [
            Prediction(
                categories=[(str(self.classes[j]), round(float(probabilities[i, j]), 4)) for j in best[i]],
                kind=CONSULTATION if kind[i] >= 0.5 else COMPLAINT,
                kind_confidence=round(float(max(kind[i], 1 - kind[i])), 4),
                urgent=bool(urgent[i] >= 0.5),
                urgent_confidence=round(float(max(urgent[i], 1 - urgent[i])), 4),
                words=self.explain(x.indices[x.indptr[i]:x.indptr[i + 1]], x.data[x.indptr[i]:x.indptr[i + 1]],
                                   best[i, 0], texts[i]),
            )
            for i in range(len(texts))
        ]

    @staticmethod
    def _detect(detector: tuple[np.ndarray, float] | None, x) -> np.ndarray:
        if detector is None:
            return np.zeros(x.shape[0])
        weights, intercept = detector
        return _expit(x @ weights + intercept)

    def explain(self, columns: np.ndarray, values: np.ndarray, class_index: int, text: str) -> list[str]:
        """The words of the text that pushed hardest towards the class: feature value times the
        SVM's weight, word features only (character grams explain nothing to a person), and only
        phrases written as such (a word pair across a comma is no phrase of the resident's).
        `columns` and `values`: the text's row of the features."""
        in_words = columns < len(self.word.vocabulary_)
        indices = columns[in_words]
        if not len(indices):
            return []
        contribution = values[in_words] * self.coef[indices, class_index]
        names = self._word_names()
        written = _SPACE.sub("", text.lower())
        phrases = (str(names[indices[k]]) for k in np.argsort(-contribution) if contribution[k] > 0)
        return list(itertools.islice((p for p in phrases if p.replace(" ", "") in written), EXPLAIN_WORDS))

    def _word_names(self) -> np.ndarray:
        if self._names is None:
            self._names = self.word.get_feature_names_out()
        return self._names

    # --- storage ---------------------------------------------------------------------------------

    def __getstate__(self) -> dict:
        """What is stored: the fitted state, not the caches rebuilt on first use."""
        return {key: value for key, value in self.__dict__.items() if key not in ("_names", "_ready")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _names=None, _ready=None)

    def dumps(self) -> bytes:
        return zlib.compress(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL), 6)

    @staticmethod
    def loads(blob: bytes) -> TextModel:
        """Only ever called on a model this application trained and stored in its own database."""
        model = pickle.loads(zlib.decompress(blob))  # noqa: S301
        if getattr(model, "format", None) != FORMAT:
            raise IncompatibleModel(getattr(model, "format", "unknown"))
        return model


def recall_threshold(probabilities: np.ndarray, truth: np.ndarray, min_precision: float) -> float:
    """The lowest threshold whose yeses (probability >= threshold) are at least `min_precision`
    right, capped at 0.5 (the plain decision): as much recall as that precision allows."""
    order = np.argsort(-probabilities)
    hits = np.cumsum(truth[order])
    precise = hits / np.arange(1, len(order) + 1) >= min_precision
    if not precise.any():
        return 0.5
    return float(np.clip(probabilities[order][np.flatnonzero(precise)[-1]], 1e-6, 0.5))


def _expit(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -50, 50)))


def accuracy(model: TextModel, texts: Sequence[str], categories: Sequence[str]) -> dict:
    """Top-1 and top-3 accuracy, and top-1 per category, of the model on labelled texts."""
    if not texts:
        return {"top1": None, "top3": None, "count": 0, "per_category": {}}
    best = np.argsort(-model.probabilities(texts), axis=1)[:, :3]
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
