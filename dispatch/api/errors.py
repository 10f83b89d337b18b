"""How a refused action reads over the API: another unit's ticket is 404 (nothing leaks), a state
that does not allow the action is 409 with the same translated message the console shows."""
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound

from dispatch.exceptions import ActionNotAllowed, NotYourTicket


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def run_action(action_fn, **kwargs):
    try:
        return action_fn(**kwargs)
    except NotYourTicket as exc:
        raise NotFound(exc.message) from exc
    except ActionNotAllowed as exc:
        raise Conflict(exc.message) from exc
