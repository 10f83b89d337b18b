"""Template helpers for showing an appeal to staff."""
from django import template

from appeals.followers import follower_counts
from appeals.selectors import attribute_answers as _attribute_answers

register = template.Library()


@register.filter
def attribute_answers(appeal) -> list[tuple[str, str]]:
    return _attribute_answers(appeal)


@register.filter
def follower_count(appeal) -> int:
    """How many residents follow the appeal ("me too"): how many are affected besides its own."""
    return follower_counts([appeal.pk]).get(appeal.pk, 0)
