"""The tile server the resident's map may load images from (settings.MAP_TILE_URL): its origin is
the one host the content security policy adds to img-src, so the template must name one host."""
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured


def tile_origin(template: str) -> str:
    """`https://tiles.example.gov.cn` for `https://tiles.example.gov.cn/{z}/{x}/{y}.png`. Refuses
    anything but an https (or http) URL with a fixed host: a `{s}` subdomain would need a wildcard."""
    parts = urlsplit(template)
    if parts.scheme not in ("https", "http") or not parts.hostname or "{" in parts.netloc:
        raise ImproperlyConfigured(
            "MAP_TILE_URL must be an http(s) URL template with one fixed host, "
            "e.g. https://tiles.example.gov.cn/{z}/{x}/{y}.png"
        )
    return f"{parts.scheme}://{parts.netloc}"
