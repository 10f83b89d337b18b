"""Messages to residents, through a pluggable backend (settings.NOTIFICATION_BACKEND).

`EmailBackend` (the default) sends through Django's mail backends: the console in development,
SMTP in production. `SmsBackend` is the interface for an SMS gateway: subclass it and implement
`send_sms`. `ConsoleBackend` logs every message, for development without mail.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    phone: str
    email: str
    subject: str
    body: str


class NotificationBackend:
    def send(self, message: Message) -> bool:
        """Deliver the message; False when this backend cannot reach the resident."""
        raise NotImplementedError


class EmailBackend(NotificationBackend):
    def send(self, message: Message) -> bool:
        if not message.email:
            return False
        send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.email])
        return True


class SmsBackend(NotificationBackend):
    """Texts the resident's phone; a deployment implements `send_sms` for its gateway."""

    def send(self, message: Message) -> bool:
        if not message.phone:
            return False
        self.send_sms(message.phone, message.body)
        return True

    def send_sms(self, phone: str, text: str) -> None:
        raise NotImplementedError("connect an SMS gateway by subclassing SmsBackend")


class ConsoleBackend(NotificationBackend):
    def send(self, message: Message) -> bool:
        logger.info("notification to %s / %s: %s\n%s", message.phone, message.email, message.subject, message.body)
        return True


def get_backend() -> NotificationBackend:
    return import_string(settings.NOTIFICATION_BACKEND)()


def callback_link(token: str) -> str:
    return settings.SITE_URL + reverse("appeals:callback", args=[token])


def send_callback_invitation(*, callback_id: int, token: str) -> bool:
    """Invite the resident to rate the handling of their appeal, in the language they filed in."""
    from dispatch.models import Callback

    callback = Callback.objects.select_related("dispatch__appeal", "dispatch__unit").filter(pk=callback_id).first()
    if callback is None or callback.state != Callback.State.OPEN:
        return False
    appeal = callback.dispatch.appeal
    with translation.override(appeal.language or settings.LANGUAGE_CODE):
        message = Message(
            phone=appeal.contact_phone,
            email=appeal.contact_email,
            subject=_("12345: how was appeal %(number)s handled?") % {"number": appeal.number},
            body=_(
                "Your appeal %(number)s has been answered by %(unit)s. Was it solved, and are you satisfied? "
                "Tell us here within %(days)d days: %(link)s"
            ) % {
                "number": appeal.number, "unit": callback.dispatch.unit.display_name,
                "days": settings.CALLBACK_WINDOW_DAYS, "link": callback_link(token),
            },
        )
    sent = get_backend().send(message)
    if not sent:
        logger.info("callback %s: no address this backend can reach; operators will call", callback_id)
    return sent
