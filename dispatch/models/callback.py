"""The callback: after resolution the resident is asked whether it was solved and how satisfied
they are. One per dispatch; it closes unrated after a window."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Callback(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Waiting for the resident")
        RATED = "rated", _("Rated")
        EXPIRED = "expired", _("Closed unrated")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASIC = "basic", _("Basically satisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")

    class Channel(models.TextChoices):
        WEB = "web", _("By the resident on the web")
        PHONE = "phone", _("Phone call by an operator")

    dispatch = models.OneToOneField("dispatch.Dispatch", on_delete=models.PROTECT, related_name="callback")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes at"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(_("answered by"), max_length=8, choices=Channel.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("The operator who recorded a phone callback."),
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    unanswered_calls = models.PositiveSmallIntegerField(_("unanswered calls"), default=0, db_default=0)
    call_again_at = models.DateTimeField(
        _("call again at"), null=True, blank=True,
        help_text=_("After an unanswered call: the operators' list shows it again from then."),
    )

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["closes_at", "id"]
        indexes = [
            models.Index(fields=["closes_at"], name="callback_open_expiry", condition=models.Q(state="open")),
            models.Index(fields=["rated_at"], name="callback_rated_time", condition=models.Q(state="rated")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="rated", solved__isnull=False) & ~models.Q(satisfaction="")
                | ~models.Q(state="rated"),
                name="callback_rated_has_answers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispatch_id} {self.state}"

    @property
    def is_rated(self) -> bool:
        return self.state == self.State.RATED

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN and self.closes_at > timezone.now()
