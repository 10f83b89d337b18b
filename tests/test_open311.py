"""The Open311 GeoReport v2 server, method by method, in both formats: what a third-party app
sees, what it may send, the errors it gets, and what it must never see (residents' data)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from appeals.models import Appeal, Category
from appeals.open311.keys import create_api_key, revoke_api_key
from appeals.services import submit_appeal
from dispatch.handling import actions
from dispatch.models import Dispatch
from dispatch.routing import route

from .factories import CategoryFactory
from .open311 import fetch, fetch_both, validate_json

pytestmark = pytest.mark.django_db

V2 = "/open311/v2"
FORMATS = ["json", "xml"]


def file_request(client, raw_key: str, fmt: str = "json", *, status: int = 201, english: bool = False, **fields):
    """POST requests.FORMAT with these form fields; `english` asks for English messages."""
    data = {"api_key": raw_key, **fields}
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"} if english else {}
    return fetch(client, f"{V2}/requests", fmt, "created_requests", status=status, method="post", data=data,
                 **headers)


@pytest.fixture
def publishing_key(db):
    """A key whose app's terms let residents publish (ApiKey.publishes = when_asked)."""
    return create_api_key(name="Civic map", owner="Open Data Lab", rate_limit="100/min", publishes="when_asked")


def web_appeal(city, **overrides) -> Appeal:
    """A web appeal its resident chose to publish (publish=False for one they did not)."""
    fields = {
        "text": "楼上每晚施工，王先生家 13900139000", "channel": Appeal.Channel.WEB,
        "category_code": city.noise.code, "latitude": "39.951234", "longitude": "116.151234",
        "address": "西柳路8号3单元", "contact_name": "王五", "contact_phone": "13900139000", "publish": True,
    }
    return submit_appeal(**{**fields, **overrides}).appeal


def descriptions(errors: list) -> str:
    return " | ".join(error["description"] for error in errors)


# --- discovery and services --------------------------------------------------------------------


