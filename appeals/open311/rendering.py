"""JSON and XML bodies from one Python structure.

The JSON is the Spark-convention mapping of the XML the standard defines: a list in JSON is a
wrapper element in XML whose items take the singular name below; None is an empty element,
booleans are true/false. Text that XML 1.0 cannot carry (control characters) is dropped.
"""
from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from django.http import HttpResponse

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
MIME_TYPES = ["text/xml", "application/json"]  # what discovery lists
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "knowledge_answers": "answer",
}
XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(data, *, root: str, fmt: str, status: int = 200, headers: dict | None = None) -> HttpResponse:
    body = to_json(data) if fmt == "json" else to_xml(data, root=root)
    response = HttpResponse(body, content_type=FORMATS[fmt], status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def to_xml(data, *, root: str) -> str:
    element = ElementTree.Element(root)
    _fill(element, root, data)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(element, encoding="unicode")


def _fill(element: ElementTree.Element, name: str, value) -> None:
    if isinstance(value, list):
        for item in value:
            _fill(ElementTree.SubElement(element, ITEM_NAMES[name]), ITEM_NAMES[name], item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), key, item)
    elif value is None:
        return
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = XML_INVALID_RE.sub("", str(value))
