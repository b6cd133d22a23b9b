"""The message bus: runs the handlers wired for a domain event, inside the unit of work.

The shape is Cosmic Python's (chapters 8-9): a registry ``event type -> handlers``,
each handler an ``async (uow, event) -> None``. The registry is built in one place
(``domain.services.event_handlers.default_event_handlers``) and handed to the unit of
work factory by the composition root; nothing registers itself at import time.

Events are handled when they are published, not at commit. The rest of the use case
sees their effects (a completed task's card already shows the stopped timer and the
open acceptance request), a handler's error (say the request was decided meanwhile)
reaches the caller as the same domain error it always did, and since nothing was
committed yet, the unit of work rolls the whole change back: an effect is never lost
and never half made. An event a handler publishes is handled before that handler
returns, the way a direct call would be.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from domain.events import Event
from domain.ports import UnitOfWork

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
EventHandler = Callable[[UnitOfWork, E], Awaitable[None]]
# The handler registry: each event type with its handlers, run in order.
EventHandlers = Mapping[type[Event], Sequence[EventHandler[Any]]]


class MessageBus:
    """Dispatches an event to its handlers; shared by every unit of work of a factory."""

    def __init__(self, handlers: EventHandlers) -> None:
        self._handlers: dict[type[Event], tuple[EventHandler[Any], ...]] = {
            kind: tuple(found) for kind, found in handlers.items()
        }

    def handlers_for(self, event: Event) -> tuple[EventHandler[Any], ...]:
        return self._handlers.get(type(event), ())

    async def handle(self, uow: UnitOfWork, event: Event) -> None:
        """Run every handler of ``event`` now; the first error stops and propagates."""
        for handler in self.handlers_for(event):
            log.debug("%s -> %s", type(event).__name__, handler.__qualname__)
            await handler(uow, event)
