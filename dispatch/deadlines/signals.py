"""Keep this process's calendar and time-limit caches in step with the admin, and recount
provisional deadlines once a calendar change is committed."""
import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from config.celery import app
from dispatch.deadlines import time_limits, workdays
from dispatch.models import CalendarDay, CalendarYear, TimeLimit

logger = logging.getLogger(__name__)


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
@receiver(post_save, sender=CalendarYear)
@receiver(post_delete, sender=CalendarYear)
def calendar_changed(sender, **kwargs) -> None:
    workdays.reset_calendar()
    transaction.on_commit(_queue_recount)


@receiver(post_save, sender=TimeLimit)
@receiver(post_delete, sender=TimeLimit)
def time_limits_changed(sender, **kwargs) -> None:
    time_limits.reset_rules()


def _queue_recount() -> None:
    try:
        app.send_task("dispatch.tasks.recount_provisional_deadlines")
    except Exception:  # broker away: the daily beat run recounts
        logger.warning("could not queue the recount of provisional deadlines", exc_info=True)