def test_discovery_lists_the_production_endpoint_and_both_formats(client, city):
    discovery = fetch_both(client, "/open311/discovery", "discovery")
    (endpoint,) = discovery["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert discovery["changeset"] == endpoint["changeset"] != ""


def test_services_are_the_active_leaf_categories_with_their_group(client, city, questions):
    CategoryFactory(code="OLD-GONE", active=False)
    parent = CategoryFactory(code="HOU", name="住房", name_en="Housing", level=1, is_leaf=False)
    CategoryFactory(code="HOU-LIFT", name="电梯停运", name_en="Lift out of service", parent=parent)
    services = fetch_both(client, f"{V2}/services", "services", HTTP_ACCEPT_LANGUAGE="en")
    by_code = {service["service_code"]: service for service in services}
    assert set(by_code) == {"ENV-NOISE-NB", "UTL-WATER-OUT", "HOU-TITLE", "MISC-ORPHAN", "HOU-LIFT"}
    assert by_code["HOU-LIFT"] == {
        "service_code": "HOU-LIFT", "service_name": "Lift out of service",
        "description": "Housing › Lift out of service", "metadata": False, "type": "realtime",
        "keywords": "电梯停运, Lift out of service, 住房, Housing", "group": "Housing",
    }
    assert by_code["UTL-WATER-OUT"]["metadata"] is True  # it asks questions: fetch its definition
    assert by_code["HOU-TITLE"]["metadata"] is False


def test_service_names_are_chinese_by_default(client, city):
    services = fetch(client, f"{V2}/services", "json", "services")
    assert {s["service_name"] for s in services} >= {"邻里噪声", "停水"}


def test_a_service_definition_lists_its_attributes_in_order_with_their_values(client, city, questions):
    definition = fetch_both(client, f"{V2}/services/{city.noise.code}", "service_definition",
                            HTTP_ACCEPT_LANGUAGE="en")
    assert definition["service_code"] == "ENV-NOISE-NB"
    assert [(a["order"], a["code"], a["datatype"], a["required"]) for a in definition["attributes"]] == [
        (1, "floor", "number", False), (2, "hours", "multivaluelist", False), (3, "source", "string", False),
    ]
    floor, hours, source = definition["attributes"]
    assert floor["variable"] is True and floor["description"] == "Which floor?"
    assert floor["datatype_description"] == "A number, e.g. 12."
    assert hours["values"] == [{"key": "night", "name": "Night"}, {"key": "day", "name": "Day"}]
    assert "attribute[hours][]" in hours["datatype_description"]
    assert "values" not in source and source["datatype_description"] is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_service_code_is_a_404(client, city, fmt):
    errors = fetch(client, f"{V2}/services/NO-SUCH", fmt, "service_definition", status=404)
    assert errors[0]["code"] == (404 if fmt == "json" else "404") and "NO-SUCH" in errors[0]["description"]


def test_the_demo_city_defines_questions_for_lifts_and_bus_lines(client, settings):
    from streets.demo.builder import load_demo_city

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    load_demo_city()
    services = fetch(client, f"{V2}/services", "json", "services")
    assert len(services) == Category.objects.filter(is_leaf=True).count()
    assert {s["service_code"] for s in services if s["metadata"]} >= {"HOU-PM-LIFT", "PTR-BUS-WAIT"}
    lift = fetch_both(client, f"{V2}/services/HOU-PM-LIFT", "service_definition", HTTP_ACCEPT_LANGUAGE="en")
    floor = next(a for a in lift["attributes"] if a["code"] == "floor")
    assert floor["datatype"] == "number" and floor["required"] is True
    bus = fetch(client, f"{V2}/services/PTR-BUS-WAIT", "json", "service_definition", HTTP_ACCEPT_LANGUAGE="en")
    assert next(a for a in bus["attributes"] if a["code"] == "line")["description"] == "Which bus line?"


# --- POST requests -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_posting_a_request_files_an_api_appeal_through_intake(client, city, questions, api_key, fmt):
    key, raw = api_key
    (created,) = file_request(
        client, raw, fmt, service_code=city.noise.code, lat="39.95", long="116.15",
        description="楼上夜间装修\n每天到凌晨", first_name="三", last_name="张", phone="13800138000",
        email="zhang@example.org", device_id="dev-1", account_id="acc-9",
        media_url="https://img.example.org/1.jpg", **{"attribute[floor]": "12", "attribute[hours][]": ["night", "day"],
                                                       "attribute[source]": "电钻"},
    )
    appeal = Appeal.objects.get(number=created["tracking_number"])
    assert appeal.channel == Appeal.Channel.API and appeal.api_key == key
    assert appeal.category == city.noise and appeal.text == "楼上夜间装修\n每天到凌晨"
    assert (appeal.latitude, appeal.longitude) == (Decimal("39.95"), Decimal("116.15"))
    assert appeal.attributes == {"floor": 12, "hours": ["night", "day"], "source": "电钻"}
    assert appeal.media_url == "https://img.example.org/1.jpg"
    assert (appeal.contact_name, appeal.contact_phone, appeal.anonymous) == ("张三", "13800138000", False)
    assert "service_notice" in created and "token" not in created
    assert appeal.events.get().kind == "received"
    # Not published (the key's app may not publish): a public id all the same, and the resident's own
    # number and code, which track it.
    assert created["service_request_id"] == appeal.public_id != appeal.number
    assert created["published"] in (False, "false")
    assert not appeal.published
    from appeals.selectors import appeal_for_tracking
    assert appeal_for_tracking(number=created["tracking_number"], code=created["access_code"]) == appeal


def test_without_a_phone_the_request_is_anonymous_and_keeps_no_name(client, city, api_key):
    (created,) = file_request(client, api_key[1], service_code=city.noise.code, address_string="西柳路8号",
                              first_name="John", last_name="Smith", email="john@example.org")
    appeal = Appeal.objects.get(number=created["tracking_number"])
    assert appeal.anonymous and appeal.contact_name == "" and appeal.contact_phone == ""
    assert appeal.address == "西柳路8号" and appeal.text == city.noise.name  # no description: the service's name


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("key", "message"),
    [(None, "api_key was not provided"), ("nope", "Invalid api_key"), ("abcd1234.forged", "Invalid api_key")],
)
def test_posting_without_a_valid_key_is_a_403(client, city, fmt, key, message):
    data = {"service_code": city.noise.code, "lat": "39.95", "long": "116.15"}
    if key:
        data["api_key"] = key
    errors = fetch(client, f"{V2}/requests", fmt, "created_requests", status=403, method="post", data=data,
                   HTTP_ACCEPT_LANGUAGE="en")
    assert message in descriptions(errors) and Appeal.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_revoked_key_is_a_403(client, city, api_key, fmt):
    revoke_api_key(api_key=api_key[0])
    errors = file_request(client, api_key[1], fmt, status=403, service_code=city.noise.code, lat="39.95",
                          long="116.15")
    assert errors[0]["code"] == (403 if fmt == "json" else "403") and Appeal.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"lat": "39.95", "long": "116.15"}, 400, "service_code was not provided"),
        ({"service_code": "NO-SUCH", "lat": "39.95", "long": "116.15"}, 404, "service_code NO-SUCH was not found"),
        ({"service_code": "ENV-NOISE-NB"}, 400, "A location is required"),
        ({"service_code": "ENV-NOISE-NB", "address_id": "5544"}, 400, "address_id is not supported"),
        ({"service_code": "ENV-NOISE-NB", "lat": "39.95"}, 400, "lat: Give both latitude and longitude"),
        ({"service_code": "ENV-NOISE-NB", "lat": "31.23", "long": "121.47"}, 400, "outside the city"),
        ({"service_code": "ENV-NOISE-NB", "lat": "north", "long": "116.15"}, 400, "must be numbers"),
        ({"service_code": "ENV-NOISE-NB", "address_string": "x", "description": "长" * 4001}, 400, "4000"),
        ({"service_code": "ENV-NOISE-NB", "address_string": "x", "media_url": "javascript:alert(1)"}, 400,
         "media_url: Give a web address"),
        ({"service_code": "ENV-NOISE-NB", "address_string": "x", "phone": "call me"}, 400, "phone: "),
    ],
)
def test_bad_requests_are_refused_in_the_standards_error_format(client, city, api_key, fmt, fields, status, message):
    errors = file_request(client, api_key[1], fmt, status=status, english=True, **fields)
    assert message in descriptions(errors)
    assert Appeal.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_attributes_get_one_error_each_and_nothing_is_stored(client, city, questions, api_key, fmt):
    errors = file_request(
        client, api_key[1], fmt, status=400, english=True,
        service_code=city.noise.code, address_string="西柳路8号",
        **{"attribute[floor]": "tenth", "attribute[hours][]": ["night", "dusk"], "attribute[colour]": "red",
           "attribute[source]": "line one\nline two"},
    )
    text = descriptions(errors)
    assert len(errors) == 4
    assert "Which floor?: give a number" in text
    assert "At what hours?: choose from night, day" in text
    assert "no question colour" in text
    assert "one line only" in text
    assert Appeal.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_required_attribute_must_be_answered_from_its_list(client, city, questions, api_key, fmt):
    base = {"service_code": city.water_outage.code, "address_string": "南桥路1号"}
    errors = file_request(client, api_key[1], fmt, status=400, english=True, **base)
    assert descriptions(errors) == "attribute[scope]: Please answer: How far does it reach?"
    errors = file_request(client, api_key[1], fmt, status=400, english=True,
                          **base, **{"attribute[scope]": ["home", "building"]})
    assert "give one answer only" in descriptions(errors)
    (created,) = file_request(client, api_key[1], fmt, **base, **{"attribute[scope]": "building",
                                                                  "attribute[since]": "2024-05-01T08:30:00Z"})
    appeal = Appeal.objects.get(number=created["tracking_number"])
    assert appeal.attributes == {"scope": "building", "since": "2024-05-01T16:30:00+08:00"}


