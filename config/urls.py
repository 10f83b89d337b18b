from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from appeals import urls as appeals_urls
from config.throttling import OneTripThrottling
from dispatch.feedback import urls as feedback_urls
from streets.logins import AdminLoginForm, LoginForm

admin.site.login_form = AdminLoginForm  # the admin's sign-in is limited like the console's


class SchemaView(OneTripThrottling, SpectacularAPIView):
    """The OpenAPI schema, its throttles counted like every API view's."""


class DocsView(OneTripThrottling, SpectacularSwaggerSplitView):
    """The interactive API docs, their throttles counted like every API view's.

    Rendered under the site's content security policy, unrelaxed: Swagger UI's files come from our
    static files (drf-spectacular-sidecar), its start-up script from this view (`?script`) instead
    of an inline block, and the page's template has no inline style."""

    template_name = "api_docs.html"


urlpatterns = [
    # The resident's pages: intake (appeals) and tracking with its feedback survey (dispatch).
    path("", include(([*appeals_urls.urlpatterns, *feedback_urls.urlpatterns], "appeals"))),
    path("console/", include("dispatch.console.urls")),
    path("knowledge/", include("appeals.knowledge.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(("config.api_urls", "api"))),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("open311/", include("appeals.open311.urls")),
    path("admin/", admin.site.urls),
]
if apps.is_installed("bench.ceiling"):  # BENCH_CEILING=1: the benchmark's ceiling view
    urlpatterns.append(path("bench/ceiling/", include("bench.ceiling.urls")))
