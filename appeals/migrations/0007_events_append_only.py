# The audit log cannot be rewritten, not even by raw SQL: on PostgreSQL a trigger rejects every
# UPDATE and DELETE on the events table. SQLite (the laptop default) keeps the application-level
# guards only, because Django's test flush empties tables with DELETE there.

from django.db import migrations

from config.migration_ops import PostgreSQLOnly

TABLE = "appeals_appealevent"

CREATE = f"""
CREATE OR REPLACE FUNCTION appeals_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'appeal events are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER appeals_event_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION appeals_event_append_only();
"""

DROP = f"""
DROP TRIGGER IF EXISTS appeals_event_append_only ON {TABLE};
DROP FUNCTION IF EXISTS appeals_event_append_only();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0006_intake_folding'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='appealevent',
            options={'base_manager_name': 'objects', 'ordering': ['created_at', 'id'], 'verbose_name': 'event', 'verbose_name_plural': 'events'},
        ),
        PostgreSQLOnly(CREATE, DROP),
    ]
