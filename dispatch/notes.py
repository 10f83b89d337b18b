"""The notes dispatch writes on events, declared once here and rendered in the reader's language
(see appeals/notes.py); imported by DispatchConfig.ready, so every process knows them."""
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from appeals.notes import register
from dispatch.deadlines.due import format_due
from dispatch.deadlines.sweeps import RESOLVE, RESPONSE
from dispatch.models import ReturnRequest
from streets.i18n import localized_text
from streets.services import ROUTING_REASONS

RECOUNTED = _("Respond by %(response)s, resolve by %(resolve)s (were %(old_response)s, %(old_resolve)s).")


def _due(value: str) -> str:
    return format_due(parse_datetime(value))


for code, text in ROUTING_REASONS.items():
    register(f"routing.{code}", text)
register("routing.failed", _("Automatic routing failed"))
register("deadlines.recounted", render=lambda p: str(RECOUNTED) % {name: _due(v) for name, v in p.items()})
for clock in (RESPONSE, RESOLVE):
    register(f"deadline.{clock.name}", render=lambda p, note=clock.note: str(note) % {"due": _due(p["due"])})
register("return.requested", render=lambda p: str(ReturnRequest.Reason(p["reason"]).label))
register("extension.requested", render=lambda p: str(_("Proposed deadline %(due)s")) % {"due": _due(p["due"])})
register("whistle.summoned", render=lambda p: ", ".join(localized_text(zh, en) for zh, en in p["units"]))
