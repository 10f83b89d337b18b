from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("appeals.urls")),
    path("console/", include("dispatch.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(("config.api_urls", "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("open311/", include("appeals.open311.urls")),
    path("admin/", admin.site.urls),
]
if apps.is_installed("bench.ceiling"):  # BENCH_CEILING=1: the benchmark's ceiling view
    urlpatterns.append(path("bench/ceiling/", include("bench.ceiling.urls")))
