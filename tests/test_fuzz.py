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
from dispatch.services import route_appeal
from streets.services import find_handler

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
def test_the_tracking_api_answers_any_query_with_404(api_as, number, code):
    response = api_as(None).get("/api/v1/appeals/track/", {"number": number, "code": code},
                                REMOTE_ADDR=next(addresses))
    assert response.status_code in (404, 429)
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
