"""The console's entry form: parsing only; services.Content checks the content."""
from django import forms
from django.utils.translation import gettext_lazy as _

from appeals.models import Category
from streets.models import Unit

from .models import Topic
from .services import Content


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


class EntryForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=80, required=False,
                          help_text=_("Letters, digits and - only; fixed once the entry exists."))
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    category = forms.ModelChoiceField(label=_("Category"), required=False,
                                      queryset=Category.objects.filter(is_leaf=True, active=True))
    place = forms.ModelChoiceField(
        label=_("Applies to"), required=False, empty_label=_("The whole city"),
        queryset=Unit.objects.filter(kind__in=[Unit.Kind.DISTRICT, Unit.Kind.STREET], active=True),
    )
    question_zh = forms.CharField(label=_("Question (Chinese)"), max_length=200)
    phrasings_zh = forms.CharField(label=_("Other ways residents ask it (Chinese, one a line)"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    answer_zh = forms.CharField(label=_("Answer (Chinese): steps, documents, hours, fees, links"),
                                widget=forms.Textarea(attrs={"rows": 8}))
    question_en = forms.CharField(label=_("Question (English)"), max_length=300, required=False)
    phrasings_en = forms.CharField(label=_("Other ways residents ask it (English, one a line)"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    answer_en = forms.CharField(label=_("Answer (English)"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    policy = forms.CharField(label=_("Policy or law it rests on"), required=False, max_length=2000)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("Valid until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    review_due = forms.DateField(label=_("Review by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("What changed"), required=False, max_length=200)

    def content(self) -> Content:
        data = self.cleaned_data
        return Content(
            question_zh=data["question_zh"], answer_zh=data["answer_zh"], question_en=data["question_en"],
            answer_en=data["answer_en"], phrasings_zh=_lines(data["phrasings_zh"]),
            phrasings_en=_lines(data["phrasings_en"]), policy=data["policy"], valid_from=data["valid_from"],
            valid_until=data["valid_until"], review_due=data["review_due"],
        )

    @classmethod
    def initial_for(cls, entry, version) -> dict:
        return {
            "key": entry.key, "topic": entry.topic, "category": entry.category_id, "place": entry.place_id,
            **{name: getattr(version, name) for name in (
                "question_zh", "answer_zh", "question_en", "answer_en", "policy", "valid_from", "valid_until",
                "review_due")},
            "phrasings_zh": "\n".join(version.phrasings_zh), "phrasings_en": "\n".join(version.phrasings_en),
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx), CSV or JSON Lines file"))
    apply = forms.BooleanField(label=_("Apply (otherwise a dry run: nothing is written)"), required=False)
