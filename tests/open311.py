"""Checks for Open311 responses: JSON against the GeoReport v2 JSON Schemas in open311_schemas/,
XML by its element names (from the standard's text), and the two formats against each other."""
import json
from pathlib import Path
from xml.etree import ElementTree

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMA_DIR = Path(__file__).parent / "open311_schemas"
_SCHEMAS = {path.stem: json.loads(path.read_text()) for path in SCHEMA_DIR.glob("*.json")}
REGISTRY = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema)) for schema in _SCHEMAS.values()
)
# The standard's XML: the root element of each response, and the item element inside each list.
XML_ROOTS = {
    "discovery": "discovery",
    "services": "services",
    "service_definition": "service_definition",
    "service_requests": "service_requests",
    "created_requests": "service_requests",
    "tokens": "service_requests",
    "errors": "errors",
}
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'


def validate_json(schema: str, data) -> None:
    Draft202012Validator(_SCHEMAS[schema], registry=REGISTRY).validate(data)


def xml_to_data(element: ElementTree.Element):
    """The XML read back in the Spark convention: lists for the wrappers above, dicts otherwise."""
    if element.tag in XML_ITEMS:
        assert all(child.tag == XML_ITEMS[element.tag] for child in element), ElementTree.tostring(element)
        return [xml_to_data(child) for child in element]
    if len(element):
        tags = [child.tag for child in element]
        assert len(tags) == len(set(tags)), f"repeated element in <{element.tag}>: {tags}"
        return {child.tag: xml_to_data(child) for child in element}
    return element.text or None


def as_xml_text(value):
    """A JSON value as the XML carries it: text, true/false, empty for null and ""."""
    if isinstance(value, list):
        return [as_xml_text(item) for item in value]
    if isinstance(value, dict):
        return {key: as_xml_text(item) for key, item in value.items()}
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fetch(client, path: str, fmt: str, schema: str, *, status: int = 200, method: str = "get", data=None, **extra):
    """Call `path`.`fmt` and check the body: returns parsed JSON, or the XML as Python data."""
    response = getattr(client, method)(f"{path}.{fmt}", data, **extra)
    assert response.status_code == status, response.content.decode()[:2000]
    schema = schema if status < 400 else "errors"
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        body = response.json()
        validate_json(schema, body)
        return body
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(XML_DECLARATION)
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own server's response
    assert root.tag == XML_ROOTS[schema]
    return xml_to_data(root)


def fetch_both(client, path: str, schema: str, *, status: int = 200, **extra):
    """GET in JSON and XML, check each, check they say the same; return the JSON."""
    as_json = fetch(client, path, "json", schema, status=status, **extra)
    as_xml = fetch(client, path, "xml", schema, status=status, **extra)
    assert as_xml == as_xml_text(as_json)
    return as_json
