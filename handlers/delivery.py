"""The notifier port: how the outbox dispatcher reaches a member on one platform."""

from __future__ import annotations

from typing import Protocol

from domain.company import ChatIdentity
from handlers.types import Reply


class DeliveryError(Exception):
    """A send failed. ``permanent`` (blocked, user gone) stops retries and marks the member
    unreachable; otherwise the dispatcher retries, after ``retry_after`` seconds if given."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Notifier(Protocol):
    platform: str

    async def send(self, identity: ChatIdentity, reply: Reply) -> None:
        """Deliver one reply to the identity's private chat, or raise DeliveryError."""
        ...
