"""Knowledge entries and their versions.

An entry is the stable identity (key, owner, place, counters, search index); every change of its
content is a new KnowledgeVersion row, never an edit, so the version an operator read to a caller
stays retrievable. The entry points at its published version; drafts wait for a head to publish.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streets.i18n import localized_text


class Topic(models.TextChoices):
    HUKOU = "hukou", _("Household registration")
    ID_DOCUMENTS = "id_documents", _("Identity documents")
    SOCIAL_INSURANCE = "social_insurance", _("Social insurance")
    MEDICAL_INSURANCE = "medical_insurance", _("Medical insurance")
    HOUSING_FUND = "housing_fund", _("Housing provident fund")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permits")
    EDUCATION = "education", _("School enrolment")
    HEATING = "heating", _("Heating season")
    UTILITIES = "utilities", _("Water, power and gas accounts")
    PARKING = "parking", _("Parking permits")
    PETS = "pets", _("Pets")
    BUSINESS = "business", _("Business licences")
    LABOUR = "labour", _("Labour disputes")
    PROPERTY_COMMUNITY = "property_community", _("Property management and community")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    PUBLIC_TRANSPORT = "public_transport", _("Public transport")
    TAX = "tax", _("Taxes")
    PUBLIC_SAFETY = "public_safety", _("Public safety")
    OTHER = "other", _("Other")


class KnowledgeEntry(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (never published)")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    key = models.SlugField(_("key"), max_length=80, unique=True)
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices, default=Topic.OTHER)
    owner = models.ForeignKey(
        "streets.Unit", on_delete=models.PROTECT, related_name="knowledge_entries", verbose_name=_("owning unit")
    )
    category = models.ForeignKey(
        "appeals.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("category"),
    )
    place = models.ForeignKey(
        "streets.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("applies to"), help_text=_("A district or a street; empty: the whole city."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_version = models.ForeignKey(
        "appeals.KnowledgeVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    review_due = models.DateField(_("review by"), null=True, blank=True, db_index=True)
    # Counters kept by the services: how often it answered a question, how often a consultation was
    # dispatched anyway after it was suggested, and residents' ratings.
    resolved_count = models.PositiveIntegerField(default=0)
    dispatched_count = models.PositiveIntegerField(default=0)
    helpful_count = models.PositiveIntegerField(default=0)
    unhelpful_count = models.PositiveIntegerField(default=0)
    # The search index of the published version (index.py): tokens of each phrasing, and all of
    # them space-padded for the SQLite fallback; PostgreSQL also gets a tsvector column (migration).
    phrasing_tokens = models.JSONField(default=list, blank=True, editable=False)
    search_text = models.TextField(blank=True, default="", editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("knowledge entry")
        verbose_name_plural = _("knowledge entries")
        ordering = ["key"]
        indexes = [models.Index(fields=["owner", "status"], name="kb_entry_owner_status")]

    def __str__(self) -> str:
        return self.key


class KnowledgeVersion(models.Model):
    """One state of an entry's content, written once. Drafts and published versions alike."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    question_zh = models.CharField(_("question (Chinese)"), max_length=200)
    question_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    phrasings_zh = models.JSONField(_("other phrasings (Chinese)"), default=list, blank=True)
    phrasings_en = models.JSONField(_("other phrasings (English)"), default=list, blank=True)
    answer_zh = models.TextField(_("answer (Chinese)"))
    answer_en = models.TextField(_("answer (English)"), blank=True)
    policy = models.TextField(_("policy or law it rests on"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    review_due = models.DateField(_("review by"), null=True, blank=True)
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("knowledge entry version")
        verbose_name_plural = _("knowledge entry versions")
        ordering = ["entry", "-number"]
        constraints = [models.UniqueConstraint(fields=["entry", "number"], name="kb_version_number")]

    def __str__(self) -> str:
        return f"{self.entry.key} v{self.number}"

    @property
    def is_draft(self) -> bool:
        """Never published: readable by its unit only, publishable by its head."""
        return self.state == self.State.DRAFT

    @property
    def question(self) -> str:
        return localized_text(self.question_zh, self.question_en)

    @property
    def answer(self) -> str:
        return localized_text(self.answer_zh, self.answer_en)


class KnowledgeTerm(models.Model):
    """How many published entries hold a token: the weight of a word in a question (rare words
    tell more). Kept by index.py as entries are published or retired."""

    term = models.CharField(max_length=64, unique=True)
    entries = models.PositiveIntegerField(default=0, db_index=True)  # the most held: search._counts

    class Meta:
        verbose_name = _("knowledge term")
        verbose_name_plural = _("knowledge terms")


class KnowledgeUse(models.Model):
    """An entry shown for a consultation and what came of it: answered at first contact (which
    version) or filed and dispatched anyway."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Answered at first contact")
        DISPATCHED = "dispatched", _("Filed for a unit anyway")

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="knowledge_uses")
    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="uses")
    version = models.ForeignKey(KnowledgeVersion, on_delete=models.PROTECT, related_name="uses")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    channel = models.CharField(_("channel"), max_length=8)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("knowledge base use")
        verbose_name_plural = _("knowledge base uses")
        indexes = [models.Index(fields=["outcome", "created_at"], name="kb_use_outcome_time")]
        constraints = [models.UniqueConstraint(fields=["appeal", "entry"], name="kb_use_once")]


class KnowledgeRating(models.Model):
    """A reader's "helpful / not helpful" on a version, once per browser session and version."""

    version = models.ForeignKey(KnowledgeVersion, on_delete=models.CASCADE, related_name="ratings")
    helpful = models.BooleanField()
    session_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "session_key"], name="kb_rating_once")]


class KnowledgeProposal(models.Model):
    """A unit's answer to a consultation the knowledge base could not answer, offered as a new
    entry: a draft for the owning unit's head."""

    appeal = models.ForeignKey("appeals.Appeal", on_delete=models.CASCADE, related_name="+")
    entry = models.OneToOneField(KnowledgeEntry, on_delete=models.CASCADE, related_name="proposal")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)


class FirstContactDay(models.Model):
    """A day's consultations by channel and category and how many were answered at first contact
    from the knowledge base: the dashboard's rollup, recounted with the day's other figures
    (stats.count_day), so the page never reads the appeals."""

    day = models.DateField()
    channel = models.CharField(max_length=8)
    category = models.ForeignKey("appeals.Category", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="+")
    consultations = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day"], name="kb_first_contact_day")]
