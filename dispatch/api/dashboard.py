"""The supervisor dashboard's figures in the API: /api/v1/rankings/ and /api/v1/dashboard/.

Same filters (DashboardFilter) and same reads (dispatch/dashboard/figures.py) as the page, so the
API and the page cannot disagree. Rates are exact decimals given as strings ("0.6667").
"""
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.throttling import OneTripThrottling
from dispatch.api.permissions import IsSupervisor
from dispatch.api.schema import doc
from dispatch.dashboard.figures import Dashboard, filters_from
from dispatch.metrics.counts import COUNT_FIELDS
from streets.models import Unit

RATE = {"max_digits": 5, "decimal_places": 4, "allow_null": True}


class RatesSerializer(serializers.Serializer):
    response = serializers.DecimalField(**RATE, help_text="Responded on time / due for response.")
    resolution = serializers.DecimalField(**RATE, help_text="Rated solved / rated.")
    satisfaction = serializers.DecimalField(**RATE, help_text="(satisfied + w_basic × basically satisfied) / rated.")
    composite = serializers.DecimalField(**RATE, help_text="The rule's weighted sum of the three; null when one "
                                                           "of them is (the unit is then unranked).")


CountsSerializer = type("CountsSerializer", (serializers.Serializer,), {
    name: serializers.IntegerField() for name in COUNT_FIELDS
})


class RankingRowSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[Unit.Kind.STREET, Unit.Kind.DEPARTMENT])
    rank = serializers.IntegerField(allow_null=True, help_text="Ties share a rank; null: unranked.")
    unit = serializers.CharField(source="code", help_text="The unit's code.")
    name = serializers.CharField()
    district = serializers.CharField(help_text="The district's name (empty for municipal departments).")
    bottom = serializers.BooleanField(help_text="In the flagged bottom share of its table.")
    rates = RatesSerializer()
    counts = CountsSerializer()
    median_response_seconds = serializers.IntegerField(allow_null=True)


class RuleSerializer(serializers.Serializer):
    effective_from = serializers.DateField()
    w_response = serializers.DecimalField(max_digits=4, decimal_places=3)
    w_resolution = serializers.DecimalField(max_digits=4, decimal_places=3)
    w_satisfaction = serializers.DecimalField(max_digits=4, decimal_places=3)
    w_basic = serializers.DecimalField(max_digits=4, decimal_places=3)
    period_start_day = serializers.IntegerField()
    bottom_share = serializers.DecimalField(max_digits=4, decimal_places=3)


class RankingSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="The assessment month, YYYY-MM.")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text="Exclusive.")
    rule = RuleSerializer(help_text="The scoring rule in force for the period.")
    district = serializers.CharField(allow_null=True, help_text="The district filtered on, if any.")
    as_of = serializers.DateTimeField(allow_null=True, help_text="When the rollups were last counted.")
    rows = RankingRowSerializer(many=True, help_text="Streets first, then departments, each best first.")


class DistrictFiguresSerializer(serializers.Serializer):
    district = serializers.CharField(allow_null=True, help_text="The district's code; null: the units outside "
                                                                "any district (departments).")
    name = serializers.CharField()
    open = serializers.IntegerField(allow_null=True, help_text="Open tickets at the last count.")
    overdue = serializers.IntegerField(allow_null=True, help_text="Open tickets past a deadline at the last count.")
    responded = serializers.IntegerField(help_text="Responses made today.")
    median_response_seconds = serializers.IntegerField(allow_null=True)
    p90_response_seconds = serializers.IntegerField(allow_null=True)


class IntakeSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    web = serializers.IntegerField()
    phone = serializers.IntegerField()
    api = serializers.IntegerField()


class DayPointSerializer(serializers.Serializer):
    day = serializers.DateField()
    responded = serializers.IntegerField()
    median_response_seconds = serializers.IntegerField(allow_null=True)
    p90_response_seconds = serializers.IntegerField(allow_null=True)