def test_no_caller_of_intake_skips_a_required_question(city, questions):
    """Every channel asks the questions (tests/test_category_questions.py): no answers is no escape."""
    fields = {"text": "停水了", "category_code": city.water_outage.code, "address": "南桥路1号", "anonymous": True}
    for answers in (None, {}):
        with pytest.raises(ValidationError, match="scope"):
            submit_appeal(**fields, attributes=answers)
    assert submit_appeal(**fields, attributes={"scope": "home"}).appeal.attributes == {"scope": "home"}


def test_each_key_has_its_own_rate_limit(client, city, api_key):
    from appeals.open311.keys import create_api_key

    _slow, slow_raw = create_api_key(name="Slow app", owner="someone", rate_limit="2/hour")
    fields = {"service_code": city.noise.code, "address_string": "西柳路8号"}
    file_request(client, slow_raw, **fields)
    file_request(client, slow_raw, **fields)
    for fmt in FORMATS:
        errors = file_request(client, slow_raw, fmt, status=429, english=True, **fields)
        assert "limit 2/hour" in descriptions(errors)
    file_request(client, api_key[1], **fields)  # another key is not affected
    assert Appeal.objects.count() == 3


# --- GET requests ------------------------------------------------------------------------------


def test_a_published_request_reads_back_masked_and_rounded_under_its_public_id(client, city, publishing_key):
    (created,) = file_request(client, publishing_key[1], service_code=city.noise.code, lat="39.951234",
                              long="116.151234", address_string="西柳路8号3单元", publish="true",
                              description="夜间施工，请回电 13800138000，身份证 11010119900307451X",
                              phone="13800138000", first_name="Ming", last_name="Li", email="li@example.org",
                              media_url="https://img.example.org/2.jpg")
    number = created["service_request_id"]
    appeal = Appeal.objects.get(number=created["tracking_number"])
    assert appeal.published and number == appeal.public_id and len(number) == 12
    (request,) = fetch_both(client, f"{V2}/requests/{number}", "service_requests")
    assert request == {
        "service_request_id": number, "status": "open", "status_notes": None, "service_name": "邻里噪声",
        "service_code": "ENV-NOISE-NB", "description": "夜间施工，请回电 138****8000，身份证 ******************",
        "agency_responsible": None, "service_notice": None,
        "requested_datetime": timezone.localtime(appeal.created_at).isoformat("T", "seconds"),
        "updated_datetime": request["updated_datetime"], "expected_datetime": None, "address": None,
        "lat": 39.951, "long": 116.151, "media_url": "https://img.example.org/2.jpg",
    }
    assert request["requested_datetime"].endswith("+08:00")
    # The tracking number names nothing here: the public list helps nobody try codes.
    fetch(client, f"{V2}/requests/{appeal.number}", "json", "service_requests", status=404)
    listed = client.get(f"{V2}/requests.json").content.decode()
    assert appeal.number not in listed and number in listed


