"""GET /api/v1/knowledge/search/?q=… : the knowledge base's search for apps and the forms' script."""
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_schema import errors
from config.throttling import OneTripThrottling, UserThrottle
from streets.models import Unit

from .search import suggest
from .selectors import suggestion_data
from .throttles import KnowledgeSearchThrottle

MAX_QUESTION = 500
MAX_LIMIT = 10


def search_payload(request, question: str, place_code: str = "", limit: int = 3) -> dict:
    """The suggestions for a question: shared by the API and Open311."""
    place = Unit.objects.filter(code=place_code).first() if place_code else None
    results = suggest(question, place=place, limit=limit)
    return {"results": [
        suggestion_data(s, url=request.build_absolute_uri(reverse("knowledge:entry", args=[s.entry.key])))
        for s in results
    ]}


def parse_query(params) -> tuple[str, str, int]:
    """q, place and limit checked before any search work."""
    question = params.get("q", "")
    if not question.strip():
        raise ValidationError({"q": [_("Type a question.")]})
    if len(question) > MAX_QUESTION:
        raise ValidationError({"q": [_("At most %(n)d characters.") % {"n": MAX_QUESTION}]})
    try:
        limit = int(params.get("limit", "3")[:3])
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError({"limit": [_("A number from 1 to %(n)d.") % {"n": MAX_LIMIT}]})
    return question, params.get("place", "")[:32], limit


class SuggestionSerializer(serializers.Serializer):
    """Documents one suggestion (selectors.suggestion_data builds it)."""

    key = serializers.CharField(help_text="The entry's key.")
    entry_id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="The version's number: what was read stays readable at url + vN/.")
    version_id = serializers.IntegerField()
    question = serializers.CharField()
    answer = serializers.CharField()
    policy = serializers.CharField(help_text="The policy or law the answer rests on.")
    topic = serializers.CharField()
    owner = serializers.CharField(help_text="The unit that keeps the entry.")
    place = serializers.CharField(allow_null=True, help_text="The district or street it applies to; null: city-wide.")
    score = serializers.FloatField()
    confident = serializers.BooleanField(help_text="Good enough to offer as the answer.")
    url = serializers.URLField(help_text="The public page of the entry.")


class SearchResultsSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True)


class KnowledgeSearchView(OneTripThrottling, APIView):
    permission_classes = [AllowAny]
    throttle_classes = [KnowledgeSearchThrottle, UserThrottle]

    @extend_schema(
        operation_id="knowledge_search",
        description=("The published knowledge entries that answer a question, best first, in the request's "
                     "language. `confident` marks a suggestion good enough to offer as the answer. "
                     "**Permissions:** anyone."),
        parameters=[
            OpenApiParameter("q", str, OpenApiParameter.QUERY, required=True, description="The question."),
            OpenApiParameter("place", str, OpenApiParameter.QUERY, description="A district or street code."),
            OpenApiParameter("limit", int, OpenApiParameter.QUERY, description="1 to 10 (default 3)."),
        ],
        responses={200: SearchResultsSerializer, **errors(400, 429)},
    )
    def get(self, request):
        question, place, limit = parse_query(request.query_params)
        return Response(search_payload(request, question, place, limit))
