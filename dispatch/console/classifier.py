"""The supervisors' page on automatic dispatch: how much goes without an operator, how much of it
operators later fixed, every model version with its accuracy, accuracy per category; and putting
an earlier version back in service. The figures come from dispatch/dashboard/classifier.py."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dispatch.console.forms import ClassifierWindowForm
from dispatch.console.views import role_or_403
from dispatch.dashboard.classifier import ClassifierFigures
from dispatch.exceptions import ActionNotAllowed
from dispatch.models import ModelVersion
from dispatch.routing import learning
from streets.models import Officer


@login_required
def classifier(request):
    officer = role_or_403(request, Officer.Role.SUPERVISOR)
    form = ClassifierWindowForm(request.GET)
    days = form.cleaned_data["days"] if form.is_valid() else 30
    return render(
        request, "dispatch/classifier.html",
        {"officer": officer, "form": form, "figures": ClassifierFigures(days=days)},
        status=200 if form.is_valid() else 400,
    )


@login_required
@require_POST
def classifier_rollback(request, pk: int):
    role_or_403(request, Officer.Role.SUPERVISOR)
    try:
        version = learning.rollback(version_id=pk, user=request.user)
    except ModelVersion.DoesNotExist:
        messages.error(request, _("No such model version."))
    except ActionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Model version %(id)d is in service again.") % {"id": version.pk})
    return redirect("console:classifier")
