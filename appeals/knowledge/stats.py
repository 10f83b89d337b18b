"""The first-contact rollup: a day's consultations and those answered from the knowledge base,
by channel and category, recounted from the appeals with the dashboard's other daily figures
(dispatch.metrics.daily.store_day calls count_day), and read back for any period."""
from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.db.models import Count, Q

from ..models import Appeal
from .models import FirstContactDay, KnowledgeUse


@transaction.atomic
def count_day(day: date, start: datetime, end: datetime) -> int:
    """Recount `day` (its bounds `start`, `end`) from the consultations received in it; returns the
    number of consultations."""
    rows = (Appeal.objects.filter(kind=Appeal.Kind.CONSULTATION, created_at__gte=start, created_at__lt=end)
            .values("channel", "category")
            .annotate(n=Count("id", distinct=True),
                      a=Count("id", distinct=True, filter=Q(knowledge_uses__outcome=KnowledgeUse.Outcome.ANSWERED)))
            .order_by())
    FirstContactDay.objects.filter(day=day).delete()
    FirstContactDay.objects.bulk_create([
        FirstContactDay(day=day, channel=row["channel"], category_id=row["category"], consultations=row["n"],
                        answered=row["a"]) for row in rows])
    return sum(row["n"] for row in rows)
