"""Classify appeals' text with the model version in service (the public face of the classifier).

The model (and scikit-learn and jieba with it) is loaded on the first call only, so web processes
that never classify never pay for it; then it is kept; a worker looks at most every
CLASSIFIER_RELOAD_SECONDS whether another version went into service (promotion or rollback,
possibly on another machine) and loads it then. Runs in the routing worker, never on the request
path of intake. Training, versions and labelled examples: dispatch/routing/learning.py.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError

from dispatch.models import ModelVersion


@dataclass(frozen=True)
class Suggestion:
    categories: list[tuple[str, float]]  # leaf codes with calibrated probabilities, best first (top 5)
    kind: str  # "complaint" | "consultation"
    kind_confidence: float
    urgent: bool  # danger to people or property detected in the text
    urgent_confidence: float
    words: list[str]  # the words that weighed most for the top category (explanation)
    model_version: int | None  # ModelVersion pk in service (None: no model trained yet)


NO_MODEL = Suggestion(
    categories=[], kind="complaint", kind_confidence=0.0, urgent=False, urgent_confidence=0.0, words=[],
    model_version=None,
)

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict = {"version": None, "model": None, "checked": float("-inf")}


def classify(texts: list[str]) -> list[Suggestion]:
    """One suggestion per text, in order. With no model in service each has empty categories and
    model_version None (the decision then leaves the appeal to the operators)."""
    version, model = loaded_model()
    if model is None:  # none in service, or one made by other code
        return [NO_MODEL for _ in texts]
    return [
        Suggestion(**prediction.__dict__, model_version=version)
        for prediction in model.predict([text or "" for text in texts])
    ]


def loaded_model() -> tuple[int | None, object | None]:
    """The version in service and its model, loading it when it changed since the last look."""
    with _lock:
        now = time.monotonic()
        if now - _state["checked"] >= settings.CLASSIFIER_RELOAD_SECONDS:
            serving = (
                ModelVersion.objects.filter(status=ModelVersion.Status.IN_SERVICE).values_list("pk", flat=True).first()
            )
            if serving != _state["version"]:
                _state["model"] = None  # let the old one go before the new one is read
                if serving is not None:
                    _state["model"] = _load(serving)
                _state["version"] = serving  # tried once: a model that cannot be loaded is not read again
            _state["checked"] = now
        return _state["version"], _state["model"]


def warm_up() -> None:
    """Load the model in service and jieba's dictionary now, in a worker starting up, so the first
    appeals routed do not wait for them. A database not answering yet only postpones the load to
    the first call."""
    try:
        if loaded_model()[1] is not None:
            classify(["预热"])
    except DatabaseError:
        logger.warning("classifier: the model in service could not be loaded at start; loading it on first use")


def textmodel():
    """The model's module, imported on first use (scikit-learn, numpy and jieba: web processes that
    never classify never load them), with jieba's dictionary cache kept in VAR_DIR."""
    from dispatch.routing import textmodel as module

    module.use_cache_dir(settings.VAR_DIR)
    return module


def _load(version_id: int):
    """The stored model, or None (logged) when it was made by other code: appeals then go to the
    operators until the next training (beat, or `manage.py train_classifier`) makes a new one."""
    module = textmodel()
    blob = ModelVersion.objects.filter(pk=version_id).values_list("artifact", flat=True).first()
    try:
        return None if blob is None else module.TextModel.loads(bytes(blob))
    except module.IncompatibleModel as exc:
        logger.error("classifier: version %s was made by other code (%s); train a new one", version_id, exc)
        return None


def forget_model() -> None:
    """Drop the loaded model and look again at the next call (this process promoted or rolled back
    a version)."""
    with _lock:
        _state.update(version=None, model=None, checked=float("-inf"))
