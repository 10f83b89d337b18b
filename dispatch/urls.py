from django.urls import path

from . import views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("dispatches/<int:pk>/", views.dispatch_detail, name="dispatch"),
    path("dispatches/<int:pk>/<slug:action>/", views.dispatch_action, name="dispatch-action"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("phone/", views.phone_intake, name="phone-intake"),
    path("triage/", views.triage, name="triage"),
    path("triage/<int:pk>/", views.triage_detail, name="triage-detail"),
]
