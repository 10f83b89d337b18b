# The supervisors' queue (every open ticket, by resolve deadline) read in index order, and counted
# (also its overdue tickets) from the index alone: a small partial index, since open tickets are a
# sliver of a year's dispatches.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0004_dashboard_daily_stats'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='dispatch',
            index=models.Index(condition=models.Q(('state__in', ['pending', 'signed', 'responded'])), fields=['resolve_due', 'id'], include=('response_due', 'responded_at', 'resolved_at'), name='dispatch_open_by_due'),
        ),
    ]
