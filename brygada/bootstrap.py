"""The composition root: builds the engine, units of work, conversation and dispatcher.

Nothing is created at import time; callers (the CLI, tests, benchmarks) call
``bootstrap`` with settings and, in tests, their own clock.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from brygada.settings import Settings
from domain.clock import SystemClock
from domain.ports import Clock
from handlers.conversation import Conversation
from handlers.delivery import Notifier
from handlers.tokens import TokenSigner
from scheduler.dispatcher import OutboxDispatcher
from storage.engine import create_engine, session_factory
from storage.install import ensure_secret
from storage.migrate import upgrade
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    uow: UnitOfWorkFactory
    clock: Clock
    signer: TokenSigner
    conversation: Conversation
    notifiers: dict[str, Notifier] = field(default_factory=dict)

    def dispatcher(self, notifiers: Mapping[str, Notifier] | None = None) -> OutboxDispatcher:
        return OutboxDispatcher(
            self.uow,
            self.clock,
            self.signer,
            notifiers if notifiers is not None else self.notifiers,
        )

    async def close(self) -> None:
        await self.engine.dispose()


async def bootstrap(settings: Settings, *, clock: Clock | None = None, migrate: bool = True) -> App:
    engine = create_engine(settings.database_url)
    if migrate:
        await upgrade(engine)
    sessions = session_factory(engine)
    clock = clock or SystemClock()
    secret = (
        settings.secret.get_secret_value() if settings.secret else await ensure_secret(sessions)
    )
    signer = TokenSigner(secret)
    uow = UnitOfWorkFactory(sessions, clock)
    return App(
        settings=settings,
        engine=engine,
        uow=uow,
        clock=clock,
        signer=signer,
        conversation=Conversation(uow, clock, signer),
    )
