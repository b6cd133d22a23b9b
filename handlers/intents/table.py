"""The intent table's types: what a command's, a button's and an answer's handler look like."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

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
