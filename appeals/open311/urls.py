"""/open311/: discovery, and the GeoReport v2 endpoint at /open311/v2/ (every resource in .xml and .json)."""
from django.urls import re_path

from . import views

app_name = "open311"
FORMAT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    re_path(r"^discovery" + FORMAT, views.discovery, name="discovery"),
    re_path(r"^v2/$", views.unknown_resource, name="root"),
    re_path(r"^v2/services" + FORMAT, views.services, name="services"),
    re_path(r"^v2/services/(?P<service_code>[^/]+?)" + FORMAT, views.service_definition, name="service"),
    re_path(r"^v2/requests" + FORMAT, views.service_requests, name="requests"),
    re_path(r"^v2/requests/(?P<service_request_id>[^/]+?)" + FORMAT, views.service_request, name="request"),
    re_path(r"^v2/knowledge" + FORMAT, views.knowledge, name="knowledge"),
    re_path(r"^v2/tokens/(?P<token>[^/]+?)" + FORMAT, views.token, name="token"),
    re_path(r"^(?P<path>.*?)\.json$", views.unknown_resource, {"fmt": "json"}),
    re_path(r"^(?P<path>.*)$", views.unknown_resource),
]
