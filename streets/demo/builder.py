"""Write the demo city to the database: idempotent, deterministic and fast.

Every row is matched on its natural key (a code, a category, a user). Missing rows are inserted
with bulk_create, rows whose fields differ are fixed with bulk_update, and equal rows are left
alone, so a second run writes nothing. Bulk writes send no signals, so the street locator is
reset explicitly at the end.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from appeals.models import Category, CategoryAttribute
from streets import geo, places
from streets.models import Community, Duty, Officer, Place, Unit

from . import DEMO_ACCOUNTS, DEMO_PASSWORD
from .categories import NEARBY_RADII, STREET, attributes, categories
from .departments import DEPARTMENTS
from .districts import DISTRICT_ALIASES, DISTRICTS, streets
from .gazetteer import gazetteer

CENTER = {"code": "CENTER", "name": "12345市民服务热线中心", "name_en": "12345 Citizen Service Hotline Center"}


def _sync(model, rows: list[dict], *, key: str | tuple[str, ...] = "code") -> tuple[dict, int]:
    """Upsert rows (dicts of field attnames) on `key` (a field, or a tuple of fields for a
    composite natural key); returns ({key value: instance}, rows created)."""
    keys = key if isinstance(key, tuple) else (key,)

    def natural(item) -> tuple:
        return tuple(item[name] if isinstance(item, dict) else getattr(item, name) for name in keys)

    candidates = model.objects.filter(**{f"{keys[0]}__in": {row[keys[0]] for row in rows}})
    existing = {natural(obj): obj for obj in candidates}
    new, changed = [], []
    fields = [name for name in rows[0] if name not in keys]
    stamp = any(field.name == "updated_at" for field in model._meta.fields)
    for row in rows:
        obj = existing.get(natural(row))
        if obj is None:
            obj = model(**row)
            new.append(obj)
            existing[natural(row)] = obj
        elif any(getattr(obj, name) != row[name] for name in fields):
            for name in fields:
                setattr(obj, name, row[name])
            if stamp:  # bulk_update skips auto_now; other processes' locators watch updated_at
                obj.updated_at = timezone.now()
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=500)
    if changed:
        model.objects.bulk_update(changed, fields + (["updated_at"] if stamp else []), batch_size=500)
    return {(natural(row) if len(keys) > 1 else row[key]): existing[natural(row)] for row in rows}, len(new)


def _unit(code: str, kind: str, name: str, name_en: str, **extra) -> dict:
    row = {"code": code, "kind": kind, "name": name, "name_en": name_en, "parent_id": None, "level": "",
           "is_township": False, "is_utility": False, "boundary": None, "aliases": [], "active": True}
    row.update(extra)
    return row


def _load_units() -> tuple[dict[str, Unit], dict[str, int]]:
    """Center, districts, departments, streets, communities; parents first."""
    units, created = {}, {}
    rows = [_unit(CENTER["code"], Unit.Kind.CENTER, CENTER["name"], CENTER["name_en"])]
    synced, created["center"] = _sync(Unit, rows)
    units.update(synced)
    rows = [_unit(code, Unit.Kind.DISTRICT, name, name_en, aliases=list(DISTRICT_ALIASES.get(code, ())))
            for code, name, name_en in DISTRICTS]
    synced, created["districts"] = _sync(Unit, rows)
    units.update(synced)

    rows = [
        _unit(dep.code, Unit.Kind.DEPARTMENT, dep.name, dep.name_en, level=dep.level, is_utility=dep.is_utility,
              parent_id=units[dep.district_code].pk if dep.district_code else None)
        for dep in DEPARTMENTS
    ]
    synced, created["departments"] = _sync(Unit, rows)
    units.update(synced)

    specs = streets()
    rows = [
        _unit(s.code, Unit.Kind.STREET, s.name, s.name_en, parent_id=units[s.district_code].pk,
              is_township=s.is_township, boundary=s.boundary, aliases=list(s.aliases))
        for s in specs
    ]
    synced, created["streets"] = _sync(Unit, rows)
    units.update(synced)

    rows = [
        {"code": code, "street_id": units[s.code].pk, "name": name, "name_en": name_en}
        for s in specs for code, name, name_en in s.communities
    ]
    _, created["communities"] = _sync(Community, rows)
    created["places"] = _load_places(units)
    return units, created


def _load_places(units: dict[str, Unit]) -> int:
    """The gazetteer (streets/demo/gazetteer.jsonl) and the streets each place lies in."""
    by_name = {unit.name: unit.pk for unit in units.values()}
    entries = gazetteer()
    rows = [{"district_id": by_name[e.district], "name": e.name, "name_en": e.name_en, "aliases": list(e.aliases),
             "kind": e.kind} for e in entries]
    saved, created = _sync(Place, rows, key=("district_id", "name"))
    through = Place.streets.through
    wanted = {(saved[(by_name[e.district], e.name)].pk, by_name[street]) for e in entries for street in e.streets}
    have = set(through.objects.filter(place_id__in=[p.pk for p in saved.values()])
               .values_list("place_id", "unit_id"))
    through.objects.bulk_create([through(place_id=p, unit_id=u) for p, u in wanted - have], batch_size=500)
    for place_id, unit_id in have - wanted:
        through.objects.filter(place_id=place_id, unit_id=unit_id).delete()
    return created


def _load_categories(units: dict[str, Unit]) -> dict[str, int]:
    """The taxonomy level by level (a child needs its parent's id), then one duty per leaf."""
    specs = list(categories())
    saved: dict[str, Category] = {}
    created = {"categories": 0}
    for level in (1, 2, 3):
        rows = [
            {"code": c.code, "parent_id": saved[c.parent_code].pk if c.parent_code else None, "level": c.level,
             "name": c.name, "name_en": c.name_en, "is_leaf": c.is_leaf, "tier": c.tier, "active": True,
             "nearby_radius_m": NEARBY_RADII.get(c.code)}
            for c in specs if c.level == level
        ]
        synced, count = _sync(Category, rows)
        saved.update(synced)
        created["categories"] += count
    rows = [
        {"category_id": saved[c.code].pk,
         "handler": Duty.Handler.STREET if c.handler == STREET else Duty.Handler.DEPARTMENT,
         "department_id": None if c.handler == STREET else units[c.handler].pk}
        for c in specs if c.is_leaf
    ]
    _, created["duties"] = _sync(Duty, rows, key="category_id")
    rows = [
        {"category_id": saved[a.category_code].pk, "code": a.code, "datatype": a.datatype, "required": a.required,
         "variable": True, "order": a.order, "description": a.description, "description_en": a.description_en,
         "values": [{"key": key, "name": name, "name_en": name_en} for key, name, name_en in a.values]}
        for a in attributes()
    ]
    _, created["attributes"] = _sync(CategoryAttribute, rows, key=("category_id", "code"))
    return created


def _load_accounts(units: dict[str, Unit]) -> int:
    """Demo users and their Officer rows. A new user gets the demo password; an existing one keeps
    whatever password it has now (hashing costs ~0.2 s a user, and a changed password is a choice)."""
    User = get_user_model()
    created = 0
    for account in DEMO_ACCOUNTS:
        superuser = account.role is None
        user, is_new = User.objects.get_or_create(
            username=account.username, defaults={"is_staff": superuser, "is_superuser": superuser}
        )
        if is_new:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created += 1
        elif superuser and not (user.is_staff and user.is_superuser and user.is_active):
            user.is_staff = user.is_superuser = user.is_active = True
            user.save(update_fields=["is_staff", "is_superuser", "is_active"])
        if not superuser:
            Officer.objects.update_or_create(
                user=user,
                defaults={"unit": units[account.unit_code], "role": account.role, "is_head": account.is_head},
            )
    return created


def load_demo_city(*, stdout=None) -> dict:
    """Create or update the whole demo city in one transaction; return the demo's row counts plus
    how many rows this run created ("created")."""
    with transaction.atomic():
        units, created = _load_units()
        created.update(_load_categories(units))
        created["accounts"] = _load_accounts(units)
    geo.reset_locator()  # bulk writes sent no post_save, so drop this process's indexes by hand
    places.reset_matcher()
    specs = list(categories())
    counts = {
        "districts": len(DISTRICTS),
        "streets": len(streets()),
        "communities": sum(len(s.communities) for s in streets()),
        "places": len(gazetteer()),
        "departments": len(DEPARTMENTS),
        "categories": len(specs),
        "leaf_categories": sum(c.is_leaf for c in specs),
        "duties": sum(c.is_leaf for c in specs),
        "attributes": len(list(attributes())),
        "accounts": len(DEMO_ACCOUNTS),
        "created": sum(created.values()),
    }
    if stdout is not None:
        stdout.write(f"Demo city loaded: {sum(created.values())} rows created ({_describe(created)}).\n")
    return counts


def _describe(created: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in created.items() if count) or "nothing new"
