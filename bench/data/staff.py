"""Officers for every unit: the demo city has accounts for a few units only, but in a real city
every street and department has officers who sign, respond and resolve (the events' actors) and a
head who answers supervision orders. Added once, idempotently, with unusable passwords (nobody
signs in as them; the demo accounts remain the ones to log in with)."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from streets.models import Officer, Unit

PREFIX = "bench-"


def ensure_officers() -> int:
    """An officer and a head for each active street and department that has no officer; returns how
    many accounts were added."""
    User = get_user_model()
    units = list(Unit.objects.filter(kind__in=[Unit.Kind.STREET, Unit.Kind.DEPARTMENT], active=True)
                 .exclude(officers__role=Officer.Role.OFFICER).order_by("code"))
    if not units:
        return 0
    wanted = [(unit, f"{PREFIX}{unit.code.lower()}", False) for unit in units] + [
        (unit, f"{PREFIX}{unit.code.lower()}-head", True) for unit in units]
    with transaction.atomic():
        User.objects.bulk_create([User(username=name, password=make_password(None)) for _, name, _ in wanted],
                                 ignore_conflicts=True)
        users = dict(User.objects.filter(username__in=[name for _, name, _ in wanted]).values_list("username", "id"))
        Officer.objects.bulk_create([Officer(user_id=users[name], unit=unit, role=Officer.Role.OFFICER, is_head=head)
                                     for unit, name, head in wanted], ignore_conflicts=True)
    return len(wanted)