@pytest.mark.parametrize("publishes", ["never", "when_asked"])
@pytest.mark.parametrize("publish", ["", "false", "0"])
def test_a_request_is_published_only_when_the_resident_asked_and_the_apps_terms_allow(client, city, publishes,
                                                                                       publish):
    _key, raw = create_api_key(name="App", owner="Lab", publishes=publishes)
    fields = {"service_code": city.noise.code, "address_string": "西柳路8号"}
    (created,) = file_request(client, raw, **fields, **({"publish": publish} if publish else {}))
    appeal = Appeal.objects.get(number=created["tracking_number"])
    assert not appeal.published and appeal.public_id == created["service_request_id"]
    (asked,) = file_request(client, raw, **fields, publish="true", description="第二次")
    assert Appeal.objects.get(number=asked["tracking_number"]).published is (publishes == "when_asked")
    listed = ids(fetch(client, f"{V2}/requests", "json", "service_requests"))
    assert listed == ([asked["service_request_id"]] if publishes == "when_asked" else [])
    fetch(client, f"{V2}/requests/{created['service_request_id']}", "json", "service_requests", status=404)


def test_publish_must_be_true_or_false(client, city, publishing_key):
    errors = file_request(client, publishing_key[1], status=400, english=True, service_code=city.noise.code,
                          address_string="西柳路8号", publish="perhaps")
    assert "publish must be true or false" in descriptions(errors) and Appeal.objects.count() == 0


