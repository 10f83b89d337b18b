"""The resident's map, in the API: where a pin falls (which street will handle it, or "outside the
city" at once), places by name, the city's boundaries for a map without tiles, open appeals of the
same kind near the pin, and following one of them instead of filing ("me too").

Public and read-only but for `follow`; each is rate-limited per address (RATE_LIMIT_MAP, and
RATE_LIMIT_FOLLOW for following). The rules live in streets/citymap.py and appeals/followers.py.
"""
from dataclasses import asdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_schema import errors
from config.throttling import ClientRateThrottle, OneTripThrottling
from streets.citymap import boundaries_geojson, handler_at, place_at, search_places

from . import followers
from .tracking import tracking_path

TEXT_MAX = 100


class MapThrottle(ClientRateThrottle):
    """The map's lookups, per address: a tap, a search or a look for nearby appeals each count."""

    scope = "map"

    def get_cache_key(self, request, view):
        return self.cache_key_for(self.get_ident(request))


class FollowThrottle(MapThrottle):
    scope = "follow"


class PointSerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="Latitude (WGS 84).")
    lng = serializers.FloatField(min_value=-180, max_value=180, help_text="Longitude (WGS 84).")


class AreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="display_name", help_text="In the request's language.")


class PlaceAtSerializer(serializers.Serializer):
    street = AreaSerializer(source="area", help_text="The street (or township) the point lies in.")
    district = AreaSerializer(allow_null=True)
    handler = AreaSerializer(help_text="Who will handle an appeal of `category` here: a department, or the street.")


class PlaceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["district", "street"])
    code = serializers.CharField(source="area.code")
    name = serializers.CharField(source="area.display_name")
    district = AreaSerializer(allow_null=True)
    latitude = serializers.FloatField(help_text="A point inside the place, where the map puts its pin.")
    longitude = serializers.FloatField()


class NearbyAppealSerializer(serializers.Serializer):
    ref = serializers.CharField(help_text="Send it to `POST /api/v1/appeals/follow/` (good for a day).")
    category = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    received_at = serializers.DateTimeField()
    distance_m = serializers.IntegerField()
    text = serializers.CharField(help_text="What the resident wrote, masked, only if they published it; else empty.")
    followers = serializers.IntegerField(help_text="Residents already following it.")


class FollowSerializer(serializers.Serializer):
    ref = serializers.CharField(max_length=400)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=32,
                                          help_text="Optional: where the appeal's updates are sent.")
    contact_email = serializers.CharField(required=False, allow_blank=True, max_length=254)


class FollowReceiptSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="The follower's own tracking number.")
    access_code = serializers.CharField(help_text="Its private code; shown only here, only once.")
    tracking_url = serializers.URLField()


def _point(request) -> tuple[float, float]:
    point = PointSerializer(data=request.query_params)
    point.is_valid(raise_exception=True)
    return point.validated_data["lat"], point.validated_data["lng"]


class MapView(OneTripThrottling, APIView):
    permission_classes = [AllowAny]
    throttle_classes = [MapThrottle]


