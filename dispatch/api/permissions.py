"""DRF permissions by organisational role."""
from rest_framework.permissions import BasePermission

from streets.models import Officer
from streets.roles import officer_of


class IsStaffMember(BasePermission):
    """Signed in and bound to a unit (officer, operator or supervisor)."""

    def has_permission(self, request, view) -> bool:
        return officer_of(request.user) is not None


class IsOperator(BasePermission):
    def has_permission(self, request, view) -> bool:
        officer = officer_of(request.user)
        return officer is not None and officer.role == Officer.Role.OPERATOR


class IsSupervisor(BasePermission):
    def has_permission(self, request, view) -> bool:
        officer = officer_of(request.user)
        return officer is not None and officer.role == Officer.Role.SUPERVISOR
