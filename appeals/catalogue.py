"""The leaf categories residents choose from, kept per process: every intake looks one up by code,
and the list changes a few times a year. Rebuilt when a category or one of its questions changes
(compared at most every 30 seconds across processes, at once in this one through signals)."""
from __future__ import annotations

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from config.process_cache import VersionedCache

from .models import Category, CategoryAttribute


def _version() -> tuple:
    categories = Category.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    questions = CategoryAttribute.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    return (categories["n"], categories["latest"], questions["n"], questions["latest"])


def _build() -> dict[str, Category]:
    leaves = Category.objects.filter(is_leaf=True, active=True).prefetch_related("attributes")
    return {category.code: category for category in leaves}


_leaves = VersionedCache(version=_version, build=_build, recheck_seconds=30.0)


def active_leaf(code: str) -> Category | None:
    """The active leaf category with this code (its questions already loaded), or None."""
    return _leaves.get().get(code)


def leaf_by_id(category_id: int) -> Category | None:
    """The active leaf category with this id, or None (routing sets the classifier's choice)."""
    return next((c for c in _leaves.get().values() if c.pk == category_id), None)


def questions_of(category: Category) -> list[CategoryAttribute]:
    """The questions a category asks, in order (attributes that only inform ask nothing)."""
    return [question for question in category.attributes.all() if question.variable]


def categories_with_questions() -> list[Category]:
    """The active leaf categories that ask questions, by code."""
    return sorted((c for c in _leaves.get().values() if questions_of(c)), key=lambda category: category.code)


def reset_catalogue() -> None:
    _leaves.reset()


@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
@receiver(post_save, sender=CategoryAttribute)
@receiver(post_delete, sender=CategoryAttribute)
def catalogue_changed(sender, **kwargs) -> None:
    reset_catalogue()
