"""How the classifier learns: labelled examples, training a version, promotion and rollback.

Training data is the set that ships with the city (`training/appeals.jsonl`, written by people
apart from any evaluation set) plus every example an operator labelled (`record_example`: a
category correction, a manual dispatch, a return approved as misrouted). A fixed share of the
shipped set (CLASSIFIER_HOLDOUT_PERCENT, chosen by a hash of the text, so a row is always on the
same side) is never trained on: every version is scored on it, and the version in service is
scored again on the same rows, so the comparison is fair. Operators' examples always train: they
are what the model must learn. A new version goes into service only when its held-out accuracy is
not worse than the one in service; otherwise it is kept as rejected, so a run of bad labels can
never silently replace a good model. Supervisors can put an earlier version back (`rollback`).
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.models import Category
from dispatch.exceptions import ActionNotAllowed
from dispatch.models import LabelledExample, ModelVersion
from dispatch.routing import classify

logger = logging.getLogger(__name__)

TRAINING_FILE = Path(__file__).resolve().parent / "training" / "appeals.jsonl"
EXAMPLE_MAX_LENGTH = 5000


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    kind: str | None = None
    urgent: bool | None = None


def shipped_examples(path: Path = TRAINING_FILE) -> list[Example]:
    """The labelled set that ships with the demo city (JSON lines: text, category, kind, urgent)."""
    with open(path, encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    return [Example(row["text"], row["category"], row.get("kind"), row.get("urgent")) for row in rows]


def is_heldout(text: str) -> bool:
    digest = hashlib.blake2b(text.strip().encode(), digest_size=8).digest()
    return int.from_bytes(digest) % 100 < settings.CLASSIFIER_HOLDOUT_PERCENT


def operator_examples() -> tuple[list[Example], Counter]:
    """The operators' examples under active leaf categories, and how many came from each source."""
    rows = list(LabelledExample.objects.filter(category__is_leaf=True, category__active=True).order_by("id")
                .values_list("text", "category__code", "source"))
    return [Example(text, code) for text, code, _ in rows], Counter(source for _, _, source in rows)


def record_example(*, text: str, category_code: str, source: str, appeal_id: int | None = None) -> None:
    """A labelled example for the next training. One per appeal: a later label replaces an earlier."""
    text = (text or "").strip()[:EXAMPLE_MAX_LENGTH]
    if source not in LabelledExample.Source.values:
        raise ValueError(f"unknown source of a labelled example: {source!r}")
    if not text:
        return
    category = Category.objects.get(code=category_code)
    fields = {"text": text, "category": category, "source": source, "created_at": timezone.now()}
    if appeal_id is None:
        LabelledExample.objects.create(**fields)
    else:
        LabelledExample.objects.update_or_create(appeal_id=appeal_id, defaults=fields)


def in_service() -> ModelVersion | None:
    return ModelVersion.objects.defer("artifact").filter(status=ModelVersion.Status.IN_SERVICE).first()


def _fingerprint(examples: list[Example]) -> str:
    """The data and the model's format: new code that makes other models trains again on the same data."""
    digest = hashlib.sha256(classify.textmodel().FORMAT.encode())
    for example in sorted((e.text, e.category) for e in examples):
        digest.update(json.dumps(example, ensure_ascii=False).encode())
    return digest.hexdigest()


