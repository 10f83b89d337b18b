"""REST API for residents and third-party apps: file an appeal, track it.

Serializers here only parse types; every rule lives in the intake service, whose field-keyed
ValidationError becomes a 400 with the same messages the web form shows.
"""
import copy
import re
from dataclasses import asdict

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils import html
from rest_framework.views import APIView

from config.api_errors import check_body_size
from config.api_schema import errors
from config.throttling import OneTripThrottling, TooManyRequests

from . import devices, folding, tracking_cookie
from .forms import posted_answers
from .models import NOTIFY_STEPS, Appeal
from .selectors import tracking_summary
from .services import FORM_NAMES, appeal_fields, submit_appeal
from .throttles import INTAKE_THROTTLES, IntakeLimits, TrackingThrottle, is_operator
from .tracking import tracking_path
from .tracking_lookup import LookupBlocked, track_appeal


class BoundedListField(serializers.ListField):
    """A list whose length is checked before its items: DRF checks every item first, and answers a
    list of 400,000 bad items with as many errors."""

    def to_internal_value(self, data):
        if self.max_length is not None and isinstance(data, list | tuple) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)

QUESTION_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}\Z")  # CategoryAttribute.code
MAX_ANSWERS = 50  # more answers than any category has questions; a bound on the body's shape
SCALARS = (str, int, float)


@extend_schema_field({"oneOf": [
    {"type": "string"}, {"type": "number"}, {"type": "array", "items": {"type": "string"}, "maxItems": MAX_ANSWERS},
]})
class AnswerField(serializers.Field):
    """One answer: a string (a number is taken as one), or a list of strings for several choices.
    Only the shape is parsed here; the intake service checks the answer against its question."""

    default_error_messages = {"invalid": gettext_lazy("Give a string, a number or a list of strings.")}

    def to_internal_value(self, data):
        items = data if isinstance(data, list) and len(data) <= MAX_ANSWERS else [data]
        if any(isinstance(item, bool) or not isinstance(item, SCALARS) for item in items):
            self.fail("invalid")
        try:
            answers = [str(item) for item in items]
        except ValueError:  # an integer too long to print
            self.fail("invalid")
        return answers if isinstance(data, list) else answers[0]

    def to_representation(self, value):
        return value


class AnswersField(serializers.DictField):
    """The category's questions answered: {"CODE": answer} in JSON; in a multipart body the same
    attribute[CODE] fields as the web form and Open311 (attribute[CODE][] once per choice)."""

    child = AnswerField()

    def get_value(self, dictionary):
        if html.is_html_input(dictionary):
            return posted_answers(dictionary) or serializers.empty
        return dictionary.get(self.field_name, serializers.empty)

    def to_internal_value(self, data):
        if isinstance(data, dict) and len(data) > MAX_ANSWERS:
            raise serializers.ValidationError(_("Answer at most %(n)d questions.") % {"n": MAX_ANSWERS})
        if isinstance(data, dict) and not all(isinstance(key, str) and QUESTION_CODE.match(key) for key in data):
            # Checked before DRF keys its errors by the code: a key that cannot be a code (a lone
            # surrogate, say) would otherwise be echoed into an answer that cannot be encoded.
            raise serializers.ValidationError(_("Question codes are letters, digits, - and _ (at most 32)."))
        return super().to_internal_value(data)


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
    notify = BoundedListField(
        child=serializers.ChoiceField(choices=NOTIFY_STEPS), required=False, max_length=len(NOTIFY_STEPS),
        help_text="The steps the resident wants an SMS (and an e-mail, when `contact_email` is given) about: "
        "`dispatched`, `responded`, `extended`, `resolved`, `reopened`. Omitted: every step; `[]`: none. "
        "The receipt (number, code, link) is always sent to a phone or e-mail given.",
    )
    photos = BoundedListField(child=serializers.FileField(), required=False, max_length=20)
    channel = serializers.CharField(required=False, allow_blank=True)
    attributes = AnswersField(
        required=False,
        help_text="Answers to the category's extra questions (its Open311 service definition's attributes), by "
        "question code: a string, or a list of keys for a multi-value list. A required question left unanswered "
        "is a 400 keyed `attribute[CODE]`, as is a wrong answer. Multipart bodies send `attribute[CODE]` fields.",
    )

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
    following = serializers.BooleanField(
        help_text="This number belongs to a resident who followed another appeal: the progress shown is that one's."
    )
    follower_may_rate = serializers.BooleanField(
        help_text="A follower may now rate the outcome (on the tracking page)."
    )