def test_every_channel_files_unpublished_unless_the_resident_chose(client, city, officers):
    """Web form, API and the operators' phone form: a publish choice, off by default."""
    base = {"text": "路灯坏了", "category": city.noise.code, "latitude": "39.95", "longitude": "116.15",
            "anonymous": "on", "kind": "complaint", "urgency": "ordinary"}
    client.post("/", base)
    client.post("/", {**base, "text": "路灯又坏了", "publish": "on"})
    api = client.post("/api/v1/appeals/", {**base, "text": "井盖丢了", "anonymous": True},
                      content_type="application/json")
    published_api = client.post("/api/v1/appeals/", {**base, "text": "井盖又丢了", "anonymous": True,
                                                     "publish": True}, content_type="application/json")
    assert api.status_code == published_api.status_code == 201
    client.force_login(officers["operator"].user)
    client.post("/console/phone/", {**base, "text": "电话：路灯坏了"})
    client.post("/console/phone/", {**base, "text": "电话：路灯又坏了", "publish": "on"})
    chosen = dict(Appeal.objects.values_list("text", "published"))
    assert chosen == {"路灯坏了": False, "路灯又坏了": True, "井盖丢了": False, "井盖又丢了": True,
                      "电话：路灯坏了": False, "电话：路灯又坏了": True}
    assert all(a.public_id for a in Appeal.objects.filter(published=True))
    assert not Appeal.objects.filter(published=False).exclude(public_id="").exists()
    assert Appeal.objects.get(text="电话：路灯又坏了").channel == Appeal.Channel.PHONE
    assert "caller agrees to publish" in client.get("/console/phone/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_routing_sets_the_agency_and_the_expected_time_and_resolving_closes_it(client, city, officers,
                                                                               publishing_key):
    (created,) = file_request(client, publishing_key[1], service_code=city.noise.code, lat="39.95", long="116.15",
                              publish="true")
    appeal = Appeal.objects.get(number=created["tracking_number"])
    dispatch = route.route_appeal(appeal_id=appeal.pk)
    number = created["service_request_id"]
    (request,) = fetch_both(client, f"{V2}/requests/{number}", "service_requests", HTTP_ACCEPT_LANGUAGE="en")
    assert request["agency_responsible"] == "Xiliu" and request["status"] == "open"
    assert request["expected_datetime"] == timezone.localtime(dispatch.resolve_due).isoformat("T", "seconds")
    actions.respond_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a2"])
    actions.resolve_dispatch(dispatch_id=dispatch.pk, officer=officers["officer_a2"],
                                       answer="已责令施工方停止夜间施工，王先生电话13900139000已回访。")
    (request,) = fetch_both(client, f"{V2}/requests/{number}", "service_requests")
    assert request["status"] == "closed"
    assert request["status_notes"] == "已责令施工方停止夜间施工，王先生电话139****9000已回访。"
    resolved_at = appeal.events.get(kind="resolved").created_at
    assert request["updated_datetime"] == timezone.localtime(resolved_at).isoformat("T", "seconds")


def test_a_declined_request_is_closed_with_the_reason(client, city, officers):
    appeal = web_appeal(city, category_code=city.no_duty.code)
    route.route_appeal(appeal_id=appeal.pk)
    actions.decline_appeal(appeal_id=appeal.pk, reason=Appeal.RejectionReason.LEGAL,
                                     operator=officers["operator"], note="请向法院起诉")
    (request,) = fetch_both(client, f"{V2}/requests/{appeal.public_id}", "service_requests",
                            HTTP_ACCEPT_LANGUAGE="en")
    assert request["status"] == "closed"
    assert request["status_notes"] == "A matter for the courts, arbitration or the petitions office"


def test_appeals_not_published_are_neither_listed_nor_readable(client, city, officers, api_key):
    """Whatever the channel: the web form, the API, an Open311 app without the resident's consent."""
    private = [web_appeal(city, publish=False), web_appeal(city, channel=Appeal.Channel.API, publish=False)]
    (created,) = file_request(client, api_key[1], service_code=city.noise.code, address_string="西柳路8号",
                              description="夜间施工", publish="true")  # this key's app may not publish
    for appeal in private:
        route.route_appeal(appeal_id=appeal.pk)
    for fmt in FORMATS:
        assert fetch(client, f"{V2}/requests", fmt, "service_requests") in ([], None)
        for number in (private[0].number, private[1].number, created["tracking_number"],
                       created["service_request_id"]):
            fetch(client, f"{V2}/requests/{number}", fmt, "service_requests", status=404)


def test_get_responses_never_carry_personal_data(client, city, publishing_key):
    file_request(client, publishing_key[1], service_code=city.noise.code, address_string="西柳路8号",
                 first_name="Ming", last_name="Li", phone="13800138000", email="li@example.org",
                 device_id="device-777", account_id="account-888", publish="true",
                 description="Ming Li's phone is 13800138000, mail li@example.org")
    appeal = web_appeal(city)
    for fmt in FORMATS:
        body = client.get(f"{V2}/requests.{fmt}").content.decode()
        assert body.count("ENV-NOISE-NB") == 2
        for private in ("13800138000", "li@example.org", "device-777", "account-888", "王五", "13900139000",
                        "西柳路8号", appeal.number, "39.951234"):
            assert private not in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_request_or_one_without_a_service_is_a_404(client, city, fmt):
    fetch(client, f"{V2}/requests/200101-ZZZZZZ", fmt, "service_requests", status=404)
    unclassified = web_appeal(city, category_code=None)
    fetch(client, f"{V2}/requests/{unclassified.public_id}", fmt, "service_requests", status=404)


