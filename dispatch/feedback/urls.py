"""The resident's feedback pages and "My appeals"; config/urls.py serves them in the "appeals" namespace."""
from django.urls import path

from dispatch.feedback import mine, views

urlpatterns = [
    path("track/", views.track, name="track"),
    path("callback/<str:token>/", views.callback, name="callback"),
    path("my/", mine.my_appeals, name="my"),
    path("my/code/", mine.my_code, name="my-code"),
    path("my/sign-out/", mine.my_sign_out, name="my-sign-out"),
    path("my/<str:number>/", mine.my_appeal, name="my-appeal"),
]
