"""Arbitrary input through the intake and routing services, the API and the web form: any Unicode,
very long text, control characters, NUL bytes, lone surrogates (JSON can carry them), wrong types,
broken photos. The answer is a clean stored appeal or a field-keyed refusal; never a crash, an
IntegrityError or a DataError, never a 500. Bounded by the "suite" Hypothesis profile (conftest)."""
import io
import itertools
import json
import operator
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import event, given
from hypothesis import strategies as st
from PIL import Image

from appeals.images import reencode_photo
from appeals.models import Appeal
from appeals.services import submit_appeal
from dispatch.models import Dispatch
from dispatch.routing.route import route_appeal
from streets.services import find_handler

from .scenarios import forget_rate_limits

pytestmark = pytest.mark.django_db

UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
ODD = ["\x00", "\x1b", "\x7f", "\x85", "\u200b", "\u202e", "\ufeff", "\uffff", "\ud800", "\udfff", "\r\n", "\t",
       "𠀀", "😀", "\U0010ffff", "'; DROP TABLE appeals_appeal; --", "<script>", "%00", "../"]


def texts(max_size: int = 60, surrogates: bool = True, long: bool = True):
    """Any Unicode (lone surrogates too, unless the channel cannot carry them) with odd pieces mixed
    in; now and then very long."""
    char = st.characters(exclude_categories=() if surrogates else ("Cs",))
    odd = st.sampled_from([piece for piece in ODD if surrogates or not re.search("[\ud800-\udfff]", piece)])
    piece = st.one_of(char, odd)
    short = st.lists(piece, max_size=max_size).map("".join)
    very_long = st.builds(operator.mul, st.lists(piece, min_size=1, max_size=8).map("".join),
                          st.integers(min_value=100, max_value=1500))
    return st.one_of(short, short, very_long) if long else short


STRUCTURED = ("category_code", "place", "contact_phone", "kind", "urgency")
# Valid Chinese numbers as people type them (the intake rule is libphonenumber's, region CN): a
# mobile or a Beijing landline, with or without the country code, spaces or dashes. Broken ones
# come from `text` when the field is drawn for breaking.
phones = st.one_of(
    st.from_regex(r"(\+86 ?|0086)?1(3[0-9]|8[0-9]|5[0-35-9])[ \-]?[0-9]{4}[ \-]?[0-9]{4}", fullmatch=True),
    st.from_regex(r"(\+86 ?10|\(010\) ?|010-?)[2-6][0-9]{3} ?[0-9]{4}", fullmatch=True),
)


@st.composite
def intake_payloads(draw, city, surrogates: bool = True) -> dict:
    """Keyword arguments for the intake service. Free text is anything; the structured fields are
    valid unless drawn for breaking (a few at a time), so stored appeals and refusals both occur."""
    text = texts(surrogates=surrogates)
    broken = draw(st.one_of(st.just(set()), st.sets(st.sampled_from(STRUCTURED), min_size=1, max_size=2)),
                  label="broken fields")
    garbage = st.one_of(st.none(), st.floats(), st.decimals(), text, st.sampled_from(["", "1e999", "NaN", "-0"]))
    places = [(None, None), city.POINT_A1, city.POINT_B1, (str(city.POINT_A2[0]), str(city.POINT_A2[1]))]
    latitude, longitude = draw(st.tuples(garbage, garbage) if "place" in broken else st.sampled_from(places))
    categories = [None, city.noise.code, city.water_outage.code, city.title_dispute.code, city.no_duty.code]

    def field(name, valid):
        return draw(text if name in broken else valid, label=name)

    return {
        "text": draw(st.one_of(st.just("楼道堆物堵塞消防通道"), text, text), label="text"),
        "address": draw(st.one_of(st.just(""), texts(surrogates=surrogates, long=False), text), label="address"),
        "contact_name": draw(texts(surrogates=surrogates, long=False), label="contact_name"),
        "anonymous": draw(st.booleans(), label="anonymous"),
        "latitude": latitude,
        "longitude": longitude,
        "category_code": field("category_code", st.sampled_from(categories)),
        "contact_phone": field("contact_phone", phones),
        "kind": field("kind", st.sampled_from(Appeal.Kind.values)),
        "urgency": field("urgency", st.sampled_from(Appeal.Urgency.values)),
        # Answers to questions the small city's services do not ask: refused under attribute[CODE].
        "attributes": draw(st.one_of(st.none(), st.just({}), st.dictionaries(
            texts(10, surrogates=surrogates, long=False),
            st.one_of(text, st.lists(texts(10, surrogates=surrogates, long=False), max_size=3)), max_size=2,
        )), label="attributes"),
    }


