"""The notes dispatch writes on events, declared once here and rendered in the reader's language
(see appeals/notes.py); imported by DispatchConfig.ready, so every process knows them."""
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from appeals import catalogue
from appeals.notes import register
from dispatch.deadlines.due import format_due
from dispatch.deadlines.sweeps import RESOLVE, RESPONSE
from dispatch.models import ReturnRequest
from streets.i18n import localized_text
from streets.services import ROUTING_REASONS

RECOUNTED = _("Respond by %(response)s, resolve by %(resolve)s (were %(old_response)s, %(old_resolve)s).")


def _due(value: str) -> str:
    return format_due(parse_datetime(value))


ROUTING_MESSAGES = {
    **ROUTING_REASONS,
    "failed": _("Automatic routing failed"),
    "low_confidence": _("The classifier is not sure enough which unit handles it"),
    "disagreement": _("The classifier is sure another unit handles it than the resident's category says"),
}


def _category_name(code: str) -> str:
    leaf = catalogue.active_leaf(code)
    return leaf.display_name if leaf else code


def routing_note(text, params: dict) -> str:
    """Why routing decided as it did: the rule, then what the classifier and the gazetteer read."""
    parts = [str(text)]
    model = params.get("model")
    if model and model.get("top"):
        code, probability = model["top"][0]
        values = {"version": model["version"], "category": _category_name(code),
                  "probability": f"{probability:.0%}", "confidence": f"{model.get('confidence', 0):.0%}"}
        parts.append(str(_("classifier v%(version)s: %(category)s, %(confidence)s sure of the unit") if "confidence"
                         in model else _("classifier v%(version)s suggests %(category)s (%(probability)s)")) % values)
        if model.get("words"):
            parts.append(str(_("words: %(words)s")) % {"words": ", ".join(model["words"])})
    if params.get("place"):
        parts.append(str(_("place read: %(names)s")) % {"names": ", ".join(params["place"])})
    if params.get("urgency"):
        parts.append(str(_("danger detected in the text: urgent")))
    if params.get("kind"):
        parts.append(str(_("a question: a consultation")))
    return "; ".join(parts)


for code, text in ROUTING_MESSAGES.items():
    register(f"routing.{code}", render=lambda params, text=text: routing_note(text, params))
register("deadlines.recounted", render=lambda p: str(RECOUNTED) % {name: _due(v) for name, v in p.items()})
for clock in (RESPONSE, RESOLVE):
    register(f"deadline.{clock.name}", render=lambda p, note=clock.note: str(note) % {"due": _due(p["due"])})
register("return.requested", render=lambda p: str(ReturnRequest.Reason(p["reason"]).label))
register("extension.requested", render=lambda p: str(_("Proposed deadline %(due)s")) % {"due": _due(p["due"])})
register("whistle.summoned", render=lambda p: ", ".join(localized_text(zh, en) for zh, en in p["units"]))
