"""Indexes on optional foreign keys only over the rows that have one (models.partial_fk_indexes):
an appeal filed on the web and its RECEIVED event write none of them.

The foreign keys' own single-column indexes are dropped by name, as in 0008 (AlterField would drop
and re-validate the foreign keys). On PostgreSQL every index is built and dropped concurrently
(config/migration_ops.py), each new index before the old one goes, so intake and the
consoles keep writing and reading while it runs.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from config.migration_ops import AddIndexConcurrently, RemoveIndexConcurrently

# The single-column indexes Django made for the foreign keys: (table, column).
FK_INDEXES = {
    "appeals_appeal_submitted_by_id_f203125f": ("appeals_appeal", "submitted_by_id"),
    "appeals_appeal_api_key_id_af9b3842": ("appeals_appeal", "api_key_id"),
    "appeals_appealevent_actor_id_60c2975b": ("appeals_appealevent", "actor_id"),
    "appeals_appealevent_unit_id_7b60302f": ("appeals_appealevent", "unit_id"),
}


def _concurrently(schema_editor) -> str:
    return "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""


def drop_fk_indexes(apps, schema_editor):
    for name in FK_INDEXES:
        schema_editor.execute(f'DROP INDEX {_concurrently(schema_editor)}IF EXISTS "{name}"')


def create_fk_indexes(apps, schema_editor):
    for name, (table, column) in FK_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX {_concurrently(schema_editor)}IF NOT EXISTS "{name}" ON "{table}" ("{column}")'
        )


class Migration(migrations.Migration):
    atomic = False  # indexes built and dropped concurrently on PostgreSQL

    dependencies = [
        ('appeals', '0009_drop_fingerprint_index'),
        ('dispatch', '0005_dispatch_open_by_due'),
        ('streets', '0002_officer_is_head'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='appeal',
            index=models.Index(condition=models.Q(('submitted_by__isnull', False)), fields=['submitted_by'], name='appeal_submitted_by_set'),
        ),
        AddIndexConcurrently(
            model_name='appeal',
            index=models.Index(condition=models.Q(('api_key__isnull', False)), fields=['api_key'], name='appeal_api_key_set'),
        ),
        AddIndexConcurrently(
            model_name='appealevent',
            index=models.Index(condition=models.Q(('dispatch__isnull', False)), fields=['dispatch', 'created_at'], name='event_dispatch_time_set'),
        ),
        AddIndexConcurrently(
            model_name='appealevent',
            index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor'], name='event_actor_set'),
        ),
        AddIndexConcurrently(
            model_name='appealevent',
            index=models.Index(condition=models.Q(('unit__isnull', False)), fields=['unit'], name='event_unit_set'),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='appeal',
                    name='api_key',
                    field=models.ForeignKey(blank=True, db_index=False, help_text='The third-party app that filed it through Open311.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appeals', to='appeals.apikey', verbose_name='API key'),
                ),
                migrations.AlterField(
                    model_name='appeal',
                    name='submitted_by',
                    field=models.ForeignKey(blank=True, db_index=False, help_text='The operator who entered a phone appeal.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='appealevent',
                    name='actor',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='appealevent',
                    name='unit',
                    field=models.ForeignKey(blank=True, db_index=False, help_text='The unit the event concerns (the unit dispatched to, or acting).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='streets.unit'),
                ),
            ],
            database_operations=[migrations.RunPython(drop_fk_indexes, create_fk_indexes)],
        ),
        RemoveIndexConcurrently(
            model_name='appealevent',
            name='event_dispatch_time',
        ),
    ]