def assert_clean(appeal: Appeal) -> None:
    appeal.refresh_from_db()
    for value in (appeal.text, appeal.address, appeal.contact_name, appeal.contact_phone):
        assert not UNSTORABLE.search(value)
    assert appeal.text.strip() and len(appeal.text) <= 5000


def assert_readable_refusal(message_dict: dict) -> None:
    assert message_dict
    for messages in message_dict.values():
        assert messages and all(isinstance(m, str) and m.strip() for m in messages)


@given(data=st.data())
def test_intake_stores_a_clean_appeal_or_refuses_and_routing_never_crashes(city, data):
    fields = data.draw(intake_payloads(city), label="payload")
    source = data.draw(st.one_of(st.just(""), st.uuids().map(lambda u: f"device:{u}")), label="source")
    before = Appeal.objects.count()
    try:
        submitted = submit_appeal(**fields, source=source)
    except ValidationError as exc:
        event("refused")
        assert_readable_refusal(exc.message_dict)
        assert Appeal.objects.count() == before
        return
    event("folded" if submitted.folded else "stored")
    assert_clean(submitted.appeal)
    dispatch = route_appeal(appeal_id=submitted.appeal.pk)
    assert dispatch is None or isinstance(dispatch, Dispatch)
    assert Appeal.objects.get(pk=submitted.appeal.pk).routed_at is not None


@given(
    address=texts(),
    latitude=st.one_of(st.none(), st.decimals(min_value=-90, max_value=90, places=6)),
    longitude=st.one_of(st.none(), st.decimals(min_value=-180, max_value=180, places=6)),
    category=st.sampled_from(["noise", "water_outage", "title_dispute", "no_duty", None]),
)
def test_routing_any_place_finds_a_unit_or_the_operators(city, address, latitude, longitude, category):
    if (latitude is None) != (longitude is None):
        longitude = latitude = None
    category_id = getattr(city, category).pk if category else None
    handler = find_handler(category_id=category_id, latitude=latitude, longitude=longitude, address=address)
    assert handler.reason
    assert handler.unit is None or handler.unit.kind in ("street", "department")


API_FIELDS = ["text", "kind", "urgency", "category", "address", "latitude", "longitude", "contact_name",
              "contact_phone", "anonymous", "photos", "channel", "attributes"]
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts(30)),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(texts(10), children, max_size=3)),
    max_leaves=6,
)
addresses = (f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}" for n in itertools.count(1))


@st.composite
def api_payloads(draw, city) -> dict:
    """The intake payload as JSON, some fields of the wrong type altogether, some left out."""
    payload = draw(intake_payloads(city))
    payload["category"] = payload.pop("category_code")
    for name in draw(st.sets(st.sampled_from(API_FIELDS), max_size=2), label="wrong types"):
        payload[name] = draw(json_values, label=name)
    for name in draw(st.sets(st.sampled_from(API_FIELDS), max_size=2), label="left out"):
        payload.pop(name, None)
    return payload


def assert_api_answer(response) -> None:
    event(f"HTTP {response.status_code}")
    assert response.status_code in (200, 201, 400), response.content[:500]
    body = response.json()
    assert isinstance(body, dict) and body
    if response.status_code == 400:
        for value in body.values():
            readable = value if isinstance(value, list) else [value]
            assert all(isinstance(item, str | dict | list) and item for item in readable), body


