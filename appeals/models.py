"""What residents send: the appeal, its category, photos and the append-only event log.

The appeal's `status` is a cache of the latest event, written in the same transaction; the
timeline, the audit trail and (later) the metrics read the events.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streets.i18n import LocalizedNameMixin, localized_text

from .open311.rates import validate_rate


class Tier(models.TextChoices):
    """The time-limit tiers: a category has one of the first four; summoned departments are held to
    the co-handling limits (dispatch.models.TimeLimit rows are kept per tier)."""

    URGENT = "urgent", _("Urgent")
    UTILITY = "utility", _("Utilities")
    ORDINARY = "ordinary", _("Ordinary")
    COMPLEX = "complex", _("Complex")
    COHANDLING = "cohandling", _("Co-handling (summoned departments)")


CATEGORY_TIERS = [(value, label) for value, label in Tier.choices if value != Tier.COHANDLING]


class Category(LocalizedNameMixin, models.Model):
    """A node of the three-level taxonomy; only leaves are chosen on appeals."""

    Tier = Tier

    code = models.CharField(_("code"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    is_leaf = models.BooleanField(_("leaf"), default=False)
    tier = models.CharField(_("time-limit tier"), max_length=16, choices=CATEGORY_TIERS, default=Tier.ORDINARY)
    nearby_radius_m = models.PositiveIntegerField(
        _("\"already reported\" radius (m)"), null=True, blank=True,
        help_text=_("Open appeals of this category within this distance of a new pin are offered to the resident "
                    "to follow instead of filing (e.g. 50 for a street lamp, 500 for construction noise). Empty: "
                    "NEARBY_RADIUS_METERS."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]


class CategoryAttribute(models.Model):
    """An extra question a leaf category asks (which floor, which bus line): an Open311 service
    definition attribute. Answers are checked by intake and kept on the appeal."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text (one line)")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Text (may have several lines)")
        SINGLEVALUELIST = "singlevaluelist", _("One choice from a list")
        MULTIVALUELIST = "multivaluelist", _("Several choices from a list")

    LIST_DATATYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="attributes", verbose_name=_("category"),
        limit_choices_to={"is_leaf": True},
    )
    code = models.CharField(
        _("code"), max_length=32,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("Letters, digits, - and _ only."))],
    )
    datatype = models.CharField(_("datatype"), max_length=16, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(
        _("asks for input"), default=True,
        help_text=_("Off: the attribute only informs the resident; nothing is asked."),
    )
    order = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(1)])
    description = models.CharField(_("question (Chinese)"), max_length=255)
    description_en = models.CharField(_("question (English)"), max_length=255, blank=True)
    values = models.JSONField(
        _("values"), default=list, blank=True,
        help_text=_('Lists only: [{"key": "up", "name": "上行", "name_en": "Up"}, ...]'),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("category attribute")
        verbose_name_plural = _("category attributes")
        ordering = ["category", "order"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="category_attribute_code"),
            models.UniqueConstraint(fields=["category", "order"], name="category_attribute_order"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id}:{self.code}"

    @property
    def display_description(self) -> str:
        return localized_text(self.description, self.description_en)

    @property
    def is_list(self) -> bool:
        return self.datatype in self.LIST_DATATYPES

    def value_keys(self) -> list[str]:
        return [str(value["key"]) for value in self.values or []]

    def value_name(self, key: str) -> str:
        for value in self.values or []:
            if str(value["key"]) == key:
                return localized_text(value.get("name", key), value.get("name_en", ""))
        return key

    def clean(self):
        values = self.values or []
        if not self.is_list:
            if values:
                raise ValidationError({"values": _("Only list datatypes have values.")})
            return
        well_formed = isinstance(values, list) and values and all(
            isinstance(value, dict) and str(value.get("key", "")).strip() and str(value.get("name", "")).strip()
            for value in values
        )
        if not well_formed:
            raise ValidationError({"values": _('Give a list of {"key": …, "name": …} entries.')})
        keys = [str(value["key"]) for value in values]
        if len(set(keys)) != len(keys):
            raise ValidationError({"values": _("Each value needs its own key.")})


class ApiKey(models.Model):
    """A third-party app's key for filing through Open311. Only a hash of the key is kept; the
    key itself is shown once, when it is created. Keys are revoked, never deleted (appeals
    filed with a key keep pointing at it)."""

    name = models.CharField(_("app name"), max_length=100)
    owner = models.CharField(
        _("owner"), max_length=200, help_text=_("Who answers for the app: organisation and contact.")
    )
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    class Publishes(models.TextChoices):
        NEVER = "never", _("Never: the app's terms do not cover publication")
        WHEN_ASKED = "when_asked", _("When the resident asked for it (publish=true)")

    rate_limit = models.CharField(
        _("rate limit"), max_length=16, default="60/min", validators=[validate_rate],
        help_text=_("Requests allowed per period, e.g. 60/min, 1000/hour."),
    )
    publishes = models.CharField(
        _("publishes"), max_length=16, choices=Publishes.choices, default=Publishes.NEVER,
        db_default=Publishes.NEVER,
        help_text=_("Whether requests filed with this key may be published, as the app's own terms with its "
                    "users say."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


NOTIFY_STEP_CHOICES = [
    ("dispatched", _("it is sent to the unit that will handle it")),
    ("responded", _("the unit takes it up")),
    ("extended", _("the unit is given more time")),
    ("resolved", _("it is answered")),
    ("reopened", _("it is sent back to be handled again")),
]
NOTIFY_STEPS = tuple(step for step, _label in NOTIFY_STEP_CHOICES)


def default_notify_steps() -> list[str]:
    """Every step, unless the resident unticks some (appeals/updates.py names them)."""
    return list(NOTIFY_STEPS)


def partial_fk_indexes(prefix: str, *fields: str) -> list[models.Index]:
    """Indexes on optional foreign keys over only the rows that have one. Most rows have none (an
    appeal filed on the web has no operator or API key; its RECEIVED event no actor, unit or
    dispatch), so intake writes none of these; a lookup by the key (deleting a user, a unit or a
    key) uses them all the same."""
    return [
        models.Index(fields=[field], name=f"{prefix}_{field}_set", condition=models.Q(**{f"{field}__isnull": False}))
        for field in fields
    ]


class Appeal(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        PHONE = "phone", _("Phone")
        API = "api", _("API")

    class Kind(models.TextChoices):
        CONSULTATION = "consultation", _("Consultation")
        HELP = "help", _("Help request")
        COMPLAINT = "complaint", _("Complaint")
        REPORT = "report", _("Report")
        SUGGESTION = "suggestion", _("Suggestion")

    class Urgency(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        TRIAGE = "triage", _("Waiting for an operator")
        DISPATCHED = "dispatched", _("Dispatched")
        RESPONDED = "responded", _("Responded")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Declined")

    class RejectionReason(models.TextChoices):
        EMERGENCY = "emergency", _("An emergency: call the police (110), fire (119) or ambulance (120) line")
        LEGAL = "legal", _("A matter for the courts, arbitration or the petitions office")
        REPEAT = "repeat", _("A repeat of an earlier appeal with no new facts")
        OUT_OF_DUTY = "out_of_duty", _("Outside any unit's duty")
        TEST_CALL = "test_call", _("A test call, not an appeal")
        EMPTY_CALL = "empty_call", _("An empty call: the caller said nothing or hung up")

    number = models.CharField(_("tracking number"), max_length=20, unique=True)
    access_code_hash = models.CharField(max_length=64, editable=False)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.COMPLAINT)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.ORDINARY)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals",
        verbose_name=_("category"),
    )
    text = models.TextField(_("what happened"))
    attributes = models.JSONField(
        _("answers to the category's questions"), default=dict, blank=True,
        help_text=_("Attribute code -> value (a list for multiple choices)."),
    )
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(
        _("contact e-mail"), blank=True, help_text=_("Where the feedback link is sent, if the resident left one."),
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    published = models.BooleanField(
        _("published"), default=False, db_default=False,
        help_text=_("The resident chose to make it public: Open311 lists it, with personal data in the text "
                    "masked and the place rounded."),
    )
    # The id a published appeal is listed under (Open311's service_request_id): random, unrelated to
    # the tracking number, useless for tracking. Set for published appeals and for every request
    # filed through Open311 (its POST answers with it); empty otherwise (unique where set).
    public_id = models.CharField(_("public id"), max_length=16, blank=True, default="", db_default="", editable=False)
    # The steps the resident chose to hear about by SMS and e-mail (appeals/updates.py, Step).
    # (Rows written straight into the table, such as the benchmark's history, ask for none.)
    notify_steps = models.JSONField(_("updates asked for"), default=default_notify_steps, blank=True,
                                    db_default=models.Value([], output_field=models.JSONField()))
    # What an operator made of the published text: their own wording (empty: the text masked
    # automatically) or the text hidden altogether (appeals/publication.py).
    public_text = models.TextField(_("public text (edited)"), blank=True, default="", db_default="")
    public_text_hidden = models.BooleanField(_("public text hidden"), default=False, db_default=False)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    rejection_reason = models.CharField(
        _("reason declined"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The operator who entered a phone appeal."), db_index=False,  # see Meta.indexes
    )
    api_key = models.ForeignKey(
        ApiKey, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals",
        verbose_name=_("API key"), help_text=_("The third-party app that filed it through Open311."),
        db_index=False,  # see Meta.indexes
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    routed_at = models.DateTimeField(
        _("routed at"), null=True, blank=True,
        help_text=_("Empty until routing has run: the outbox marker the sweep looks for."),
    )
    # Keyed hash of what was sent and by whom (phone or address), as claimed in Redis to fold repeats
    # into this appeal (appeals/folding.py); kept so repeats can be traced later. Empty when the
    # source is unknown (nothing is folded then). Not indexed: intake never looks it up here.
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], name="appeal_unrouted",
                condition=models.Q(routed_at__isnull=True),
            ),
            *partial_fk_indexes("appeal", "submitted_by", "api_key"),
            # Open311's public list: published appeals, newest first.
            models.Index(fields=["-created_at", "-id"], name="appeal_published_time",
                         condition=models.Q(published=True)),
            # "Is this already reported?": open appeals of a category in a box around a pin.
            models.Index(fields=["category", "latitude", "longitude"], name="appeal_open_place",
                         condition=models.Q(status__in=["received", "triage", "dispatched", "responded"],
                                            latitude__isnull=False)),
            # "My appeals": every appeal filed with one (normalised) phone number.
            models.Index(fields=["contact_phone", "-created_at"], name="appeal_contact_phone",
                         condition=~models.Q(contact_phone="")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["public_id"], name="appeal_public_id",
                                    condition=~models.Q(public_id="")),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="appeal_lat_lng_together",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def has_location(self) -> bool:
        return self.latitude is not None or bool(self.address)


class AccessCode(models.Model):
    """A further private code for an appeal, issued when a repeated submission was folded into it:
    the resident whose first answer was lost (a double click on a slow phone) still gets a code
    that works. Only the keyed hash is stored, as for the appeal's first code."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="access_codes")
    code_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.created_at:%Y-%m-%d %H:%M}"


class Follower(models.Model):
    """A resident who joined an open appeal ("me too") instead of filing their own: their own
    tracking number and code (the tracking page then shows the followed appeal's progress), the
    contact to reach them with its updates (appeals.followers.followers_to_notify), and their own
    rating of the outcome. Followers count on the appeal for officers and supervisors; they never
    change its handling or the unit's rates."""

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASIC = "basic", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="followers",
                               verbose_name=_("appeal followed"))
    number = models.CharField(_("tracking number"), max_length=20, unique=True)
    access_code_hash = models.CharField(max_length=64, editable=False)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    created_at = models.DateTimeField(_("followed at"), default=timezone.now)
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["appeal", "created_at"], name="follower_appeal_time")]

    def __str__(self) -> str:
        return self.number


class AppealPhoto(models.Model):
    """A resident's photo. Intake stores the upload as it came (never served: it may carry the
    resident's GPS position) and a worker replaces it with a clean re-encoded copy
    (appeals/photos.py); staff see a photo only once it is READY."""

    class State(models.TextChoices):
        PENDING = "pending", _("being checked")
        READY = "ready", _("ready")
        UNREADABLE = "unreadable", _("could not be read")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="appeals/%Y/%m/")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.READY)
    public_approved = models.BooleanField(
        _("approved for the public page"), default=False, db_default=False,
        help_text=_("An operator looked at it: the published appeal's public page may show it."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        # The sweep's query: photos still waiting for a worker.
        indexes = [models.Index(fields=["created_at"], name="photo_pending_idx",
                                condition=models.Q(state="pending"))]

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.image.name}"

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.READY

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete an audit event."""


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk writes that would rewrite history refuse, like the instance methods and the database
    trigger (migration 0003) do: the event log only grows."""

    def update(self, **kwargs):
        raise AppendOnlyError("Appeal events are append-only.")

    def delete(self):
        raise AppendOnlyError("Appeal events are append-only.")

    def _raw_delete(self, using):  # the deletion collector's fast path
        raise AppendOnlyError("Appeal events are append-only.")


class AppealEvent(models.Model):
    """One row per state change or note: who, when, from, to, note. Insert-only, enforced at every
    layer: the instance (save/delete), the queryset and manager, the admin, and on PostgreSQL a
    trigger that rejects UPDATE, DELETE and TRUNCATE even from raw SQL."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Appeal received")
        TRIAGE = "triage", _("Sent to the hotline operators")
        DISPATCHED = "dispatched", _("Dispatched")
        SIGNED = "signed", _("Signed for by the unit")
        RESPONDED = "responded", _("The unit contacted the resident")
        NOTE = "note", _("Progress note")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Declined")
        DEADLINE_WARNING = "deadline_warning", _("Deadline approaching")
        OVERDUE = "overdue", _("Deadline missed")
        DEADLINES_RECOUNTED = "deadlines_recounted", _("Deadlines recounted on the published calendar")
        RETURN_REQUESTED = "return_requested", _("The unit asked to return the appeal")
        RETURN_APPROVED = "return_approved", _("Return approved")
        RETURN_REFUSED = "return_refused", _("Return refused")
        WHISTLE = "whistle", _("Departments summoned to help")
        REPORTED = "reported", _("A summoned department reported its part")
        EXTENSION_REQUESTED = "extension_requested", _("More time requested")
        EXTENSION_APPROVED = "extension_approved", _("Deadline extended")
        EXTENSION_REFUSED = "extension_refused", _("Extension refused")
        SUPERVISION_OPENED = "supervision_opened", _("Supervision order opened")
        SUPERVISION_REPLIED = "supervision_replied", _("Supervision order answered")
        CALLBACK_OPENED = "callback_opened", _("The resident is asked for feedback")
        RATED = "rated", _("The resident gave feedback")
        CALLBACK_UNANSWERED = "callback_unanswered", _("The resident did not answer the callback")
        CALLBACK_EXPIRED = "callback_expired", _("No feedback within the time allowed")
        REOPENED = "reopened", _("Sent back to the unit: not solved")
        CLOSED = "closed", _("Closed")
        FOLLOWED = "followed", _("Another resident reported the same problem")
        KNOWLEDGE_ANSWERED = "kb_answered", _("Answered from the knowledge base")

    # No single-column indexes on these two: event_appeal_time and event_dispatch_time lead with them.
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events", db_index=False)
    dispatch = models.ForeignKey(
        "dispatch.Dispatch", null=True, blank=True, on_delete=models.PROTECT, related_name="events",
        db_index=False,
    )
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,  # see Meta.indexes
    )
    unit = models.ForeignKey(
        "streets.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
        help_text=_("The unit the event concerns (the unit dispatched to, or acting)."),
    )
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("shown to the resident"), default=True)
    data = models.JSONField(_("facts"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "id"]
        base_manager_name = "objects"  # related managers and internals refuse bulk writes too
        indexes = [
            models.Index(fields=["appeal", "created_at"], name="event_appeal_time"),
            # The metrics ledger reads the log by kind and time, then by dispatch.
            models.Index(fields=["kind", "created_at"], name="event_kind_time"),
            models.Index(
                fields=["dispatch", "created_at"], name="event_dispatch_time_set",
                condition=models.Q(dispatch__isnull=False),
            ),
            *partial_fk_indexes("event", "actor", "unit"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Appeal events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Appeal events are append-only.")

    @property
    def display_note(self) -> str:
        """The note in the reader's language (appeals/notes.py)."""
        from .notes import event_note

        return event_note(self)

    @property
    def from_label(self) -> str:
        return status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return status_label(self.to_status)


def status_label(code: str) -> str:
    """The translated name of an appeal status code, or the code itself if unknown."""
    return Appeal.Status(code).label if code in Appeal.Status.values else code


class Notification(models.Model):
    """One message about one step of an appeal on one channel, to its resident or to one of its
    followers: the idempotency record claimed before sending (appeals/updates.py). The step is the
    event that made it, so a step seen again (resolved after a reopen) is a new message, and one
    event is never sent twice on a channel to the same reader, whatever task delivery does."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

    class State(models.TextChoices):
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed (will be retried)")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="notifications", db_index=False)
    # No database constraint: a foreign key into the event log would let a plain TRUNCATE of the log
    # fail on the key instead of reaching the log's own append-only trigger (events are never
    # deleted, so the reference cannot dangle).
    event = models.ForeignKey(AppealEvent, on_delete=models.DO_NOTHING, related_name="notifications",
                              db_index=False, db_constraint=False)
    # Empty for the appeal's own resident; set for a message to a resident who follows the appeal.
    follower = models.ForeignKey(Follower, on_delete=models.CASCADE, related_name="notifications", null=True,
                                 blank=True, db_index=False, verbose_name=_("follower"))
    step = models.CharField(_("step"), max_length=16)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.SENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    error = models.CharField(_("last error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], condition=models.Q(follower__isnull=True),
                                    name="notification_once_per_step_channel"),
            models.UniqueConstraint(fields=["event", "channel", "follower"],
                                    condition=models.Q(follower__isnull=False),
                                    name="notification_once_per_follower_step_channel"),
        ]
        indexes = [models.Index(fields=["appeal", "created_at"], name="notification_appeal_time")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.step} {self.channel} {self.state}"


# The knowledge base's models live in their own module of this app (appeals/knowledge/).
from .knowledge.models import (  # noqa: E402,F401
    KnowledgeEntry,
    KnowledgeProposal,
    KnowledgeRating,
    KnowledgeTerm,
    KnowledgeUse,
    KnowledgeVersion,
)
