"""/api/v1/ routes."""
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from appeals.api import AppealIntakeView, AppealTrackView
from appeals.knowledge.api import KnowledgeSearchView
from appeals.map_api import BoundariesView, FollowView, NearbyAppealsView, PlaceAtView, PlaceSearchView
from dispatch.api.dashboard import DashboardView, RankingView
from dispatch.api.decisions import ExtensionRequestViewSet, ReturnRequestViewSet, SupervisionOrderViewSet
from dispatch.api.dispatches import DispatchViewSet, TriageViewSet
from dispatch.api.suggestions import SuggestionsView

router = SimpleRouter()
router.register("dispatches", DispatchViewSet, basename="dispatch")
router.register("triage", TriageViewSet, basename="triage")
router.register("returns", ReturnRequestViewSet, basename="return")
router.register("extensions", ExtensionRequestViewSet, basename="extension")
router.register("supervision-orders", SupervisionOrderViewSet, basename="supervision-order")

urlpatterns = [
    path("appeals/", AppealIntakeView.as_view(), name="appeal-intake"),
    path("appeals/track/", AppealTrackView.as_view(), name="appeal-track"),
    path("appeals/nearby/", NearbyAppealsView.as_view(), name="appeals-nearby"),
    path("appeals/follow/", FollowView.as_view(), name="appeal-follow"),
    path("places/", PlaceSearchView.as_view(), name="places-search"),
    path("places/at/", PlaceAtView.as_view(), name="place-at"),
    path("places/boundaries/", BoundariesView.as_view(), name="places-boundaries"),
    path("suggestions/", SuggestionsView.as_view(), name="suggestions"),
    path("knowledge/search/", KnowledgeSearchView.as_view(), name="knowledge-search"),
    path("rankings/", RankingView.as_view(), name="rankings"),
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
    path("", include(router.urls)),
]
