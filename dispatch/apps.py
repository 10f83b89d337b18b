from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        from . import notes, signals  # noqa: F401  (the event notes; calendar and time-limit cache invalidation)