def channel_for(request, requested: str | None) -> str:
    """Only operators may file on behalf of a phone caller; everything else is the API channel."""
    if requested == Appeal.Channel.PHONE and is_operator(request.user):
        return Appeal.Channel.PHONE
    return Appeal.Channel.API


class AppealIntakeView(OneTripThrottling, APIView):
    """POST /api/v1/appeals/ : file an appeal. Open to anyone; returns the number and private code
    (201), or, for a repeat folded into a recent appeal, that appeal's number and a new code (200)."""

    permission_classes = [AllowAny]
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, *INTAKE_THROTTLES]

    def check_throttles(self, request):
        """Not here: post() counts the limits once the outcome is known, in one round trip (IntakeLimits)."""

    @extend_schema(
        operation_id="appeals_create",
        description=(
            "File an appeal. **Permissions:** open to anyone, signed in or not (a signed-in session must send "
            "its CSRF token). Only hotline operators may set `channel` to `phone`; everything else is filed "
            "on the `api` channel. Send JSON, or multipart with up to 5 `photos`. A category that asks extra "
            "questions (see `GET /open311/v2/services/{service_code}.json`) needs its required ones answered in "
            "`attributes`. Returns the tracking number and the private access code, shown only in this response. "
            "Every answer carries an `X-Appeal-Device` header: send it back with later appeals, so that a repeat of "
            "the same appeal from this device within minutes is recognised (answered 200 with the earlier number); "
            "without it nothing is folded. Filed appeals count on the intake limit, refused ones on a separate, "
            "larger one."
        ),
        parameters=[OpenApiParameter(
            devices.HEADER, str, OpenApiParameter.HEADER, required=False,
            description="The device token of an earlier answer's `X-Appeal-Device` header.",
        )],
        request=AppealIntakeSerializer,
        responses={201: AppealReceiptSerializer, 200: AppealReceiptSerializer, **errors(400, 403, 413, 429)},
    )
    def post(self, request):
        limits = IntakeLimits(request, self.get_throttles(), self)
        try:
            return self._file(request, limits)
        finally:
            limits.count_invalid()  # a request not filed (bad input, unreadable body) counts as such

    def finalize_response(self, request, response, *args, **kwargs):
        """Every answer carries the device token (errors too: an app may first learn it from one)."""
        response = super().finalize_response(request, response, *args, **kwargs)
        response[devices.HEADER] = devices.device_token(request)
        return response

    def _file(self, request, limits: IntakeLimits):
        check_body_size(request, file_bytes=settings.APPEAL_MAX_PHOTOS * settings.APPEAL_PHOTO_MAX_BYTES
                        if request.content_type.startswith("multipart/") else 0)
        serializer = AppealIntakeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        channel = channel_for(request, data.get("channel"))
        try:
            submitted = submit_appeal(
                **appeal_fields(data, names=FORM_NAMES),
                channel=channel,
                submitted_by=request.user,
                source=folding.source_of(request, channel=channel, caller_phone=data.get("contact_phone", "")),
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
            "tracking_url": request.build_absolute_uri(tracking_path(appeal.number)),
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
        summary = tracking_summary(appeal)
        response = Response(TrackingSerializer(asdict(summary)).data)
        return tracking_cookie.remember(request, response, summary.number)
