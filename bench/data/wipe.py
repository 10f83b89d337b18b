"""Empty what the generator writes (and what depends on it), keeping the city and the accounts."""
from django.db import connection

DEPENDENT = ("dispatch_unitperiodstats", "dispatch_dailystats", "dispatch_districtdailystats")


def wipe() -> None:
    from .generate import TABLES

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join((*TABLES, *DEPENDENT))} RESTART IDENTITY CASCADE")
