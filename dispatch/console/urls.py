from django.urls import path, re_path

from dispatch.console import callbacks, center, classifier, dashboard, publication, views

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
    path("returns/", center.return_queue, name="returns"),
    path("returns/<int:pk>/", center.return_detail, name="return-detail"),
    path("extensions/", center.extension_queue, name="extensions"),
    path("sign-in-lockouts/", center.login_lockouts, name="login-lockouts"),
    path("extensions/<int:pk>/approve/", center.extension_decide, {"decision": "approve"},
         name="extension-approve"),
    path("extensions/<int:pk>/refuse/", center.extension_decide, {"decision": "refuse"},
         name="extension-refuse"),
    path("supervision/", center.supervision_orders, name="supervision"),
    path("supervision/<int:pk>/reply/", center.supervision_reply, name="supervision-reply"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    re_path(r"^dashboard/(?P<table>[a-z-]+)\.(?P<fmt>csv|xlsx)$", dashboard.dashboard_export,
            name="dashboard-export"),
    re_path(r"^queue/export\.(?P<fmt>csv|xlsx)$", dashboard.queue_export, name="queue-export"),
    path("classifier/", classifier.classifier, name="classifier"),
    path("classifier/<int:pk>/rollback/", classifier.classifier_rollback, name="classifier-rollback"),
    path("callbacks/", callbacks.callback_queue, name="callbacks"),
    path("callbacks/<int:pk>/", callbacks.callback_detail, name="callback"),
    path("published/", publication.published_queue, name="published"),
    path("published/<int:pk>/", publication.publication_review, name="publication"),
]
