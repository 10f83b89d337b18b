"""The city on the resident's map: which street and district a point falls in, the boundaries the
map draws when no tile server is configured, and places found by name.

All three read the street locator (streets/geo.py) and a map built from the same rows alongside it,
so a tap on the map costs no query once the process has the boundaries.
"""
from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry import mapping, shape

from .geo import StreetLocator, get_locator
from .i18n import localized_text
from .models import Duty, Unit

SEARCH_LIMIT = 10


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        return localized_text(self.name, self.name_en)


@dataclass(frozen=True)
class PlaceArea:
    """A street with its district, and a point inside it (where the map puts a pin when chosen)."""

    kind: str  # "street" or "district"
    area: Area
    district: Area | None
    latitude: float
    longitude: float
    search_text: str  # names and aliases, lower-cased, for the name search


@dataclass(frozen=True)
class CityMap:
    streets: dict[int, PlaceArea]  # by the street's id (the locator's answer)
    places: tuple[PlaceArea, ...]  # districts first, then streets, by code
    geojson: dict  # FeatureCollection: one feature per district and per street


def _area(unit: Unit) -> Area:
    return Area(code=unit.code, name=unit.name, name_en=unit.name_en)


def _build() -> CityMap:
    rows = list(
        Unit.objects.filter(kind=Unit.Kind.STREET, active=True, boundary__isnull=False)
        .select_related("parent").order_by("code")
    )
    streets: dict[int, PlaceArea] = {}
    by_district: dict[int, list] = {}
    features = []
    for street in rows:
        geometry = shape(street.boundary)
        point = geometry.representative_point()
        district = street.parent if street.parent_id and street.parent.kind == Unit.Kind.DISTRICT else None
        streets[street.pk] = PlaceArea(
            kind="street", area=_area(street), district=_area(district) if district else None,
            latitude=round(point.y, 6), longitude=round(point.x, 6),
            search_text=" ".join([street.name, street.name_en, *(street.aliases or [])]).lower(),
        )
        if district is not None:
            by_district.setdefault(district.pk, [district, []])[1].append(geometry)
        features.append(_feature("street", street, geometry))
    districts = []
    for district, geometries in by_district.values():
        outline = shapely.union_all(geometries)
        point = outline.representative_point()
        districts.append(PlaceArea(
            kind="district", area=_area(district), district=None, latitude=round(point.y, 6),
            longitude=round(point.x, 6), search_text=f"{district.name} {district.name_en}".lower(),
        ))
        features.insert(0, _feature("district", district, outline))
    districts.sort(key=lambda place: place.area.code)
    return CityMap(
        streets=streets, places=(*districts, *streets.values()),
        geojson={"type": "FeatureCollection", "features": features},
    )


def _feature(kind: str, unit: Unit, geometry) -> dict:
    return {
        "type": "Feature",
        "properties": {"kind": kind, "code": unit.code, "name": unit.name, "name_en": unit.name_en},
        "geometry": mapping(geometry.simplify(0.00005, preserve_topology=True)),
    }


_built: tuple[StreetLocator, CityMap] | None = None


def get_city_map() -> CityMap:
    """Built from the same rows as the street locator, and rebuilt whenever it is (its cache knows
    when the streets changed), so the map and routing never disagree."""
    global _built
    locator, built = get_locator(), _built
    if built is None or built[0] is not locator:
        built = _built = (locator, _build())
    return built[1]


def place_at(latitude: float, longitude: float) -> PlaceArea | None:
    """The street (with its district) that handles a point, as routing will find it; None outside
    every street of the city."""
    street_id = get_locator().street_at(latitude, longitude)
    return get_city_map().streets.get(street_id) if street_id is not None else None


def search_places(text: str) -> list[PlaceArea]:
    """Districts and streets whose name (either language) or address alias contains the text."""
    words = " ".join(text.split()).lower()
    if not words:
        return []
    return [place for place in get_city_map().places if words in place.search_text][:SEARCH_LIMIT]


def boundaries_geojson() -> dict:
    return get_city_map().geojson


def handler_at(place: PlaceArea, category_code: str | None) -> Area:
    """Who will handle an appeal of this category at this place, as the duty list says: a named
    department, or (street matters, an unknown or no category) the street itself."""
    duty = (
        Duty.objects.select_related("department").filter(category__code=category_code).first()
        if category_code else None
    )
    if duty is not None and duty.handler == Duty.Handler.DEPARTMENT and duty.department_id:
        return _area(duty.department)
    return place.area
