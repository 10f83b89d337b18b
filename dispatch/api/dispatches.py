"""REST API for the consoles: the unit's queue and its actions, and the operators' manual queue.

Querysets come from selectors, so another unit's ticket is simply not found (404); refusals by
state are 409 with a readable message.
"""
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from appeals.followers import follower_count_of
from appeals.models import Appeal
from appeals.privacy import contact_for
from config.throttling import OneTripThrottling
from dispatch.api.decisions import (
    ExtensionRequestSerializer,
    ManualDispatchSerializer,
    ReturnRequestSerializer,
    SupervisionOrderSerializer,
    WhistleSerializer,
)
from dispatch.api.errors import run_action
from dispatch.api.permissions import IsOperator, IsStaffMember
from dispatch.api.schema import DeclineResultSerializer, ManualDispatchResultSerializer, contact_field, doc
from dispatch.console.filters import DispatchFilter
from dispatch.handling import actions, extensions, returns, supervision, whistles
from dispatch.handling.rules import may_see_contact
from dispatch.handling.selectors import dispatches_visible_to, triage_queue
from dispatch.limits import ANSWER_MAX_LENGTH, NOTE_MAX_LENGTH
from dispatch.models import Dispatch, ReturnRequest
from streets.models import Unit
from streets.roles import officer_of
from streets.selectors import dispatch_targets


class DispatchSerializer(serializers.ModelSerializer):
    appeal_number = serializers.CharField(source="appeal.number")
    text = serializers.CharField(source="appeal.text")
    kind = serializers.CharField(source="appeal.kind")
    urgency = serializers.CharField(source="appeal.urgency")
    category = serializers.SerializerMethodField()
    address = serializers.CharField(source="appeal.address")
    latitude = serializers.DecimalField(source="appeal.latitude", max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(source="appeal.longitude", max_digits=9, decimal_places=6, allow_null=True)
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.display_name")
    contact = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(source="is_overdue")
    due_soon = serializers.BooleanField(source="is_due_soon")
    followers = serializers.IntegerField(
        read_only=True, help_text="Residents who follow the appeal (\"me too\"): how many more are affected.")

    class Meta:
        model = Dispatch
        fields = [
            "id", "appeal_number", "text", "kind", "urgency", "category", "address", "latitude",
            "longitude", "unit", "unit_name", "role", "state", "dispatched_at", "response_due",
            "resolve_due", "respond_limit", "resolve_limit", "deadlines_provisional", "resolve_extended",
            "response_overdue_at", "resolve_overdue_at", "signed_at", "responded_at", "resolved_at", "returned_at",
            "answer", "overdue", "due_soon", "contact", "followers",
        ]

    def get_category(self, obj) -> str | None:
        return obj.appeal.category.code if obj.appeal.category_id else None

    @contact_field
    def get_contact(self, obj) -> dict:
        contact = contact_for(obj.appeal, reveal=may_see_contact(self.context.get("officer"), obj))
        return {"name": contact.name, "phone": contact.phone, "masked": contact.masked}


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=ANSWER_MAX_LENGTH)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, max_length=ANSWER_MAX_LENGTH)


class ReportSerializer(serializers.Serializer):
    report = serializers.CharField(allow_blank=True, max_length=ANSWER_MAX_LENGTH)


class ReturnRequestInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReturnRequest.Reason.choices)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH)
    suggested_unit = serializers.SlugRelatedField(
        slug_field="code", queryset=dispatch_targets(), required=False, allow_null=True
    )


class WhistleInputSerializer(serializers.Serializer):
    departments = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="code", queryset=dispatch_targets(Unit.Kind.DEPARTMENT)),
        min_length=1, max_length=10,
    )
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class ExtensionInputSerializer(serializers.Serializer):
    proposed_day = serializers.DateField()
    reason = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class SuperviseInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH)


