"""Classify appeals' text with the model version in service (the public face of the classifier).

The model is loaded once per process and kept; a worker looks at most every
CLASSIFIER_RELOAD_SECONDS whether another version went into service (promotion or rollback,
possibly on another machine) and loads it then. Runs in the routing worker, never on the request
path of intake. Training, versions and labelled examples: dispatch/routing/learning.py.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings

from dispatch.models import ModelVersion
from dispatch.routing.textmodel import COMPLAINT, TextModel, use_cache_dir


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
    categories=[], kind=COMPLAINT, kind_confidence=0.0, urgent=False, urgent_confidence=0.0, words=[],
    model_version=None,
)

use_cache_dir(settings.VAR_DIR)
_lock = threading.Lock()
_state: dict = {"version": None, "model": None, "checked": float("-inf")}


def classify(texts: list[str]) -> list[Suggestion]:
    """One suggestion per text, in order. With no model in service each has empty categories and
    model_version None (the decision then leaves the appeal to the operators)."""
    version, model = loaded_model()
    if model is None:
        return [NO_MODEL for _ in texts]
    return [
        Suggestion(**prediction.__dict__, model_version=version)
        for prediction in model.predict([text or "" for text in texts])
    ]


def loaded_model() -> tuple[int | None, TextModel | None]:
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
                    blob = ModelVersion.objects.filter(pk=serving).values_list("artifact", flat=True).first()
                    _state["model"] = None if blob is None else TextModel.loads(bytes(blob))
                _state["version"] = serving if _state["model"] is not None else None
            _state["checked"] = now
        return _state["version"], _state["model"]


def forget_model() -> None:
    """Look again at the next call (this process promoted or rolled back a version)."""
    with _lock:
        _state["checked"] = float("-inf")