@given(data=st.data())
def test_the_api_answers_any_json_with_201_200_or_400(api_as, city, data):
    payload = data.draw(api_payloads(city), label="payload")
    # ASCII escapes: lone surrogates travel as \\ud800, as a client may send them.
    body = json.dumps(payload, default=str)
    response = api_as(None).post("/api/v1/appeals/", body, content_type="application/json",
                                 REMOTE_ADDR=next(addresses))
    assert_api_answer(response)
    if response.status_code in (200, 201):
        assert_clean(Appeal.objects.get(number=response.json()["number"]))


@given(body=st.one_of(st.binary(max_size=200), texts(80, surrogates=False).map(str.encode)))
def test_the_api_answers_a_broken_body_with_400(api_as, body):
    response = api_as(None).post("/api/v1/appeals/", body, content_type="application/json",
                                 REMOTE_ADDR=next(addresses))
    assert_api_answer(response)


@given(number=texts(40, surrogates=False), code=texts(40, surrogates=False))
def test_the_tracking_api_answers_any_query_with_404(api_as, redis_client, number, code):
    forget_rate_limits(redis_client)  # each example is a first try (a repeated number would be limited: 429)
    response = api_as(None).get("/api/v1/appeals/track/", {"number": number, "code": code},
                                REMOTE_ADDR=next(addresses))
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def sample_image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 9), (90, 40, 200)).save(buffer, format=fmt)
    return buffer.getvalue()


SAMPLES = {fmt: sample_image(fmt) for fmt in ("PNG", "JPEG", "GIF", "WEBP")}


@st.composite
def damaged_images(draw) -> bytes:
    """A real image with some bytes overwritten and perhaps cut short, or plain random bytes."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.binary(max_size=400))
    data = bytearray(SAMPLES[draw(st.sampled_from(sorted(SAMPLES)))])
    for position, value in draw(st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), max_size=4)):
        data[position] = value
    return bytes(data[: draw(st.integers(0, len(data)))]) if draw(st.booleans()) else bytes(data)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body written by hand, so file names arrive exactly as a client sends them."""
    boundary = "----fuzz-boundary-7MA4YWxkTrZu0gW"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value.encode()
                     + b"\r\n")
    for name, (filename, content) in files.items():
        quoted = filename.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{quoted}"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@given(data=st.data())
def test_the_web_form_answers_any_post_with_a_redirect_or_400(client, city, data):
    """Form posts are UTF-8 (a lone surrogate cannot arrive: undecodable bytes become U+FFFD)."""
    fields = data.draw(intake_payloads(city, surrogates=False), label="payload")
    form = {name: "" if value is None else str(value) for name, value in fields.items()
            if name not in ("anonymous", "attributes")}
    form["category"] = form.pop("category_code")
    form.update({f"attribute[{code}]": str(answer) for code, answer in (fields["attributes"] or {}).items()})
    if fields["anonymous"]:
        form["anonymous"] = "on"
    files = {}
    if data.draw(st.booleans(), label="with photo"):
        files["photos"] = (data.draw(texts(30, surrogates=False), label="file name"),
                           data.draw(st.one_of(st.binary(max_size=300), damaged_images()), label="photo"))
    body, content_type = multipart(form, files)
    response = client.post("/", body, content_type=content_type, REMOTE_ADDR=next(addresses))
    event(f"HTTP {response.status_code}")
    assert response.status_code in (302, 400)


@given(content=damaged_images())
def test_a_damaged_photo_is_re_encoded_or_refused_never_a_crash(content, settings):
    try:
        clean = reencode_photo(SimpleUploadedFile("x.jpg", content, content_type="image/jpeg"))
    except ValidationError as exc:
        event("refused")
        assert set(exc.message_dict) == {"photos"}
        return
    event("re-encoded")
    assert Image.open(io.BytesIO(clean.read())).format in ("PNG", "JPEG")


