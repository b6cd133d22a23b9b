"""The conversation entry point every adapter calls: ``await conversation.handle(inbound)``.

One unit of work per inbound update: the update key is recorded in the same
transaction as the change it causes, so a redelivered update does nothing twice.
Domain errors become localized replies here, in one place; anything unexpected is
logged with a traceback and an id that the user is shown.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from domain.company import ChatEmail
from domain.errors import DomainError, MemberInactive, NotRegistered
from domain.ports import ChatRef, Clock, UnitOfWork
from domain.services.members import identify, link_by_email
from handlers.config import ConversationConfig
from handlers.intents import ActionHandler, IntentTable, create, crm, default_intents, onboarding
from handlers.journal import LiveReplies, Render, ReplyJournal
from handlers.questions import Questions
from handlers.refusals import refusal_replies
from handlers.tokens import ButtonAction, TokenSigner
from handlers.turn import Turn, pick_language
from handlers.types import Inbound, Reply

log = logging.getLogger(__name__)

# The platform's verified email of the user who wrote, fetched only when nobody knows them.
EmailLookup = Callable[[], Awaitable[ChatEmail | None]]


def action_codes(actions: Iterable[type[ButtonAction]]) -> dict[str, type[ButtonAction]]:
    """The action types by their token codes; two types with one code are a mistake."""
    codes: dict[str, type[ButtonAction]] = {}
    for cls in actions:
        if codes.setdefault(cls.code, cls) is not cls:
            raise ValueError(f"{cls.__name__} and {codes[cls.code].__name__} share {cls.code!r}")
    return codes


class Conversation:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        signer: TokenSigner,
        intents: IntentTable | None = None,
        config: ConversationConfig | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self.signer = signer
        self._intents = intents or default_intents()
        self.config = config or ConversationConfig()
        # Stored replies this process's adapters are sending (the dispatcher waits).
        self.live_replies = LiveReplies()
        self._questions = Questions(
            lambda: self._intents.prompts, self.config.question_ttl, create.create_from_text
        )
        # Every button this conversation answers, and how its token names it.
        self._actions: Mapping[type[ButtonAction], ActionHandler] = {
            **self._intents.actions,
            **self._questions.actions,
        }
        self._codes = action_codes(self._actions)

    async def handle(
        self,
        inbound: Inbound,
        *,
        email: EmailLookup | None = None,
        journal: ReplyJournal | None = None,
    ) -> list[Reply]:
        """``email``: how to ask the platform for the user's verified address; an unknown
        user whose address belongs to a member is linked to that member.

        ``journal``: the adapter's keeper of this update's replies. They are stored in
        this unit of work, with the change they report, so none is lost; a redelivered
        update handled before gets its unsent replies back (see ``handlers.journal``).
        """
        refusal: DomainError | None = None
        async with self._uow_factory() as uow:
            turn = self._turn(inbound, uow)
            try:
                await uow.serialize_chat(inbound.platform, inbound.chat_id or inbound.user_id)
                if inbound.update_key and await uow.inbound.seen(
                    inbound.platform, _update_key(inbound)
                ):
                    log.info("duplicate update %s:%s ignored", inbound.platform, inbound.update_key)
                    if journal is not None:
                        await journal.recall(uow, _update_key(inbound))
                        await uow.commit()
                    return []
                replies = await self._dispatch(turn)
                if journal is not None:
                    await journal.record(uow, _update_key(inbound), replies)
                await uow.commit()
                return replies
            except DomainError as error:
                refusal = error  # answered below, once this unit of work is closed
            except Exception:
                error_id = secrets.token_hex(4)
                log.exception("error %s handling %s", error_id, _describe(inbound))
                return [_as_alert(turn, turn.reply("error_unexpected", error_id=error_id))]
        assert refusal is not None
        if email is not None and isinstance(refusal, NotRegistered):
            linked = await self._link_by_email(inbound, email)
            if linked is not None:
                return linked
        return await self._refusal(turn, refusal)

    def journal(self, chat: ChatRef, render: Render, *, budget: timedelta) -> ReplyJournal:
        """A journal for one update's replies to ``chat`` (see ``handle``)."""
        return ReplyJournal(
            self._uow_factory, self._clock, chat, render, budget=budget, sending=self.live_replies
        )

    def _turn(self, inbound: Inbound, uow: UnitOfWork, **known: Any) -> Turn:
        return Turn(
            inbound=_storable(inbound),
            uow=uow,
            now=self._clock.now(),
            signer=self.signer,
            config=self.config,
            **known,
        )

    async def _link_by_email(self, inbound: Inbound, lookup: EmailLookup) -> list[Reply] | None:
        """The platform is asked outside any unit of work; then, in a new one, the user
        becomes the member with that verified address, if exactly one qualifies."""
        try:
            address = await lookup()
            if address is None:
                return None
            async with self._uow_factory() as uow:
                member = await link_by_email(
                    uow,
                    platform=inbound.platform,
                    workspace=inbound.workspace,
                    user_id=inbound.user_id,
                    chat_id=inbound.chat_id or None,
                    email=address,
                )
                if member is None:
                    return None
                if inbound.update_key:
                    await uow.inbound.seen(inbound.platform, _update_key(inbound))
                turn = self._turn(
                    inbound,
                    uow,
                    member=member,
                    company=await uow.companies.get(member.company_id),
                )
                replies = await onboarding.joined(turn)
                await uow.commit()
        except Exception:
            log.exception("linking %s by email failed", _describe(inbound))
            return None
        log.info("%s linked to member %s by verified email", _describe(inbound), member.id)
        return replies

    async def _refusal(self, turn: Turn, error: DomainError) -> list[Reply]:
        """A rule said no. The one place a refusal is answered: the turn's changes were
        rolled back with its unit of work; a new one records the update's key (a
        redelivery is a duplicate) and reads what the reply needs (handlers.refusals)."""
        async with self._uow_factory() as uow:
            if turn.inbound.update_key:
                await uow.inbound.seen(turn.inbound.platform, _update_key(turn.inbound))
            member, company = turn.member, turn.company
            if member is None and isinstance(error, MemberInactive):
                # Answered in the language of the member they were, not the platform's.
                found = await uow.members.by_identity(
                    turn.inbound.platform, turn.inbound.workspace, turn.inbound.user_id
                )
                member = found[0] if found is not None else None
                company = await uow.companies.get(member.company_id) if member else None
            answering = self._turn(
                turn.inbound,
                uow,
                member=member,
                company=company,
                pressed_action=turn.pressed_action,
            )
            try:
                replies = await refusal_replies(answering, error)
            except Exception:
                error_id = secrets.token_hex(4)
                log.exception("error %s answering %r", error_id, error)
                replies = [answering.reply("error_unexpected", error_id=error_id)]
            await uow.commit()
        return replies

    async def _dispatch(self, turn: Turn) -> list[Reply]:
        inbound, intents = turn.inbound, self._intents
        try:
            turn.member = await identify(
                turn.uow,
                inbound.platform,
                inbound.workspace,
                inbound.user_id,
                in_private=inbound.chat_type != "group",
            )
            turn.company = await turn.uow.companies.get(turn.member.company_id)
        except NotRegistered:
            if inbound.command in intents.public:
                return await intents.commands[inbound.command](turn)
            raise
        # -- open questions (handlers.questions): expired ones are forgotten first ---------
        questions = self._questions
        await questions.expire(turn)
        if inbound.action is not None:
            # The one place a token is read: forged, unknown or malformed is a BadToken.
            pressed = self.signer.read(inbound.action, self._codes)
            turn.pressed_action = pressed
            return await self._actions[type(pressed)](turn, pressed)
        if inbound.command is not None:
            if inbound.command == "cancel":
                return await questions.cancel_command(turn)
            handler_c = intents.commands.get(inbound.command)
            if handler_c is None:
                return [turn.reply("unknown_command", command=inbound.command)]
            # A command runs as a command: it closes the open question, and says so.
            closed = await questions.close_for_command(turn)
            replies = await handler_c(turn)
            return [closed, *replies] if closed is not None else replies
        if inbound.contact is not None:
            return await crm.lead_from_contact(turn, inbound.contact)
        text = (inbound.text or "").strip()
        if not text and not inbound.attachments:
            return [turn.reply("help_short")]
        answered = await questions.answer(turn, text)
        if answered is not None:
            return answered
        # -- no open question: an ordinary message ---------------------------------------
        if inbound.chat_type == "group":
            # In groups only /task creates tasks; other chatter is not ours.
            return []
        return await create.create_from_text(turn, text)


