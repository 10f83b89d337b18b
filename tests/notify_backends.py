"""Notification backends for tests, named in settings like a deployment's own (NOTIFICATION_SMS_BACKEND
= "tests.notify_backends.RecordingBackend"). The worker of the suite is a thread of this process,
so what it sends lands in the same class-level list the test reads."""
import threading

from appeals.notifications import ConsoleBackend, Message

_lock = threading.Lock()


class RecordingBackend(ConsoleBackend):
    """The console backend (it logs every message), also keeping what it delivered."""

    delivered: list[Message] = []

    def send(self, message: Message) -> bool:
        super().send(message)
        with _lock:
            RecordingBackend.delivered.append(message)
        return True

    @classmethod
    def reset(cls) -> None:
        with _lock:
            cls.delivered.clear()
        FailingBackend.failures_left = 0


class FailingBackend(RecordingBackend):
    """A gateway that refuses its first `failures_left` messages (a timeout), then delivers."""

    failures_left = 0
    refused = 0

    def send(self, message: Message) -> bool:
        with _lock:
            if FailingBackend.failures_left > 0:
                FailingBackend.failures_left -= 1
                FailingBackend.refused += 1
                raise TimeoutError("the SMS gateway did not answer")
        return super().send(message)
