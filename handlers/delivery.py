"""The notifier port: how the outbox dispatcher reaches a member on one platform."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from domain.company import ChatIdentity
from handlers.types import Reply


class DeliveryError(Exception):
    """A send failed. ``permanent`` (blocked, user gone) stops retries and marks the member
    unreachable; otherwise the dispatcher retries, after ``retry_after`` seconds if given.
    ``done``: how many stored operations went out before the failure."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        done: int = 0,
    ):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after
        self.done = done


class NotSentInTime(Exception):
    """A message would have left after its sender's deadline (waiting for the platform's
    limits), so it was not sent at all. Only waits end this way: a request that has left
    is never cut short, since it may have arrived (and would then arrive twice)."""


class Notifier(Protocol):
    platform: str

    async def send(self, identity: ChatIdentity, reply: Reply) -> None:
        """Deliver one reply to the identity's private chat, or raise DeliveryError."""
        ...


@runtime_checkable
class ReplyCourier(Protocol):
    """A notifier that also delivers stored replies (``domain.ports.StoredReplies``):
    the operations its own adapter rendered when the update was handled."""

    platform: str

    async def deliver(
        self, workspace: str, chat_id: str, payload: Sequence[Mapping[str, Any]], start: int
    ) -> None:
        """Carry out ``payload[start:]`` in order, or raise DeliveryError (with ``done``
        counting from the start of the payload)."""
        ...
