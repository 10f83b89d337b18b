"""Console forms: widgets and type parsing; the services decide what is allowed."""
from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.forms import AppealForm, category_choices
from appeals.models import Appeal, Category
from streets.models import Unit

from .models import ReturnRequest


class PhoneAppealForm(AppealForm):
    """The resident's form as an operator fills it in for a caller; publishing is the caller's word."""

    publish = forms.BooleanField(
        label=_("The caller agrees to publish the appeal (text with phone and ID numbers hidden, place to about "
                "100 m; their contact details and address are never shown)"),
        required=False,
    )


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


class UnitCodeField(forms.ChoiceField):
    """A street or department picked by code; cleans to the Unit row (None when left empty)."""

    def clean(self, value):
        code = super().clean(value)
        return Unit.objects.get(code=code) if code else None


class ManualDispatchForm(forms.Form):
    """Send an appeal to a unit (from the manual queue, or on approving a return)."""

    unit = UnitCodeField(label=_("Dispatch to"))
    category = forms.ChoiceField(label=_("Category"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices()
        self.fields["category"].choices = category_choices()

    def clean_category(self) -> Category | None:
        code = self.cleaned_data["category"]
        return Category.objects.get(code=code) if code else None


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Appeal.RejectionReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Explanation for the resident"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def department_choices() -> list:
    return [
        (unit.code, unit.display_name)
        for unit in Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, active=True).order_by("code")
    ]


class ReturnForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why is it not yours?"), choices=ReturnRequest.Reason.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label=_("Explanation for the operators"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    suggested_unit = UnitCodeField(label=_("Who should handle it (if you know)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_unit"].choices = unit_choices()


class WhistleForm(forms.Form):
    departments = forms.MultipleChoiceField(
        label=_("Departments to summon"), widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    note = forms.CharField(label=_("What they are needed for"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = department_choices()

    def clean_departments(self) -> list[Unit]:
        return list(Unit.objects.filter(code__in=self.cleaned_data["departments"]))


class ReportForm(forms.Form):
    report = forms.CharField(label=_("Your department's part"), max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 4}))


class ExtensionForm(forms.Form):
    proposed_day = forms.DateField(label=_("New deadline (a working day)"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Why more time is needed"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class DecisionNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SuperviseForm(forms.Form):
    note = forms.CharField(label=_("What the unit must do"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
