from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        """Plug dispatch into the apps below it, which import none of it: the event notes, the
        calendar and time-limit cache invalidation, intake's outbox, and what tracking shows of the
        handling."""
        from appeals import handling
        from appeals.signals import appeal_filed
        from dispatch import notes  # noqa: F401
        from dispatch.deadlines import signals  # noqa: F401
        from dispatch.feedback import tracking
        from dispatch.routing import outbox

        appeal_filed.connect(outbox.appeal_filed, dispatch_uid="dispatch.routing.outbox")
        handling.register(tracking)
