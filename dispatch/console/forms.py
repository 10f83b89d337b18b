"""Console forms: widgets and type parsing; the services decide what is allowed."""
from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.forms import category_choices
from appeals.models import Appeal, Category
from dispatch.limits import ANSWER_MAX_LENGTH, NOTE_MAX_LENGTH
from dispatch.models import ReturnRequest
from streets.models import Unit
from streets.selectors import dispatch_targets


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=ANSWER_MAX_LENGTH, required=False
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer to the resident"), widget=forms.Textarea(attrs={"rows": 5}), max_length=ANSWER_MAX_LENGTH
    )


def unit_groups(units, *, suggested: Unit | None = None) -> list:
    """Picker choices in the active language: the suggested unit first, then the municipal
    departments, then each district with its streets and its own district-level departments."""
    municipal, districts = [], {}
    for unit in units:
        district = unit.parent if unit.parent_id and unit.parent.kind == Unit.Kind.DISTRICT else None
        if district is None:
            municipal.append((unit.code, unit.display_name))
        else:
            streets, departments = districts.setdefault(district, ([], []))
            (streets if unit.kind == Unit.Kind.STREET else departments).append((unit.code, unit.display_name))
    groups = [("", "---------")]
    if suggested is not None:
        groups.append((_("Suggested"), [(suggested.code, suggested.display_name)]))
    groups.append((_("Municipal departments"), municipal))
    for district in sorted(districts, key=lambda d: d.code):
        streets, departments = districts[district]
        groups.append((district.display_name, streets + departments))
    return groups


class UnitPicker(forms.Select):
    """A grouped <select> whose options also carry the unit's other-language name and code, for
    site.js to filter them as one types (without scripts: the grouped list alone)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"data-unit-picker": "", "data-filter-label": _("Find a unit by name"), **(attrs or {})})
        self.search: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.search:
            option["attrs"]["data-search"] = self.search[value]
        return option


class UnitCodeField(forms.ChoiceField):
    """A street or department picked by code from dispatch_targets() (one query); cleans to the
    Unit row (None when left empty)."""

    widget = UnitPicker

    def load(self, *, suggested: Unit | None = None) -> None:
        units = list(dispatch_targets())
        self.choices = unit_groups(units, suggested=suggested)
        self.widget.search = {unit.code: f"{unit.name} {unit.name_en} {unit.code}".lower() for unit in units}

    def clean(self, value):
        code = super().clean(value)
        return dispatch_targets().get(code=code) if code else None


class ManualDispatchForm(forms.Form):
    """Send an appeal to a unit (from the manual queue, or on approving a return)."""

    unit = UnitCodeField(label=_("Dispatch to"))
    category = forms.ChoiceField(label=_("Category"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH)

    def __init__(self, *args, suggested: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].load(suggested=suggested)
        self.fields["category"].choices = category_choices(_("Keep the current category"))

    def clean_category(self) -> Category | None:
        code = self.cleaned_data["category"]
        return Category.objects.get(code=code) if code else None


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Appeal.RejectionReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Explanation for the resident"), required=False, max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def department_choices() -> list:
    return [(unit.code, unit.display_name) for unit in dispatch_targets(Unit.Kind.DEPARTMENT)]


class ReturnForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why is it not yours?"), choices=ReturnRequest.Reason.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label=_("Explanation for the operators"), max_length=NOTE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}))
    suggested_unit = UnitCodeField(label=_("Who should handle it (if you know)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_unit"].load()


class WhistleForm(forms.Form):
    departments = forms.MultipleChoiceField(
        label=_("Departments to summon"), widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    note = forms.CharField(label=_("What they are needed for"), max_length=NOTE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = department_choices()

    def clean_departments(self) -> list[Unit]:
        return list(dispatch_targets(Unit.Kind.DEPARTMENT).filter(code__in=self.cleaned_data["departments"]))


class ReportForm(forms.Form):
    report = forms.CharField(label=_("Your department's part"), max_length=ANSWER_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 4}))


class ExtensionForm(forms.Form):
    proposed_day = forms.DateField(label=_("New deadline (a working day)"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Why more time is needed"), max_length=NOTE_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}))


class DecisionNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX_LENGTH, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SuperviseForm(forms.Form):
    note = forms.CharField(label=_("What the unit must do"), max_length=NOTE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))


class ClassifierWindowForm(forms.Form):
    """How many past days the classifier's live figures cover."""

    days = forms.TypedChoiceField(
        label=_("Period"), coerce=int, required=False, empty_value=30,
        choices=[(days, _("last %(days)d days") % {"days": days}) for days in (7, 30, 90)],
    )
