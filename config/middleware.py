"""Request checks that must run before any view hook (the CSRF check) reads the body."""
from __future__ import annotations

from django.core.exceptions import BadRequest


class UndecodableFormMiddleware:
    """A form post (application/x-www-form-urlencoded) declaring a charset other than UTF-8 is a
    400 before anything reads it.

    Django refuses such a body with BadRequest when request.POST is first read (by the CSRF check),
    but does not mark the body as unreadable, so its 400 handler (which runs the CSRF check again)
    raises the same BadRequest and the answer becomes a 500. Marking the body as failed first
    (empty POST, as Django itself does for broken multipart bodies) lets the 400 page render."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = request.content_params.get("charset", "utf-8") if request.content_type else "utf-8"
        if request.content_type == "application/x-www-form-urlencoded" and charset.lower() != "utf-8":
            request._mark_post_parse_error()
            raise BadRequest("A form must be sent in UTF-8.")
        return self.get_response(request)
