from django.contrib import admin

from appeals.admin import ReadOnlyAdminMixin

from .models import Dispatch


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["appeal", "unit", "role", "state", "dispatched_at", "response_due", "resolve_due"]
    list_filter = ["state", "role"]
    list_select_related = ["appeal", "unit"]
    search_fields = ["appeal__number"]