@extend_schema_view(
    list=doc("dispatch-list", response=DispatchSerializer, fails=(400, 403, 404)),
    retrieve=doc("dispatch-detail", response=DispatchSerializer, fails=(403, 404)),
)
class DispatchViewSet(OneTripThrottling, viewsets.ReadOnlyModelViewSet):
    """/api/v1/dispatches/ : the signed-in officer's queue (supervisors: all)."""

    serializer_class = DispatchSerializer
    lookup_value_regex = r"\d+"
    permission_classes = [IsAuthenticated, IsStaffMember]
    filterset_class = DispatchFilter

    def get_queryset(self):
        return (dispatches_visible_to(officer_of(self.request.user)).annotate(followers=follower_count_of())
                .order_by("resolve_due", "id"))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "officer": officer_of(self.request.user)}

    def _act(self, request, action_fn, body=None):
        """Run an officer's action on the ticket; `body` (a serializer) parses what it takes."""
        dispatch = self.get_object()  # 404 for anything outside the viewer's queue
        fields = {}
        if body is not None:
            data = body(data=request.data)
            data.is_valid(raise_exception=True)
            fields = data.validated_data
        run_action(action_fn, dispatch_id=dispatch.pk, officer=officer_of(request.user), **fields)
        return Response(self.get_serializer(self.get_object()).data)

    @doc("sign", response=DispatchSerializer, fails=(403, 404, 409))
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._act(request, actions.sign_dispatch)

    @doc("respond", request=NoteSerializer, response=DispatchSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        return self._act(request, actions.respond_dispatch, NoteSerializer)

    @doc("notes", request=NoteSerializer, response=DispatchSerializer)
    @action(detail=True, methods=["post"])
    def notes(self, request, pk=None):
        return self._act(request, actions.add_progress_note, NoteSerializer)

    @doc("resolve", request=AnswerSerializer, response=DispatchSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._act(request, actions.resolve_dispatch, AnswerSerializer)

    @doc("report", request=ReportSerializer, response=DispatchSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """A summoned department records its part."""
        return self._act(request, actions.report_cohandling, ReportSerializer)

    def _request(self, request, serializer_class, action_fn, result_serializer, **extra):
        dispatch = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        created = run_action(
            action_fn, dispatch_id=dispatch.pk, **extra, **data.validated_data
        )
        return Response(result_serializer(created).data, status=status.HTTP_201_CREATED)

    @doc("return_to_center", request=ReturnRequestInputSerializer, response=ReturnRequestSerializer, status=201)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_center(self, request, pk=None):
        """Ask the operators to take a misrouted ticket back (before responding, within the window)."""
        return self._request(request, ReturnRequestInputSerializer, returns.request_return,
                             ReturnRequestSerializer, officer=officer_of(request.user))

    @doc("whistle", request=WhistleInputSerializer, response=WhistleSerializer, status=201)
    @action(detail=True, methods=["post"])
    def whistle(self, request, pk=None):
        """A street summons departments to co-handle the appeal."""
        return self._request(request, WhistleInputSerializer, whistles.blow_whistle, WhistleSerializer,
                             officer=officer_of(request.user))

    @doc("extension", request=ExtensionInputSerializer, response=ExtensionRequestSerializer, status=201)
    @action(detail=True, methods=["post"])
    def extension(self, request, pk=None):
        """Ask a supervisor for a later resolve deadline."""
        return self._request(request, ExtensionInputSerializer, extensions.request_extension,
                             ExtensionRequestSerializer, officer=officer_of(request.user))

    @doc("supervise", request=SuperviseInputSerializer, response=SupervisionOrderSerializer, status=201)
    @action(detail=True, methods=["post"])
    def supervise(self, request, pk=None):
        """A supervisor opens a supervision order on the ticket."""
        return self._request(request, SuperviseInputSerializer, supervision.open_manual_order,
                             SupervisionOrderSerializer, supervisor=officer_of(request.user))


class TriageAppealSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Appeal
        fields = ["id", "number", "created_at", "channel", "kind", "urgency", "category", "text",
                  "address", "latitude", "longitude"]


class DeclineSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Appeal.RejectionReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH)


@extend_schema_view(
    list=doc("triage-list", response=TriageAppealSerializer, fails=(403, 404)),
    retrieve=doc("triage-detail", response=TriageAppealSerializer, fails=(403, 404)),
)
class TriageViewSet(OneTripThrottling, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """/api/v1/triage/ : appeals routing could not place; operators dispatch or decline them."""

    serializer_class = TriageAppealSerializer
    lookup_value_regex = r"\d+"
    permission_classes = [IsAuthenticated, IsOperator]

    def get_queryset(self):
        return triage_queue()

    @doc("triage-dispatch", request=ManualDispatchSerializer, response=ManualDispatchResultSerializer, status=201)
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_to(self, request, pk=None):
        appeal = get_object_or_404(self.get_queryset(), pk=pk)
        data = ManualDispatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dispatch = run_action(
            actions.dispatch_manually, appeal_id=appeal.pk, unit=data.validated_data["unit"],
            operator=officer_of(request.user), category=data.validated_data.get("category"),
            note=data.validated_data.get("note", ""),
        )
        return Response(
            {"appeal": appeal.number, "dispatch": dispatch.pk, "unit": dispatch.unit.code,
             "detail": _("Dispatched.")},
            status=status.HTTP_201_CREATED,
        )

    @doc("triage-decline", request=DeclineSerializer, response=DeclineResultSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        appeal = get_object_or_404(self.get_queryset(), pk=pk)
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run_action(
            actions.decline_appeal, appeal_id=appeal.pk, reason=data.validated_data["reason"],
            operator=officer_of(request.user), note=data.validated_data.get("note", ""),
        )
        return Response({"appeal": appeal.number, "status": Appeal.Status.REJECTED})