def train_version(*, trigger: str, shipped: list[Example] | None = None, force: bool = False) -> ModelVersion | None:
    """Train a version on the shipped set's training side plus the operators' examples, score it
    on the held-out side, and promote it when it is not worse than the version in service.

    Returns None (and trains nothing) when a version was already trained on exactly this data,
    unless `force`: retraining on a schedule costs nothing when nobody labelled anything."""
    known = set(Category.objects.filter(is_leaf=True, active=True).values_list("code", flat=True))
    shipped = [e for e in (shipped_examples() if shipped is None else shipped) if e.category in known]
    labelled, counts = operator_examples()
    train = [e for e in shipped if not is_heldout(e.text)] + labelled
    heldout = [e for e in shipped if is_heldout(e.text)]
    fingerprint = _fingerprint(train + heldout)
    if not force and ModelVersion.objects.filter(data_fingerprint=fingerprint).exists():
        return None
    if len({e.category for e in train}) < 3:
        raise ActionNotAllowed(_("There are not enough labelled examples to train a classifier."))
    model = classify.textmodel().TextModel().fit(
        [e.text for e in train], [e.category for e in train], [e.kind for e in train], [e.urgent for e in train]
    )
    scores = _score(model, heldout)
    blob = model.dumps()
    with transaction.atomic():
        serving = ModelVersion.objects.select_for_update().filter(status=ModelVersion.Status.IN_SERVICE).first()
        baseline = _baseline(serving, heldout)
        promote = baseline is None or (scores["top1"] or 0) >= baseline
        now = timezone.now()
        if promote and serving:
            ModelVersion.objects.filter(pk=serving.pk).update(status=ModelVersion.Status.RETIRED)
        version = ModelVersion.objects.create(
            status=ModelVersion.Status.IN_SERVICE if promote else ModelVersion.Status.REJECTED,
            promoted_at=now if promote else None, trigger=trigger, data_fingerprint=fingerprint,
            training_counts={"shipped": len(shipped) - len(heldout), **counts},
            train_size=len(train), heldout_size=len(heldout), baseline_top1=baseline,
            top1=scores["top1"] or 0, top3=scores["top3"] or 0, per_category=scores["per_category"],
            kind_accuracy=scores["kind"], urgent_accuracy=scores["urgent"],
            artifact=blob, artifact_bytes=len(blob),
        )
    _prune()
    if promote:
        classify.forget_model()
    logger.info(
        "classifier v%s trained (%s): top1 %.3f on %d held-out, in service %s -> %s",
        version.pk, trigger, version.top1, len(heldout), baseline, version.status,
    )
    return version


def _prune() -> None:
    """Keep the models of the newest CLASSIFIER_KEEP_MODELS versions (and the one in service): each
    is megabytes, and a version far behind is not one to go back to. Their records stay."""
    keep = ModelVersion.objects.order_by("-id").values_list("id", flat=True)[:settings.CLASSIFIER_KEEP_MODELS]
    ModelVersion.objects.exclude(status=ModelVersion.Status.IN_SERVICE).exclude(id__in=list(keep)).exclude(
        artifact_bytes=0).update(artifact=b"", artifact_bytes=0)


def _baseline(serving: ModelVersion | None, heldout: list[Example]) -> float | None:
    """The in-service version's top-1 on these held-out rows; None when there is none to compare
    with (none in service, or one made by other code, which cannot be loaded any more)."""
    if serving is None:
        return None
    module = classify.textmodel()
    try:
        return _score(module.TextModel.loads(bytes(serving.artifact)), heldout)["top1"]
    except module.IncompatibleModel:
        return None


def _score(model, heldout: list[Example]) -> dict:
    scores = classify.textmodel().accuracy(model, [e.text for e in heldout], [e.category for e in heldout])
    predictions = model.predict([e.text for e in heldout])
    for field, key in (("kind", "kind"), ("urgent", "urgent")):
        pairs = [(getattr(p, field), getattr(e, key)) for p, e in zip(predictions, heldout, strict=True)
                 if getattr(e, key) is not None]
        scores[field] = round(sum(a == b for a, b in pairs) / len(pairs), 4) if pairs else None
    return scores


def rollback(*, version_id: int, user) -> ModelVersion:
    """A supervisor puts an earlier version back in service; the one in service is retired."""
    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().defer("artifact").get(pk=version_id)
        if version.status == ModelVersion.Status.IN_SERVICE:
            raise ActionNotAllowed(_("This version is already in service."))
        if not version.artifact_bytes:
            raise ActionNotAllowed(_("The model of this version is no longer kept; choose a newer one."))
        ModelVersion.objects.filter(status=ModelVersion.Status.IN_SERVICE).update(status=ModelVersion.Status.RETIRED)
        version.status, version.promoted_at, version.promoted_by = ModelVersion.Status.IN_SERVICE, timezone.now(), user
        version.save(update_fields=["status", "promoted_at", "promoted_by"])
    classify.forget_model()
    return version
