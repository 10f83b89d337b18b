"""Template helpers for showing an appeal to staff."""
from django import template

from appeals.selectors import attribute_answers as _attribute_answers

register = template.Library()


@register.filter
def attribute_answers(appeal) -> list[tuple[str, str]]:
    return _attribute_answers(appeal)
