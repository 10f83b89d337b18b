"""JSON bodies with a bounded nesting depth.

Python's json module recurses once per level, so a 2 KB body of a thousand "[" raises
RecursionError (a 500) before any view code runs. Nothing this API accepts nests deeper than a
few levels: the depth is measured first (brackets outside strings, counted by one regular
expression in C) and a deeper body is refused as a parse error (400). The admin's JSON inputs
(`BoundedJSONFormField`, through `BOUNDED_JSON_FIELDS`) refuse one as a field error.
"""
from __future__ import annotations

import json
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.fields import InvalidJSONInput
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

MAX_JSON_DEPTH = 32
# A string (skipped whole, escapes included) or one bracket.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text` (brackets inside strings do not count)."""
    openings = text.count("[") + text.count("{")
    if openings <= MAX_JSON_DEPTH:
        return openings  # an upper bound, and small enough: no scan needed
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        piece = match.group()
        if piece in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif piece in ("]", "}"):
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with the depth bound above (settings.REST_FRAMEWORK's parser for JSON)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc
        if json_depth(text) > MAX_JSON_DEPTH:
            raise ParseError(_("JSON nested deeper than %(n)d levels is not accepted.") % {"n": MAX_JSON_DEPTH})
        try:
            return json.loads(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from exc


def _too_deep(value) -> bool:
    return isinstance(value, str) and json_depth(value) > MAX_JSON_DEPTH


class BoundedJSONFormField(forms.JSONField):
    """A form's JSON input with the same bound: a deeper value is the field's error, and the form
    shows it again as typed (Django's own field would recurse while parsing it, twice)."""

    def to_python(self, value):
        if _too_deep(value):
            raise ValidationError(_("JSON nested deeper than %(n)d levels is not accepted.") % {"n": MAX_JSON_DEPTH},
                                  code="invalid")
        return super().to_python(value)

    def bound_data(self, data, initial):
        return InvalidJSONInput(data) if _too_deep(data) else super().bound_data(data, initial)


# An admin's `formfield_overrides` for models with JSON columns an administrator types.
BOUNDED_JSON_FIELDS = {models.JSONField: {"form_class": BoundedJSONFormField}}
