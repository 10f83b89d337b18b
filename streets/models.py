"""Who handles appeals: the hotline center, districts, streets, communities, departments, officers.

Every dispatch target is a row of one table, Unit, so that a dispatch, a queue and a ranking can
point at "the unit" without caring whether it is a street or a department. Proxy models give each
kind its own manager and admin.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .i18n import LocalizedNameMixin


class Unit(LocalizedNameMixin, models.Model):
    class Kind(models.TextChoices):
        CENTER = "center", _("Hotline center")
        DISTRICT = "district", _("District")
        STREET = "street", _("Street / township")
        DEPARTMENT = "department", _("Department")

    class Level(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal")
        DISTRICT = "district", _("District")

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
        help_text=_("A street's district; a district-level department's district."),
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, blank=True)
    is_township = models.BooleanField(_("township"), default=False)
    is_utility = models.BooleanField(_("public utility"), default=False)
    boundary = models.JSONField(
        _("boundary"), null=True, blank=True, help_text=_("GeoJSON Polygon or MultiPolygon (streets).")
    )
    aliases = models.JSONField(
        _("address aliases"), default=list, blank=True,
        help_text=_("Place names that identify this street in a written address."),
    )
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]
        indexes = [models.Index(fields=["kind", "active"], name="unit_kind_active")]


class UnitKindManager(models.Manager):
    kind: str = ""

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


class DistrictManager(UnitKindManager):
    kind = Unit.Kind.DISTRICT


class StreetManager(UnitKindManager):
    kind = Unit.Kind.STREET


class DepartmentManager(UnitKindManager):
    kind = Unit.Kind.DEPARTMENT


class District(Unit):
    objects = DistrictManager()

    class Meta:
        proxy = True
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Street(Unit):
    objects = StreetManager()

    class Meta:
        proxy = True
        verbose_name = _("street / township")
        verbose_name_plural = _("streets / townships")


class Department(Unit):
    objects = DepartmentManager()

    class Meta:
        proxy = True
        verbose_name = _("department")
        verbose_name_plural = _("departments")


class Community(LocalizedNameMixin, models.Model):
    street = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="communities")
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["code"]


class Officer(models.Model):
    """A user bound to one unit with one role; the role decides what the consoles show."""

    class Role(models.TextChoices):
        OPERATOR = "operator", _("Hotline operator")
        OFFICER = "officer", _("Officer")
        SUPERVISOR = "supervisor", _("Supervisor")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="officer")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="officers")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OFFICER)
    phone = models.CharField(_("work phone"), max_length=32, blank=True)
    is_head = models.BooleanField(
        _("head of the unit"), default=False,
        help_text=_("Sees and answers the supervision orders on the unit's tickets."),
    )

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.get_role_display()}, {self.unit})"

    # The one place a role is compared: everything else asks these (dispatch/handling/rules.py
    # builds every "may this person do this now?" on them).
    def has_role(self, role: str) -> bool:
        return self.role == role

    @property
    def is_operator(self) -> bool:
        return self.has_role(self.Role.OPERATOR)

    @property
    def is_supervisor(self) -> bool:
        return self.has_role(self.Role.SUPERVISOR)

    @property
    def is_unit_officer(self) -> bool:
        """Works a unit's queue (a street's, a department's or a district's), not the center's."""
        return self.has_role(self.Role.OFFICER)


class Duty(models.Model):
    """The duty list: which kind of unit handles a category (the street where it happened, or a
    named department)."""

    class Handler(models.TextChoices):
        STREET = "street", _("The street where it happened")
        DEPARTMENT = "department", _("A named department")

    category = models.OneToOneField("appeals.Category", on_delete=models.CASCADE, related_name="duty")
    handler = models.CharField(_("handled by"), max_length=16, choices=Handler.choices)
    department = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="duties",
        limit_choices_to={"kind": Unit.Kind.DEPARTMENT},
    )

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duty list")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(handler="street", department__isnull=True)
                | models.Q(handler="department", department__isnull=False),
                name="duty_department_iff_department_handler",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} -> {self.department or self.get_handler_display()}"


class LoginLockout(models.Model):
    """A sign-in limit that refused attempts (streets/logins.py): one row when a limit first refuses,
    not one per refused attempt, for supervisors to see who is being tried and from where."""

    class Limit(models.TextChoices):
        PAIR = "pair", _("This account from this address")
        ADDRESS = "address", _("Any account from this address")
        ACCOUNT = "account", _("This account from any address")

    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    username = models.CharField(_("user name tried"), max_length=150)
    address = models.CharField(_("client address"), max_length=45)
    limit = models.CharField(_("limit"), max_length=16, choices=Limit.choices)
    until = models.DateTimeField(_("refused until"))

    class Meta:
        verbose_name = _("sign-in lockout")
        verbose_name_plural = _("sign-in lockouts")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.username} @ {self.address} ({self.limit})"
