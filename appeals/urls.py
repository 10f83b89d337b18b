"""The resident's intake pages and the public pages of published appeals; config/urls.py serves
them in the "appeals" namespace with the feedback pages of dispatch/feedback/urls.py (appeals
imports no dispatch code)."""
from django.urls import path

from . import published, views

urlpatterns = [
    path("", views.appeal_form, name="home"),
    path("submitted/", views.submitted, name="submitted"),
    path("published/", published.published_list, name="published"),
    path("published/<str:public_id>/", published.published_detail, name="published-detail"),
    path("published/<str:public_id>/photos/<int:pk>/", published.published_photo, name="published-photo"),
]
