"""Notes the system writes on events, kept as a message code and its parameters (in
`event.data["message"]`) rather than as a sentence, so that each reader sees them in their own
language: an English page never shows the Chinese an appeal happened to be routed in.

Each app declares the messages it writes (`register`) where it owns the words, and writes them
with `message(code, **params)`; `event_note` renders one for the timeline, the console and the
API. What a person typed stays in `event.note` and follows the rendered message. Events written
before messages existed keep their sentence in `note` and read as they were written.
"""
from __future__ import annotations

from collections.abc import Callable

Render = Callable[[dict], str]
_MESSAGES: dict[str, Render] = {}


def register(code: str, text=None, *, render: Render | None = None) -> None:
    """Declare a message: `text` a lazy translation with %(name)s parameters, or `render`, a function
    of the parameters, for those that must be translated or formatted themselves (dates, choices)."""
    _MESSAGES[code] = render or (lambda params: str(text) % params if params else str(text))


def message(code: str, **params) -> dict:
    """What a transition stores for its note (appeals.events.Transition.message); params are JSON."""
    if code not in _MESSAGES:
        raise LookupError(f"no event message {code!r} is registered")
    return {"code": code, "params": params}


def event_note(event) -> str:
    """The event's note in the active language: its message, then what a person typed."""
    stored = (event.data or {}).get("message")
    if not stored:
        return event.note
    render = _MESSAGES.get(stored.get("code"))
    text = render(stored.get("params") or {}) if render else stored.get("code", "")
    return f"{text}: {event.note}" if event.note else text
