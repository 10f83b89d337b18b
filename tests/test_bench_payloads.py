"""The load benchmark's request bodies (bench/payloads.py) are appeals intake accepts, on the demo
city: every category's questions answered, a phone the intake rule takes."""
import io
import itertools
import json
import random

import pytest

from appeals import catalogue
from appeals.models import Appeal
from appeals.services import submit_appeal
from bench.payloads import answers, appeal_bodies
from streets.demo.builder import load_demo_city

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city():
    load_demo_city(stdout=io.StringIO())
    catalogue.reset_catalogue()  # written in bulk, without the signals that reset it


def test_the_bodies_are_filed(api_as, demo_city):
    client = api_as(None)
    for n, body in enumerate(itertools.islice(appeal_bodies(seed=5, distinct_points=50), 60)):
        response = client.post("/api/v1/appeals/", body, content_type="application/json", REMOTE_ADDR=f"10.7.0.{n}")
        assert response.status_code == 201, (json.loads(body), response.json())
    assert Appeal.objects.count() == 60


def test_their_answers_satisfy_every_category_that_asks(demo_city):
    rng = random.Random(5)
    asking = catalogue.categories_with_questions()
    assert {"HOU-PM-LIFT", "UTL-WATER-OUT"} <= {category.code for category in asking}
    for category in asking:
        given = answers(catalogue.questions_of(category), rng)
        appeal = submit_appeal(text=f"基准测试：{category.name}", category_code=category.code, attributes=given,
                               contact_phone=f"1390013{rng.randrange(10**4):04d}").appeal
        assert set(appeal.attributes) == set(given)
