"""The resident's feedback pages; config/urls.py serves them in the "appeals" namespace."""
from django.urls import path

from dispatch.feedback import views

urlpatterns = [
    path("track/", views.track, name="track"),
    path("callback/<str:token>/", views.callback, name="callback"),
]
