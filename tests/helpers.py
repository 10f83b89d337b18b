"""Small helpers the tests share."""
import io
import re
import time
from datetime import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image


def png_upload(name: str = "photo.png", size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def wait_for(predicate, timeout: float = 15.0, interval: float = 0.1):
    """Poll until predicate() is truthy (returning its value) or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def weekday_morning_next_month() -> datetime:
    """10:00 on the first Tuesday from the 10th of next month: a working morning whose 24-working-hour
    response deadline falls in the same month."""
    today = timezone.localdate()
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    day = next(d for d in range(10, 17) if datetime(year, month, d).weekday() == 1)
    return local(year, month, day, 10)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An aware datetime in the city's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(datetime(year, month, day, hour, minute, second))


def post_form(client: Client, **fields) -> str:
    """Fill the public form as a browser would (CSRF token included); return the tracking number."""
    form_page = client.get("/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.content.decode()).group(1)
    data = {"csrfmiddlewaretoken": token, "kind": "complaint", "urgency": "ordinary", **fields}
    response = client.post("/", data, follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    return tracking_number_in(response.content.decode())


def tracking_number_in(html: str) -> str | None:
    """The tracking number on the confirmation page, if this is one."""
    match = re.search(r'id="tracking-number"[^>]*>([^<]+)<', html)
    return match.group(1) if match else None


def count_redis_sends(monkeypatch, naming: bytes = b"") -> list[bytes]:
    """The commands sent to Redis from now on, on every client, each packed as sent (only those
    containing `naming`). A measurement: every command is still sent as before."""
    import redis

    sent: list[bytes] = []
    send = redis.connection.AbstractConnection.send_packed_command

    def counting_send(connection, command, *args, **kwargs):
        packed = b"".join(command) if isinstance(command, list | tuple) else command
        if naming in packed:
            sent.append(packed)
        return send(connection, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting_send)
    return sent


def command_names(sent: list[bytes]) -> list[bytes]:
    """The command of each packed Redis request (EVALSHA, SET, ...)."""
    return [packed.split(b"\r\n")[2].upper() for packed in sent]


def sign_in(page, base_url: str, username: str, password: str = "pass12345") -> None:  # noqa: S107 - the test accounts
    """Sign in on the login page in a Playwright page, as staff do, and wait for the console."""
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/console/**")
