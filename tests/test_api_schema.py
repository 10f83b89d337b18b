"""The REST API is described by a valid OpenAPI 3 schema (the one the fuzzing tests read), with
every operation's permissions and errors, and its documentation page works without a network."""
import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict:
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--lang", "en", stdout=out)
    return yaml.safe_load(out.getvalue())


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_schema_validates_without_warnings_and_covers_every_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/appeals/", "/api/v1/appeals/track/", "/api/v1/appeals/nearby/", "/api/v1/appeals/follow/",
        "/api/v1/places/", "/api/v1/places/at/", "/api/v1/places/boundaries/",
        "/api/v1/dispatches/", "/api/v1/dispatches/{id}/", "/api/v1/dispatches/{id}/sign/",
        "/api/v1/dispatches/{id}/respond/", "/api/v1/dispatches/{id}/notes/", "/api/v1/dispatches/{id}/resolve/",
        "/api/v1/triage/", "/api/v1/triage/{id}/", "/api/v1/triage/{id}/dispatch/", "/api/v1/triage/{id}/decline/",
        "/api/v1/dispatches/{id}/report/", "/api/v1/dispatches/{id}/return/", "/api/v1/dispatches/{id}/whistle/",
        "/api/v1/dispatches/{id}/extension/", "/api/v1/dispatches/{id}/supervise/",
        "/api/v1/returns/", "/api/v1/returns/{id}/", "/api/v1/returns/{id}/approve/", "/api/v1/returns/{id}/refuse/",
        "/api/v1/extensions/", "/api/v1/extensions/{id}/", "/api/v1/extensions/{id}/approve/",
        "/api/v1/extensions/{id}/refuse/",
        "/api/v1/supervision-orders/", "/api/v1/supervision-orders/{id}/", "/api/v1/supervision-orders/{id}/reply/",
        "/api/v1/rankings/", "/api/v1/dashboard/", "/api/v1/suggestions/",
        "/api/v1/knowledge/search/",
    }


def test_every_operation_states_its_permissions_and_documents_its_errors(schema):
    for path, method, operation in operations(schema):
        assert "**Permissions:**" in operation.get("description", ""), (method, path)
        errors = {code for code in operation["responses"] if code.startswith("4")}
        assert errors, (method, path)
        for code in errors:
            body = operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert body.endswith("/ValidationError" if code == "400" else "/ErrorDetail"), (method, path, code)


def test_officer_actions_document_refusals_by_state(schema):
    for action in ("sign", "respond", "notes", "resolve"):
        responses = schema["paths"][f"/api/v1/dispatches/{{id}}/{action}/"]["post"]["responses"]
        assert {"403", "404", "409"} <= set(responses)


def test_the_schema_says_what_may_be_null(schema):
    dispatch = schema["components"]["schemas"]["Dispatch"]["properties"]
    assert dispatch["latitude"]["nullable"] and dispatch["category"]["nullable"]
    assert dispatch["contact"]["allOf"][0]["$ref"].endswith("/Contact")


def test_the_schema_is_served_to_anyone(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/v1/dispatches/" in response.json()["paths"]


def test_the_documentation_page_loads_its_assets_from_this_server(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # Nothing inline (the content security policy allows none): the start-up script is served apart.
    assert "<style" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/static/"), asset  # no CDN: the docs work offline
        assert finders.find(asset.removeprefix("/static/")), asset
    assert "https://" not in html


def readme_query_parameters() -> dict[str, set[str]]:
    """The query parameters README's table of /api/v1/ documents, by path: `?name=` in a GET's cell, or the
    names listed after "filters:"."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    documented = {}
    for line in readme.splitlines():
        if not line.startswith("| `GET ") or line.startswith("| `GET /"):  # /open311/ has its own table
            continue
        cell = re.split(r"(?<!\\)\|", line)[1].split("`POST")[0].strip()
        path = "/api/v1/" + re.match(r"`GET ([^`?]+)", cell).group(1)
        names = set(re.findall(r"[?&](\w+)=", cell))
        if "filters:" in cell:
            names |= set(re.findall(r"`(\w+)`", cell.split("filters:", 1)[1]))
        documented[path] = names
    return documented


def test_every_query_parameter_readme_documents_is_in_the_schema(schema):
    documented = readme_query_parameters()
    assert {"/api/v1/returns/", "/api/v1/extensions/", "/api/v1/dispatches/", "/api/v1/rankings/"} <= set(documented)
    for path, names in documented.items():
        in_schema = {p["name"] for p in schema["paths"][path]["get"].get("parameters", []) if p["in"] == "query"}
        assert names <= in_schema, (path, names - in_schema)
        assert in_schema - {"page"} <= names, (path, "in the schema but not in README", in_schema - names - {"page"})
    states = next(p for p in schema["paths"]["/api/v1/returns/"]["get"]["parameters"] if p["name"] == "state")
    assert states["schema"]["enum"] == ["pending", "approved", "refused", "all"]
