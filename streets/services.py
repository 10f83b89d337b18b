"""Who handles an appeal: the duty list plus the place (a point, else what is written)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .geo import get_locator
from .models import Duty, Unit
from .places import NOTHING, PlaceFound, get_matcher


@dataclass(frozen=True)
class Handler:
    unit: Unit | None
    reason: str  # why this unit, or why none: a key of ROUTING_REASONS, rendered in the reader's language
    place: PlaceFound = NOTHING  # where the appeal was placed (street-duty categories only)


# Why routing chose a unit or none, by the code the dispatch event keeps (appeals/notes.py).
ROUTING_REASONS = {
    "no_category": _("No category"),
    "no_duty": _("Category has no duty mapping"),
    "department_inactive": _("Department inactive"),
    "duty_department": _("Duty list: department"),
    "no_street": _("No location matches a street"),
    "duty_street": _("Duty list: street at the location"),
    "ambiguous_place": _("The place could be in several streets"),
    "district": _("Only the district is known: the district coordinates (regulation, Art. 12)"),
}


def is_inside_city(*, latitude: Decimal | float, longitude: Decimal | float) -> bool:
    return get_locator().street_at(float(latitude), float(longitude)) is not None


def locate(
    *, latitude: Decimal | float | None, longitude: Decimal | float | None, address: str, text: str = ""
) -> PlaceFound:
    """Where it happened: the street at the point (preferred), else what the address and the text
    name (streets/places.py: a street, candidate streets, or a district)."""
    if latitude is not None and longitude is not None:
        street_id = get_locator().street_at(float(latitude), float(longitude))
        if street_id is not None:
            return PlaceFound(street_id=street_id, source="point")
    return get_matcher().find(text or "", address or "")


@dataclass(frozen=True)
class Location:
    """What routing needs to know of an appeal."""

    category_id: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    address: str
    text: str = ""
    place: PlaceFound | None = None  # already located by the caller


def find_handler(
    *, category_id: int | None, latitude: Decimal | None, longitude: Decimal | None, address: str, text: str = ""
) -> Handler:
    """Apply the duty list: a department-level category goes to its department; a street-level one
    to the street where it happened (or, when only the district is known and the city enables
    ROUTING_TO_DISTRICT, to the district). No unit means the operators must decide."""
    return find_handlers([Location(category_id, latitude, longitude, address, text)])[0]


def find_handlers(locations: list[Location], *, duties: dict[int, Duty] | None = None) -> list[Handler]:
    """`find_handler` for many appeals at once, with two queries whatever their number, so a
    worker routing a batch does not pay a round trip per appeal for the duty list and streets
    (`duties`, category id -> Duty with its department, when the caller has read them already)."""
    category_ids = {where.category_id for where in locations if where.category_id is not None}
    if duties is None:
        duties = {
            duty.category_id: duty
            for duty in Duty.objects.select_related("department").filter(category_id__in=category_ids)
        } if category_ids else {}
    places = [
        where.place or locate(latitude=where.latitude, longitude=where.longitude, address=where.address,
                              text=where.text)
        if where.category_id in duties and duties[where.category_id].handler == Duty.Handler.STREET else NOTHING
        for where in locations
    ]
    wanted = {place.street_id or _district(place) for place in places} - {None}
    units = Unit.objects.in_bulk(wanted) if wanted else {}
    return [
        _handler(where.category_id, duties.get(where.category_id), place, units)
        for where, place in zip(locations, places, strict=True)
    ]


def _district(place: PlaceFound) -> int | None:
    return place.district_id if place.district_only and settings.ROUTING_TO_DISTRICT else None


def _handler(category_id: int | None, duty: Duty | None, place: PlaceFound, units: dict[int, Unit]) -> Handler:
    if category_id is None:
        return Handler(None, "no_category")
    if duty is None:
        return Handler(None, "no_duty")
    if duty.handler == Duty.Handler.DEPARTMENT:
        if not duty.department.active:
            return Handler(None, "department_inactive")
        return Handler(duty.department, "duty_department")
    if place.street_id in units:
        return Handler(units[place.street_id], "duty_street", place)
    if place.ambiguous:
        return Handler(None, "ambiguous_place", place)
    if _district(place) in units:
        return Handler(units[place.district_id], "district", place)
    return Handler(None, "no_street", place)
