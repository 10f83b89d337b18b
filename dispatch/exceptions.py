"""Errors a dispatch action raises; views turn them into clear messages (and HTTP 409/404)."""


class DispatchError(Exception):
    """Base for refusals; `message` is already translated for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ActionNotAllowed(DispatchError):
    """The current state does not allow this action (e.g. resolving before responding)."""


class NotYourTicket(DispatchError):
    """The dispatch belongs to another unit: treated as not found, so nothing leaks."""
