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
from django.utils.module_loading import import_string

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
