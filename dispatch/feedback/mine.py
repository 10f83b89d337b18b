""""My appeals": a resident signed in with their callback phone and a one-time code
(appeals/sign_in.py) sees every appeal filed with that phone, follows each one (its timeline, and
which steps they hear about by SMS and e-mail) and rates it through the same survey as the
tracking page. Never required."""
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from appeals import sign_in, updates
from appeals.forms import AppealForm
from appeals.handling import primary_dispatch, with_primary_dispatch
from appeals.privacy import mask_phone
from appeals.selectors import tracking_summary
from config.throttling import too_many_requests_page
from dispatch.feedback.callbacks import rate_by_tracking
from dispatch.feedback.forms import FeedbackForm
from dispatch.feedback.views import _rate

LIST_LIMIT = 200


class PhoneForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("The phone you gave for the callback"), max_length=32,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("The code we sent by SMS"), max_length=12,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class FollowForm(forms.Form):
    notify = AppealForm.base_fields["notify"]


@require_http_methods(["GET", "POST"])
def my_appeals(request):
    phone = sign_in.signed_in_phone(request)
    if phone:
        appeals = list(with_primary_dispatch(sign_in.appeals_of(phone))[:LIST_LIMIT])
        rows = [(appeal, primary_dispatch(appeal)) for appeal in appeals]
        return render(request, "appeals/my_appeals.html", {"rows": rows, "phone": mask_phone(phone)})
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sent_to = sign_in.send_code(request, phone=form.cleaned_data["phone"])
        except ValidationError as exc:
            form.add_error("phone", exc.messages[0] if exc.messages else _("Enter a valid phone number."))
        except sign_in.SignInBlocked as exc:
            return too_many_requests_page(request, exc.wait)
        except sign_in.SignInUnavailable:
            messages.error(request, _("Codes cannot be sent just now. Follow your appeal with its tracking number "
                                      "and code."))
        else:
            request.session[sign_in.SESSION_PENDING] = sent_to
            return redirect("appeals:my-code")
    return render(request, "appeals/my_sign_in.html", {"form": form, "available": sign_in.available()},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def my_code(request):
    phone = request.session.get(sign_in.SESSION_PENDING)
    if not phone:
        return redirect("appeals:my")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            right = sign_in.check_code(request, phone=phone, code=form.cleaned_data["code"])
        except sign_in.SignInBlocked as exc:
            return too_many_requests_page(request, exc.wait)
        if right:
            sign_in.sign_in(request, phone)
            return redirect("appeals:my")
        form.add_error("code", _("This code is wrong or has expired."))
    return render(request, "appeals/my_code.html", {"form": form, "phone": mask_phone(phone)},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def my_appeal(request, number: str):
    if not sign_in.signed_in_phone(request):
        return redirect("appeals:my")
    appeal = sign_in.own_appeal(request, number)
    if appeal is None:
        raise Http404
    feedback = FeedbackForm(request.POST if "rate" in request.POST else None)
    follow = FollowForm(request.POST if "follow" in request.POST else None,
                        initial={"notify": appeal.notify_steps})
    if feedback.is_bound and feedback.is_valid() and _rate(request, rate_by_tracking, appeal=appeal,
                                                           answers=feedback.answers()):
        return redirect("appeals:my-appeal", number=appeal.number)
    if follow.is_bound and follow.is_valid():
        updates.choose_steps(appeal=appeal, steps=follow.cleaned_data["notify"])
        messages.success(request, _("Your choice of messages is saved."))
        return redirect("appeals:my-appeal", number=appeal.number)
    return render(request, "appeals/my_appeal.html", {
        "summary": tracking_summary(appeal), "feedback": feedback, "follow": follow,
    }, status=400 if feedback.errors or follow.errors else 200)


@require_POST
def my_sign_out(request):
    sign_in.sign_out(request)
    return redirect("appeals:my")
