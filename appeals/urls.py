from django.urls import path

from . import views

app_name = "appeals"
urlpatterns = [
    path("", views.appeal_form, name="home"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("callback/<str:token>/", views.callback, name="callback"),
]
