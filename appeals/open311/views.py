"""GeoReport v2 endpoints: parse, call a selector or the intake service, render JSON or XML.

Every failure leaves as a GeoReport error body in the requested format. POST is authenticated
by its API key alone (no cookies), so it is exempt from CSRF. Every request is rate-limited: by
its key's own limit when it carries one (X-Api-Key header, or api_key), else per address. Only
published appeals are listed, under their public ids; a page of the list is cached briefly.
"""
from __future__ import annotations

import functools
import hashlib
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import ValidationError as DRFValidationError

from config.cache import cached

from ..forms import posted_answers
from ..knowledge.api import parse_query, search_payload
from ..models import ApiKey, Appeal
from ..services import OPEN311_NAMES, SubmittedAppeal, appeal_fields, submit_appeal
from . import params, representation, selectors
from .errors import Open311Error, bad_request, forbidden, not_found
from .keys import authenticate_api_key, rate_limit_wait, raw_key
from .rendering import MIME_TYPES, render

DESCRIPTION_MAX_LENGTH = representation.DESCRIPTION_MAX_LENGTH
TRUE, FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")
# The appeal's fields that intake's errors are keyed by -> the GeoReport parameter a developer sent.
PARAMETER_NAMES = {**OPEN311_NAMES, "category": OPEN311_NAMES["category_code"]}


def endpoint(*methods: str, root: str):
    """Allow `methods`, render the view's data under `root`, and turn Open311Error into its body."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, *args, fmt: str = "xml", **kwargs):
            allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)
            try:
                if request.method not in allowed:
                    raise Open311Error(
                        405, _("This resource accepts %(methods)s only.") % {"methods": ", ".join(methods)},
                        headers={"Allow": ", ".join(sorted(allowed))},
                    )
                _check_jurisdiction(request)
                if request.method != "POST":  # a POST's key is checked (and counted) with its fields
                    _check_rate_limit(request, _api_key(request, required=False))
                status, data, *headers = view(request, *args, **kwargs)
                response = render(data, root=root, fmt=fmt, status=status, headers=headers[0] if headers else None)
            except Open311Error as error:
                response = render(error.as_data(), root="errors", fmt=fmt, status=error.status,
                                  headers=error.headers)
            if request.method in ("GET", "HEAD"):
                response["Access-Control-Allow-Origin"] = "*"  # public, cookie-less data for web maps
            return response

        return wrapper

    return decorate


def _check_jurisdiction(request) -> None:
    """One jurisdiction is served; a client naming another one gets the standard's 404."""
    wanted = request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id")
    if wanted and settings.OPEN311_JURISDICTION_ID and wanted != settings.OPEN311_JURISDICTION_ID:
        raise not_found(_("jurisdiction_id %(id)s was not found.") % {"id": wanted})


def _api_key(request, *, required: bool) -> ApiKey | None:
    """The request's API key; a key that is sent must be valid (403), and POST must send one."""
    raw = raw_key(request)
    if not raw:
        if required:
            raise forbidden(_("api_key was not provided (send it in the X-Api-Key header, or as api_key)."))
        return None
    api_key = authenticate_api_key(raw)
    if api_key is None:
        raise forbidden(_("Invalid api_key received: it is unknown or has been revoked."))
    return api_key


def _check_rate_limit(request, api_key: ApiKey | None) -> None:
    wait = rate_limit_wait(api_key, request)
    if wait is None:
        return
    if api_key is not None:
        message = _("Too many requests for this api_key (limit %(rate)s). Try again later.") % {
            "rate": api_key.rate_limit}
    else:
        message = _("Too many requests from this address. Try again later, or ask for an api_key.")
    raise Open311Error(429, message, headers={"Retry-After": str(max(1, math.ceil(wait)))})


@endpoint("GET", root="discovery")
def discovery(request):
    stamp = selectors.changeset()
    changeset = stamp.strftime("%Y-%m-%dT%H:%M:%SZ") if stamp else ""
    return 200, {
        "changeset": changeset,
        "contact": settings.OPEN311_CONTACT or _("Call the 12345 hotline, or write to its administrators."),
        "key_service": (settings.OPEN311_KEY_SERVICE
                        or _("API keys for filing requests are issued by the hotline's administrators on request."))
        + " " + _("Send the key in the X-Api-Key header (preferred: it stays out of logs), or as the api_key "
                  "parameter."),
        "endpoints": [
            {
                "specification": representation.SPECIFICATION,
                "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
                "changeset": changeset,
                "type": "production",
                "formats": MIME_TYPES,
            }
        ],
    }


@endpoint("GET", root="services")
def services(request):
    return 200, [representation.service(category) for category in selectors.services()]


@endpoint("GET", root="knowledge_answers")
def knowledge(request):
    """An extension beside GeoReport: the knowledge base's answers to a question (?q=), so an app
    can offer them before filing a request, as the city's own forms do."""
    try:
        question, place, limit = parse_query(request.GET)
    except DRFValidationError as exc:
        raise bad_request(" ".join(str(m) for messages in exc.detail.values() for m in messages)) from exc
    return 200, search_payload(request, question, place, limit)["results"]


