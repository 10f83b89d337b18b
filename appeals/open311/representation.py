"""Appeals and categories as GeoReport v2 fields (plain dicts; `rendering` makes JSON or XML).

Privacy: a request never shows the resident's name, phone, e-mail, device or access code.
Appeals filed on the web form or by phone were not filed for publication, so their
description, address, media URL and the unit's answer are withheld, and their point is rounded
to 0.001° (about 100 m). Appeals filed through Open311 show what their app sent, as the
standard intends.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Appeal, Category, CategoryAttribute
from ..selectors import primary_dispatch

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# Appeal statuses that GeoReport calls "closed" ("it has been resolved"); everything else is open.
CLOSED_STATUSES = (Appeal.Status.RESOLVED, Appeal.Status.CLOSED, Appeal.Status.REJECTED)
ROUNDING = Decimal("0.001")
Datatype = CategoryAttribute.Datatype


def w3c_datetime(moment: datetime | None) -> str | None:
    """ISO 8601 in the server's time zone with its offset, e.g. 2024-05-01T08:30:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def open311_status(appeal: Appeal) -> str:
    return "closed" if appeal.status in CLOSED_STATUSES else "open"


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


def _coordinate(value: Decimal | None, *, exact: bool) -> float | None:
    if value is None:
        return None
    return float(value if exact else value.quantize(ROUNDING))


def status_notes(appeal: Appeal, dispatch, *, published: bool) -> str | None:
    if appeal.status == Appeal.Status.REJECTED and appeal.rejection_reason:
        return appeal.get_rejection_reason_display()
    if published and dispatch is not None and dispatch.answer:
        return dispatch.answer
    return None


def service_request(appeal: Appeal) -> dict:
    """One request; expects `appeal` from selectors.service_requests (category, dispatch, last event)."""
    published = appeal.channel == Appeal.Channel.API
    dispatch = primary_dispatch(appeal)
    return {
        "service_request_id": appeal.number,
        "status": open311_status(appeal),
        "status_notes": status_notes(appeal, dispatch, published=published),
        "service_name": appeal.category.display_name,
        "service_code": appeal.category.code,
        "description": appeal.text if published else None,
        "agency_responsible": dispatch.unit.display_name if dispatch else None,
        "service_notice": None,
        "requested_datetime": w3c_datetime(appeal.created_at),
        "updated_datetime": w3c_datetime(getattr(appeal, "last_event_at", None) or appeal.created_at),
        "expected_datetime": w3c_datetime(dispatch.resolve_due) if dispatch else None,
        "address": (appeal.address or None) if published else None,
        "lat": _coordinate(appeal.latitude, exact=published),
        "long": _coordinate(appeal.longitude, exact=published),
        "media_url": (appeal.media_url or None) if published else None,
    }


def created_request(appeal: Appeal) -> dict:
    return {
        "service_request_id": appeal.number,
        "service_notice": _(
            "Received by the 12345 hotline. It goes to the unit responsible within minutes; follow it with "
            "GET requests/%(id)s."
        ) % {"id": appeal.number},
        "account_id": None,
    }
