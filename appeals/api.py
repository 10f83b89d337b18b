"""REST API for residents and third-party apps: file an appeal, track it.

Serializers here only parse types; every rule lives in the intake service, whose field-keyed
ValidationError becomes a 400 with the same messages the web form shows.
"""
import copy
from dataclasses import asdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from config.api_schema import errors
from config.throttling import OneTripThrottling, TooManyRequests, client_ip
from streets.models import Officer
from streets.roles import officer_of

from .models import Appeal
from .selectors import tracking_summary
from .services import submit_appeal
from .throttles import IntakeLimits, IntakeThrottle, LookupBlocked, TrackingThrottle, track_appeal


class AppealIntakeSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)
    kind = serializers.CharField(required=False, allow_blank=True)
    urgency = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True, max_length=255)
    latitude = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    longitude = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    contact_name = serializers.CharField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True)
    contact_email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    anonymous = serializers.BooleanField(required=False, default=False)
    publish = serializers.BooleanField(
        required=False, default=False,
        help_text="The resident's own choice to publish the appeal (off unless they asked): Open311 then lists "
        "it under a public id, with personal data in the text masked and the place rounded to about 100 m. "
        "Ask the resident; never set it for them.",
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, max_length=20)
    channel = serializers.CharField(required=False, allow_blank=True)

    def get_fields(self):
        """Shallow copies of the declared fields, not DRF's deep copies: these fields keep no state
        between requests, and deep-copying them was a visible share of every intake's CPU."""
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


class AppealReceiptSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="The tracking number.")
    access_code = serializers.CharField(help_text="The private code; shown only here, only once.")
    status = serializers.ChoiceField(choices=Appeal.Status.choices)
    folded = serializers.BooleanField(
        help_text="True when this repeated the same appeal from the same source within minutes: the number is the "
        "earlier appeal's, the code a fresh one for it (answered with 200 instead of 201)."
    )
    tracking_url = serializers.URLField()


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    note = serializers.CharField()


class TrackingSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    category = serializers.CharField()
    unit = serializers.CharField()
    received_at = serializers.DateTimeField()
    response_due = serializers.DateTimeField(allow_null=True)
    resolve_due = serializers.DateTimeField(allow_null=True)
    answer = serializers.CharField()
    declined_reason = serializers.CharField()
    timeline = TimelineEntrySerializer(many=True)
    feedback_until = serializers.DateTimeField(
        allow_null=True, help_text="While set, the resident may rate the handling (on the tracking page or the link)."
    )


def channel_for(request, requested: str | None) -> str:
    """Only operators may file on behalf of a phone caller; everything else is the API channel."""
    officer = officer_of(request.user)
    if requested == Appeal.Channel.PHONE and officer is not None and officer.role == Officer.Role.OPERATOR:
        return Appeal.Channel.PHONE
    return Appeal.Channel.API


class AppealIntakeView(OneTripThrottling, APIView):
    """POST /api/v1/appeals/ : file an appeal. Open to anyone; returns the number and private code
    (201), or, for a repeat folded into a recent appeal, that appeal's number and a new code (200)."""

    permission_classes = [AllowAny]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, IntakeThrottle]

    def check_throttles(self, request):
        """Not here: post() counts the limits with the repeat claim, in one round trip (IntakeLimits)."""

    @extend_schema(
        operation_id="appeals_create",
        description=(
            "File an appeal. **Permissions:** open to anyone, signed in or not (a signed-in session must send "
            "its CSRF token). Only hotline operators may set `channel` to `phone`; everything else is filed "
            "on the `api` channel. Send JSON, or multipart with up to 5 `photos`. Returns the tracking number "
            "and the private access code, shown only in this response."
        ),
        request=AppealIntakeSerializer,
        responses={201: AppealReceiptSerializer, 200: AppealReceiptSerializer, **errors(400, 403, 429)},
    )
    def post(self, request):
        limits = IntakeLimits(self, request)
        try:
            return self._file(request, limits)
        finally:
            limits.count()  # a request not filed (bad input, unreadable body) counts all the same

    def _file(self, request, limits: IntakeLimits):
        serializer = AppealIntakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        channel = channel_for(request, data.get("channel"))
        try:
            submitted = submit_appeal(
                text=data["text"],
                channel=channel,
                kind=data.get("kind"),
                urgency=data.get("urgency"),
                category_code=data.get("category"),
                address=data.get("address", ""),
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                contact_name=data.get("contact_name", ""),
                contact_phone=data.get("contact_phone", ""),
                contact_email=data.get("contact_email", ""),
                anonymous=data.get("anonymous", False),
                publish=data.get("publish", False),
                photos=data.get("photos", []),
                submitted_by=request.user,
                # A phone appeal's source is the caller's phone, not the operator's address.
                source_ip="" if channel == Appeal.Channel.PHONE else client_ip(request),
                claim=limits.claim,
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        appeal = submitted.appeal
        # Plain values already, in AppealReceiptSerializer's shape (it documents them): no
        # serializer instance per request.
        receipt = {
            "number": appeal.number,
            "access_code": submitted.access_code,
            "status": str(appeal.status),
            "folded": submitted.folded,
            "tracking_url": request.build_absolute_uri(reverse("appeals:track")) + f"?number={appeal.number}",
        }
        return Response(receipt, status=status.HTTP_200_OK if submitted.folded else status.HTTP_201_CREATED)


class AppealTrackView(OneTripThrottling, APIView):
    """GET /api/v1/appeals/track/?number=…&code=… : the public view of one appeal."""

    permission_classes = [AllowAny]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, TrackingThrottle]

    @extend_schema(
        operation_id="appeals_track",
        description=(
            "The public view of one appeal: status, handling unit, deadlines, the answer and the public "
            "timeline (never the resident's contact). **Permissions:** anyone holding the number and its "
            "access code; a wrong pair is a 404, the same as an unknown number."
        ),
        parameters=[
            OpenApiParameter("number", str, OpenApiParameter.QUERY, required=True, description="Tracking number."),
            OpenApiParameter("code", str, OpenApiParameter.QUERY, required=True, description="Private access code."),
        ],
        responses={200: TrackingSerializer, **errors(404)},
    )
    def get(self, request):
        try:
            appeal = track_appeal(
                request, number=request.query_params.get("number", ""), code=request.query_params.get("code", "")
            )
        except LookupBlocked as exc:
            raise TooManyRequests(exc.wait) from exc
        if appeal is None:
            raise NotFound(_("No appeal matches this number and code."))
        return Response(TrackingSerializer(asdict(tracking_summary(appeal))).data)