# --- edge input classes: deep nesting, extreme dates, odd charsets, over the API and the console ---

CHARSETS = ["utf-8", "UTF-8", "latin-1", "ISO-8859-1", "utf-16", "gbk", "gb2312", "big5", "ascii", "x-no-such", ""]
JSON_ENDPOINTS = ["/api/v1/appeals/", "/api/v1/dispatches/{pk}/respond/", "/api/v1/dispatches/{pk}/resolve/",
                  "/api/v1/dispatches/{pk}/extension/", "/api/v1/dispatches/{pk}/return/",
                  "/api/v1/triage/{pk}/decline/", "/api/v1/returns/{pk}/approve/"]
STAFF = ["officer_a1", "operator", "supervisor"]


@st.composite
def nested_json(draw) -> str:
    """A JSON document nested anywhere from a few to thousands of levels, alone or inside a field."""
    depth = draw(st.one_of(st.integers(1, 40), st.integers(40, 3000)), label="depth")
    opening, closing = draw(st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"b":', "}]")]), label="brackets")
    core = opening * depth + draw(st.sampled_from(["1", '"x"', "null", "[]", '"[{"'])) + closing * depth
    field = draw(st.sampled_from([None, *API_FIELDS]), label="inside")
    return core if field is None else json.dumps({"text": "楼道堆物", field: "@"}).replace('"@"', core)


@st.composite
def moments(draw) -> str:
    """ISO 8601 dates and times from year 1 to 9999 with offsets up to ±23:59, naive or bare dates too."""
    year = draw(st.one_of(st.sampled_from([1, 2, 1899, 1900, 1970, 2026, 2999, 3000, 9998, 9999]),
                          st.integers(1, 9999)))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    clock = draw(st.sampled_from(["", "T00:00:00", "T23:59:59", "T12:30:00.123456", " 08:00"]))
    offset = draw(st.sampled_from(["", "Z", "+00:00"]) | st.builds(
        "{}{:02d}:{:02d}".format, st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59)))
    return f"{year:04d}-{month:02d}-{day:02d}{clock}{offset if clock else ''}"


months = st.builds("{:04d}-{:02d}".format, st.integers(0, 9999), st.integers(0, 13)) | texts(12, surrogates=False)


def assert_not_a_server_error(response) -> None:
    event(f"HTTP {response.status_code}")
    assert response.status_code < 500, response.content[:500]


@given(data=st.data())
def test_deeply_nested_json_is_refused_on_every_json_endpoint(api_as, officers, ticket, data):
    path = data.draw(st.sampled_from(JSON_ENDPOINTS), label="path").format(pk=ticket.pk)
    visitor = data.draw(st.sampled_from([None, *STAFF]), label="visitor")
    body = data.draw(nested_json(), label="body")
    client = api_as(officers[visitor] if visitor else None)
    response = client.post(path, body, content_type="application/json", REMOTE_ADDR=next(addresses))
    assert_not_a_server_error(response)


pages = st.none() | st.integers().map(str) | texts(8, surrogates=False) | st.just("9" * 5000)


@given(start=st.none() | moments(), end=st.none() | moments(), page=pages, page_size=pages)
def test_open311_dates_from_year_1_to_9999_are_answered_or_refused(client, city, start, end, page, page_size):
    given_params = (("start_date", start), ("end_date", end), ("page", page), ("page_size", page_size))
    params = {name: value for name, value in given_params if value is not None}
    response = client.get("/open311/v2/requests.json", params, REMOTE_ADDR=next(addresses))
    assert_not_a_server_error(response)
    assert response.status_code in (200, 400)


