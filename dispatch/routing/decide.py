"""The decision: from what a resident wrote to the unit that must handle it, or to the operators.

For a batch of appeals, one classify() call (dispatch/routing/classify.py) and one duty-list query:

- The category is the resident's when given; otherwise the model's. What decides is the
  *unit-level confidence*: the probability mass of the suggested categories that go to the same
  handler by the duty list (every street-duty leaf goes to the street of the place; a department's
  leaf to that department). At or above ROUTING_AUTO_CONFIDENCE the appeal is dispatched with the
  most likely category of that handler, and the event says why (model version, confidence, the
  words, the place); below it, it waits for an operator with the suggestions.
- A resident's category goes to the operators instead ("flagged") when the model is at least
  ROUTING_DISAGREE_CONFIDENCE sure that another unit handles the matter.
- The place: the point, else the gazetteer on the address and text (streets.services.locate);
  ambiguous places wait for an operator with the candidate streets. A place that names only a
  district sends the appeal there (ROUTING_TO_DISTRICT) only when the model is at least
  ROUTING_DISTRICT_CONFIDENCE sure of the unit: the district must still find the street.
- Danger detected in the text makes the appeal urgent (urgent deadlines), whatever the resident
  chose; a question recognised makes it a consultation.

What the operators see in the manual queue (top three categories, candidate units with their
confidences) is kept on the TRIAGE event (`data["suggestions"]`, see `operator_suggestions`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from appeals import catalogue
from appeals.models import Appeal
from streets.models import Duty, Unit
from streets.places import NOTHING, PlaceFound
from streets.selectors import dispatch_targets
from streets.services import Handler, Location, find_handlers, locate

from .classify import Suggestion, classify

TOP_CATEGORIES = 3
STREET = "street"  # the handler key of every street-duty category
SHOWN_CONFIDENCE = 0.02  # a unit less likely than this is not offered to the operators (the picker has all)
KIND_CONFIDENCE = 0.5  # a question recognised at least this surely makes the appeal a consultation


@dataclass(frozen=True)
class Decision:
    """What routing does with one appeal."""

    unit: Unit | None  # None: the operators' manual queue
    reason: str  # a routing message code (dispatch/notes.py)
    params: dict = field(default_factory=dict)  # the message's parameters: why, in the reader's language
    changes: dict = field(default_factory=dict)  # appeal columns the decision sets (category, urgency, kind)
    suggestions: dict | None = None  # for the operators when unit is None


@dataclass(frozen=True)
class Handlers:
    """The duty list for the categories a batch mentions: code -> (category id, handler key)."""

    by_code: dict[str, tuple[int, str]]
    by_id: dict[int, str]
    departments: dict[int, Unit]
    duties: dict[int, Duty]  # category id -> its duty (department joined), for find_handlers

    @classmethod
    def load(cls, codes: set[str], category_ids: set[int]) -> Handlers:
        """One query for the whole batch."""
        rows = Duty.objects.select_related("category", "department").filter(
            Q(category__code__in=codes) | Q(category_id__in=category_ids))
        by_code, by_id, departments, duties = {}, {}, {}, {}
        for duty in rows:
            key = STREET if duty.handler == Duty.Handler.STREET else f"dep:{duty.department_id}"
            by_code[duty.category.code], by_id[duty.category_id] = (duty.category_id, key), key
            duties[duty.category_id] = duty
            if duty.department_id:
                departments[duty.department_id] = duty.department
        return cls(by_code, by_id, departments, duties)

    def masses(self, suggestion: Suggestion) -> dict[str, float]:
        """Probability per handler: the unit-level confidence."""
        masses: dict[str, float] = {}
        for code, probability in suggestion.categories:
            if code in self.by_code:
                key = self.by_code[code][1]
                masses[key] = masses.get(key, 0.0) + probability
        return masses

    def best_category(self, suggestion: Suggestion, key: str) -> tuple[str, float] | None:
        return next(((code, p) for code, p in suggestion.categories
                     if code in self.by_code and self.by_code[code][1] == key), None)


def decide(appeals: list[Appeal]) -> list[Decision]:
    """Decide for a batch (in memory; the caller writes the dispatches and events)."""
    suggestions = classify([appeal.text for appeal in appeals])
    handlers = Handlers.load(
        {code for suggestion in suggestions for code, _ in suggestion.categories},
        {appeal.category_id for appeal in appeals if appeal.category_id is not None},
    )
    chosen = [_category(appeal, suggestion, handlers) for appeal, suggestion in zip(appeals, suggestions, strict=True)]
    places = [_place(appeal) if handlers.by_id.get(category_id, STREET) == STREET else NOTHING
              for appeal, (category_id, _) in zip(appeals, chosen, strict=True)]
    found = find_handlers([
        Location(category_id, appeal.latitude, appeal.longitude, appeal.address, appeal.text, place=place)
        for appeal, (category_id, _), place in zip(appeals, chosen, places, strict=True)
    ], duties=handlers.duties)
    return [
        _decision(appeal, suggestion, handlers, category_id, confidence, handler, place)
        for appeal, suggestion, (category_id, confidence), handler, place
        in zip(appeals, suggestions, chosen, found, places, strict=True)
    ]


def _place(appeal: Appeal) -> PlaceFound:
    """Where it happened, for a street matter or one whose handler is not decided yet (the operators'
    candidate streets)."""
    return locate(latitude=appeal.latitude, longitude=appeal.longitude, address=appeal.address, text=appeal.text)


def _category(appeal: Appeal, suggestion: Suggestion, handlers: Handlers) -> tuple[int | None, float | None]:
    """The category routing goes by (the resident's, else the model's if it is sure enough of the
    handler) and the unit-level confidence of the model's choice (None for the resident's)."""
    if appeal.category_id is not None:
        return appeal.category_id, None
    masses = handlers.masses(suggestion)
    if not masses:
        return None, None
    key = max(masses, key=masses.get)
    if masses[key] < settings.ROUTING_AUTO_CONFIDENCE:
        return None, masses[key]
    code, _ = handlers.best_category(suggestion, key)
    return handlers.by_code[code][0], masses[key]


def _decision(appeal: Appeal, suggestion: Suggestion, handlers: Handlers, category_id: int | None,
              confidence: float | None, handler: Handler, place: PlaceFound) -> Decision:
    changes = _detected(appeal, suggestion)
    params = _explanation(suggestion, confidence, place, changes)
    leaf = catalogue.leaf_by_id(category_id) if appeal.category_id is None and category_id is not None else None
    if leaf is not None:
        changes["category"] = leaf
    if appeal.category_id is not None and _disagrees(appeal.category_id, suggestion, handlers):
        return _to_operators(appeal, suggestion, handlers, place, "disagreement", params, changes)
    if appeal.category_id is None and suggestion.model_version is not None and category_id is None:
        return _to_operators(appeal, suggestion, handlers, place, "low_confidence", params, changes)
    if handler.unit is None:
        return _to_operators(appeal, suggestion, handlers, place, handler.reason, params, changes)
    if handler.reason == "district" and confidence is not None and confidence < settings.ROUTING_DISTRICT_CONFIDENCE:
        return _to_operators(appeal, suggestion, handlers, place, "low_confidence", params, changes)
    return Decision(unit=handler.unit, reason=handler.reason, params=params, changes=changes)


def _detected(appeal: Appeal, suggestion: Suggestion) -> dict:
    """Urgency and kind read from the text: danger makes it urgent; a question a consultation."""
    changes = {}
    if suggestion.urgent and appeal.urgency != Appeal.Urgency.URGENT:
        changes["urgency"] = Appeal.Urgency.URGENT
    if (suggestion.kind == Appeal.Kind.CONSULTATION and suggestion.kind_confidence >= KIND_CONFIDENCE
            and appeal.kind == Appeal.Kind.COMPLAINT):
        changes["kind"] = Appeal.Kind.CONSULTATION
    return changes


def _disagrees(category_id: int, suggestion: Suggestion, handlers: Handlers) -> bool:
    """The model is sure another unit handles the matter than the resident's category says."""
    masses = handlers.masses(suggestion)
    if not masses or category_id not in handlers.by_id:
        return False
    key = max(masses, key=masses.get)
    return key != handlers.by_id[category_id] and masses[key] >= settings.ROUTING_DISAGREE_CONFIDENCE


