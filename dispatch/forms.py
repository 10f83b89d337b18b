"""Console forms: widgets and type parsing; the services decide what is allowed."""
from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.forms import category_choices
from appeals.models import Appeal
from streets.models import Unit


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the resident"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


def unit_choices() -> list:
    """Departments, then streets grouped by district, in the active language."""
    units = Unit.objects.filter(kind__in=[Unit.Kind.STREET, Unit.Kind.DEPARTMENT], active=True).select_related(
        "parent"
    )
    departments, streets = [], {}
    for unit in units.order_by("code"):
        if unit.kind == Unit.Kind.DEPARTMENT:
            departments.append((unit.code, unit.display_name))
        else:
            streets.setdefault(unit.parent.display_name if unit.parent else "", []).append(
                (unit.code, unit.display_name)
            )
    return [("", "---------"), (_("Departments"), departments), *streets.items()]


class ManualDispatchForm(forms.Form):
    unit = forms.ChoiceField(label=_("Dispatch to"))
    category = forms.ChoiceField(label=_("Category"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices()
        self.fields["category"].choices = category_choices()

    def clean_unit(self) -> Unit:
        return Unit.objects.get(code=self.cleaned_data["unit"])


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Appeal.RejectionReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Explanation for the resident"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
