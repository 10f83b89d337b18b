"""OpenAPI documentation of the console API (dispatch/api/dispatches.py): who may call each endpoint, what
it returns and how it fails. Kept here so the views carry one decorator each."""
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from appeals.models import Appeal
from config.api_schema import errors

OFFICER = "**Permissions:** an officer of the ticket's own unit (anyone else gets 404 or 403)."
STAFF = (
    "**Permissions:** signed-in staff bound to a unit: officers see their unit's tickets, a district's "
    "officers the copies of its streets' tickets, supervisors every ticket; operators and others get 403."
)
OPERATOR = "**Permissions:** hotline operators only (403 for everyone else)."
SUPERVISOR = "**Permissions:** supervisors only (403 for everyone else)."
STREET = "**Permissions:** an officer of the street responsible for the appeal (anyone else gets 404 or 409)."
ORDERS = (
    "**Permissions:** supervisors see every order; an officer marked head of a unit sees the unit's own "
    "(403 for everyone else). Only the unit's head replies (403 for a supervisor, 404 for another unit's order)."
)

DESCRIPTIONS = {
    "dispatch-list": "The viewer's queue, soonest resolve deadline first, with filters. " + STAFF,
    "dispatch-detail": "One ticket of the viewer's queue. Contacts are masked unless the viewer's unit "
                       "must call the resident. " + STAFF,
    "sign": "Sign for the ticket (pending → signed). 409 when it has been signed already. " + OFFICER,
    "respond": "Record the first contact with the resident (the response), with an optional note. "
               "409 when already recorded. " + OFFICER,
    "notes": "Add an internal progress note while the ticket is open. 409 when it is closed or the note "
             "is empty. " + OFFICER,
    "resolve": "Resolve with the answer to the resident, after the response. 409 before the response, "
               "when already resolved, or for an empty answer. " + OFFICER,
    "report": "A summoned department records its part of a co-handled appeal, after reporting for duty "
              "(respond). 409 on the responsible unit's own ticket, before the response, or when already "
              "reported. " + OFFICER,
    "return_to_center": "Ask the operators to take back a misrouted ticket (not ours by duty or by place). "
                        "409 after the response, after the return window, after a whistle, for a summoned "
                        "department, or while a return is already pending. " + OFFICER,
    "whistle": "Summon departments to co-handle the appeal; each gets its own dispatch and deadlines. 409 "
               "when the ticket is closed, a department is still working on it, or the unit is not the "
               "responsible street. " + STREET,
    "extension": "Ask a supervisor for a later resolve deadline (the end of a working day). 409 when the "
                 "day is not a working day, not after the current deadline, too far, the deadline has "
                 "passed, or a request is already pending. " + OFFICER,
    "supervise": "Open a supervision order on the ticket for the unit's head. 409 on a returned ticket. "
                 + SUPERVISOR,
    "return-list": "Return requests (default: those waiting; `state` filters). " + OPERATOR,
    "return-detail": "One return request. " + OPERATOR,
    "return-approve": "Approve: the returning unit's dispatch closes as returned and the appeal is "
                      "dispatched to `unit` with a fresh clock. 409 when already decided or `unit` is the "
                      "returning unit. " + OPERATOR,
    "return-refuse": "Refuse with a note to the unit; its clock never stopped. 409 when already decided "
                     "or the note is empty. " + OPERATOR,
    "extension-list": "Extension requests (default: those waiting; `state` filters). " + SUPERVISOR,
    "extension-detail": "One extension request. " + SUPERVISOR,
    "extension-approve": "Approve: the resolve deadline moves to the proposed day and the resident's "
                         "timeline shows it. 409 when already decided or the ticket is closed. " + SUPERVISOR,
    "extension-refuse": "Refuse with a note; the deadline stands. 409 when already decided or the note is "
                        "empty. " + SUPERVISOR,
    "order-list": "Supervision orders, open first by reply deadline. " + ORDERS,
    "order-detail": "One supervision order. " + ORDERS,
    "order-reply": "The unit's head answers the order, which closes it. 409 when already answered or the "
                   "reply is empty. " + ORDERS,
    "triage-list": "The operators' manual queue: appeals routing could not place, oldest first. " + OPERATOR,
    "triage-detail": "One appeal of the manual queue. " + OPERATOR,
    "triage-dispatch": "Dispatch the appeal to an active street or department, optionally fixing its "
                       "category. 409 when it has been handled already. " + OPERATOR,
    "triage-decline": "Decline the appeal with a reason from the fixed list (the resident sees it). 409 "
                      "when it has been handled already. " + OPERATOR,
    "rankings": "The monthly ranking of streets and of departments by composite score, with the three rates, "
                "the counts they come from, the median response time and the flagged bottom, read from the "
                "rollups (counted every few minutes). 400 for an unknown month, kind or district. " + SUPERVISOR,
    "dashboard": "Today's intake by channel, open and overdue tickets by district, and the median and 90th "
                 "percentile response time per day for the last 30 days, read from the daily rollups (counted "
                 "every few minutes). 400 for an unknown district. " + SUPERVISOR,
}


def doc(name: str, *, response=None, request=None, status: int = 200, fails=(400, 403, 404, 409), parameters=None):
    """extend_schema for one endpoint: its description, request body, query parameters, success and
    error responses."""
    return extend_schema(
        description=DESCRIPTIONS[name], request=request, responses={status: response, **errors(*fails)},
        parameters=parameters,
    )


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The resident's name, masked unless your unit must call them.")
    phone = serializers.CharField(help_text="The resident's phone, masked likewise; empty when anonymous.")
    masked = serializers.BooleanField()


contact_field = extend_schema_field(ContactSerializer)


class ManualDispatchResultSerializer(serializers.Serializer):
    appeal = serializers.CharField(help_text="The appeal's tracking number.")
    dispatch = serializers.IntegerField(help_text="The new dispatch's id.")
    unit = serializers.CharField(help_text="The unit's code.")
    detail = serializers.CharField()


class DeclineResultSerializer(serializers.Serializer):
    appeal = serializers.CharField(help_text="The appeal's tracking number.")
    status = serializers.ChoiceField(choices=[Appeal.Status.REJECTED.value])
