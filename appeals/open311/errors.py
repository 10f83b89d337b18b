"""Errors in GeoReport v2 form: an HTTP status and a list of (code, description) pairs.

The standard's rule: 404 for a resource that does not exist, 403 for a missing or wrong
api_key, 400 for any other request that cannot be fulfilled. We add 405 (wrong method) and
429 (the key's rate limit), which HTTP clients already understand.
"""
from __future__ import annotations


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str, headers: dict | None = None):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.descriptions = [str(description) for description in descriptions]
        self.headers = headers or {}

    def as_data(self) -> list[dict]:
        return [{"code": self.status, "description": description} for description in self.descriptions]


def bad_request(*descriptions: str) -> Open311Error:
    return Open311Error(400, *descriptions)


def not_found(*descriptions: str) -> Open311Error:
    return Open311Error(404, *descriptions)


def forbidden(*descriptions: str) -> Open311Error:
    return Open311Error(403, *descriptions)
