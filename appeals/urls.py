"""The resident's intake pages; config/urls.py serves them in the "appeals" namespace with the
feedback pages of dispatch/feedback/urls.py (appeals imports no dispatch code)."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.appeal_form, name="home"),
    path("submitted/", views.submitted, name="submitted"),
]
