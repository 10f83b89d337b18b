"""What the classifier learns from and what it became: labelled examples and model versions."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LabelledExample(models.Model):
    """An appeal's text with the category a person settled on; training data for the next model.

    One row per appeal (the latest person's word wins: a correction after a manual dispatch
    replaces its label rather than counting twice)."""

    class Source(models.TextChoices):
        CORRECTION = "correction", _("Category corrected by an operator")
        MANUAL_DISPATCH = "manual_dispatch", _("Dispatched by an operator")
        APPROVED_RETURN = "approved_return", _("Return approved as misrouted")

    text = models.TextField(_("text"))
    category = models.ForeignKey("appeals.Category", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    appeal = models.OneToOneField(
        "appeals.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="labelled_example",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("labelled example")
        verbose_name_plural = _("labelled examples")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.category_id}: {self.text[:40]}"


class ModelVersion(models.Model):
    """A trained classifier with its training counts and its accuracy on the held-out split.

    At most one is in service. A new version replaces it only when its held-out accuracy is not
    worse than the in-service one's on the same split (otherwise it is kept as rejected, for the
    record); supervisors can put an earlier version back (rollback)."""

    class Status(models.TextChoices):
        IN_SERVICE = "in_service", _("In service")
        RETIRED = "retired", _("Retired")
        REJECTED = "rejected", _("Not promoted (worse than the one in service)")

    created_at = models.DateTimeField(_("trained at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    promoted_at = models.DateTimeField(_("put in service at"), null=True, blank=True)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The supervisor who put it back in service; empty when promoted after training."),
    )
    trigger = models.CharField(_("trained by"), max_length=16)
    data_fingerprint = models.CharField(max_length=64, editable=False)
    training_counts = models.JSONField(
        _("examples by source"), default=dict, help_text=_("Examples by source: shipped set and each operator action."),
    )
    train_size = models.PositiveIntegerField(_("training examples"))
    heldout_size = models.PositiveIntegerField(_("held-out examples"))
    top1 = models.FloatField(_("held-out accuracy (top 1)"))
    top3 = models.FloatField(_("held-out accuracy (top 3)"))
    kind_accuracy = models.FloatField(_("held-out accuracy of the kind"), null=True)
    urgent_accuracy = models.FloatField(_("held-out accuracy of urgency"), null=True)
    per_category = models.JSONField(default=dict, help_text=_("Held-out [right, total] per category."))
    baseline_top1 = models.FloatField(
        _("in-service accuracy on the same split"), null=True, blank=True,
        help_text=_("What the version in service scored on the same held-out split when this one was trained."),
    )
    artifact = models.BinaryField(editable=False)
    artifact_bytes = models.PositiveIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="in_service"), name="one_model_in_service",
            ),
        ]

    def __str__(self):
        return f"v{self.pk} ({self.get_status_display()})"
