"""The officer, operator and supervisor consoles (server-rendered pages).

Views only pick the queryset from a selector, parse a form and call one service; refusals come
back as messages on the same page.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from appeals.forms import AppealForm
from appeals.models import Appeal, AppealPhoto, Category
from appeals.privacy import contact_for
from appeals.views import submit_form
from streets.models import Officer
from streets.roles import officer_of

from . import services
from .exceptions import ActionNotAllowed, NotYourTicket
from .filters import DispatchFilter
from .forms import AnswerForm, DeclineForm, ManualDispatchForm, NoteForm
from .selectors import can_act_on, can_see_appeal, dispatch_timeline, dispatches_visible_to, triage_queue

PAGE_SIZE = 50


def _officer_or_403(request) -> Officer:
    officer = officer_of(request.user)
    if officer is None:
        raise PermissionDenied
    return officer


@login_required
def home(request):
    officer = _officer_or_403(request)
    if officer.role == Officer.Role.OPERATOR:
        return redirect("console:triage")
    return redirect("console:queue")


@login_required
def queue(request):
    officer = _officer_or_403(request)
    if officer.role == Officer.Role.OPERATOR:
        return redirect("console:triage")
    params = request.GET.copy()
    params.setdefault("state", "open")
    dispatch_filter = DispatchFilter(params, queryset=dispatches_visible_to(officer).order_by("resolve_due", "id"))
    page = Paginator(dispatch_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "dispatch/queue.html", {"officer": officer, "filter": dispatch_filter, "page": page},
    )


@login_required
def dispatch_detail(request, pk: int):
    officer = _officer_or_403(request)
    dispatch = get_object_or_404(dispatches_visible_to(officer), pk=pk)
    can_act = can_act_on(officer, dispatch)
    return render(
        request,
        "dispatch/detail.html",
        {
            "officer": officer,
            "dispatch": dispatch,
            "appeal": dispatch.appeal,
            "contact": contact_for(dispatch.appeal, reveal=can_act),
            "can_act": can_act,
            "events": dispatch_timeline(dispatch),
            "photos": dispatch.appeal.photos.all(),
            "note_form": NoteForm(),
            "answer_form": AnswerForm(),
        },
    )


ACTIONS = {
    "sign": (services.sign_dispatch, None, gettext_lazy("Signed for.")),
    "respond": (services.respond_dispatch, NoteForm, gettext_lazy("Response recorded.")),
    "note": (services.add_progress_note, NoteForm, gettext_lazy("Note added.")),
    "resolve": (
        services.resolve_dispatch, AnswerForm, gettext_lazy("Resolved; the resident will be asked for feedback.")
    ),
}


@login_required
@require_POST
def dispatch_action(request, pk: int, action: str):
    officer = _officer_or_403(request)
    if action not in ACTIONS:
        raise Http404
    action_fn, form_class, done = ACTIONS[action]
    kwargs = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return redirect("console:dispatch", pk=pk)
        kwargs = form.cleaned_data
    try:
        action_fn(dispatch_id=pk, officer=officer, **kwargs)
    except NotYourTicket as exc:
        raise Http404 from exc
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(done))
    return redirect("console:dispatch", pk=pk)


def _operator_or_403(request) -> Officer:
    officer = _officer_or_403(request)
    if officer.role != Officer.Role.OPERATOR:
        raise PermissionDenied
    return officer


@login_required
def triage(request):
    officer = _operator_or_403(request)
    page = Paginator(triage_queue(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dispatch/triage.html", {"officer": officer, "page": page})


@login_required
def triage_detail(request, pk: int):
    officer = _operator_or_403(request)
    appeal = get_object_or_404(triage_queue(), pk=pk)
    dispatch_form = ManualDispatchForm(request.POST if "dispatch" in request.POST else None,
                                       initial={"category": appeal.category.code if appeal.category_id else ""})
    decline_form = DeclineForm(request.POST if "decline" in request.POST else None)
    try:
        if dispatch_form.is_bound and dispatch_form.is_valid():
            code = dispatch_form.cleaned_data["category"]
            services.dispatch_manually(
                appeal_id=appeal.pk, unit=dispatch_form.cleaned_data["unit"], operator=officer,
                category=Category.objects.get(code=code) if code else None,
                note=dispatch_form.cleaned_data["note"],
            )
            messages.success(request, _("Appeal %(number)s dispatched.") % {"number": appeal.number})
            return redirect("console:triage")
        if decline_form.is_bound and decline_form.is_valid():
            services.decline_appeal(appeal_id=appeal.pk, operator=officer, **decline_form.cleaned_data)
            messages.success(request, _("Appeal %(number)s declined.") % {"number": appeal.number})
            return redirect("console:triage")
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
    return render(
        request, "dispatch/triage_detail.html",
        {"officer": officer, "appeal": appeal, "contact": contact_for(appeal, reveal=True),
         "photos": appeal.photos.all(), "dispatch_form": dispatch_form, "decline_form": decline_form,
         "events": appeal.events.select_related("actor", "unit")},
    )


@login_required
def photo(request, pk: int):
    """A resident's photo, served only to staff who can see its appeal (never a public URL)."""
    officer = _officer_or_403(request)
    photo = get_object_or_404(AppealPhoto, pk=pk)
    if not can_see_appeal(officer, photo.appeal_id):
        raise Http404
    response = FileResponse(photo.image.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@login_required
def phone_intake(request):
    """An operator types in a phone caller's appeal; the number and code are read back to them."""
    officer = _operator_or_403(request)
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        submitted = submit_form(form, channel=Appeal.Channel.PHONE, submitted_by=officer.user)
        if submitted is not None:
            messages.success(
                request,
                _("Appeal %(number)s filed. Read the access code to the caller: %(code)s")
                % {"number": submitted.appeal.number, "code": submitted.access_code},
            )
            return redirect("console:phone-intake")
    return render(request, "dispatch/phone_intake.html", {"officer": officer, "form": form},
                  status=400 if form.is_bound and form.errors else 200)
