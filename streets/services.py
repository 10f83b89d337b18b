"""Who handles an appeal: the duty list plus the place."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .geo import get_locator
from .models import Duty, Unit


@dataclass(frozen=True)
class Handler:
    unit: Unit | None
    reason: str  # why this unit, or why none: kept on the event for operators (translated at write time)


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


def find_handler(
    *, category_id: int | None, latitude: Decimal | None, longitude: Decimal | None, address: str
) -> Handler:
    """Apply the duty list: a department-level category goes to its department; a street-level one
    to the street where it happened. No unit means the operators must decide."""
    if category_id is None:
        return Handler(None, _("No category"))
    duty = Duty.objects.select_related("department").filter(category_id=category_id).first()
    if duty is None:
        return Handler(None, _("Category has no duty mapping"))
    if duty.handler == Duty.Handler.DEPARTMENT:
        if not duty.department.active:
            return Handler(None, _("Department inactive"))
        return Handler(duty.department, _("Duty list: department"))
    street_id = street_for_place(latitude=latitude, longitude=longitude, address=address)
    if street_id is None:
        return Handler(None, _("No location matches a street"))
    return Handler(Unit.objects.get(pk=street_id), _("Duty list: street at the location"))