@endpoint("GET", root="service_definition")
def service_definition(request, service_code: str):
    category = selectors.service(service_code)
    if category is None:
        raise not_found(_("service_code %(code)s was not found.") % {"code": service_code})
    return 200, representation.service_definition(category)


@endpoint("GET", "POST", root="service_requests")
def service_requests(request):
    if request.method == "POST":
        return 201, [representation.created_request(_create(request))]
    query = params.request_query(request.GET)
    unknown = sorted(set(query.codes) - selectors.known_service_codes(query.codes))
    if unknown:
        raise bad_request(_("Unknown service_code: %(codes)s.") % {"codes": ", ".join(unknown)})
    key = hashlib.sha256(f"{get_language()}/{query.cache_key()}".encode()).hexdigest()
    page = cached(f"open311:requests:{key}", settings.OPEN311_CACHE_SECONDS, lambda: [
        representation.service_request(appeal)
        for appeal in selectors.service_requests(
            ids=query.ids, codes=query.codes, start=query.start, end=query.end, statuses=query.statuses,
            offset=query.offset, limit=query.page_size,
        )
    ])
    headers = {"Cache-Control": f"public, max-age={settings.OPEN311_CACHE_SECONDS}"}
    if len(page) == query.page_size and not query.ids and query.offset + query.page_size < params.MAX_DEPTH:
        following = request.GET.copy()
        following["page"] = str(query.page + 1)
        following.pop("api_key", None)
        headers["Link"] = f'<{request.build_absolute_uri(request.path)}?{following.urlencode()}>; rel="next"'
    return 200, page, headers


@endpoint("GET", root="service_requests")
def service_request(request, service_request_id: str):
    appeal = selectors.service_request(service_request_id)
    if appeal is None:
        raise not_found(_("service_request_id %(id)s was not found.") % {"id": service_request_id})
    return 200, [representation.service_request(appeal)]


@endpoint("GET", root="service_requests")
def token(request, token: str):
    """Requests are created in real time, so the token of a request is its own (public) id."""
    if not selectors.filed_through_open311(token):
        raise not_found(_("token %(token)s was not found.") % {"token": token})
    return 200, [{"service_request_id": token, "token": token}]


@endpoint("GET", "POST", root="errors")
def unknown_resource(request, path: str = ""):
    raise not_found(_("There is no such resource. Resources end in .xml or .json."))


def _create(request) -> SubmittedAppeal:
    """POST requests: the key, its rate limit, service_code, one location, then intake."""
    form = request.POST
    api_key = _api_key(request, required=True)
    _check_rate_limit(request, api_key)
    code = form.get("service_code", "").strip()
    if not code:
        raise bad_request(_("service_code was not provided."))
    category = selectors.service(code)
    if category is None:
        raise not_found(_("service_code %(code)s was not found.") % {"code": code})
    lat, lng, address = form.get("lat", "").strip(), form.get("long", "").strip(), form.get("address_string", "")
    if not (lat or lng or address.strip()):
        if form.get("address_id"):
            raise bad_request(_("address_id is not supported here: send lat and long, or address_string."))
        raise bad_request(_("A location is required: lat and long, or address_string."))
    description = form.get("description", "")
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise bad_request(_("description is limited to %(n)d characters.") % {"n": DESCRIPTION_MAX_LENGTH})
    phone = form.get("phone", "").strip()
    try:
        # Without a phone the hotline cannot call back: the request is anonymous and keeps no
        # name. E-mail, device_id and account_id are never stored (OPEN311_NAMES does not read them).
        values = {
            "description": description.strip() or category.name, "service_code": category.code, "lat": lat,
            "long": lng, "address_string": address, "phone": phone, "media_url": form.get("media_url", ""),
            "attributes": posted_answers(form),
            "first_name": _full_name(form.get("first_name", ""), form.get("last_name", "")) if phone else "",
        }
        submitted = submit_appeal(
            **appeal_fields(values, names=OPEN311_NAMES),
            channel=Appeal.Channel.API,
            anonymous=not phone,
            api_key=api_key,
            publish=_publish(form.get("publish", ""), api_key),
            language=get_language(),
        )
    except ValidationError as exc:
        raise bad_request(*_describe(exc)) from exc
    return submitted


def _publish(value: str, api_key: ApiKey) -> bool:
    """publish=true asks to publish; only a key whose app's terms allow it (ApiKey.publishes) may."""
    value = value.strip().lower()
    if value not in TRUE + FALSE:
        raise bad_request(_("publish must be true or false."))
    return value in TRUE and api_key.publishes == ApiKey.Publishes.WHEN_ASKED


def _full_name(first: str, last: str) -> str:
    first, last = first.strip(), last.strip()
    if (first + last).isascii():
        return " ".join(part for part in (first, last) if part)
    return last + first  # Chinese order: family name first, no space


def _describe(exc: ValidationError) -> list[str]:
    return [
        f"{PARAMETER_NAMES.get(field, field)}: {message}"
        for field, messages in exc.message_dict.items()
        for message in messages
    ]
