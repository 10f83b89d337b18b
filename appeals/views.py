"""Public pages for residents: the appeal form and the confirmation (the tracking page, which carries
the feedback survey, and the survey behind the link are dispatch/feedback/views.py)."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from config.throttling import TooManyRequests, too_many_requests_page

from . import folding, tracking_cookie
from .devices import remember_device
from .forms import AppealForm
from .knowledge import services as knowledge_services
from .models import Appeal
from .services import FORM_NAMES, appeal_fields, submit_appeal
from .throttles import INTAKE_THROTTLES, IntakeLimits
from .tracking import tracking_path

SESSION_KEY = "submitted_appeal"


def file_form(request, form: AppealForm, *, channel: str, submitted_by=None):
    """File a posted form through the intake service: the appeal filed, or None when the form or
    the service found errors (they land on the form). The intake limits are counted once the
    outcome is known (appeals.throttles.IntakeLimits); over a limit: TooManyRequests."""
    limits = IntakeLimits(request, [throttle() for throttle in INTAKE_THROTTLES])
    try:
        if not form.is_valid():
            return None
        return _submit(request, form, channel=channel, submitted_by=submitted_by, claim=limits.claim)
    finally:
        limits.count_invalid()


def _submit(request, form: AppealForm, *, channel: str, submitted_by, claim):
    """File the form; with `kb_version` posted (the "this answers it" button of a suggestion), as a
    consultation answered at first contact from that knowledge-base version instead."""
    data = form.cleaned_data
    intake = _intake(request, data, form, channel=channel, submitted_by=submitted_by, claim=claim)
    version = knowledge_services.published_version(request.POST.get("kb_version"))
    try:
        if version is not None:
            return knowledge_services.answer_at_first_contact(version=version, intake=intake, answered_by=submitted_by)
        submitted = submit_appeal(**intake)
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    if not submitted.folded and form.shown_entry_ids():
        knowledge_services.record_filed_anyway(appeal=submitted.appeal, entry_ids=form.shown_entry_ids())
    return submitted


def _intake(request, data: dict, form: AppealForm, *, channel: str, submitted_by, claim) -> dict:
    """The intake service's arguments from the form."""
    return dict(
        **appeal_fields({**data, "attributes": form.answers()}, names=FORM_NAMES),
        channel=channel,
        submitted_by=submitted_by,
        source=folding.source_of(request, channel=channel, caller_phone=data["contact_phone"]),
        claim=claim,
    )


@require_http_methods(["GET", "POST"])
def appeal_form(request):
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        try:
            submitted = file_form(request, form, channel=Appeal.Channel.WEB)
        except TooManyRequests as exc:
            return too_many_requests_page(request, exc.wait)
        if submitted is not None:
            # Post/redirect/get: the code lives only in this resident's session, shown once.
            request.session[SESSION_KEY] = {
                "number": submitted.appeal.number, "code": submitted.access_code, "folded": submitted.folded,
                "answered": submitted.appeal.status == Appeal.Status.CLOSED,
            }
            response = tracking_cookie.remember(request, redirect("appeals:submitted"), submitted.appeal.number)
            return remember_device(request, response)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "map": map_context()}
    return remember_device(request, render(request, "appeals/form.html", context, status=status))


def map_context() -> dict:
    """What the form's map needs: the tile server (none: the city's own boundaries are drawn)."""
    return {"tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}


def submitted(request):
    receipt = request.session.get(SESSION_KEY)
    if not receipt:
        return redirect("appeals:home")
    track_url = tracking_path(receipt["number"])
    return render(request, "appeals/submitted.html", {"receipt": receipt, "track_url": track_url})
