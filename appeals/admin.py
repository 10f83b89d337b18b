from django.contrib import admin

from .models import Appeal, AppealEvent, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "level", "tier", "is_leaf", "active"]
    list_filter = ["level", "tier", "is_leaf", "active"]
    search_fields = ["code", "name", "name_en"]


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
    list_filter = ["status", "channel", "urgency"]
    search_fields = ["number"]
    exclude = ["access_code_hash", "contact_name", "contact_phone"]
    inlines = [EventInline]


@admin.register(AppealEvent)
class AppealEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["appeal", "created_at", "kind", "from_status", "to_status", "unit", "actor"]
    list_filter = ["kind"]
    list_select_related = ["appeal", "unit", "actor"]
