"""Install settings the conversation needs, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time, timedelta

from domain.crm import CrmRules


def _any_cron(expression: str, tz: str) -> None:
    if len(expression.split()) != 5:
        raise ValueError(expression)


@dataclass(frozen=True)
class ConversationConfig:
    crm: CrmRules = field(default_factory=CrmRules)
    # Checks a crontab expression in a timezone (the scheduler's triggers know how).
    validate_cron: Callable[[str, str], None] = _any_cron
    # An open question is answered by the next message only this long (handlers.questions).
    question_ttl: timedelta = timedelta(minutes=15)
    # What "morning", "afternoon", "evening" ("rano", "днём", "вечером") mean in a task.
    day_parts: tuple[time, time, time] = (time(9, 0), time(14, 0), time(18, 0))
    # The board's base address (``<public_url>/app``), None when it is not served; how
    # long a /board link is valid.
    board_url: str | None = None
    board_link_ttl: timedelta = timedelta(minutes=10)