def _as_alert(turn: Turn, reply: Reply) -> Reply:
    return replace(
        reply,
        alert=turn.pressed,
        lang=pick_language(turn.member, turn.inbound.locale, turn.company),
    )


_NUL = "\x00"
_TEXT_FIELDS = ("text", "args", "quoted", "origin", "forwarded_from", "user_name")


def _storable(inbound: Inbound) -> Inbound:
    """The inbound without NUL characters, which no text column of PostgreSQL can hold
    (and no user means): the rest of what they wrote is kept."""
    dirty: dict[str, Any] = {
        name: value.replace(_NUL, "")
        for name in _TEXT_FIELDS
        if isinstance(value := getattr(inbound, name), str) and _NUL in value
    }
    return replace(inbound, **dirty) if dirty else inbound


def _update_key(inbound: Inbound) -> str:
    # Update ids are per bot (Telegram) or per workspace (Slack), not global.
    return f"{inbound.workspace}:{inbound.update_key}"


def _describe(inbound: Inbound) -> str:
    what: Sequence[str] = [f"{inbound.platform}:{inbound.user_id}"]
    if inbound.command:
        what = [*what, f"/{inbound.command}"]
    if inbound.action:
        what = [*what, f"button {inbound.action.split(':', 1)[0]}"]
    return " ".join(what)
