"""Messages to residents, through pluggable backends.

`EmailBackend` sends through Django's mail backends: the console in development, SMTP in
production. `SmsBackend` is the interface for an SMS gateway: subclass it and implement
`send_sms`. `ConsoleBackend` logs every message, for development without mail or gateway.

The feedback invitation goes through settings.NOTIFICATION_BACKEND (`get_backend`). Receipts,
step updates and sign-in codes go per channel (`channel_backend`): NOTIFICATION_SMS_BACKEND to the
phone, NOTIFICATION_EMAIL_BACKEND to the e-mail; an empty setting turns that channel off. A backend
that cannot deliver raises: the task that called it retries (appeals/updates.py).
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


CHANNEL_SETTINGS = {"sms": "NOTIFICATION_SMS_BACKEND", "email": "NOTIFICATION_EMAIL_BACKEND"}


def channel_enabled(channel: str) -> bool:
    return bool(getattr(settings, CHANNEL_SETTINGS[channel]))


def channel_backend(channel: str) -> NotificationBackend:
    """The backend that delivers on `channel` ("sms" or "email"; see channel_enabled)."""
    return import_string(getattr(settings, CHANNEL_SETTINGS[channel]))()


def channel_message(channel: str, *, address: str, subject: str, body: str) -> Message:
    """A message addressed on one channel only, so a backend that reaches both uses just this one."""
    return Message(phone=address if channel == "sms" else "", email=address if channel == "email" else "",
                   subject=subject, body=body)
