"""Fuzzing the API: schemathesis generates requests from the project's own OpenAPI schema (the one
served at /api/schema/) and sends them through the real stack, as an anonymous visitor and as
each kind of staff. No request may end in a 500; every answer must be one the schema documents,
with the documented body; every 4xx must carry a readable error message."""
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from config.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def api_schema(db, rates):
    """The schema, loaded from the running app. The requests go through the real WSGI handler, so
    keep it from closing the test's database connection at each request's end (as Django's own test
    client does). Rate limits are lifted: thousands of requests come from one address here."""
    rates(anon="100000/hour", user="100000/hour", intake="100000/hour", tracking="100000/hour",
          tracking_failures="100000/hour", tracking_failures_number="100000/hour", map="100000/hour",
          follow="100000/hour")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?lang=en", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def readable_error(response) -> None:
    """A 4xx says what went wrong: {"detail": "..."} or field -> list of messages, in words."""
    if not 400 <= response.status_code < 500:
        return
    body = response.json()
    assert isinstance(body, dict) and body, f"{response.status_code} without an error body"
    if "detail" in body:
        assert isinstance(body["detail"], str) and body["detail"].strip(), body
        return
    for field, messages in body.items():
        assert isinstance(messages, list | dict | str) and messages, (field, messages)


CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture
def visitors(officers) -> dict[str, dict]:
    """Authorization headers for each kind of visitor: anonymous, and a token for each staff role."""
    headers = {"anonymous": {}}
    for role in ("officer_a1", "operator", "supervisor", "head_a1"):
        token, _ = Token.objects.get_or_create(user=officers[role].user)
        headers[role] = {"Authorization": f"Token {token.key}"}
    return headers


@pytest.mark.timeout(900)
def test_no_request_breaks_the_api(api_schema, visitors, ticket):
    """Every operation of the schema, EXAMPLES_PER_OPERATION generated requests each, as each visitor."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 28  # the whole API, not an empty schema

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):
            for headers in visitors.values():
                response = case.call(headers=headers)
                case.validate_response(response, checks=CHECKS)
                readable_error(response)

        fuzz()
