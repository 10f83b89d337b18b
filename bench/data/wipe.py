"""Empty what the generator writes (and what depends on it), keeping the city and the accounts."""
from django.db import connection, transaction

from config.migration_ops import SKIP_TRIGGERS_IN_TRANSACTION

DEPENDENT = ("dispatch_unitperiodstats", "dispatch_dailystats", "dispatch_districtdailystats")


def wipe() -> None:
    from .generate import TABLES

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SKIP_TRIGGERS_IN_TRANSACTION)  # the event log refuses TRUNCATE otherwise
        cursor.execute(f"TRUNCATE {', '.join((*TABLES, *DEPENDENT))} RESTART IDENTITY CASCADE")
