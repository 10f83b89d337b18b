"""The resident's pages that show the handling: the tracking page (which carries the feedback survey
while it is open) and the survey behind the link sent to the resident. Their URLs sit in the
"appeals" namespace beside the appeal form (dispatch/feedback/urls.py, joined in config/urls.py)."""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from appeals import tracking_cookie
from appeals.followers import rate_as_follower
from appeals.forms import TrackForm
from appeals.selectors import tracking_summary
from appeals.throttles import TrackingThrottle
from appeals.tracking_lookup import LookupBlocked, track_appeal
from config.throttling import rate_limited, too_many_requests_page
from dispatch.exceptions import ActionNotAllowed, NotYourTicket
from dispatch.feedback.callbacks import callback_for_token, rate_by_token, rate_by_tracking
from dispatch.feedback.forms import FeedbackForm


@require_http_methods(["GET", "POST"])
@rate_limited(TrackingThrottle)
def track(request):
    """Lookup by number and code. POST keeps the code out of URLs, logs and browser history.

    While the callback survey is open, the page carries it too (answered with the same number and
    code); a rating is posted back here with "rate" set."""
    summary = None
    not_found = False
    feedback = None
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")[:20]})
    if request.method == "POST" and form.is_valid():
        try:
            appeal = track_appeal(request, number=form.cleaned_data["number"], code=form.cleaned_data["code"])
        except LookupBlocked as exc:
            return too_many_requests_page(request, exc.wait)
        if appeal is None:
            not_found = True
        else:
            feedback = FeedbackForm(request.POST if "rate" in request.POST else None)
            follower = getattr(appeal, "tracked_by", None)  # a follower rates on their own, not the survey
            if feedback.is_bound and feedback.is_valid() and follower is not None:
                _rate(request, rate_as_follower, follower_id=follower.pk, **feedback.cleaned_data)
                follower.refresh_from_db()
                feedback = FeedbackForm()
            elif feedback.is_bound and feedback.is_valid():
                _rate(request, rate_by_tracking, appeal=appeal, answers=feedback.answers())
                appeal.refresh_from_db()  # the rating may have closed it: heading and timeline agree
                feedback = FeedbackForm()
            summary = tracking_summary(appeal)
    response = render(
        request, "appeals/track.html",
        {"form": form, "summary": summary, "not_found": not_found, "feedback": feedback},
        status=404 if not_found else 400 if feedback is not None and feedback.errors else 200,
    )
    return tracking_cookie.remember(request, response, summary.number) if summary else response


def _rate(request, service, **kwargs) -> bool:
    try:
        service(**kwargs)
    except (ActionNotAllowed, NotYourTicket) as exc:
        messages.error(request, exc.message)
        return False
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, _("Thank you: your feedback is recorded."))
    return True


@require_http_methods(["GET", "POST"])
def callback(request, token: str):
    """The survey behind the link sent to the resident; the token alone opens it (no code needed)."""
    survey = callback_for_token(token)
    if survey is None:
        raise Http404
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _rate(request, rate_by_token, token=token,
                                                               answers=form.answers()):
        return redirect("appeals:callback", token=token)
    survey.refresh_from_db()
    return render(request, "appeals/callback.html",
                  {"survey": survey, "dispatch": survey.dispatch, "appeal": survey.dispatch.appeal, "form": form},
                  status=400 if form.errors else 200)