def _aged(appeal: Appeal, days: float) -> Appeal:
    Appeal.objects.filter(pk=appeal.pk).update(created_at=timezone.now() - timedelta(days=days))
    return appeal


def ids(requests: list) -> list[str]:
    return [request["service_request_id"] for request in requests or []]


def test_the_list_covers_the_last_90_days_newest_first_by_default(client, city):
    recent, older, old = (_aged(web_appeal(city), days) for days in (1, 89, 91))
    assert ids(fetch_both(client, f"{V2}/requests", "service_requests")) == [recent.public_id, older.public_id]
    assert old.public_id not in ids(fetch(client, f"{V2}/requests", "json", "service_requests"))


def test_the_list_filters_by_service_status_and_dates(client, city, officers):
    noise, water = web_appeal(city), web_appeal(city, category_code=city.water_outage.code, attributes=None)
    declined = web_appeal(city, category_code=city.no_duty.code)
    route.route_appeal(appeal_id=declined.pk)
    actions.decline_appeal(appeal_id=declined.pk, reason="legal", operator=officers["operator"])
    _aged(noise, 10)

    def listed(**params) -> set[str]:
        return set(ids(fetch_both(client, f"{V2}/requests", "service_requests", data=params)))

    assert listed(service_code="ENV-NOISE-NB") == {noise.public_id}
    assert listed(service_code="ENV-NOISE-NB,UTL-WATER-OUT") == {noise.public_id, water.public_id}
    assert listed(status="closed") == {declined.public_id}
    assert listed(status="open") == {noise.public_id, water.public_id}
    assert listed(status="open,closed") == {noise.public_id, water.public_id, declined.public_id}
    week_ago = (timezone.now() - timedelta(days=7)).isoformat()
    assert listed(start_date=week_ago) == {water.public_id, declined.public_id}
    assert listed(end_date=week_ago) == {noise.public_id}
    assert listed(start_date="2020-01-01T00:00:00Z", end_date="2020-03-01T00:00:00+08:00") == set()


def test_service_request_id_overrides_every_other_filter(client, city):
    old, recent = _aged(web_appeal(city), 200), web_appeal(city)
    listed = fetch_both(client, f"{V2}/requests", "service_requests",
                        data={"service_request_id": f"{old.public_id},{recent.public_id},{recent.number}",
                              "status": "closed", "service_code": "NO-SUCH", "start_date": "junk"})
    assert set(ids(listed)) == {old.public_id, recent.public_id}


def _published_rows(city, count: int) -> list[Appeal]:
    now = timezone.now()
    return Appeal.objects.bulk_create(
        Appeal(number=f"LOAD-{n:05d}", public_id=f"PUB{n:05d}", published=True, access_code_hash="x", text="t",
               category=city.noise, created_at=now - timedelta(minutes=n))
        for n in range(count)
    )


def test_the_list_comes_in_pages_of_100_by_default_and_at_most_200(client, city):
    _published_rows(city, 450)
    response = client.get(f"{V2}/requests.json", {"status": "open"})
    first = response.json()
    assert ids(first) == [f"PUB{n:05d}" for n in range(100)]
    assert response["Link"] == '<http://testserver/open311/v2/requests.json?status=open&page=2>; rel="next"'
    third = fetch(client, f"{V2}/requests", "json", "service_requests", data={"page": 3, "page_size": 200})
    assert ids(third) == [f"PUB{n:05d}" for n in range(400, 450)]
    last = client.get(f"{V2}/requests.json", {"page": 3, "page_size": 200})
    assert not last.has_header("Link")


