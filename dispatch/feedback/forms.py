"""The resident's feedback survey, on the tracking page, behind the link, and taken by phone."""
from django import forms
from django.utils.translation import gettext_lazy as _

from dispatch.feedback.callbacks import Answers
from dispatch.limits import NOTE_MAX_LENGTH


class FeedbackForm(forms.Form):
    """The callback survey: two questions and a comment."""

    solved = forms.TypedChoiceField(
        label=_("Was the problem solved?"), choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes", widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with the handling?"), widget=forms.RadioSelect,
        choices=[("satisfied", _("Satisfied")), ("basic", _("Basically satisfied")),
                 ("dissatisfied", _("Dissatisfied"))],
    )
    comment = forms.CharField(label=_("Anything else? (optional)"), required=False, max_length=NOTE_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def answers(self) -> Answers:
        return Answers(**self.cleaned_data)
