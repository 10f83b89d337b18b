"""Bilingual names stored on rows (name in Chinese, name_en in English)."""
from django.utils.translation import get_language


def localized_name(obj) -> str:
    """Return the row's name in the active language, falling back to the Chinese name."""
    language = (get_language() or "zh-hans").lower()
    if language.startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return obj.name
