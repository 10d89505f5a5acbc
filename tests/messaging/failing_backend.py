"""A mail backend that always fails (tests of MSG-1 failure recording)."""

from django.core.mail.backends.base import BaseEmailBackend


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise ConnectionError("SMTP down")


class RefusingBackend(BaseEmailBackend):
    """Refuses mail to addresses starting with ``refused``; keeps the rest in ``SENT`` and counts the
    connections opened (tests of MSG-1 delivery a chunk at a time, issue 16)."""

    SENT: list[str] = []
    OPENED: list[int] = []

    def open(self):  # type: ignore[no-untyped-def]
        RefusingBackend.OPENED.append(1)
        return True

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        for message in email_messages:
            if message.to[0].startswith("refused"):
                raise ConnectionError(f"550 mailbox unavailable: {message.to[0]}")
            RefusingBackend.SENT.append(message.to[0])
        return len(email_messages)
