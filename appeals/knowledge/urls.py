from django.urls import path, re_path

from . import views

app_name = "knowledge"
urlpatterns = [
    path("", views.index, name="index"),
    path("topic/<slug:code>/", views.topic, name="topic"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.edit, name="manage-new"),
    path("manage/import/", views.import_entries, name="manage-import"),
    path("manage/propose/<str:number>/", views.propose, name="manage-propose"),
    re_path(r"^manage/export\.(?P<fmt>csv|xlsx|jsonl)$", views.export_entries, name="manage-export"),
    path("manage/<slug:key>/", views.edit, name="manage-entry"),
    path("manage/<slug:key>/publish/<int:number>/", views.publish, name="manage-publish"),
    path("<slug:key>/", views.entry, name="entry"),
    path("<slug:key>/v<int:number>/", views.entry, name="entry-version"),
    path("<slug:key>/rate/", views.rate, name="rate"),
]