@pytest.mark.parametrize(("params", "message"), [
    ({"page_size": "1000"}, "page_size must be a whole number from 1 to 200"),
    ({"page_size": "0"}, "page_size must be"), ({"page": "-1"}, "page must be"), ({"page": "x"}, "page must be"),
    ({"page": "102"}, "page must be a whole number from 1 to 101"), ({"page": "٣"}, "page must be"),
    ({"page": "9" * 5000}, "page must be"),  # past Python's 4300 digits int() would raise
])
def test_bad_pages_are_400s(client, city, params, message):
    errors = fetch(client, f"{V2}/requests", "json", "service_requests", status=400, data=params,
                   HTTP_ACCEPT_LANGUAGE="en")
    assert message in descriptions(errors)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-06-01T00:00:00Z"}, "more than 90 days"),
        ({"start_date": "2024-02-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"}, "not be later"),
        ({"start_date": "2024-01-01T00:00:00"}, "start_date must be a date and time with its time zone"),
        ({"end_date": "yesterday"}, "end_date must be a date and time"),
        ({"status": "pending"}, "status must be open, closed"),
        ({"service_code": "ENV-NOISE-NB,NO-SUCH"}, "Unknown service_code: NO-SUCH"),
    ],
)
def test_bad_list_queries_are_400s(client, city, fmt, params, message):
    errors = fetch(client, f"{V2}/requests", fmt, "service_requests", status=400, data=params,
                   HTTP_ACCEPT_LANGUAGE="en")
    assert message in descriptions(errors)


# --- tokens, unknown resources, methods, jurisdiction -------------------------------------------


def test_a_token_is_the_id_of_a_request_filed_through_open311(client, city, api_key):
    (created,) = file_request(client, api_key[1], service_code=city.noise.code, address_string="西柳路8号")
    number = created["service_request_id"]
    assert fetch_both(client, f"{V2}/tokens/{number}", "tokens") == [{"service_request_id": number, "token": number}]
    web = web_appeal(city)
    for fmt in FORMATS:
        for other in (web.number, web.public_id, created["tracking_number"], "NO-SUCH"):
            fetch(client, f"{V2}/tokens/{other}", fmt, "tokens", status=404)


@pytest.mark.parametrize(("path", "fmt"), [(f"{V2}/nothing.json", "json"), (f"{V2}/services.csv", "xml"),
                                           (f"{V2}/", "xml"), ("/open311/v3/services.json", "json")])
def test_unknown_resources_are_404s_in_the_standards_format(client, path, fmt):
    response = client.get(path)
    assert response.status_code == 404
    if fmt == "json":
        validate_json("errors", response.json())
    else:
        assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>404')


def test_a_wrong_method_is_a_405_in_the_standards_format(client, city):
    response = client.delete(f"{V2}/services.json")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    validate_json("errors", response.json())
    assert client.put(f"{V2}/requests.xml").status_code == 405


def test_public_reads_allow_browser_apps_but_posts_do_not(client, city, api_key):
    assert client.get(f"{V2}/services.json")["Access-Control-Allow-Origin"] == "*"
    response = client.post(f"{V2}/requests.json", {"api_key": api_key[1], "service_code": city.noise.code,
                                                    "address_string": "西柳路8号"})
    assert response.status_code == 201 and not response.has_header("Access-Control-Allow-Origin")


def test_another_jurisdiction_is_a_404_when_one_is_configured(client, city, settings):
    settings.OPEN311_JURISDICTION_ID = "12345.example.gov.cn"
    fetch(client, f"{V2}/services", "json", "services", data={"jurisdiction_id": "sfgov.org"}, status=404)
    fetch(client, f"{V2}/services", "json", "services", data={"jurisdiction_id": "12345.example.gov.cn"})
    fetch(client, f"{V2}/services", "xml", "services")  # optional: omitting it is fine


def test_xml_bodies_drop_characters_xml_cannot_carry(client, city, publishing_key):
    (created,) = file_request(client, publishing_key[1], service_code=city.noise.code, address_string="西柳路8号",
                              description="bell\x07 and nul\x00 chars", publish="true")
    fetch_both(client, f"{V2}/requests/{created['service_request_id']}", "service_requests")


def test_the_appeal_page_shows_staff_the_answers_and_the_media_link(client, city, officers, questions, api_key):
    (created,) = file_request(client, api_key[1], service_code=city.noise.code, lat="39.95", long="116.15",
                              media_url="https://img.example.org/3.jpg",
                              **{"attribute[floor]": "7", "attribute[hours][]": ["night", "day"]})
    dispatch = route.route_appeal(
        appeal_id=Appeal.objects.get(number=created["tracking_number"]).pk
    )
    client.force_login(officers["officer_a2"].user)
    html = client.get(f"/console/dispatches/{dispatch.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<dt>Which floor?</dt><dd>7</dd>" in html
    assert "<dt>At what hours?</dt><dd>Night, Day</dd>" in html
    assert 'href="https://img.example.org/3.jpg" rel="noopener noreferrer nofollow"' in html
    assert Dispatch.objects.filter(pk=dispatch.pk).exists()


def _queries_for(client, path: str, **params) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, params).status_code == 200
    return [query["sql"] for query in captured]


