"""GET /api/v1/suggestions/?text=…&address=… : what the appeal forms show while an appeal is typed,
the likely categories and the place (dispatch.routing.decide.suggest). Anyone may ask (the
resident's form, the operators' phone form, third-party apps), within RATE_LIMIT_SUGGESTIONS;
the length is checked before anything is classified. Nothing is stored."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from appeals import catalogue
from appeals.validation import strip_unstorable
from config.api_schema import errors
from config.throttling import ClientRateThrottle, OneTripThrottling
from dispatch.routing.decide import TOP_CATEGORIES, suggest
from streets.models import Unit

TEXT_MAX_LENGTH = 1000  # the forms send the first few hundred characters: enough to suggest from
ADDRESS_MAX_LENGTH = 255


class SuggestionThrottle(ClientRateThrottle):
    """Suggestions asked, per signed-in user or per client address."""

    scope = "suggestions"

    def get_cache_key(self, request, view):
        user = request.user
        return self.cache_key_for(user.pk if user and user.is_authenticated else self.get_ident(request))


class SuggestionQuerySerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH,
                                 trim_whitespace=True, help_text=_("What the resident wrote so far."))
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=ADDRESS_MAX_LENGTH,
                                    trim_whitespace=True, help_text=_("The address written so far."))


class SuggestedCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language.")
    probability = serializers.FloatField(help_text="Calibrated, 0 to 1.")


class SuggestedUnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language.")


class SuggestedPlaceSerializer(serializers.Serializer):
    street = SuggestedUnitSerializer(allow_null=True, help_text="The street the place lies in, when one is known.")
    district = SuggestedUnitSerializer(allow_null=True)
    candidates = SuggestedUnitSerializer(many=True, help_text="Streets it may be in, when the place is ambiguous.")
    names = serializers.ListField(child=serializers.CharField(), help_text="The place names read.")


class SuggestionsSerializer(serializers.Serializer):
    categories = SuggestedCategorySerializer(many=True, help_text="The most likely leaf categories, best first.")
    kind = serializers.ChoiceField(choices=["complaint", "consultation"])
    urgent = serializers.BooleanField(help_text="Danger to people or property read in the text.")
    place = SuggestedPlaceSerializer()
    model_version = serializers.IntegerField(allow_null=True, help_text="The classifier in service (null: none).")


class SuggestionsView(OneTripThrottling, APIView):
    permission_classes = [AllowAny]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, SuggestionThrottle]

    @extend_schema(
        operation_id="suggestions",
        description=(
            "The likely categories and the place for an appeal as it is typed, for the appeal forms. "
            f"`text` at most {TEXT_MAX_LENGTH} characters, `address` at most {ADDRESS_MAX_LENGTH}. Nothing is "
            "stored. **Permissions:** anyone, within the suggestions rate limit."
        ),
        parameters=[
            OpenApiParameter("text", str, OpenApiParameter.QUERY, description="What the resident wrote so far."),
            OpenApiParameter("address", str, OpenApiParameter.QUERY, description="The address written so far."),
        ],
        responses={200: SuggestionsSerializer, **errors(400, 429)},
    )
    def get(self, request):
        query = SuggestionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text = strip_unstorable(query.validated_data["text"])
        address = strip_unstorable(query.validated_data["address"])
        suggestion, place = suggest(text=text, address=address) if text or address else (None, None)
        return Response(SuggestionsSerializer(_answer(suggestion, place)).data)


def _answer(suggestion, place) -> dict:
    if suggestion is None:
        return {"categories": [], "kind": "complaint", "urgent": False, "model_version": None,
                "place": {"street": None, "district": None, "candidates": [], "names": []}}
    units = Unit.objects.in_bulk({place.street_id, place.district_id, *place.candidates} - {None})
    categories = [(catalogue.active_leaf(code), p) for code, p in suggestion.categories[:TOP_CATEGORIES]]

    def unit(unit_id):
        found = units.get(unit_id)
        return {"code": found.code, "name": found.display_name} if found else None

    return {
        "categories": [{"code": c.code, "name": c.display_name, "probability": p} for c, p in categories if c],
        "kind": suggestion.kind, "urgent": suggestion.urgent, "model_version": suggestion.model_version,
        "place": {"street": unit(place.street_id), "district": unit(place.district_id),
                  "candidates": [unit(s) for s in place.candidates if s in units], "names": list(place.names)},
    }
