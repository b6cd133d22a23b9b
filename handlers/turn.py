"""One conversational turn: the inbound, the member, an open unit of work and reply helpers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from domain.company import LANGUAGES, Company, Member
from domain.ports import UnitOfWork
from handlers.buttons import CancelQuestion
from handlers.config import ConversationConfig
from handlers.tokens import ButtonAction, TokenSigner
from handlers.types import Button, Buttons, Inbound, Reply

# Each question's data carries a nonce: its Cancel button closes that question only.
QUESTION_NONCE = "question"
# A prompt's ``data`` carries this flag when the text is the answer for sure: the
# arguments of a command (/deadline 12 friday) or a held text the member picked as the answer.
CONFIRMED = "confirmed"


def pick_language(member: Member | None, locale: str | None, company: Company | None) -> str:
    """The member's setting, else the platform's locale, else the company's, else English."""
    for candidate in (
        member.language if member else None,
        (locale or "")[:2].lower() or None,
        company.language if company else None,
    ):
        if candidate in LANGUAGES:
            return candidate
    return "en"


@dataclass
class Turn:
    inbound: Inbound
    uow: UnitOfWork
    now: datetime
    signer: TokenSigner
    member: Member | None = None
    company: Company | None = None
    config: ConversationConfig = field(default_factory=ConversationConfig)
    # The pressed button's action, read from its token (``Conversation._dispatch``).
    pressed_action: ButtonAction | None = None

    @property
    def lang(self) -> str:
        return pick_language(self.member, self.inbound.locale, self.company)

    @property
    def tz(self) -> str:
        if self.member is not None:
            return self.member.timezone
        return self.company.timezone if self.company else "UTC"

    @property
    def me(self) -> Member:
        assert self.member is not None, "intent requires a registered member"
        return self.member

    @property
    def pressed(self) -> bool:
        return self.inbound.action is not None

    def button(self, label: str, action: ButtonAction, **params: Any) -> Button:
        """A button that does ``action`` (``handlers.buttons``); ``params`` fill its label."""
        return Button(label=label, token=self.signer.sign(action), params=params)

    def reply(self, template: str, buttons: Buttons = (), **context: Any) -> Reply:
        return Reply(
            template=template,
            context={"tz": self.tz, "now": self.now, **context},
            lang=self.lang,
            buttons=buttons,
        )

    def edit(self, template: str, buttons: Buttons = (), **context: Any) -> Reply:
        """Edit the message whose button was pressed; a fresh message for typed commands."""
        return replace(self.reply(template, buttons, **context), edit=self.pressed)

    def ask(self, template: str, buttons: Buttons = (), **context: Any) -> Reply:
        return replace(self.reply(template, buttons, **context), ask=True)

    async def ask_for(
        self, kind: str, data: dict[str, Any], template: str, buttons: Buttons = (), **context: Any
    ) -> Reply:
        """Ask a question and remember it: the member's next message is the answer
        (handlers.questions says when it is not). Every question has a Cancel button."""
        nonce = secrets.token_hex(3)
        kept = {k: v for k, v in data.items() if k != CONFIRMED}
        await self.uow.prompts.set(self.me.id, kind, {**kept, QUESTION_NONCE: nonce})
        cancel = self.button("btn.cancel", CancelQuestion(nonce))
        return replace(self.ask(template, buttons, **context), cancel=cancel)

    def alert(self, template: str, **context: Any) -> Reply:
        return replace(self.reply(template, **context), alert=True)
