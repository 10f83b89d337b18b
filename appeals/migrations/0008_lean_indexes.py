"""Fewer indexes to write on every intake and every routing.

- appeals_appealevent: the single-column indexes on appeal_id and dispatch_id duplicate the leading
  column of event_appeal_time and event_dispatch_time. Dropped by name (the foreign keys stay as
  they are; AlterField would drop and re-validate them).
- appeals_appeal (PostgreSQL only): the varchar_pattern_ops ("_like") copies Django adds beside the
  indexes on `number` and `status`. They serve only LIKE 'prefix%' queries; none exists (the admin's
  number search is icontains, which no btree index serves), and exact lookups use the plain ones.
"""
import django.db.models.deletion
from django.db import migrations, models

# name: (table, column expression, PostgreSQL only)
INDEXES = {
    "appeals_appealevent_appeal_id_17365b2a": ("appeals_appealevent", '"appeal_id"', False),
    "appeals_appealevent_dispatch_id_58c0768f": ("appeals_appealevent", '"dispatch_id"', False),
    "appeals_appeal_number_e83993d1_like": ("appeals_appeal", '"number" varchar_pattern_ops', True),
    "appeals_appeal_status_640729f6_like": ("appeals_appeal", '"status" varchar_pattern_ops', True),
}


def _applies(schema_editor, postgresql_only: bool) -> bool:
    return not postgresql_only or schema_editor.connection.vendor == "postgresql"


def drop_indexes(apps, schema_editor):
    for name, (_table, _column, postgresql_only) in INDEXES.items():
        if _applies(schema_editor, postgresql_only):
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def create_indexes(apps, schema_editor):
    for name, (table, column, postgresql_only) in INDEXES.items():
        if _applies(schema_editor, postgresql_only):
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({column})')


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0007_events_append_only'),
        ('dispatch', '0004_dashboard_daily_stats'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='appealevent',
                    name='appeal',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='appeals.appeal'),
                ),
                migrations.AlterField(
                    model_name='appealevent',
                    name='dispatch',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='events', to='dispatch.dispatch'),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
