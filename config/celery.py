"""The Celery application; configuration comes from Django settings (CELERY_* names)."""
import os
import sys

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("appeals_hotline")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Celery's Django fixup closes every database connection before and after each task, so every
# task paid for a new PostgreSQL connection. It closes them now only every so many billion tasks;
# connections live as long as DB_CONN_MAX_AGE allows, as in a web request (see below).
app.conf.update(CELERY_DB_REUSE_MAX=sys.maxsize)
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections(task=None, **kwargs) -> None:
    """What Django does around a request: drop connections that are broken or past their age.
    Not around an eager task: it runs inside its caller's transaction."""
    from django.db import close_old_connections as close

    if not getattr(getattr(task, "request", None), "is_eager", False):
        close()
