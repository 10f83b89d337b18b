from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StreetsConfig(AppConfig):
    name = "streets"
    verbose_name = _("Units and duty list")

    def ready(self) -> None:
        from . import logins, signals  # noqa: F401  (locator cache invalidation; the sign-in device receiver)
