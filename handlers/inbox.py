"""Requests kept before they are acknowledged, for a platform that never sends an
acknowledged request again (Slack: an acked event is not retried, a slash command or a
button press never is).

The adapter ``keep``s a request that carries user input in its own short transaction
before it acks, handles it, and marks it ``handled`` once the turn is committed. A row
left unhandled (the process died in between) comes back from ``due`` after ``grace``;
handling it again is safe: the conversation's update keys make the change happen once
and hand back the stored replies that were never sent (``handlers.journal``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

from domain.ports import Clock, InboxEntry, UnitOfWork

# A claimed row is not handed out again for this long (its handling is under way).
INBOX_LEASE = timedelta(minutes=2)
# Handled rows are kept this long (to look into), then forgotten.
INBOX_KEEP = timedelta(days=1)


class Inbox:
    def __init__(
        self,
        units_of_work: Callable[[], UnitOfWork],
        clock: Clock,
        *,
        grace: timedelta,
        lease: timedelta = INBOX_LEASE,
    ) -> None:
        self._uow = units_of_work
        self._clock = clock
        self.grace = grace
        self._lease = lease

    async def keep(self, kind: str, team: str, body: Mapping[str, Any]) -> int:
        """Write the request (before the ack); its id. Raises when it could not."""
        async with self._uow() as uow:
            entry = await uow.inbox.add(kind, team, body, self._clock.now() + self.grace)
            await uow.commit()
        return entry

    async def handled(self, entry_id: int, error: str | None = None) -> None:
        async with self._uow() as uow:
            await uow.inbox.handled(entry_id, self._clock.now(), error)
            await uow.commit()

    async def due(self, limit: int = 50) -> Sequence[InboxEntry]:
        """Claim the unhandled requests whose grace has passed, oldest first."""
        async with self._uow() as uow:
            entries = await uow.inbox.claim_due(self._clock.now(), limit, self._lease)
            await uow.commit()
        return entries

    async def prune(self) -> int:
        async with self._uow() as uow:
            forgotten = await uow.inbox.prune(self._clock.now() - INBOX_KEEP)
            await uow.commit()
        return forgotten
