"""The officer, operator and supervisor consoles (server-rendered pages).

Views only pick the queryset from a selector, parse a form and call one service; refusals come
back as messages on the same page.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from appeals.forms import PhoneAppealForm
from appeals.models import Appeal, AppealPhoto
from appeals.privacy import contact_for
from appeals.views import file_form
from config.throttling import TooManyRequests, too_many_requests_page
from dispatch.console.filters import DispatchFilter
from dispatch.console.forms import (
    AnswerForm,
    DeclineForm,
    ExtensionForm,
    ManualDispatchForm,
    NoteForm,
    ReportForm,
    ReturnForm,
    SuperviseForm,
    WhistleForm,
)
from dispatch.exceptions import ActionNotAllowed, NotYourTicket
from dispatch.handling import actions, extensions, returns, supervision, whistles
from dispatch.handling.rules import console_sections, may_propose_answer, may_see_contact, permitted_actions
from dispatch.handling.selectors import (
    can_see_appeal,
    dispatch_dossier,
    dispatch_timeline,
    dispatches_visible_to,
    triage_queue,
)
from dispatch.routing.decide import operator_suggestions
from streets.models import Officer
from streets.roles import officer_of

PAGE_SIZE = 50


def officer_or_403(request) -> Officer:
    officer = officer_of(request.user)
    if officer is None:
        raise PermissionDenied
    return officer


@login_required
def home(request):
    officer = officer_or_403(request)
    if officer.is_operator:
        return redirect("console:triage")
    return redirect("console:queue")


@login_required
def queue(request):
    officer = officer_or_403(request)
    if officer.is_operator:
        return redirect("console:triage")
    dispatch_filter = queue_filter(request, officer)
    page = Paginator(dispatch_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "dispatch/queue.html",
        {"officer": officer, "sections": console_sections(officer), "filter": dispatch_filter, "page": page},
    )


def queue_filter(request, officer: Officer) -> DispatchFilter:
    """The viewer's queue with the filters of the query string (open tickets unless asked otherwise)."""
    params = request.GET.copy()
    params.setdefault("state", "open")
    return DispatchFilter(params, queryset=dispatches_visible_to(officer).order_by("resolve_due", "id"),
                          request=request)


@login_required
def dispatch_detail(request, pk: int):
    officer = officer_or_403(request)
    dispatch = get_object_or_404(dispatches_visible_to(officer), pk=pk)
    allowed = permitted_actions(officer, dispatch)
    return render(
        request,
        "dispatch/detail.html",
        {
            "officer": officer,
            "dispatch": dispatch,
            "appeal": dispatch.appeal,
            "contact": contact_for(dispatch.appeal, reveal=may_see_contact(officer, dispatch)),
            "allowed": allowed,
            "can_act": any(allowed[name] for name in allowed if name != "supervise"),
            "may_propose_answer": may_propose_answer(officer, dispatch),
            "events": dispatch_timeline(dispatch, viewer=officer),
            "photos": dispatch.appeal.photos.all(),
            "forms": {
                name: spec.form(auto_id=f"id_{name}_%s") for name, spec in ACTIONS.items() if spec.form is not None
            },
            **dispatch_dossier(dispatch, viewer=officer),
        },
    )


@dataclass(frozen=True)
class ConsoleAction:
    service: Callable
    form: type[forms.Form] | None
    done: str
    actor: str = "officer"  # the service's keyword for the acting Officer


ACTIONS = {
    "sign": ConsoleAction(actions.sign_dispatch, None, gettext_lazy("Signed for.")),
    "respond": ConsoleAction(actions.respond_dispatch, NoteForm, gettext_lazy("Response recorded.")),
    "note": ConsoleAction(actions.add_progress_note, NoteForm, gettext_lazy("Note added.")),
    "resolve": ConsoleAction(
        actions.resolve_dispatch, AnswerForm, gettext_lazy("Resolved; the resident will be asked for feedback.")
    ),
    "report": ConsoleAction(actions.report_cohandling, ReportForm, gettext_lazy("Your report is recorded.")),
    "return": ConsoleAction(
        returns.request_return, ReturnForm, gettext_lazy("Return requested; the operators will decide.")
    ),
    "whistle": ConsoleAction(whistles.blow_whistle, WhistleForm, gettext_lazy("The departments have been summoned.")),
    "extension": ConsoleAction(
        extensions.request_extension, ExtensionForm, gettext_lazy("Extension requested; a supervisor will decide.")
    ),
    "supervise": ConsoleAction(
        supervision.open_manual_order, SuperviseForm, gettext_lazy("Supervision order opened."), actor="supervisor"
    ),
}


@login_required
@require_POST
def dispatch_action(request, pk: int, action: str):
    officer = officer_or_403(request)
    if action not in ACTIONS:
        raise Http404
    spec = ACTIONS[action]
    kwargs = {}
    if spec.form is not None:
        form = spec.form(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return redirect("console:dispatch", pk=pk)
        kwargs = form.cleaned_data
    try:
        spec.service(dispatch_id=pk, **{spec.actor: officer}, **kwargs)
    except NotYourTicket as exc:
        raise Http404 from exc
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(spec.done))
    return redirect("console:dispatch", pk=pk)


def form_errors(form: forms.Form) -> str:
    """All of a form's errors as one message, each with its field's label."""
    return " ".join(
        f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
        for name, errors in form.errors.items() for error in errors
    )


def role_or_403(request, role: str) -> Officer:
    officer = officer_or_403(request)
    if not officer.has_role(role):
        raise PermissionDenied
    return officer


def _operator_or_403(request) -> Officer:
    return role_or_403(request, Officer.Role.OPERATOR)


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
            actions.dispatch_manually(appeal_id=appeal.pk, operator=officer, **dispatch_form.cleaned_data)
            messages.success(request, _("Appeal %(number)s dispatched.") % {"number": appeal.number})
            return redirect("console:triage")
        if decline_form.is_bound and decline_form.is_valid():
            actions.decline_appeal(appeal_id=appeal.pk, operator=officer, **decline_form.cleaned_data)
            messages.success(request, _("Appeal %(number)s declined.") % {"number": appeal.number})
            return redirect("console:triage")
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
    return render(
        request, "dispatch/triage_detail.html",
        {"officer": officer, "appeal": appeal, "contact": contact_for(appeal, reveal=True),
         "photos": appeal.photos.all(), "dispatch_form": dispatch_form, "decline_form": decline_form,
         "events": appeal.events.select_related("actor", "unit"), "suggested": operator_suggestions(appeal)},
    )


@login_required
def photo(request, pk: int):
    """A resident's photo, served only to staff who can see its appeal (never a public URL)."""
    officer = officer_or_403(request)
    photo = get_object_or_404(AppealPhoto, pk=pk, state=AppealPhoto.State.READY)  # never an upload as it came
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
    form = PhoneAppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        try:
            submitted = file_form(request, form, channel=Appeal.Channel.PHONE, submitted_by=officer.user)
        except TooManyRequests as exc:
            return too_many_requests_page(request, exc.wait)
        if submitted is not None:
            answered = submitted.appeal.status == Appeal.Status.CLOSED  # from the knowledge base
            messages.success(
                request,
                (_("Consultation %(number)s recorded as answered from the knowledge base. Read the access code to "
                   "the caller: %(code)s") if answered else
                 _("Appeal %(number)s filed. Read the access code to the caller: %(code)s"))
                % {"number": submitted.appeal.number, "code": submitted.access_code},
            )
            return redirect("console:phone-intake")
    return render(request, "dispatch/phone_intake.html", {"officer": officer, "form": form},
                  status=400 if form.is_bound and form.errors else 200)
