from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        """Plug dispatch into the apps below it, which import none of it: the event notes, the
        calendar and time-limit cache invalidation, intake's outbox, the resident's receipts and
        updates, and what tracking shows of the handling."""
        from appeals import handling
        from appeals.signals import appeal_filed, appeal_followed, events_recorded
        from dispatch import notes  # noqa: F401
        from dispatch.deadlines import signals  # noqa: F401
        from dispatch.feedback import tracking, updates
        from dispatch.routing import outbox

        appeal_filed.connect(outbox.appeal_filed, dispatch_uid="dispatch.routing.outbox")
        appeal_filed.connect(updates.appeal_filed, dispatch_uid="dispatch.feedback.updates.receipt")
        events_recorded.connect(updates.events_recorded, dispatch_uid="dispatch.feedback.updates.steps")
        appeal_followed.connect(updates.appeal_followed, dispatch_uid="dispatch.feedback.updates.follower")
        handling.register(tracking)
