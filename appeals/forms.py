"""The public appeal form and the tracking form: type parsing and widgets only; the intake
service owns the rules and its field-keyed errors are shown next to these fields."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Appeal, Category


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def category_choices() -> list:
    """Leaf categories grouped under 'Level 1 › Level 2', in the active language."""
    groups: dict[str, list] = {}
    leaves = (
        Category.objects.filter(is_leaf=True, active=True)
        .select_related("parent", "parent__parent")
        .order_by("code")
    )
    for leaf in leaves:
        parent = leaf.parent
        group = " › ".join(
            node.display_name for node in (parent.parent if parent else None, parent) if node is not None
        )
        groups.setdefault(group, []).append((leaf.code, leaf.display_name))
    return [("", _("I don't know (an operator will choose)")), *groups.items()]


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("Where, what and since when.")}),
        required=False,
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    kind = forms.ChoiceField(label=_("Type of appeal"), choices=Appeal.Kind.choices, initial=Appeal.Kind.COMPLAINT)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Appeal.Urgency.choices, initial=Appeal.Urgency.ORDINARY,
        widget=forms.RadioSelect,
    )
    address = forms.CharField(
        label=_("Address"), required=False, max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = forms.CharField(
        label=_("Latitude"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    longitude = forms.CharField(
        label=_("Longitude"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    photos = MultipleImageField(label=_("Photos (optional)"), required=False)
    contact_name = forms.CharField(
        label=_("Your name"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone for the callback"), required=False, max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_email = forms.CharField(
        label=_("E-mail for the feedback link (optional)"), required=False, max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    anonymous = forms.BooleanField(
        label=_("File anonymously (no name or phone is kept; follow it with the tracking code)"), required=False
    )
    publish = forms.BooleanField(
        label=_("Publish my appeal on the city's open data (what I wrote, with phone and ID numbers hidden, and "
                "the place to about 100 m; my contact details and address are never shown)"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()


class TrackForm(forms.Form):
    number = forms.CharField(label=_("Tracking number"), max_length=20)
    code = forms.CharField(label=_("Access code"), max_length=20)


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
    comment = forms.CharField(label=_("Anything else? (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def answers(self):
        from dispatch.callbacks import Answers

        return Answers(**self.cleaned_data)
