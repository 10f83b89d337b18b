"""The public appeal form (and its operator's version) and the tracking form: type parsing and
widgets only; the intake service owns the rules and its field-keyed errors are shown next to these
fields."""
import re
from dataclasses import dataclass

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from . import catalogue
from .models import NOTIFY_STEP_CHOICES, NOTIFY_STEPS, Appeal, Category, CategoryAttribute


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


def category_choices(blank_label: str) -> list:
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
    return [("", blank_label), *groups.items()]


def street_matters() -> set[str]:
    """Codes of the categories the street where it happened handles (the duty list); the rest go
    to a named department. The map's category filter keeps these for "what the street handles"."""
    from streets.models import Duty

    return set(Duty.objects.filter(handler=Duty.Handler.STREET).values_list("category__code", flat=True))


class CategorySelect(forms.Select):
    """The category list, each option marked data-street when the street handles it."""

    street_codes: set[str] = frozenset()

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.street_codes:
            option["attrs"]["data-street"] = "1"
        return option


# A category's extra questions are asked under one name on every channel: attribute[CODE] in a
# posted form (the web form, the API's multipart body, Open311), and attribute[CODE][] once per
# choice of a multi-value list; intake's errors come back under the same attribute[CODE] keys.
ANSWER_NAME_RE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")


def answer_name(code: str) -> str:
    return f"attribute[{code}]"


def posted_answers(data: QueryDict) -> dict[str, str | list[str]]:
    """attribute[CODE]=value, and attribute[CODE][]=v1&attribute[CODE][]=v2 (or the name repeated)
    for several choices, as the intake service takes them."""
    answers: dict[str, str | list[str]] = {}
    for key in data:
        match = ANSWER_NAME_RE.match(key)
        if match is None:
            continue
        code, many = match.group(1), bool(match.group(2))
        values = data.getlist(key)
        if many or code in answers or len(values) > 1:
            previous = answers.get(code, [])
            answers[code] = [*(previous if isinstance(previous, list) else [previous]), *values]
        else:
            answers[code] = values[0]
    return answers


Datatype = CategoryAttribute.Datatype


def question_field(category: Category, question: CategoryAttribute) -> forms.Field:
    """A form field that asks one question. It checks nothing: the intake service checks every
    answer (validation.clean_attributes), the same way for every channel."""
    attrs = {"id": f"q-{category.code}-{question.code}"}
    choices = [(key, question.value_name(key)) for key in question.value_keys()]
    if question.datatype == Datatype.MULTIVALUELIST:
        widget = forms.CheckboxSelectMultiple(attrs=attrs, choices=choices)
    elif question.datatype == Datatype.SINGLEVALUELIST and question.required:
        widget = forms.RadioSelect(attrs=attrs, choices=choices)
    else:
        if question.required:
            attrs["aria-required"] = "true"  # a group's legend carries the mark instead
        widget = {
            Datatype.SINGLEVALUELIST: lambda: forms.Select(attrs=attrs, choices=[("", "—"), *choices]),
            Datatype.TEXT: lambda: forms.Textarea(attrs={**attrs, "rows": 3}),
            Datatype.DATETIME: lambda: forms.DateTimeInput(attrs={**attrs, "type": "datetime-local"}),
            Datatype.NUMBER: lambda: forms.TextInput(attrs={**attrs, "inputmode": "decimal"}),
        }.get(question.datatype, lambda: forms.TextInput(attrs=attrs))()
    field = forms.Field(label=question.display_description, required=False, widget=widget)
    field.answer_required = question.required  # marked as required; the service enforces it
    field.is_group = isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)  # a fieldset
    return field


@dataclass(frozen=True)
class QuestionSet:
    """One category's questions as the page shows them: only the chosen category's are asked
    (shown and sent); the rest wait hidden and disabled for the page's script to reveal."""

    category: Category
    fields: list
    asked: bool


