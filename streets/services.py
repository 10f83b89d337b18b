"""Who handles an appeal: the duty list plus the place."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .geo import get_locator
from .models import Duty, Unit


@dataclass(frozen=True)
class Handler:
    unit: Unit | None
    reason: str  # why this unit, or why none: a key of ROUTING_REASONS, rendered in the reader's language


# Why routing chose a unit or none, by the code the dispatch event keeps (appeals/notes.py).
ROUTING_REASONS = {
    "no_category": _("No category"),
    "no_duty": _("Category has no duty mapping"),
    "department_inactive": _("Department inactive"),
    "duty_department": _("Duty list: department"),
    "no_street": _("No location matches a street"),
    "duty_street": _("Duty list: street at the location"),
}


def is_inside_city(*, latitude: Decimal | float, longitude: Decimal | float) -> bool:
    return get_locator().street_at(float(latitude), float(longitude)) is not None


def street_for_place(
    *, latitude: Decimal | float | None, longitude: Decimal | float | None, address: str
) -> int | None:
    """The street id for a point (preferred) or, failing that, a written address."""
    locator = get_locator()
    if latitude is not None and longitude is not None:
        street_id = locator.street_at(float(latitude), float(longitude))
        if street_id is not None:
            return street_id
    return locator.street_for_address(address)


@dataclass(frozen=True)
class Place:
    """What routing needs to know of an appeal."""

    category_id: int | None
    latitude: Decimal | None
    longitude: Decimal | None
    address: str


def find_handler(
    *, category_id: int | None, latitude: Decimal | None, longitude: Decimal | None, address: str
) -> Handler:
    """Apply the duty list: a department-level category goes to its department; a street-level one
    to the street where it happened. No unit means the operators must decide."""
    return find_handlers([Place(category_id, latitude, longitude, address)])[0]


def find_handlers(places: list[Place]) -> list[Handler]:
    """`find_handler` for many appeals at once, with two queries whatever their number, so a
    worker routing a batch does not pay a round trip per appeal for the duty list and streets."""
    category_ids = {place.category_id for place in places if place.category_id is not None}
    duties = {
        duty.category_id: duty
        for duty in Duty.objects.select_related("department").filter(category_id__in=category_ids)
    } if category_ids else {}
    street_ids = [
        street_for_place(latitude=place.latitude, longitude=place.longitude, address=place.address)
        if place.category_id in duties and duties[place.category_id].handler == Duty.Handler.STREET else None
        for place in places
    ]
    wanted = {street_id for street_id in street_ids if street_id is not None}
    streets = Unit.objects.in_bulk(wanted) if wanted else {}
    return [
        _handler(place.category_id, duties.get(place.category_id), streets.get(street_id))
        for place, street_id in zip(places, street_ids, strict=True)
    ]


def _handler(category_id: int | None, duty: Duty | None, street: Unit | None) -> Handler:
    if category_id is None:
        return Handler(None, "no_category")
    if duty is None:
        return Handler(None, "no_duty")
    if duty.handler == Duty.Handler.DEPARTMENT:
        if not duty.department.active:
            return Handler(None, "department_inactive")
        return Handler(duty.department, "duty_department")
    if street is None:
        return Handler(None, "no_street")
    return Handler(street, "duty_street")
