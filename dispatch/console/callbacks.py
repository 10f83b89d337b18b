"""The operators' phone callbacks: open surveys, the first to close first, with the resident's
phone (operators call them), and a form to record the answers."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from appeals.privacy import contact_for
from dispatch.console.views import PAGE_SIZE, role_or_403
from dispatch.exceptions import ActionNotAllowed, NotYourTicket
from dispatch.feedback.callbacks import record_phone_callback, record_unanswered_call
from dispatch.feedback.forms import FeedbackForm
from dispatch.handling.selectors import dispatch_timeline, phone_callbacks
from streets.models import Officer


@login_required
def callback_queue(request):
    officer = role_or_403(request, Officer.Role.OPERATOR)
    page = Paginator(phone_callbacks(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(callback, contact_for(callback.dispatch.appeal, reveal=True)) for callback in page]
    return render(request, "dispatch/callbacks.html", {"officer": officer, "page": page, "rows": rows})


@login_required
def callback_detail(request, pk: int):
    officer = role_or_403(request, Officer.Role.OPERATOR)
    callback = get_object_or_404(phone_callbacks(open_only=False), pk=pk)
    dispatch = callback.dispatch
    if request.method == "POST" and "no_answer" in request.POST:
        return _no_answer(request, callback, officer)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_phone_callback(callback_id=callback.pk, operator=officer, answers=form.answers())
        except (ActionNotAllowed, NotYourTicket) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Callback for %(number)s recorded.") % {"number": dispatch.appeal.number})
            return redirect("console:callbacks")
    return render(
        request, "dispatch/callback_detail.html",
        {"officer": officer, "callback": callback, "dispatch": dispatch, "appeal": dispatch.appeal,
         "contact": contact_for(dispatch.appeal, reveal=True), "form": form,
         "events": dispatch_timeline(dispatch, viewer=officer), "tries_allowed": settings.CALLBACK_CALL_TRIES},
        status=400 if form.errors else 200,
    )


def _no_answer(request, callback, officer):
    try:
        callback = record_unanswered_call(callback_id=callback.pk, operator=officer)
    except (ActionNotAllowed, NotYourTicket) as exc:
        messages.error(request, exc.message)
        return redirect("console:callback", callback.pk)
    number = callback.dispatch.appeal.number
    if callback.state == callback.State.EXPIRED:
        messages.success(request, _("No answer from %(number)s after %(calls)d calls: the survey is closed unrated.")
                         % {"number": number, "calls": callback.unanswered_calls})
    else:
        messages.success(request, _("No answer from %(number)s: it is listed again from %(time)s.")
                         % {"number": number, "time": timezone.localtime(callback.call_again_at).strftime("%H:%M")})
    return redirect("console:callbacks")
