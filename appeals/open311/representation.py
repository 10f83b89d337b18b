"""Appeals and categories as GeoReport v2 fields (plain dicts; `rendering` makes JSON or XML).

Privacy: only appeals their resident chose to publish are shown at all (selectors), under their
public id, never the tracking number. A request never shows the resident's name, phone, e-mail,
device, access code or address; its description and the unit's answer are shown with personal
data masked, as an operator may have edited or hidden it, and its point rounded to 0.001° (about
100 m): exactly what the public pages show (appeals/publication.py).
"""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from ..handling import primary_dispatch
from ..models import Appeal, Category, CategoryAttribute
from ..publication import is_closed, public_answer, public_description, rounded
from ..services import SubmittedAppeal

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
DESCRIPTION_MAX_LENGTH = 4000  # the standard's limit for description
Datatype = CategoryAttribute.Datatype


def w3c_datetime(moment: datetime | None) -> str | None:
    """ISO 8601 in the server's time zone with its offset, e.g. 2024-05-01T08:30:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def open311_status(appeal: Appeal) -> str:
    return "closed" if is_closed(appeal) else "open"


# --- services ----------------------------------------------------------------------------------


def _lineage(category: Category) -> list[Category]:
    nodes, node = [], category
    while node is not None:
        nodes.insert(0, node)
        node = node.parent
    return nodes


def service(category: Category) -> dict:
    lineage = _lineage(category)
    keywords = []
    for node in reversed(lineage):
        keywords += [name for name in (node.name, node.name_en) if name and name not in keywords]
    return {
        "service_code": category.code,
        "service_name": category.display_name,
        "description": " › ".join(node.display_name for node in lineage),
        "metadata": bool(category.attributes.all()),
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": lineage[0].display_name,
    }


def datatype_description(attribute: CategoryAttribute) -> str | None:
    hints = {
        Datatype.NUMBER: _("A number, e.g. 12."),
        Datatype.DATETIME: _("A date and time with its time zone, e.g. 2024-05-01T08:30:00+08:00."),
        Datatype.MULTIVALUELIST: _("Send attribute[%(code)s][]=KEY once for each choice.") % {"code": attribute.code},
    }
    return hints.get(attribute.datatype)


def service_definition(category: Category) -> dict:
    attributes = []
    for attribute in category.attributes.all():
        entry = {
            "variable": attribute.variable,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": datatype_description(attribute),
            "order": attribute.order,
            "description": attribute.display_description,
        }
        if attribute.is_list:
            entry["values"] = [{"key": key, "name": attribute.value_name(key)} for key in attribute.value_keys()]
        attributes.append(entry)
    return {"service_code": category.code, "attributes": attributes}


# --- service requests --------------------------------------------------------------------------


def service_request(appeal: Appeal) -> dict:
    """One published request; expects `appeal` from selectors.service_requests (category, dispatch,
    last event)."""
    dispatch = primary_dispatch(appeal)
    return {
        "service_request_id": appeal.public_id,
        "status": open311_status(appeal),
        "status_notes": public_answer(appeal, dispatch) or None,
        "service_name": appeal.category.display_name,
        "service_code": appeal.category.code,
        "description": public_description(appeal)[:DESCRIPTION_MAX_LENGTH] or None,
        "agency_responsible": dispatch.unit.display_name if dispatch else None,
        "service_notice": None,
        "requested_datetime": w3c_datetime(appeal.created_at),
        "updated_datetime": w3c_datetime(getattr(appeal, "last_event_at", None) or appeal.created_at),
        "expected_datetime": w3c_datetime(dispatch.resolve_due) if dispatch else None,
        "address": None,
        "lat": rounded(appeal.latitude),
        "long": rounded(appeal.longitude),
        "media_url": appeal.media_url or None,
    }


def created_request(submitted: SubmittedAppeal) -> dict:
    """The POST answer: the standard's service_request_id is the public id (listed, and readable
    with GET requests/{id}, only if the request is published). The resident's own tracking number
    and access code come too (extensions to the standard), shown only here: with them the app lets
    its user follow the appeal privately on the tracking page or API, published or not."""
    appeal = submitted.appeal
    if appeal.published:
        notice = _("Received by the 12345 hotline and published: follow it with GET requests/%(id)s.")
    else:
        notice = _("Received by the 12345 hotline; not published. The resident follows it with the tracking "
                   "number and access code on the tracking page.")
    return {
        "service_request_id": appeal.public_id,
        "service_notice": notice % {"id": appeal.public_id},
        "account_id": None,
        "tracking_number": appeal.number,
        "access_code": submitted.access_code,
        "published": appeal.published,
    }
