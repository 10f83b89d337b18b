"""Where an appeal happened, from what is written: the gazetteer's matcher.

Every name the city knows maps to the streets it lies in: districts (their name, and the short
form "朝阳" unless another name is spelt the same), streets (name, short form "望京街道" -> "望京",
address aliases, English name and its short form), communities, and the gazetteer's places
(streets.models.Place: roads, compounds, landmarks, villages, their other names and English
names). `find_place` reads the written address first and the appeal's text after it; in each,
the longest name at a position wins ("朝阳门内大街" over "朝阳门" over "朝阳"), English names only as
whole words. The names found decide:

- one street common to all of them (a road across three streets and a compound in one of them):
  that street;
- several (a road across streets, or two places in different streets): ambiguous, the streets
  are candidates for the operators (narrowed to a district also written, when that helps);
- only a district: the district (routing sends it there to coordinate, if the city enables it).

The matcher is built once per process (a VersionedCache, like the street locator): rebuilt when a
unit, community or place changes in this process (signals) or when their version stamps move.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Count, Max

from config.process_cache import VersionedCache

from .place_names import normalize, short_forms, spellings

MATCHER_RECHECK_SECONDS = 30.0
STREET_SUFFIXES = ("街道办事处", "街道", "地区", "镇", "乡")
ETHNIC_SUFFIXES = ("满族蒙古族", "满族", "回族")
ENGLISH_SUFFIXES = (" subdistrict", " town", " township", " district")
# Generic words of an English place name: "Wangfujing Street" is written "Wangfujing".
ENGLISH_GENERIC = (" street", " road", " avenue", " lu", " jie", " dajie", " beili", " nanli", " dongli", " xili")
MAX_CANDIDATES = 5
_ASCII_WORD = re.compile(r"[0-9a-z]")


def short_name(name: str) -> str:
    """The name residents write for a street or district: 望京街道 -> 望京, 于家务回族乡 -> 于家务,
    朝阳区 -> 朝阳; a name that would shrink under two characters (杨镇) stays whole."""
    core = name
    for suffix in (*STREET_SUFFIXES, "区"):
        if core.endswith(suffix):
            core = core.removesuffix(suffix)
            break
    for ethnic in ETHNIC_SUFFIXES:
        core = core.removesuffix(ethnic)
    return core if len(core) >= 2 and core != name else ""


def english_short_name(name_en: str, suffixes: tuple[str, ...] = ENGLISH_SUFFIXES) -> str:
    """"Wangjing Subdistrict" -> "wangjing" (with ENGLISH_GENERIC: "Beijing World Park" -> "world park",
    "Huajiadi Beili" -> "huajiadi"); "" when the name has no such suffix."""
    lowered = name_en.strip().lower().removeprefix("beijing ")
    if lowered != name_en.strip().lower() and " " in lowered:
        return lowered
    for suffix in suffixes:
        if lowered.endswith(suffix):
            return lowered.removesuffix(suffix).strip()
    return ""


@dataclass(frozen=True)
class Target:
    """What a name points at: the streets it lies in (empty for a district's name) and its district."""

    streets: frozenset[int]
    district: int | None


@dataclass(frozen=True)
class PlaceFound:
    """What find_place read: a street, or candidate streets (ambiguous), or a district only."""

    street_id: int | None = None
    district_id: int | None = None
    candidates: tuple[int, ...] = ()  # street ids when the place is ambiguous, most mentioned first
    names: tuple[str, ...] = ()  # the names that decided, as written in the gazetteer
    source: str = ""  # "address" or "text"

    @property
    def ambiguous(self) -> bool:
        return self.street_id is None and len(self.candidates) > 1

    @property
    def district_only(self) -> bool:
        return self.street_id is None and not self.candidates and self.district_id is not None


NOTHING = PlaceFound()


@dataclass
class PlaceMatcher:
    names: dict[str, Target] = field(default_factory=dict)  # lowered name -> target
    labels: dict[str, str] = field(default_factory=dict)  # lowered name -> the gazetteer's spelling
    starts: dict[str, tuple[int, ...]] = field(default_factory=dict)  # first char -> name lengths, longest first
    weak: frozenset[str] = frozenset()  # short forms: they yield to a full name that disagrees
    street_district: dict[int, int] = field(default_factory=dict)

    def scan(self, text: str) -> list[str]:
        """The names in the text, left to right, the longest at each position; English names only
        as whole words."""
        lowered, found, position = normalize(text).lower(), [], 0
        while position < len(lowered):
            if position and _ASCII_WORD.match(lowered[position - 1]) and _ASCII_WORD.match(lowered[position]):
                position += 1  # inside an English word: names start only at a word's start
                continue
            for length in self.starts.get(lowered[position], ()):
                piece = lowered[position:position + length]
                if len(piece) == length and piece in self.names and self._whole_word(lowered, position, length):
                    found.append(piece)
                    position += length
                    break
            else:
                position += 1
        return found

    @staticmethod
    def _whole_word(text: str, start: int, length: int) -> bool:
        if not _ASCII_WORD.match(text[start]):
            return True
        before = text[start - 1] if start else " "
        after = text[start + length] if start + length < len(text) else " "
        return not _ASCII_WORD.match(before) and not _ASCII_WORD.match(after)

    def resolve(self, found: list[str], source: str) -> PlaceFound:
        """Decide from the names found in one piece of writing (see the module's docstring)."""
        if not found:
            return NOTHING
        strong = [name for name in found if name not in self.weak and self.names[name].streets]
        if strong:  # a short form (北房, 前门) read in passing yields to a full name
            found = [name for name in found if name in strong or not self.names[name].streets
                     or self.names[name].streets & frozenset.union(*(self.names[n].streets for n in strong))]
        targets = [self.names[name] for name in found]
        districts = {target.district for target in targets if not target.streets and target.district}
        street_sets = [target.streets for target in targets if target.streets]
        labels = tuple(dict.fromkeys(self.labels[name] for name in found))
        if not street_sets:
            district = next(iter(districts)) if len(districts) == 1 else None
            return PlaceFound(district_id=district, names=labels, source=source) if district else NOTHING
        common = frozenset.intersection(*street_sets)
        pool = common or frozenset.union(*street_sets)
        if districts:  # a district also written narrows the streets; none of them in it: the district
            pool = frozenset(s for s in pool if self.street_district.get(s) in districts)
            if not pool:
                district = next(iter(districts)) if len(districts) == 1 else None
                return PlaceFound(district_id=district, names=labels, source=source) if district else NOTHING
        if len(pool) == 1:
            street = next(iter(pool))
            return PlaceFound(street_id=street, district_id=self.street_district.get(street), names=labels,
                              source=source)
        mentions = {street: sum(street in streets for streets in street_sets) for street in pool}
        candidates = tuple(sorted(pool, key=lambda s: (-mentions[s], s)))[:MAX_CANDIDATES]
        shared = {self.street_district.get(s) for s in candidates}
        return PlaceFound(district_id=shared.pop() if len(shared) == 1 else None, candidates=candidates,
                          names=labels, source=source)

    def find(self, text: str, address: str) -> PlaceFound:
        """The address decides when it names a street (or streets); else the text, narrowed to a
        district the address names; else the district of either."""
        from_address = self.resolve(self.scan(address), "address") if address else NOTHING
        if from_address.street_id is not None or from_address.ambiguous:
            return from_address
        from_text = self.resolve(self.scan(text), "text") if text else NOTHING
        if from_address.district_id is not None:
            in_district = from_text.street_id is not None and from_text.district_id == from_address.district_id
            narrowed = [s for s in from_text.candidates if self.street_district.get(s) == from_address.district_id]
            if in_district:
                return from_text
            if len(narrowed) == 1:
                return PlaceFound(street_id=narrowed[0], district_id=from_address.district_id,
                                  names=from_address.names + from_text.names, source="text")
            return from_address
        return from_text


def _add(names: dict[str, set], labels: dict[str, str], name: str, streets: set[int], district: int | None) -> None:
    """The name and its other spellings (streets/place_names.py), each labelled with the name."""
    name = normalize((name or "").strip())
    for spelling in (name, *spellings(name)):
        key = spelling.lower()
        if len(key) < 2:
            continue
        names.setdefault(key, set()).add((frozenset(streets), district))
        labels.setdefault(key, name)


# English names of a unit residents also write: "Wangjing Sub-district", "Wangjing Jiedao".
UNIT_ENGLISH_VARIANTS = ((" Subdistrict", (" Sub-district", " Jiedao")), (" Town", (" Zhen",)),
                         (" Township", (" Xiang",)))


def _unit_english(name_en: str) -> list[str]:
    return [name_en.removesuffix(suffix) + other for suffix, others in UNIT_ENGLISH_VARIANTS
            if name_en.endswith(suffix) for other in others]


def build_matcher() -> PlaceMatcher:
    from .models import Community, Place, Unit

    units = list(Unit.objects.filter(kind__in=(Unit.Kind.DISTRICT, Unit.Kind.STREET), active=True)
                 .values_list("id", "kind", "name", "name_en", "aliases", "parent_id"))
    street_district = {uid: parent for uid, kind, _, _, _, parent in units if kind == Unit.Kind.STREET}
    raw: dict[str, set] = {}
    labels: dict[str, str] = {}
    unit_short_forms: list[tuple[str, set[int], int | None, str]] = []
    place_short_forms: list[tuple[str, set[int], int | None, str]] = []
    for uid, kind, name, name_en, aliases, parent in units:
        streets = set() if kind == Unit.Kind.DISTRICT else {uid}
        district = uid if kind == Unit.Kind.DISTRICT else parent
        for spelling in (name, name_en, *(aliases or []), *_unit_english(name_en or "")):
            _add(raw, labels, spelling, streets, district)
        unit_short_forms += [(short_name(name), streets, district, name),
                        (english_short_name(name_en), streets, district, name_en)]
    for street_id, name, name_en in Community.objects.filter(street_id__in=street_district).values_list(
            "street_id", "name", "name_en"):
        for spelling in (name, name_en):
            _add(raw, labels, spelling, {street_id}, street_district[street_id])
        place_short_forms += [(short, {street_id}, street_district[street_id], name) for short in short_forms(name)]
    place_streets: dict[int, set[int]] = {}  # rows, not model instances: a city has thousands of places
    for place_id, street_id in Place.streets.through.objects.values_list("place_id", "unit_id"):
        if street_id in street_district:
            place_streets.setdefault(place_id, set()).add(street_id)
    for place_id, name, name_en, aliases, district_id in Place.objects.values_list(
            "id", "name", "name_en", "aliases", "district_id"):
        streets = place_streets.get(place_id)
        if not streets:
            continue
        for spelling in (name, name_en, *(aliases or [])):
            _add(raw, labels, spelling, streets, district_id)
        place_short_forms.append((english_short_name(name_en, ENGLISH_GENERIC), streets, district_id, name_en))
        for spelling in (name, *(aliases or [])):
            place_short_forms += [(short, streets, district_id, spelling) for short in short_forms(spelling)]
    # A short form is a name only where nothing else is spelt the same (海淀: the district or 海淀街道?),
    # or where all that shorten to it lie in the same streets; the units' short forms first, then the
    # places' (and the communities').
    weak: set[str] = set()
    for forms in (unit_short_forms, place_short_forms):
        owners: dict[str, dict] = {}
        for short, streets, district, full in forms:
            short = short.lower()
            if len(short) >= 2 and short not in raw:
                owners.setdefault(short, {}).setdefault((frozenset(streets), district), full)
        for short, claims in owners.items():
            if len(claims) == 1:
                (streets, district), full = next(iter(claims.items()))
                raw[short] = {(streets, district)}
                labels[short] = full
                weak.add(short)
    names = {}
    for key, targets in raw.items():
        streets = frozenset().union(*(s for s, _ in targets))
        districts = {d for _, d in targets}
        names[key] = Target(streets=streets, district=districts.pop() if len(districts) == 1 else None)
    starts: dict[str, set[int]] = {}
    for key in names:
        starts.setdefault(key[0], set()).add(len(key))
    return PlaceMatcher(names=names, labels=labels, weak=frozenset(weak), street_district=street_district,
                        starts={char: tuple(sorted(lengths, reverse=True)) for char, lengths in starts.items()})


def _version() -> tuple:
    from .models import Community, Place, Unit

    units = Unit.objects.filter(kind__in=(Unit.Kind.DISTRICT, Unit.Kind.STREET)).aggregate(
        n=Count("id"), latest=Max("updated_at"))
    places = Place.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (units["n"], units["latest"], places["n"], places["latest"], Community.objects.count())


_matcher = VersionedCache(version=_version, build=build_matcher, recheck_seconds=MATCHER_RECHECK_SECONDS)


def get_matcher() -> PlaceMatcher:
    return _matcher.get()


def reset_matcher() -> None:
    _matcher.reset()


def find_place(text: str, address: str = "") -> PlaceFound:
    """The street (or candidate streets, or the district) an appeal's address or text names."""
    return get_matcher().find(text or "", address or "")
