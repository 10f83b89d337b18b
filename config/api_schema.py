"""OpenAPI pieces shared by the /api/v1/ endpoints: the two error bodies DRF sends, and the
responses that carry them, so every endpoint documents its failures the same way."""
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

# The field-keyed 400 body is a component declared in SPECTACULAR_SETTINGS["APPEND_COMPONENTS"].
VALIDATION_ERROR = {"$ref": "#/components/schemas/ValidationError"}


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in the request's language.")


DESCRIPTIONS = {
    400: "Invalid input; nothing was changed.",
    403: "Not signed in, not allowed for your role, or a session request without its CSRF token.",
    404: "No such object among those you may see (another unit's ticket is simply not found), or no such page.",
    409: "The object's current state does not allow this action (e.g. resolving before responding).",
    413: "The request body is larger than this endpoint accepts; nothing was read or changed.",
    429: "Too many requests from this address or account; the Retry-After header says when to try again.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Documented error responses for `codes` (400 has the field-keyed body, the others `detail`)."""
    return {
        code: OpenApiResponse(
            response=VALIDATION_ERROR if code == 400 else ErrorDetailSerializer, description=DESCRIPTIONS[code]
        )
        for code in codes
    }
