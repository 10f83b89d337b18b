"""Bilingual names stored on rows (name in Chinese, name_en in English)."""
from django.utils.translation import get_language


def localized_name(obj) -> str:
    """Return the row's name in the active language, falling back to the Chinese name."""
    return localized_text(obj.name, getattr(obj, "name_en", ""))


class LocalizedNameMixin:
    """For models with `name` and `name_en`: shows the name in the resident's language."""

    @property
    def display_name(self) -> str:
        return localized_name(self)

    def __str__(self) -> str:
        return self.display_name


def localized_text(chinese: str, english: str) -> str:
    """A pair of texts (Chinese, English) in the active language, falling back to Chinese."""
    language = (get_language() or "zh-hans").lower()
    return english if language.startswith("en") and english else chinese