class PlaceAtView(MapView):
    """GET /api/v1/places/at/?lat=…&lng=… : the street a pin falls in, or 404 outside the city."""

    @extend_schema(
        operation_id="places_at",
        description=(
            "The street (with its district) a point lies in, and who will handle an appeal of `category` there, "
            "as routing will decide. A point outside every street of the city is a 404. **Permissions:** anyone."
        ),
        parameters=[
            OpenApiParameter("lat", float, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("lng", float, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("category", str, OpenApiParameter.QUERY, required=False,
                             description="A category code: the handler is its department when the duty list says so."),
        ],
        responses={200: PlaceAtSerializer, **errors(400, 404, 429)},
    )
    def get(self, request):
        latitude, longitude = _point(request)
        place = place_at(latitude, longitude)
        if place is None:
            raise NotFound(_("This place is outside the city."))
        category = request.query_params.get("category", "")[:32]
        handler = handler_at(place, category)
        return Response(PlaceAtSerializer({"area": place.area, "district": place.district, "handler": handler}).data)


class PlaceSearchView(MapView):
    """GET /api/v1/places/?q=… : districts and streets by name."""

    @extend_schema(
        operation_id="places_search",
        description=(
            "Districts and streets whose name (Chinese or English) or address alias contains `q` (at most 10), "
            "each with a point inside it. **Permissions:** anyone."
        ),
        parameters=[OpenApiParameter("q", str, OpenApiParameter.QUERY, required=True,
                                     description=f"What to look for (at most {TEXT_MAX} characters).")],
        responses={200: PlaceSerializer(many=True), **errors(400, 429)},
    )
    def get(self, request):
        text = request.query_params.get("q", "")
        if len(text) > TEXT_MAX:
            raise serializers.ValidationError({"q": _("Type at most %(n)d characters.") % {"n": TEXT_MAX}})
        return Response(PlaceSerializer(search_places(text), many=True).data)


@method_decorator(cache_control(public=True, max_age=3600), name="get")
class BoundariesView(MapView):
    """GET /api/v1/places/boundaries/ : GeoJSON of the districts and streets (a map without tiles)."""

    @extend_schema(
        operation_id="places_boundaries",
        description=(
            "A GeoJSON FeatureCollection of the city's districts and streets (properties `kind`, `code`, `name`, "
            "`name_en`), simplified to about 5 m: what the resident's map draws when no tile server is "
            "configured. Cached by browsers for an hour. **Permissions:** anyone."
        ),
        responses={200: {"type": "object", "additionalProperties": True}, **errors(429)},
    )
    def get(self, request):
        return Response(boundaries_geojson())


class NearbyAppealsView(MapView):
    """GET /api/v1/appeals/nearby/?category=…&lat=…&lng=… : "is this already reported?"."""

    @extend_schema(
        operation_id="appeals_nearby",
        description=(
            "Open appeals of the category within its radius of the point (the category's own, or "
            "NEARBY_RADIUS_METERS), nearest first, at most 10: category, status, age and distance; the text only "
            "of appeals their residents published (masked). Never a tracking number, contact or exact place. "
            "**Permissions:** anyone."
        ),
        parameters=[
            OpenApiParameter("category", str, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("lat", float, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("lng", float, OpenApiParameter.QUERY, required=True),
        ],
        responses={200: NearbyAppealSerializer(many=True), **errors(400, 429)},
    )
    def get(self, request):
        latitude, longitude = _point(request)
        try:
            found = followers.nearby_open_appeals(
                category_code=request.query_params.get("category", "")[:32], latitude=latitude, longitude=longitude,
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return Response(NearbyAppealSerializer([asdict(item) for item in found], many=True).data)


class FollowView(OneTripThrottling, APIView):
    """POST /api/v1/appeals/follow/ : follow an open appeal ("me too") instead of filing."""

    permission_classes = [AllowAny]
    throttle_classes = [FollowThrottle]

    @extend_schema(
        operation_id="appeals_follow",
        description=(
            "Follow an open appeal found by `GET /api/v1/appeals/nearby/` instead of filing a new one: returns a "
            "tracking number and access code of the follower's own, whose tracking page shows that appeal's "
            "progress; its updates reach the phone or e-mail given, and the follower rates the outcome on "
            "their tracking page. **Permissions:** anyone (a signed-in session must send its CSRF token)."
        ),
        request=FollowSerializer,
        responses={201: FollowReceiptSerializer, **errors(400, 403, 429)},
    )
    def post(self, request):
        body = FollowSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            followed = followers.follow_appeal(
                ref=body.validated_data["ref"], contact_phone=body.validated_data.get("contact_phone", ""),
                contact_email=body.validated_data.get("contact_email", ""),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"ref": exc.messages}
            ) from exc
        number = followed.follower.number
        return Response({
            "number": number, "access_code": followed.access_code,
            "tracking_url": request.build_absolute_uri(tracking_path(number)),
        }, status=status.HTTP_201_CREATED)
