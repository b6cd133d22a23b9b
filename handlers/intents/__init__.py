"""Intents: one function per command, button or answer. Each module exports its tables:
``COMMANDS`` (name -> handler), ``ACTIONS`` (button action type, from ``handlers.buttons``
-> handler) and ``PROMPTS`` (question kind -> handler); ``default_intents`` joins them.

Intent modules import the names below only for type checking: this package imports them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from handlers.intents import (
    actions,
    approvals,
    create,
    crm,
    onboarding,
    reminders,
    structure,
    timereports,
    timetracking,
    views,
)
from handlers.questions import PromptHandler
from handlers.tokens import ButtonAction
from handlers.turn import Turn
from handlers.types import Reply

CommandHandler = Callable[[Turn], Awaitable[list[Reply]]]
# A button's handler takes the action of its key in the table: ``(turn, pressed: PauseTimer)``.
ActionHandler = Callable[[Turn, Any], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class IntentTable:
    commands: Mapping[str, CommandHandler]
    actions: Mapping[type[ButtonAction], ActionHandler]
    prompts: Mapping[str, PromptHandler]
    # Commands that work before the user has joined a company.
    public: frozenset[str]


def default_intents() -> IntentTable:
    modules = (
        onboarding,
        create,
        views,
        actions,
        crm,
        approvals,
        reminders,
        timetracking,
        timereports,
        structure,
    )
    return IntentTable(
        commands={k: v for m in modules for k, v in m.COMMANDS.items()},
        actions={k: v for m in modules for k, v in m.ACTIONS.items()},
        prompts={k: v for m in modules for k, v in m.PROMPTS.items()},
        public=onboarding.PUBLIC_COMMANDS,
    )
