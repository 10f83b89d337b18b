"""DRF permissions by organisational role."""
from rest_framework.permissions import BasePermission

from streets.roles import officer_of


class IsStaffMember(BasePermission):
    """Signed in and bound to a unit (officer, operator or supervisor)."""

    def has_permission(self, request, view) -> bool:
        return officer_of(request.user) is not None


class IsOperator(BasePermission):
    def has_permission(self, request, view) -> bool:
        officer = officer_of(request.user)
        return officer is not None and officer.is_operator


class IsSupervisor(BasePermission):
    def has_permission(self, request, view) -> bool:
        officer = officer_of(request.user)
        return officer is not None and officer.is_supervisor


class IsUnitHead(BasePermission):
    """A unit's head: the one who answers its supervision orders (supervisors read them, and are
    refused here with 403 as on the console, not told the order does not exist)."""

    def has_permission(self, request, view) -> bool:
        officer = officer_of(request.user)
        return officer is not None and officer.is_head
