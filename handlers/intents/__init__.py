"""Intents: one function per command, button or answer. Each module exports its tables:
``COMMANDS`` (name -> handler), ``ACTIONS`` (button action type, from ``handlers.buttons``
-> handler) and ``PROMPTS`` (question kind -> handler); ``default_intents`` joins them.

The table's types live in ``handlers.intents.table``, which intent modules may import
(this package imports them, so they may not import it).
"""

from __future__ import annotations

from handlers.intents import (
    actions,
    approvals,
    board,
    create,
    crm,
    onboarding,
    reminders,
    structure,
    timereports,
    timetracking,
    views,
)
from handlers.intents.table import ActionHandler, CommandHandler, IntentTable

__all__ = ["ActionHandler", "CommandHandler", "IntentTable", "default_intents"]


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
        board,
    )
    return IntentTable(
        commands={k: v for m in modules for k, v in m.COMMANDS.items()},
        actions={k: v for m in modules for k, v in m.ACTIONS.items()},
        prompts={k: v for m in modules for k, v in m.PROMPTS.items()},
        public=onboarding.PUBLIC_COMMANDS,
    )
