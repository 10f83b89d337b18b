from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from config.parsers import BOUNDED_JSON_FIELDS

from .models import ApiKey, Appeal, AppealEvent, Category, CategoryAttribute, Notification
from .open311.keys import issue_key, revoke_api_key


class CategoryAttributeInline(admin.TabularInline):
    """The category's extra questions (Open311 service definition attributes)."""

    model = CategoryAttribute
    fields = ["order", "code", "datatype", "required", "variable", "description", "description_en", "values"]
    extra = 0
    formfield_overrides = BOUNDED_JSON_FIELDS


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "level", "tier", "nearby_radius_m", "is_leaf", "active"]
    list_filter = ["level", "tier", "is_leaf", "active"]
    search_fields = ["code", "name", "name_en"]
    inlines = [CategoryAttributeInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are created here (the key is shown once, in a message) and revoked, never deleted."""

    list_display = ["name", "owner", "prefix", "rate_limit", "publishes", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "owner", "prefix"]
    fields = ["name", "owner", "rate_limit", "publishes", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        raw = issue_key(obj)
        messages.warning(
            request,
            _("The API key for %(name)s is %(key)s. Copy it now: it is stored only as a hash and will not be "
              "shown again.") % {"name": obj.name, "key": raw},
        )

    @admin.action(description=gettext_lazy("Revoke the selected API keys"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = sum(revoke_api_key(api_key=api_key) for api_key in queryset)
        self.message_user(
            request, ngettext("%(n)d key revoked.", "%(n)d keys revoked.", revoked) % {"n": revoked},
            messages.SUCCESS,
        )


class ReadOnlyAdminMixin:
    """Appeals change only through services, events never: the admin may look, not touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AppealEvent
    fields = ["created_at", "kind", "from_status", "to_status", "unit", "actor", "note", "public"]
    readonly_fields = fields
    extra = 0


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "created_at", "channel", "status", "category", "urgency"]
    list_filter = ["status", "channel", "urgency", "published"]
    search_fields = ["number"]
    exclude = ["access_code_hash", "contact_name", "contact_phone", "contact_email"]
    inlines = [EventInline]
    # Django 6's default for a scheme-less address, chosen now (Django 5 warns until it is).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(AppealEvent)
class AppealEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["appeal", "created_at", "kind", "from_status", "to_status", "unit", "actor"]
    list_filter = ["kind"]
    list_select_related = ["appeal", "unit", "actor"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The messages sent to residents and followers (never their text or address): what failed and
    was retried."""

    list_display = ["appeal", "follower", "step", "channel", "state", "attempts", "created_at", "sent_at", "error"]
    list_filter = ["state", "channel", "step"]
    list_select_related = ["appeal", "follower"]
    fields = list_display
    readonly_fields = list_display
