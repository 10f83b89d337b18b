# TRUNCATE fires no row triggers, so the append-only trigger of 0007 let `TRUNCATE appeals_appealevent`
# empty the audit log. A statement trigger refuses it (same function: it raises for any operation).
# A superuser doing deliberate maintenance (the bench's wipe, the test suite's flush) sets
# `session_replication_role = replica` for that transaction, which no ordinary role may set.

from django.db import migrations

from config.migration_ops import PostgreSQLOnly

TABLE = "appeals_appealevent"

CREATE = f"""
CREATE TRIGGER appeals_event_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION appeals_event_append_only();
"""

DROP = f"DROP TRIGGER IF EXISTS appeals_event_no_truncate ON {TABLE};"


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0010_partial_fk_indexes'),
    ]

    operations = [
        PostgreSQLOnly(CREATE, DROP),
    ]