@given(since=moments())
def test_datetime_answers_from_year_1_to_9999_are_stored_or_refused(city, questions, since):
    fields = {"text": "停水了", "category_code": city.water_outage.code, "address": "南桥路1号", "anonymous": True,
              "attributes": {"scope": "home", "since": since}}
    try:
        submitted = submit_appeal(**fields)  # no source: nothing folds between examples
    except ValidationError as exc:
        event("refused")
        assert set(exc.message_dict) == {"attribute[since]"}
        return
    event("stored")
    assert submitted.appeal.attributes["since"]


@given(data=st.data())
def test_any_month_or_date_on_the_dashboard_queues_and_rankings_is_answered_or_refused(client, officers, data):
    client.force_login(officers["supervisor"].user)
    path = data.draw(st.sampled_from(["/console/dashboard/", "/console/dashboard/ranking-streets.csv",
                                      "/console/dashboard/intake.xlsx", "/api/v1/rankings/", "/console/queue/",
                                      "/api/v1/dispatches/", "/console/queue/export.csv"]), label="path")
    params = {"period": data.draw(months, label="period"),
              "dispatched_from": data.draw(moments().map(lambda moment: moment[:10]), label="from"),
              "dispatched_to": data.draw(moments().map(lambda moment: moment[:10]), label="to")}
    assert_not_a_server_error(client.get(path, params))


CONSOLE_FORMS = {  # path (ticket's dispatch pk filled in) -> who may post it, and its fields
    "/console/phone/": ("operator", ["text", "category", "address", "latitude", "longitude", "contact_phone",
                                     "publish", "kind", "urgency"]),
    "/console/dispatches/{pk}/respond/": ("officer_a1", ["note"]),
    "/console/dispatches/{pk}/resolve/": ("officer_a1", ["answer"]),
    "/console/dispatches/{pk}/extension/": ("officer_a1", ["proposed_day", "reason"]),
    "/console/dispatches/{pk}/return/": ("officer_a1", ["reason", "note", "suggested_unit"]),
    "/console/dispatches/{pk}/whistle/": ("officer_a1", ["departments", "note"]),
    "/console/dispatches/{pk}/supervise/": ("supervisor", ["note"]),
    "/": (None, ["text", "category", "latitude", "longitude", "contact_phone", "publish", "kind", "urgency"]),
    "/track/": (None, ["number", "code"]),
    "/accounts/login/": (None, ["username", "password"]),
    "/my/": (None, ["phone"]),
}


@given(data=st.data())
def test_the_published_list_answers_any_filter_without_a_500(client, city, data):
    params = {name: data.draw(texts(40, surrogates=False), label=name)
              for name in ("category", "district", "status", "page")}
    response = client.get("/published/", params, REMOTE_ADDR=next(addresses))
    assert_not_a_server_error(response)
    assert response.status_code == 200


@given(data=st.data())
def test_console_and_public_forms_answer_any_post_in_any_charset_without_a_500(client, officers, ticket, data):
    """Form posts with any text, dates from year 1 to 9999, and a charset that may not be UTF-8."""
    path = data.draw(st.sampled_from(sorted(CONSOLE_FORMS)), label="form")
    role, fields = CONSOLE_FORMS[path]
    if role is not None:
        client.force_login(officers[role].user)
    values = st.one_of(texts(40, surrogates=False), moments(), moments().map(lambda moment: moment[:10]))
    form = {field: data.draw(values, label=field) for field in fields}
    charset = data.draw(st.sampled_from(CHARSETS), label="charset")
    encoding = charset if charset.lower() in ("utf-16", "gbk", "gb2312", "big5") else "utf-8"
    body = "&".join(f"{name}={value}" for name, value in form.items()).encode(encoding, "replace")
    content_type = "application/x-www-form-urlencoded" + (f"; charset={charset}" if charset else "")
    response = client.generic("POST", path.format(pk=ticket.pk), body, content_type=content_type,
                              REMOTE_ADDR=next(addresses))
    assert_not_a_server_error(response)
    if charset and charset.lower() not in ("utf-8",):
        assert response.status_code == 400
