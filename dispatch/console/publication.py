"""The operators' review of published appeals: what the public page shows of each (their own
wording of the text, the text hidden, which photos may be shown). The rules are
appeals/publication.py's; these pages only list and call review_publication."""
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appeals import publication
from appeals.models import Appeal, AppealPhoto
from appeals.privacy import mask_text
from dispatch.console.views import PAGE_SIZE, role_or_403
from streets.models import Officer


class ReviewForm(forms.Form):
    public_text = forms.CharField(
        label=gettext_lazy("Public text (empty: the resident's text, masked automatically)"), required=False,
        max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
    )
    hidden = forms.BooleanField(label=gettext_lazy("Hide the text from the public page"), required=False)
    photos = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Photos the public may see"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, photos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["photos"].choices = [(photo.pk, _("Photo %(n)d") % {"n": n}) for n, photo in enumerate(photos, 1)]


def _published():
    return Appeal.objects.filter(published=True).select_related("category").order_by("-created_at", "-id")


@login_required
def published_queue(request):
    officer = role_or_403(request, Officer.Role.OPERATOR)
    page = Paginator(_published(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dispatch/published.html", {"officer": officer, "page": page})


@login_required
def publication_review(request, pk: int):
    officer = role_or_403(request, Officer.Role.OPERATOR)
    appeal = get_object_or_404(_published(), pk=pk)
    photos = list(appeal.photos.filter(state=AppealPhoto.State.READY).order_by("pk"))
    initial = {"public_text": appeal.public_text, "hidden": appeal.public_text_hidden,
               "photos": [photo.pk for photo in photos if photo.public_approved]}
    form = ReviewForm(request.POST or None, initial=initial, photos=photos)
    if request.method == "POST" and form.is_valid():
        publication.review_publication(
            appeal_id=appeal.pk, actor=request.user, public_text=form.cleaned_data["public_text"],
            hidden=form.cleaned_data["hidden"], approved_photo_ids=set(form.cleaned_data["photos"]),
        )
        messages.success(request, _("The public page is updated."))
        return redirect("console:publication", pk=appeal.pk)
    return render(request, "dispatch/publication.html", {
        "officer": officer, "appeal": appeal, "form": form, "photos": photos,
        "automatic": mask_text(appeal.text),
        "shown": publication.public_description(appeal),
    })
