"""API keys and access codes sent in URLs never reach a log (issue 14, item 9), through the logging
configuration the project really runs with (settings.LOGGING)."""
import io
import logging

import pytest

from config.log_redaction import RedactSecrets

KEY = "1a2b3c4d.s3cr3t-Key_value"
LINE = f"GET /open311/v2/requests.json?service_code=ENV-NOISE&api_key={KEY}&status=open HTTP/1.1"


@pytest.fixture
def captured():
    """What the configured handlers of a logger (settings.LOGGING's, not pytest's own) write, as text."""
    streams = []

    def capture(logger_name: str) -> io.StringIO:
        logger = logging.getLogger(logger_name)
        handlers = logger.handlers or logging.getLogger().handlers
        stream = io.StringIO()
        assert any(type(handler) is logging.StreamHandler for handler in handlers)
        for handler in handlers:
            if type(handler) is not logging.StreamHandler:
                continue
            streams.append((handler, handler.setStream(stream)))
        return stream

    yield capture
    for handler, stream in streams:
        handler.setStream(stream)


def test_the_development_servers_request_lines_carry_no_key(captured):
    stream = captured("django.server")
    logging.getLogger("django.server").info('"%s" %s %s', LINE, 200, 1234)
    written = stream.getvalue()
    assert KEY not in written and "s3cr3t" not in written
    assert "api_key=[redacted]&status=open" in written and "service_code=ENV-NOISE" in written


def test_any_log_message_loses_keys_and_tracking_codes(captured):
    stream = captured("django.request")
    logging.getLogger("django.request").warning(f"Bad Request: {LINE}")
    logging.getLogger("appeals").warning("lookup %s", "/api/v1/appeals/track/?number=260101-ABCDEF&code=K7M2P9QX")
    written = stream.getvalue()
    assert KEY not in written and "K7M2P9QX" not in written and "260101-ABCDEF" in written


def test_gunicorns_access_log_atoms_are_redacted_too():
    """gunicorn logs its access line with a mapping of atoms; the filter redacts those as well."""
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(q)s', None, None)
    record.args = {"h": "203.0.113.9", "r": LINE, "q": f"api_key={KEY}"}
    RedactSecrets().filter(record)
    assert KEY not in record.getMessage() and "api_key=[redacted]" in record.getMessage()
