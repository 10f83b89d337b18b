"""factory_boy factories for a small, hand-checkable city."""
import factory
from django.contrib.auth import get_user_model

from appeals.models import Category
from streets.models import Duty, Officer, Unit


def square(west: float, south: float, east: float, north: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:03d}")
    kind = Unit.Kind.DEPARTMENT
    name = factory.LazyAttribute(lambda o: f"单位{o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Unit {o.code}")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CAT{n:03d}")
    name = factory.LazyAttribute(lambda o: f"类别{o.code}")
    name_en = factory.LazyAttribute(lambda o: f"Category {o.code}")
    level = 3
    is_leaf = True


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty

    category = factory.SubFactory(CategoryFactory)
    handler = Duty.Handler.STREET
    department = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass12345")


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Officer.Role.OFFICER