def _explanation(suggestion: Suggestion, confidence: float | None, place: PlaceFound, changes: dict) -> dict:
    """The message's parameters: what the model and the gazetteer read (JSON)."""
    params: dict = {}
    if suggestion.model_version is not None:
        params["model"] = {"version": suggestion.model_version, "words": suggestion.words[:5],
                           "top": [[code, round(p, 4)] for code, p in suggestion.categories[:TOP_CATEGORIES]]}
        if confidence is not None:
            params["model"]["confidence"] = round(confidence, 4)
    if place.names:
        params["place"] = list(place.names)
    params.update({name: True for name in ("urgency", "kind") if name in changes})
    return params


def _to_operators(appeal: Appeal, suggestion: Suggestion, handlers: Handlers, place: PlaceFound, reason: str,
                  params: dict, changes: dict) -> Decision:
    changes = {k: v for k, v in changes.items() if k != "category"}  # an operator decides the category
    return Decision(unit=None, reason=reason, params=params, changes=changes,
                    suggestions=_suggestions(appeal, suggestion, handlers, place))


def _suggestions(appeal: Appeal, suggestion: Suggestion, handlers: Handlers, place: PlaceFound) -> dict | None:
    """The top categories and the candidate units with their confidences, for one-click dispatch:
    each unit with the category to dispatch it under."""
    units = []
    for key, mass in sorted(handlers.masses(suggestion).items(), key=lambda item: -item[1]):
        if mass < SHOWN_CONFIDENCE:
            continue
        code, _ = handlers.best_category(suggestion, key)
        if key == STREET:
            streets = [place.street_id] if place.street_id else list(place.candidates)
            units += [[unit_id, code, round(mass, 4)] for unit_id in streets]
        else:
            units.append([handlers.departments[int(key.removeprefix("dep:"))].pk, code, round(mass, 4)])
    resident = appeal.category if appeal.category_id is not None else None
    if resident is not None and handlers.by_id.get(resident.pk) == STREET and not any(
            code is None or handlers.by_code.get(code, (0, ""))[1] == STREET for _, code, _ in units):
        streets = [place.street_id] if place.street_id else list(place.candidates)
        units += [[unit_id, resident.code, None] for unit_id in streets]
    if not (suggestion.categories or units or place.names):
        return None
    return {
        "model_version": suggestion.model_version,
        "categories": [[code, round(p, 4)] for code, p in suggestion.categories[:TOP_CATEGORIES]],
        "units": units[:6],
        "place": list(place.names),
    }


