"""REST API for what the center decides: return requests (operators), extension requests
(supervisors) and supervision orders (supervisors, and each unit's head for its own)."""
from drf_spectacular.utils import extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from appeals.models import Category
from config.throttling import OneTripThrottling
from dispatch.api.errors import run_action
from dispatch.api.permissions import IsOperator, IsSupervisor, IsUnitHead
from dispatch.api.schema import doc
from dispatch.handling import extensions, returns, supervision
from dispatch.handling.rules import may_see_supervision_orders
from dispatch.handling.selectors import (
    extension_requests,
    return_requests,
    supervision_orders_visible_to,
)
from dispatch.limits import NOTE_MAX_LENGTH
from dispatch.models import ExtensionRequest, ReturnRequest, SupervisionOrder, Whistle
from streets.roles import officer_of
from streets.selectors import dispatch_targets


class RequestSerializer(serializers.ModelSerializer):
    dispatch = serializers.IntegerField(source="dispatch_id", read_only=True)
    appeal_number = serializers.CharField(source="dispatch.appeal.number", read_only=True)
    unit = serializers.CharField(source="dispatch.unit.code", read_only=True)
    requested_by = serializers.CharField(source="requested_by.get_username", read_only=True)

    common_fields = ["id", "dispatch", "appeal_number", "unit", "requested_by", "requested_at", "state",
                     "decided_at", "decision_note"]


class ReturnRequestSerializer(RequestSerializer):
    suggested_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    new_dispatch = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ReturnRequest
        fields = [*RequestSerializer.common_fields, "reason", "note", "suggested_unit", "new_dispatch"]


class ExtensionRequestSerializer(RequestSerializer):
    class Meta:
        model = ExtensionRequest
        fields = [*RequestSerializer.common_fields, "reason", "previous_due", "proposed_due"]


class WhistleSerializer(serializers.ModelSerializer):
    departments = serializers.SerializerMethodField()

    class Meta:
        model = Whistle
        fields = ["id", "dispatch", "blown_at", "note", "departments"]

    def get_departments(self, obj) -> list[dict]:
        return [
            {"dispatch": d.pk, "unit": d.unit.code, "response_due": d.response_due, "report_due": d.resolve_due}
            for d in obj.dispatches.select_related("unit").order_by("unit__code")
        ]


class SupervisionOrderSerializer(serializers.ModelSerializer):
    appeal_number = serializers.CharField(source="dispatch.appeal.number", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)

    class Meta:
        model = SupervisionOrder
        fields = ["id", "dispatch", "appeal_number", "unit", "reason", "note", "opened_at", "reply_due", "state",
                  "reply", "replied_at"]


class ManualDispatchSerializer(serializers.Serializer):
    """Where an operator sends an appeal: from the manual queue, or on approving a return."""

    unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=dispatch_targets(),
    )
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(is_leaf=True, active=True), required=False,
        allow_null=True,
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH)


class DecisionNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH)


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(allow_blank=True, max_length=NOTE_MAX_LENGTH)


class DecisionQuerySerializer(serializers.Serializer):
    """The lists' query parameters: validated here and documented in the schema from here."""

    state = serializers.ChoiceField(
        choices=["pending", "approved", "refused", "all"], default="pending",
        help_text="Which requests by their decision; `all` for every one.",
    )


class DecisionViewSet(OneTripThrottling, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A queue of requests: the list shows those waiting (`?state=approved|refused|all` for the
    rest); any request can be read, and deciding one twice is a 409, not a 404."""

    lookup_value_regex = r"\d+"
    selector = None

    def get_queryset(self):
        state = "all"
        if self.action == "list":
            query = DecisionQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            state = query.validated_data["state"]
        return type(self).selector(state=None if state == "all" else state)

    def _decide(self, request, input_serializer, action_fn, **kwargs):
        target = self.get_object()  # 404 outside the viewer's queue
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        run_action(action_fn, **{self.id_argument: target.pk}, **kwargs, **data.validated_data)
        target.refresh_from_db()
        return Response(self.get_serializer(target).data)


@extend_schema_view(
    list=doc(
        "return-list", response=ReturnRequestSerializer, fails=(400, 403, 404), parameters=[DecisionQuerySerializer]
    ),
    retrieve=doc("return-detail", response=ReturnRequestSerializer, fails=(403, 404)),
)
class ReturnRequestViewSet(DecisionViewSet):
    """/api/v1/returns/ : return requests waiting for the operators."""

    serializer_class = ReturnRequestSerializer
    permission_classes = [IsAuthenticated, IsOperator]
    id_argument = "return_id"
    selector = staticmethod(return_requests)

    @doc("return-approve", request=ManualDispatchSerializer, response=ReturnRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Re-dispatch to another unit; the returning unit's dispatch closes as returned."""
        return self._decide(
            request, ManualDispatchSerializer, returns.approve_return, operator=officer_of(request.user)
        )

    @doc("return-refuse", request=DecisionNoteSerializer, response=ReturnRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        """The ticket stays with the unit; its clock never stopped."""
        return self._decide(request, DecisionNoteSerializer, returns.refuse_return, operator=officer_of(request.user))


@extend_schema_view(
    list=doc(
        "extension-list", response=ExtensionRequestSerializer, fails=(400, 403, 404),
        parameters=[DecisionQuerySerializer],
    ),
    retrieve=doc("extension-detail", response=ExtensionRequestSerializer, fails=(403, 404)),
)
class ExtensionRequestViewSet(DecisionViewSet):
    """/api/v1/extensions/ : extension requests waiting for a supervisor."""

    serializer_class = ExtensionRequestSerializer
    permission_classes = [IsAuthenticated, IsSupervisor]
    id_argument = "extension_id"
    selector = staticmethod(extension_requests)

    @doc("extension-approve", request=DecisionNoteSerializer, response=ExtensionRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(
            request, DecisionNoteSerializer, extensions.approve_extension, supervisor=officer_of(request.user)
        )

    @doc("extension-refuse", request=DecisionNoteSerializer, response=ExtensionRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._decide(
            request, DecisionNoteSerializer, extensions.refuse_extension, supervisor=officer_of(request.user)
        )


class SeesSupervisionOrders(BasePermission):
    def has_permission(self, request, view) -> bool:
        return may_see_supervision_orders(officer_of(request.user))


@extend_schema_view(
    list=doc("order-list", response=SupervisionOrderSerializer, fails=(403, 404)),
    retrieve=doc("order-detail", response=SupervisionOrderSerializer, fails=(403, 404)),
)
class SupervisionOrderViewSet(DecisionViewSet):
    """/api/v1/supervision-orders/ : every order for supervisors, the unit's own for its head."""

    serializer_class = SupervisionOrderSerializer
    permission_classes = [IsAuthenticated, SeesSupervisionOrders]
    id_argument = "order_id"

    def get_queryset(self):
        return supervision_orders_visible_to(officer_of(self.request.user))

    @doc("order-reply", request=ReplySerializer, response=SupervisionOrderSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated, IsUnitHead])
    def reply(self, request, pk=None):
        """The unit's head answers the order."""
        return self._decide(request, ReplySerializer, supervision.reply_to_order, officer=officer_of(request.user))
