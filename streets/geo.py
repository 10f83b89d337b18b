"""Where an appeal happened: point-in-polygon and address aliases for streets.

Street boundaries are indexed once per process in a shapely STRtree (a VersionedCache): rebuilt
when a unit changes in this process (signal) or, for other processes, when the streets' version
stamp (count and latest update) moves, checked at most every LOCATOR_RECHECK_SECONDS.
"""
from __future__ import annotations

from dataclasses import dataclass

import shapely
from django.db.models import Count, Max
from shapely.geometry import Point, shape

from config.process_cache import VersionedCache

LOCATOR_RECHECK_SECONDS = 30.0


@dataclass(frozen=True)
class StreetLocator:
    street_ids: tuple[int, ...]
    tree: shapely.STRtree
    aliases: tuple[tuple[str, int], ...]  # longest alias first

    def street_at(self, latitude: float, longitude: float) -> int | None:
        """The street containing the point; a point on a shared edge goes to the first by code."""
        hits = self.tree.query(Point(float(longitude), float(latitude)), predicate="intersects")
        if len(hits) == 0:
            return None
        return self.street_ids[int(min(hits))]

    def street_for_address(self, address: str) -> int | None:
        """The street whose longest alias appears in the written address."""
        if not address:
            return None
        for alias, street_id in self.aliases:
            if alias in address:
                return street_id
        return None


def _streets_version() -> tuple:
    from .models import Unit

    stamp = Unit.objects.filter(kind=Unit.Kind.STREET, active=True).aggregate(
        n=Count("id"), latest=Max("updated_at")
    )
    return (stamp["n"], stamp["latest"])


def _build() -> StreetLocator:
    from .models import Unit

    rows = list(
        Unit.objects.filter(kind=Unit.Kind.STREET, active=True, boundary__isnull=False)
        .order_by("code")
        .values_list("id", "boundary", "aliases", "name")
    )
    geoms = [shape(boundary) for _, boundary, _, _ in rows]
    aliases: list[tuple[str, int]] = []
    for street_id, _, street_aliases, name in rows:
        for alias in {name, *(street_aliases or [])}:
            if alias and len(alias) >= 2:
                aliases.append((alias, street_id))
    aliases.sort(key=lambda pair: (-len(pair[0]), pair[0]))
    return StreetLocator(
        street_ids=tuple(row[0] for row in rows),
        tree=shapely.STRtree(geoms),
        aliases=tuple(aliases),
    )


_locator = VersionedCache(version=_streets_version, build=_build, recheck_seconds=LOCATOR_RECHECK_SECONDS)


def get_locator() -> StreetLocator:
    return _locator.get()


def reset_locator() -> None:
    _locator.reset()