@dataclass(frozen=True)
class Candidate:
    """A unit the operator can dispatch to with one click, under a category, with the confidence."""

    unit: Unit
    category: object  # appeals.Category or None (keep the appeal's)
    confidence: float | None


def operator_suggestions(appeal: Appeal) -> dict | None:
    """What routing suggested when it left the appeal to the operators (its latest TRIAGE event):
    {"categories": [(Category, probability)], "candidates": [Candidate], "place": [names],
    "model_version": n}; None when routing suggested nothing."""
    event = appeal.events.filter(kind="triage").order_by("-created_at", "-id").only("data").first()
    stored = (event.data or {}).get("suggestions") if event else None
    if not stored:
        return None
    targets = {unit.pk: unit for unit in dispatch_targets().filter(pk__in=[row[0] for row in stored["units"]])}
    categories = [(catalogue.active_leaf(code), p) for code, p in stored["categories"]]
    return {
        "model_version": stored.get("model_version"),
        "categories": [(category, p) for category, p in categories if category is not None],
        "candidates": [Candidate(targets[unit_id], code and catalogue.active_leaf(code), confidence)
                       for unit_id, code, confidence in stored["units"] if unit_id in targets],
        "place": stored.get("place", []),
    }


def suggest(*, text: str, address: str = "") -> tuple[Suggestion, PlaceFound]:
    """What the form shows while a resident or an operator types: the likely categories and the place."""
    suggestion = classify([text])[0]
    return suggestion, locate(latitude=None, longitude=None, address=address, text=text)
