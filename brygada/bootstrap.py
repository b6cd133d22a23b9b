"""The composition root: builds the engine, units of work, conversation and dispatcher.

Nothing is created at import time; callers (the CLI, tests, benchmarks) call
``bootstrap`` with settings and, in tests, their own clock.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from brygada.settings import Settings
from domain.approval_types import ApprovalCatalog, parse_approval_types
from domain.bus import MessageBus
from domain.clock import SystemClock
from domain.ports import Clock
from domain.services.event_handlers import default_event_handlers
from domain.services.reminders import SweepConfig
from handlers.config import ConversationConfig
from handlers.conversation import Conversation
from handlers.delivery import Notifier
from handlers.intents import default_intents
from handlers.intents.approvals import with_approval_types
from handlers.tokens import TokenSigner
from scheduler.dispatcher import OutboxDispatcher
from scheduler.housekeeping import Housekeeping, Retention
from scheduler.jobs import Sweeper, validate_cron
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
    approval_types: ApprovalCatalog = field(default_factory=ApprovalCatalog)

    def dispatcher(self, notifiers: Mapping[str, Notifier] | None = None) -> OutboxDispatcher:
        return OutboxDispatcher(
            self.uow,
            self.clock,
            self.signer,
            notifiers if notifiers is not None else self.notifiers,
            config=self.conversation.config,
            live=self.conversation.live_replies,
        )

    def sweeper(self) -> Sweeper:
        s = self.settings
        return Sweeper(
            self.uow,
            self.clock,
            SweepConfig(
                escalate_after_working_days=s.overdue_escalation_days,
                remind_before=timedelta(minutes=s.deadline_reminder_minutes),
                report_before_end=timedelta(minutes=s.report_request_minutes),
                approval_remind_hours=s.approval_remind_hours,
                approval_escalate_hours=s.approval_escalate_hours,
                stale_deal_days=s.stale_deal_days,
                forgotten_timer_grace=timedelta(minutes=s.forgotten_timer_grace_minutes),
            ),
        )

    def housekeeping(self) -> Housekeeping:
        s = self.settings
        return Housekeeping(
            self.uow,
            self.clock,
            Retention(
                sent_days=s.reply_retention_sent_days,
                failed_days=s.reply_retention_failed_days,
                notifications_days=s.notification_retention_days,
                processed_updates_days=s.processed_update_retention_days,
            ),
        )

    async def close(self) -> None:
        await self.uow.close()
        await self.engine.dispose()


def load_approval_types(settings: Settings) -> ApprovalCatalog:
    """Read and validate the approvals file once; a bad file stops start-up with its line."""
    path = settings.approvals_config_path
    if path is None:
        return ApprovalCatalog()
    catalog = parse_approval_types(path.read_bytes(), source=str(path))
    log.info("approval types from %s: %s", path, ", ".join(catalog.custom) or "none")
    return catalog


async def bootstrap(settings: Settings, *, clock: Clock | None = None, migrate: bool = True) -> App:
    approval_types = load_approval_types(settings)
    engine = create_engine(settings.database_url)
    if migrate:
        await upgrade(engine)
    sessions = session_factory(engine)
    clock = clock or SystemClock()
    secret = (
        settings.secret.get_secret_value() if settings.secret else await ensure_secret(sessions)
    )
    signer = TokenSigner(secret)
    uow = UnitOfWorkFactory(
        sessions,
        clock,
        bus=MessageBus(default_event_handlers()),
        serialize=engine.dialect.name == "sqlite",
    )
    return App(
        settings=settings,
        engine=engine,
        uow=uow,
        clock=clock,
        signer=signer,
        conversation=Conversation(
            uow,
            clock,
            signer,
            with_approval_types(default_intents(), approval_types),
            config=ConversationConfig(
                crm=settings.crm_rules,
                validate_cron=validate_cron,
                question_ttl=timedelta(minutes=settings.question_ttl_minutes),
                day_parts=settings.day_parts,
                board_url=settings.board_url,
                board_link_ttl=timedelta(minutes=settings.board_link_minutes),
            ),
        ),
        approval_types=approval_types,
    )
