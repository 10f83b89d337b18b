"""The invitation to rate the handling, sent through the notification backend (appeals.notifications)."""
import logging

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from appeals.notifications import Message, get_backend
from dispatch.models import Callback

logger = logging.getLogger(__name__)


def callback_link(token: str) -> str:
    return settings.SITE_URL + reverse("appeals:callback", args=[token])


def send_callback_invitation(*, callback_id: int, token: str) -> bool:
    """Invite the resident to rate the handling of their appeal, in the language they filed in."""
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
