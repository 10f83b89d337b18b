from django.contrib import admin

from config.parsers import BOUNDED_JSON_FIELDS

from .models import Community, Department, District, Duty, LoginLockout, Officer, Place, Street, Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "kind", "parent", "active"]
    list_filter = ["kind", "level", "active", "is_utility"]
    search_fields = ["code", "name", "name_en"]
    list_select_related = ["parent"]
    formfield_overrides = BOUNDED_JSON_FIELDS


@admin.register(District, Street, Department)
class UnitKindAdmin(UnitAdmin):
    pass


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "street"]
    search_fields = ["code", "name"]
    list_select_related = ["street"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """The gazetteer: places residents name in addresses and texts, and the streets they lie in."""

    list_display = ["name", "name_en", "kind", "district"]
    list_filter = ["kind", "district"]
    search_fields = ["name", "name_en", "aliases"]
    list_select_related = ["district"]
    autocomplete_fields = ["district", "streets"]
    formfield_overrides = BOUNDED_JSON_FIELDS


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "is_head"]
    list_filter = ["role", "is_head"]
    search_fields = ["user__username", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ["category", "handler", "department"]
    list_filter = ["handler"]
    search_fields = ["category__code", "category__name"]
    list_select_related = ["category", "department"]


@admin.register(LoginLockout)
class LoginLockoutAdmin(admin.ModelAdmin):
    """Read-only: the rows are what the sign-in limits wrote down (streets/logins.py)."""

    list_display = ["created_at", "username", "address", "limit", "until"]
    list_filter = ["limit"]
    search_fields = ["username", "address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
