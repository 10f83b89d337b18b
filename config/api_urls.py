"""/api/v1/ routes."""
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from appeals.api import AppealIntakeView, AppealTrackView
from dispatch.api import DispatchViewSet, TriageViewSet

router = SimpleRouter()
router.register("dispatches", DispatchViewSet, basename="dispatch")
router.register("triage", TriageViewSet, basename="triage")

urlpatterns = [
    path("appeals/", AppealIntakeView.as_view(), name="appeal-intake"),
    path("appeals/track/", AppealTrackView.as_view(), name="appeal-track"),
    path("", include(router.urls)),
]
