"""What residents send: the appeal, its category, photos and the append-only event log.

The appeal's `status` is a cache of the latest event, written in the same transaction; the
timeline, the audit trail and (later) the metrics read the events.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from streets.i18n import LocalizedNameMixin


class Category(LocalizedNameMixin, models.Model):
    """A node of the three-level taxonomy; only leaves are chosen on appeals."""

    class Tier(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        UTILITY = "utility", _("Utilities")
        ORDINARY = "ordinary", _("Ordinary")
        COMPLEX = "complex", _("Complex")

    code = models.CharField(_("code"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    is_leaf = models.BooleanField(_("leaf"), default=False)
    tier = models.CharField(_("time-limit tier"), max_length=16, choices=Tier.choices, default=Tier.ORDINARY)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]


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
    address = models.CharField(_("address"), max_length=255, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    rejection_reason = models.CharField(
        _("reason declined"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The operator who entered a phone appeal."),
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    routed_at = models.DateTimeField(
        _("routed at"), null=True, blank=True,
        help_text=_("Empty until routing has run: the outbox marker the sweep looks for."),
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"], name="appeal_unrouted",
                condition=models.Q(routed_at__isnull=True),
            ),
        ]
        constraints = [
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


class AppealPhoto(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="appeals/%Y/%m/")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.image.name}"


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
    trigger that rejects UPDATE and DELETE even from raw SQL."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Appeal received")
        TRIAGE = "triage", _("Sent to the hotline operators")
        DISPATCHED = "dispatched", _("Dispatched")
        SIGNED = "signed", _("Signed for by the unit")
        RESPONDED = "responded", _("The unit contacted the resident")
        NOTE = "note", _("Progress note")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Declined")

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")
    dispatch = models.ForeignKey(
        "dispatch.Dispatch", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "streets.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The unit the event concerns (the unit dispatched to, or acting)."),
    )
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("shown to the resident"), default=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "id"]
        base_manager_name = "objects"  # related managers and internals refuse bulk writes too
        indexes = [models.Index(fields=["appeal", "created_at"], name="event_appeal_time")]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Appeal events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Appeal events are append-only.")

    @property
    def from_label(self) -> str:
        return status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return status_label(self.to_status)


def status_label(code: str) -> str:
    """The translated name of an appeal status code, or the code itself if unknown."""
    return Appeal.Status(code).label if code in Appeal.Status.values else code
