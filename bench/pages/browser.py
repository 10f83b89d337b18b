"""An HTTP client that behaves like a browser behind the production proxy: it says the request came
over HTTPS (X-Forwarded-Proto), sends Origin and Referer for CSRF, signs in through the login form,
and keeps the HTTPS-only cookies although the hop to the local server is plain HTTP."""
from __future__ import annotations

import re
import time

import requests

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    def __init__(self, base_url: str):
        self.base = base_url
        self.origin = base_url.replace("http://", "https://")
        self.session = requests.Session()
        self.session.headers.update({"X-Forwarded-Proto": "https", "Origin": self.origin,
                                     "Accept-Language": "zh-hans"})

    def _keep_cookies(self) -> None:
        for cookie in self.session.cookies:
            cookie.secure = False

    def request(self, method: str, path: str, **kwargs) -> tuple[requests.Response, float]:
        """The response and its time in seconds (to the last byte of the body)."""
        headers = {"Referer": f"{self.origin}{path}", **kwargs.pop("headers", {})}
        started = time.perf_counter()
        response = self.session.request(method, f"{self.base}{path}", headers=headers, timeout=60,
                                        allow_redirects=False, **kwargs)
        _ = response.content
        took = time.perf_counter() - started
        self._keep_cookies()
        return response, took

    def csrf_token(self, path: str) -> str:
        response, _ = self.request("GET", path)
        found = CSRF_INPUT.search(response.text)
        if not found:
            raise RuntimeError(f"no CSRF token on {path} ({response.status_code})")
        return found.group(1)

    def log_in(self, username: str, password: str) -> Browser:
        token = self.csrf_token("/accounts/login/")
        response, _ = self.request("POST", "/accounts/login/", data={
            "csrfmiddlewaretoken": token, "username": username, "password": password})
        if response.status_code != 302:
            raise RuntimeError(f"could not log in as {username}: {response.status_code}")
        return self