class FirstContactPartSerializer(serializers.Serializer):
    name = serializers.CharField()
    consultations = serializers.IntegerField()
    answered = serializers.IntegerField()


class FirstContactSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="The running month, YYYY-MM.")
    consultations = serializers.IntegerField(help_text="Consultations received in the month.")
    answered = serializers.IntegerField(help_text="Of them, answered at first contact from the knowledge base.")
    share = serializers.FloatField(allow_null=True)
    by_channel = FirstContactPartSerializer(many=True)
    by_category = FirstContactPartSerializer(many=True)


class DashboardSerializer(serializers.Serializer):
    day = serializers.DateField(help_text="Today, in the city's time zone.")
    as_of = serializers.DateTimeField(allow_null=True, help_text="When today's figures were last counted.")
    district = serializers.CharField(allow_null=True, help_text="The district filtered on, if any.")
    intake = IntakeSerializer(help_text="Appeals received today, by channel.")
    districts = DistrictFiguresSerializer(many=True)
    city = DistrictFiguresSerializer(allow_null=True, help_text="The whole city (null with a district filter).")
    response_times = DayPointSerializer(many=True, help_text="Per day, the last 30 days, oldest first.")
    first_contact = FirstContactSerializer(help_text="Consultations answered at first contact, this month.")


def _param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, OpenApiParameter.QUERY, required=False, description=description)


PERIOD = _param("period", "Assessment month, YYYY-MM (default: the running month).")
KIND = _param("kind", "`street` or `department` (default: both).")
DISTRICT = _param("district", "A district's code: only its units (rankings), only its figures (dashboard).")


class SupervisorFiguresView(OneTripThrottling, APIView):
    permission_classes = [IsAuthenticated, IsSupervisor]

    def dashboard(self, request) -> Dashboard:
        filterset, filters = filters_from(request.query_params)
        if filters is None:
            raise ValidationError(filterset.errors)
        return Dashboard(filters)

    @staticmethod
    def district_code(dashboard: Dashboard) -> str | None:
        return dashboard.filters.district.code if dashboard.filters.district else None


class RankingView(SupervisorFiguresView):
    """/api/v1/rankings/ : the monthly rankings of streets and departments."""

    @doc("rankings", response=RankingSerializer, fails=(400, 403), parameters=[PERIOD, KIND, DISTRICT])
    def get(self, request):
        dashboard = self.dashboard(request)
        period = dashboard.filters.period
        rows = [{"kind": kind, **vars(row)} for kind, table in dashboard.rankings.items() for row in table]
        return Response(RankingSerializer({
            "period": period.key, "start": period.start, "end": period.end, "rule": period.rule,
            "district": self.district_code(dashboard), "as_of": dashboard.rankings_as_of, "rows": rows,
        }).data)


class DashboardView(SupervisorFiguresView):
    """/api/v1/dashboard/ : today's intake, open and overdue tickets by district, response times."""

    @doc("dashboard", response=DashboardSerializer, fails=(400, 403), parameters=[DISTRICT])
    def get(self, request):
        dashboard = self.dashboard(request)
        intake = dashboard.intake()
        figures = [{**vars(row), "district": row.code or None} for row in dashboard.districts]
        return Response(DashboardSerializer({
            "day": dashboard.filters.today, "as_of": dashboard.as_of, "district": self.district_code(dashboard),
            "intake": {"total": sum(intake.values()), **intake},
            "districts": [row for row in figures if row["district"] != "*"],
            "city": next((row for row in figures if row["district"] == "*"), None),
            "response_times": dashboard.series,
            "first_contact": _first_contact(dashboard),
        }).data)


def _first_contact(dashboard: Dashboard) -> dict:
    figures = dashboard.first_contact

    def parts(rows):
        return [{"name": name, "consultations": n, "answered": a} for name, n, a in rows]

    return {"period": dashboard.filters.period.key, "consultations": figures.consultations,
            "answered": figures.answered, "share": figures.share,
            "by_channel": parts(figures.by_channel), "by_category": parts(figures.by_category)}
