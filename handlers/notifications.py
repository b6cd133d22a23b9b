"""Turn an outbox row into a Reply for its recipient, rendered fresh at send time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from domain.crm import CrmNotFound, CrmNotPermitted, EntityKind, EntityRef, notification_key
from domain.errors import DomainError, TaskNotFound
from domain.ports import UnitOfWork
from domain.reminders import TEAM_DIGEST
from domain.services.timetracking import TIMER_STATE
from handlers.cards import card_reply
from handlers.config import ConversationConfig
from handlers.intents.approvals import notification_reply as approval_notification
from handlers.intents.crm import card_reply as crm_card_reply
from handlers.intents.reminders import scheduled_prompt
from handlers.intents.timetracking import forgotten_prompt, timer_card
from handlers.personal import (
    PRIVATE_ANSWER,
    PRIVATE_UNREACHABLE,
    answering,
    private_answer,
    unreachable_notice,
)
from handlers.refusals import refusal_replies
from handlers.tokens import TokenSigner
from handlers.turn import Turn
from handlers.types import Inbound, Reply

SCHEDULED_PROMPTS = frozenset({"plan.morning", "day.report_request", "backlog.weekly"})


async def notification_reply(
    uow: UnitOfWork,
    signer: TokenSigner,
    now: datetime,
    member_id: int,
    kind: str,
    data: dict[str, Any],
    config: ConversationConfig | None = None,
) -> Reply | None:
    """None when there is nothing to say any more (the task was undone or is hidden now)."""
    replies = await notification_replies(uow, signer, now, member_id, kind, data, config)
    return replies[0] if replies else None


async def notification_replies(
    uow: UnitOfWork,
    signer: TokenSigner,
    now: datetime,
    member_id: int,
    kind: str,
    data: dict[str, Any],
    config: ConversationConfig | None = None,
) -> list[Reply]:
    """The messages of one outbox row, in order: one, but a personal answer asked for in a
    group may be several (a report, its chart, its files); none when it is moot."""
    member = await uow.members.get(member_id)
    if member is None or not member.active:
        return []
    company = await uow.companies.get(member.company_id)
    turn = Turn(
        inbound=Inbound(platform="outbox", workspace="", user_id="", chat_id=""),
        uow=uow,
        now=now,
        signer=signer,
        member=member,
        company=company,
        config=config or ConversationConfig(),
    )
    if kind == PRIVATE_ANSWER:  # a personal answer asked for in a group
        try:
            return await private_answer(turn, data, now)
        except DomainError as error:  # e.g. /timesheet with words it cannot read
            refused = await refusal_replies(answering(turn, data, now), error)
            return [replace(r, to_member=member_id) for r in refused]
    if kind == PRIVATE_UNREACHABLE:  # ... which could not be delivered: for the group
        return [unreachable_notice(turn)]
    reply = await _one(turn, kind, data, member_id)
    return [reply] if reply is not None else []


async def _one(turn: Turn, kind: str, data: dict[str, Any], member_id: int) -> Reply | None:
    uow = turn.uow
    actor = await uow.members.get(int(data["actor_id"])) if data.get("actor_id") else None
    if kind in SCHEDULED_PROMPTS:
        return await scheduled_prompt(turn, kind, data)
    if kind == TEAM_DIGEST:
        report_day = date.fromisoformat(str(data.get("report_day") or data["date"]))
        return turn.reply("team_digest", data=data, report_day=report_day)
    if kind == "timer.forgotten":
        return await forgotten_prompt(turn, data)
    if kind == TIMER_STATE:  # the card as the timer is now, whatever state the row names
        return replace(await timer_card(turn), to_member=member_id)
    if "request_id" in data:
        return await approval_notification(turn, kind, data, actor.name if actor else "")
    if "task_id" in data:
        try:
            card = await card_reply(turn, int(data["task_id"]))
        except TaskNotFound:
            return None
        context = {**card.context, "kind": kind, "actor": actor.name if actor else "", "data": data}
        return replace(
            card, template="notification", context=context, edit=False, to_member=member_id
        )
    crm_ref = _crm_ref(data) if kind.startswith(("lead.", "deal.", "crm.")) else None
    if crm_ref is not None:
        try:
            card = await crm_card_reply(turn, crm_ref)
        except (CrmNotFound, CrmNotPermitted):
            if kind != "crm.taken":
                return None
            # The previous owner no longer sees the record: tell them without its card.
            return turn.reply(
                "notification", kind=kind, actor=actor.name if actor else "", data=data
            )
        context = {**card.context, "kind": kind, "actor": actor.name if actor else "", "data": data}
        return replace(
            card, template="notification", context=context, edit=False, to_member=member_id
        )
    return turn.reply("notification", kind=kind, actor=actor.name if actor else "", data=data)


def _crm_ref(data: dict[str, Any]) -> EntityRef | None:
    """A CRM notification names its record: lead_id, deal_id, contact_id, client_company_id."""
    for kind in EntityKind:
        value = data.get(notification_key(kind))
        if value is not None:
            return EntityRef(kind, int(value))
    return None
