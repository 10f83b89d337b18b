"""Template helpers for the staff console."""
from django import template

from dispatch.deadlines.time_limits import limit_label as _limit_label

register = template.Library()


@register.filter
def limit_label(code: str) -> str:
    return _limit_label(code)