class QuestionsForm(forms.Form):
    """A category's questions on their own (unbound): the sets the page holds back."""

    def __init__(self, category: Category, **kwargs):
        super().__init__(**kwargs)
        for question in catalogue.questions_of(category):
            self.fields[answer_name(question.code)] = question_field(category, question)


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("What happened?"),
        # The intake service requires it (its error is shown here); the attribute marks it required.
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("Where, what and since when."), "required": True}),
        required=False,
    )
    category = forms.ChoiceField(label=_("Category"), required=False, widget=CategorySelect)
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
        # Required unless anonymous (the intake service says so; site.js drops the mark when anonymous).
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "required": True}),
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

    notify = forms.MultipleChoiceField(
        label=_("Send me a message (SMS, and e-mail if given) when…"), required=False,
        choices=NOTIFY_STEP_CHOICES, initial=list(NOTIFY_STEPS), widget=forms.CheckboxSelectMultiple,
    )
    # The knowledge-base entries the page suggested for the question (ids, set by the page's script):
    # filed anyway, each counts toward "often leads to a dispatch anyway". The "yes, this answers
    # it" button posts `kb_version` instead (appeals.views.file_form).
    kb_shown = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    taken_by_phone = False  # the resident's own form; PhoneAppealForm is the operator's
    blank_category = _("I don't know (an operator will choose)")
    labels: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(self.blank_category)
        if not self.taken_by_phone:
            self.fields["category"].widget.street_codes = street_matters()
        for name, label in self.labels.items():
            self.fields[name].label = label
        code = self.data.get("category") if self.is_bound else self.initial.get("category")
        self.category = catalogue.active_leaf(code) if isinstance(code, str) and code else None
        self.questions = catalogue.questions_of(self.category) if self.category else []
        for question in self.questions:
            self.fields[answer_name(question.code)] = question_field(self.category, question)

    def shown_entry_ids(self) -> list[int]:
        return [int(part) for part in self.cleaned_data.get("kb_shown", "").split(",")[:5] if part.strip().isdigit()]

    def answers(self) -> dict[str, str | list[str]]:
        """The chosen category's questions and what was answered (empty when not), for intake."""
        return {question.code: self.cleaned_data[answer_name(question.code)] for question in self.questions}

    def question_sets(self) -> list[QuestionSet]:
        """Every category that asks questions: the chosen one's bound to what was typed, with its
        errors; the others unbound, for the script to show when their category is chosen."""
        sets = []
        for category in catalogue.categories_with_questions():
            if self.category is not None and category.code == self.category.code:
                fields = [self[answer_name(question.code)] for question in self.questions]
                sets.append(QuestionSet(category, fields, asked=True))
            else:
                sets.append(QuestionSet(category, list(QuestionsForm(category)), asked=False))
        return sets


class PhoneAppealForm(AppealForm):
    """The same appeal, typed in by an operator taking a call: the wording speaks of the caller,
    and the browser offers none of the operator's own details to fill in."""

    taken_by_phone = True
    blank_category = _("Not sure yet (leave it for the manual queue)")
    labels = {
        "text": _("What does the caller report?"),
        "category": _("Choose the category"),
        "address": _("Where is the problem? (address)"),
        "contact_name": _("Caller's name"),
        "contact_phone": _("Caller's phone (for the callback)"),
        "contact_email": _("Caller's e-mail for the feedback link (optional)"),
        "anonymous": _("The caller wants to stay anonymous (no name or phone is kept; read them the tracking code)"),
        "publish": _("The caller agrees to publish the appeal (text with phone and ID numbers hidden, place to about "
                     "100 m; their contact details and address are never shown)"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("address", "contact_name", "contact_phone", "contact_email"):
            self.fields[name].widget.attrs["autocomplete"] = "off"


class TrackForm(forms.Form):
    number = forms.CharField(label=_("Tracking number"), max_length=20)
    code = forms.CharField(label=_("Access code"), max_length=20)