def test_listing_requests_costs_the_same_few_queries_however_many_there_are(client, city, settings):
    settings.OPEN311_CACHE_SECONDS = 0  # counted from the database each time
    for _ in range(2):
        route.route_appeal(appeal_id=web_appeal(city).pk)
    few = _queries_for(client, f"{V2}/requests.json")
    for _ in range(8):
        route.route_appeal(appeal_id=web_appeal(city).pk)
    many = _queries_for(client, f"{V2}/requests.json")
    assert len(many) == len(few) <= 3
    appeals, dispatches = many[-2:]
    # Only what a public request shows is read: no contact, answers to questions or fingerprint.
    for column in ("contact_phone", "contact_name", "contact_email", "fingerprint", "access_code_hash", "attributes",
                   '"appeals_appeal"."address"'):
        assert column not in appeals
    assert '"appeals_appeal"."published"' in appeals and "note" not in dispatches


def test_a_page_of_the_list_is_cached_briefly_under_its_normalised_query(client, city):
    """The same query, however it is written, is answered from the cache (Redis, OPEN311_CACHE_SECONDS)
    without a query to the database, in either format and until the cache expires."""
    first = web_appeal(city)
    params = {"status": "open,closed", "service_code": "UTL-WATER-OUT,ENV-NOISE-NB",
              "start_date": "2020-01-01T08:00:00+08:00", "end_date": "2020-03-01T00:00:00Z"}
    assert len(_queries_for(client, f"{V2}/requests.json", **params)) >= 2
    same = {"status": "closed,open", "service_code": "ENV-NOISE-NB,UTL-WATER-OUT",
            "start_date": "2020-01-01T00:00:00Z", "end_date": "2020-03-01T08:00:00+08:00"}
    assert len(_queries_for(client, f"{V2}/requests.xml", **same)) <= 1  # the service codes' check only
    assert ids(fetch(client, f"{V2}/requests", "json", "service_requests")) == [first.public_id]
    web_appeal(city)  # filed since: the cached page does not show it yet
    assert ids(fetch(client, f"{V2}/requests", "json", "service_requests")) == [first.public_id]
    assert _queries_for(client, f"{V2}/requests.json") == []
    response = client.get(f"{V2}/requests.json")
    assert response["Cache-Control"] == "public, max-age=60"


def test_reads_are_rate_limited_per_address_without_a_key_and_per_key_with_one(client, city, rates, api_key):
    rates(open311="3/hour")
    for _ in range(3):
        assert client.get(f"{V2}/requests.json").status_code == 200
    refused = fetch(client, f"{V2}/requests", "xml", "service_requests", status=429, HTTP_ACCEPT_LANGUAGE="en")
    assert "Too many requests from this address" in refused[0]["description"]
    assert client.get(f"{V2}/services.json").status_code == 429  # one allowance for every resource
    other = client.get(f"{V2}/requests.json", REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200  # another address has its own
    # A key's reads count under the key's own limit, wherever they come from.
    _slow, raw = create_api_key(name="Slow", owner="Lab", rate_limit="2/hour")
    assert client.get(f"{V2}/requests.json", HTTP_X_API_KEY=raw).status_code == 200
    assert client.get(f"{V2}/requests.json", {"api_key": raw}, REMOTE_ADDR="203.0.113.10").status_code == 200
    response = client.get(f"{V2}/requests.json", HTTP_X_API_KEY=raw, REMOTE_ADDR="203.0.113.11")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "2/hour" in response.content.decode()
    assert client.get(f"{V2}/requests.json", HTTP_X_API_KEY="nope.nope").status_code == 403


def test_the_key_may_come_in_a_header_and_discovery_says_so(client, city, api_key):
    response = client.post(f"{V2}/requests.json", {"service_code": city.noise.code, "address_string": "西柳路8号"},
                           HTTP_X_API_KEY=api_key[1])
    assert response.status_code == 201 and Appeal.objects.get().api_key == api_key[0]
    discovery = fetch(client, "/open311/discovery", "json", "discovery", HTTP_ACCEPT_LANGUAGE="en")
    assert "X-Api-Key" in discovery["key_service"]
