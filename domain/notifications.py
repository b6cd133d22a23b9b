"""Notifications as data: what to tell whom, written to the outbox with the change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Notification:
    """One message to one member.

    ``kind`` names the template family ("task.awaiting_acceptance", ...), ``data``
    holds ids, not text: the message is rendered at send time in the recipient's
    language. ``dedup_key`` is unique in the outbox so a retry never doubles it.
    """

    member_id: int
    kind: str
    data: dict[str, Any]
    dedup_key: str
    not_before: datetime | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboxMessage:
    """A notification claimed from the outbox for sending (``Outbox.claim_due``):
    ``attempts`` counts the claims, this one included."""

    id: int
    member_id: int
    kind: str
    data: dict[str, Any]
    attempts: int
