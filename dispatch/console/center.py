"""Console pages for what the center decides: the operators' return queue, the supervisors'
extension queue, and supervision orders (supervisors, and each unit's head for its own)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appeals.privacy import contact_for
from dispatch.console.forms import DecisionNoteForm, ManualDispatchForm, ReplyForm
from dispatch.console.views import PAGE_SIZE, form_errors, officer_or_403, role_or_403
from dispatch.exceptions import ActionNotAllowed, NotYourTicket
from dispatch.handling import extensions, returns, supervision
from dispatch.handling.rules import may_see_supervision_orders
from dispatch.handling.selectors import (
    dispatch_timeline,
    extension_requests,
    return_requests,
    supervision_orders_visible_to,
)
from streets import logins
from streets.models import Officer


def _decide(request, action, *, success: str, **kwargs) -> bool:
    """Run one decision; report the outcome as a message. True when it went through."""
    try:
        action(**kwargs)
    except (ActionNotAllowed, NotYourTicket) as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


@login_required
def return_queue(request):
    officer = role_or_403(request, Officer.Role.OPERATOR)
    page = Paginator(return_requests(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dispatch/returns.html", {"officer": officer, "page": page})


@login_required
def return_detail(request, pk: int):
    officer = role_or_403(request, Officer.Role.OPERATOR)
    request_row = get_object_or_404(return_requests(state=None), pk=pk)
    dispatch = request_row.dispatch
    initial = {"unit": request_row.suggested_unit.code if request_row.suggested_unit_id else "",
               "category": dispatch.appeal.category.code if dispatch.appeal.category_id else ""}
    approve_form = ManualDispatchForm(request.POST if "approve" in request.POST else None, initial=initial,
                                      suggested=request_row.suggested_unit)
    refuse_form = DecisionNoteForm(request.POST if "refuse" in request.POST else None)
    done = False
    if approve_form.is_bound and approve_form.is_valid():
        done = _decide(request, returns.approve_return, return_id=pk, operator=officer,
                       success=_("Return approved; the appeal has been dispatched again."), **approve_form.cleaned_data)
    elif refuse_form.is_bound and refuse_form.is_valid():
        done = _decide(request, returns.refuse_return, return_id=pk, operator=officer,
                       success=_("Return refused; the unit keeps the ticket."), **refuse_form.cleaned_data)
    if done:
        return redirect("console:returns")
    return render(
        request, "dispatch/return_detail.html",
        {"officer": officer, "request_row": request_row, "dispatch": dispatch, "appeal": dispatch.appeal,
         "contact": contact_for(dispatch.appeal, reveal=True), "approve_form": approve_form,
         "refuse_form": refuse_form, "events": dispatch_timeline(dispatch, viewer=officer)},
        status=400 if approve_form.errors or refuse_form.errors else 200,
    )


@login_required
def extension_queue(request):
    officer = role_or_403(request, Officer.Role.SUPERVISOR)
    page = Paginator(extension_requests(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dispatch/extensions.html",
                  {"officer": officer, "page": page, "note_form": DecisionNoteForm()})


@login_required
def login_lockouts(request):
    """Sign-in limits that refused attempts (streets/logins.py): who was tried, from where, until when."""
    officer = role_or_403(request, Officer.Role.SUPERVISOR)
    page = Paginator(logins.lockouts(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dispatch/login_lockouts.html", {"officer": officer, "page": page})


@login_required
@require_POST
def extension_decide(request, pk: int, decision: str):
    officer = role_or_403(request, Officer.Role.SUPERVISOR)
    form = DecisionNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    elif decision == "approve":
        _decide(request, extensions.approve_extension, extension_id=pk, supervisor=officer,
                success=_("Extension approved; the new deadline is in force."), **form.cleaned_data)
    else:
        _decide(request, extensions.refuse_extension, extension_id=pk, supervisor=officer,
                success=_("Extension refused; the deadline stands."), **form.cleaned_data)
    return redirect("console:extensions")


@login_required
def supervision_orders(request):
    officer = officer_or_403(request)
    if not may_see_supervision_orders(officer):
        raise PermissionDenied
    page = Paginator(supervision_orders_visible_to(officer), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dispatch/supervision.html",
                  {"officer": officer, "page": page, "reply_form": ReplyForm()})


@login_required
@require_POST
def supervision_reply(request, pk: int):
    """Only the head of the order's unit replies (supervisors read, they do not answer)."""
    officer = officer_or_403(request)
    if not officer.is_head:
        raise PermissionDenied
    get_object_or_404(supervision_orders_visible_to(officer), pk=pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        _decide(request, supervision.reply_to_order, order_id=pk, officer=officer,
                success=_("Reply recorded; the order is closed."), **form.cleaned_data)
    return redirect("console:supervision")
