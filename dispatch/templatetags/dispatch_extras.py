"""Template helpers for the staff console."""
from django import template

from dispatch.deadlines.time_limits import limit_label as _limit_label
from dispatch.handling import rules

register = template.Library()


@register.filter
def limit_label(code: str) -> str:
    return _limit_label(code)


@register.simple_tag
def console_sections(officer) -> dict:
    """`{% console_sections officer as sections %}`: the parts of the console the officer uses
    (dispatch/handling/rules.py decides; templates compare no role)."""
    return rules.console_sections(officer)


@register.simple_tag
def may_reply_to_order(officer, order) -> bool:
    return rules.may_reply_to_order(officer, order)
