from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appeals.admin import ReadOnlyAdminMixin
from dispatch.exceptions import ActionNotAllowed
from dispatch.models import (
    CalendarDay,
    CalendarYear,
    Dispatch,
    ExtensionRequest,
    LabelledExample,
    ModelVersion,
    ReturnRequest,
    SupervisionOrder,
    TimeLimit,
    Whistle,
)
from dispatch.routing import learning


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["appeal", "unit", "role", "state", "dispatched_at", "response_due", "resolve_due",
                    "deadlines_provisional"]
    list_filter = ["state", "role", "deadlines_provisional", "resolve_extended"]
    list_select_related = ["appeal", "unit"]
    search_fields = ["appeal__number"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The city's corrections to the official calendar; saving recounts provisional deadlines."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "complete", "updated_at"]


@admin.register(TimeLimit)
class TimeLimitAdmin(admin.ModelAdmin):
    """New rules are added with a future start; a rule already in force is history and stays as it is."""

    list_display = ["__str__", "tier", "category", "effective_from", "note"]
    list_filter = ["tier"]
    autocomplete_fields = ["category"]
    list_select_related = ["category"]

    def has_change_permission(self, request, obj=None):
        in_force = obj is not None and obj.effective_from <= timezone.now()
        return not in_force and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReturnRequest, ExtensionRequest)
class DecidedRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dispatch", "requested_by", "requested_at", "state", "decided_by", "decided_at"]
    list_filter = ["state"]
    list_select_related = ["dispatch", "requested_by", "decided_by"]
    search_fields = ["dispatch__appeal__number"]


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dispatch", "unit", "reason", "state", "opened_at", "reply_due"]
    list_filter = ["state", "reason"]
    list_select_related = ["dispatch", "unit"]
    search_fields = ["dispatch__appeal__number", "unit__name"]


@admin.register(Whistle)
class WhistleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dispatch", "blown_by", "blown_at"]
    list_select_related = ["dispatch", "blown_by"]


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Versions are made by training only; a supervisor (change permission) can put one back."""

    list_display = ["__str__", "status", "created_at", "trigger", "train_size", "heldout_size", "top1", "top3",
                    "baseline_top1", "promoted_at", "promoted_by"]
    list_filter = ["status", "trigger"]
    exclude = ["artifact"]
    actions = ["put_back_in_service"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("artifact").select_related("promoted_by")

    def has_roll_back_permission(self, request):
        return request.user.has_perm("dispatch.change_modelversion")

    @admin.action(permissions=["roll_back"], description=gettext_lazy("Put the selected version back in service"))
    def put_back_in_service(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one version."), messages.ERROR)
            return
        try:
            version = learning.rollback(version_id=queryset.get().pk, user=request.user)
        except ActionNotAllowed as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, _("Model version %(id)d is in service again.") % {"id": version.pk})


@admin.register(LabelledExample)
class LabelledExampleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "source", "category", "appeal"]
    list_filter = ["source"]
    list_select_related = ["category", "appeal"]
    search_fields = ["appeal__number", "category__code"]
    raw_id_fields = ["appeal"]
