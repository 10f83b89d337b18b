"""The public pages of published appeals: a list with filters and paging, one appeal's page, and
its approved photos. What they show is appeals/publication.py's (the same as Open311's)."""
from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from streets.models import Unit

from . import publication
from .handling import primary_dispatch
from .models import Category

PAGE_SIZE = 20


class PublishedFilter(forms.Form):
    """The list's filters; a value that names nothing filters nothing."""

    category = forms.ChoiceField(label=_("Category"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[("", _("Any")), ("open", _("Being handled")), ("closed", _("Answered or closed"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Any"))] + [
            (category.code, "\u3000" * (category.level - 1) + category.display_name)  # indented by level
            for category in Category.objects.filter(active=True).order_by("code")
        ]
        self.fields["district"].choices = [("", _("Any"))] + [
            (unit.code, unit.display_name) for unit in Unit.objects.filter(kind=Unit.Kind.DISTRICT).order_by("code")
        ]

    def filters(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value} if self.is_valid() else {}


@require_GET
def published_list(request):
    form = PublishedFilter(request.GET or None)
    appeals = publication.filtered(publication.published(), **(form.filters() if form.is_bound else {}))
    page = Paginator(appeals, PAGE_SIZE).get_page(request.GET.get("page"))
    cards = [publication.card(appeal) for appeal in page.object_list]
    return render(request, "appeals/published_list.html", {"form": form, "page": page, "cards": cards})


@require_GET
def published_detail(request, public_id: str):
    appeal = publication.public_appeal(public_id)
    if appeal is None:
        raise Http404
    dispatch = primary_dispatch(appeal)
    return render(request, "appeals/published_detail.html", {
        "card": publication.card(appeal),
        "answer": publication.public_answer(appeal, dispatch),
        "resolve_due": dispatch.resolve_due if dispatch else None,
        "photos": publication.approved_photos(appeal),
        "timeline": publication.public_timeline(appeal),
        "hidden": appeal.public_text_hidden,
    })


@require_GET
def published_photo(request, public_id: str, pk: int):
    """An approved photo of a published appeal (the re-encoded copy: no EXIF, no GPS)."""
    photo = publication.public_photo(public_id, pk)
    if photo is None:
        raise Http404
    response = FileResponse(photo.image.open("rb"))
    response["Cache-Control"] = "public, max-age=60"  # a withdrawn approval takes effect within a minute
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
