"""The invitation through a real Celery worker: resolving sends the resident a link by e-mail;
the link opens the survey without the access code, and answering it closes the appeal."""
import re

import pytest
from django.core import mail
from django.test import Client

from appeals.models import Appeal
from appeals.services import submit_appeal
from dispatch.handling import actions
from dispatch.models import Callback, Dispatch

from .scenarios import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_resident_is_mailed_a_link_that_takes_the_feedback_and_closes_the_appeal(
    celery_worker, city, officers, settings
):
    settings.NOTIFICATION_BACKEND = "appeals.notifications.EmailBackend"
    settings.SITE_URL = "https://12345.example.gov.cn"
    mail.outbox.clear()
    appeal = submit_appeal(text="楼道灯不亮已经两周", category_code=city.noise.code, latitude=39.95, longitude=116.05,
                           contact_phone="13800138000", contact_email="resident@example.org",
                           language="en").appeal
    dispatch = wait_for(lambda: Dispatch.objects.filter(appeal=appeal).first())
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"])
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a1"], answer="已更换灯具")

    # The receipt and the step updates go by e-mail too (appeals/updates.py): find the invitation.
    message = wait_for(lambda: next((m for m in mail.outbox if "handled" in m.subject), None))
    assert message.to == ["resident@example.org"]
    assert appeal.number in message.subject and "handled" in message.subject  # the resident's language
    link = re.search(r"https://12345\.example\.gov\.cn(/callback/[\w-]+/)", message.body).group(1)

    client = Client()
    page = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "已更换灯具" in page.content.decode()
    assert "13800138000" not in page.content.decode()
    client.post(link, {"solved": "yes", "satisfaction": "satisfied", "comment": "谢谢"})
    callback = Callback.objects.get(dispatch=dispatch)
    assert (callback.state, callback.solved, callback.satisfaction) == ("rated", True, "satisfied")
    assert Appeal.objects.get(pk=appeal.pk).status == Appeal.Status.CLOSED
    again = client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "your feedback is recorded" in again
    assert client.get("/callback/not-a-real-token/").status_code == 404
