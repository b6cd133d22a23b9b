"""Joining a company, help, language and timezone, invites."""

from __future__ import annotations

import dataclasses
from typing import Any

from domain.company import LANGUAGES, Role
from domain.errors import InvalidInput
from domain.ids import parse_number, task_number
from domain.services import members
from handlers.buttons import HelpTopic, SetLanguage
from handlers.help import TOPICS, find_topic
from handlers.personal import changes_privately, personal, with_args, without_args
from handlers.turn import Turn
from handlers.types import Buttons, Reply

PUBLIC_COMMANDS = frozenset({"start", "join", "help"})


async def start(turn: Turn) -> list[Reply]:
    """/start [invite code | task_<id>] — Telegram deep links land here."""
    arg = turn.inbound.args.strip()
    if turn.member is None:
        if arg:
            return await join(turn)
        return [turn.reply("welcome_stranger")]
    if arg.startswith("task_") and parse_number(arg[5:]) is not None:
        from handlers.intents.views import card_reply

        return [await card_reply(turn, task_number(arg[5:]))]
    return [turn.reply("welcome", name=turn.me.name), await _help_reply(turn, None)]


async def join(turn: Turn) -> list[Reply]:
    code = turn.inbound.args.strip()
    if not code:
        raise InvalidInput(field="code", reason="empty")
    inbound = turn.inbound
    member = await members.join(
        turn.uow,
        code=code,
        platform=inbound.platform,
        workspace=inbound.workspace,
        user_id=inbound.user_id,
        chat_id=inbound.chat_id,
        name=inbound.user_name,
        username=inbound.username,
        language=inbound.locale,
        now=turn.now,
    )
    turn.member = member
    turn.company = await turn.uow.companies.get(member.company_id)
    return await joined(turn)


async def joined(turn: Turn) -> list[Reply]:
    """The welcome of a member who just joined (by invite code or verified email)."""
    member, company = turn.me, turn.company
    return [
        turn.reply(
            "joined",
            name=member.name,
            company=company.name if company else "",
            role=member.role.value,
            handle=member.handle,
        ),
        await _help_reply(turn, None),
    ]


async def help_(turn: Turn) -> list[Reply]:
    """/help: five things to start with and the topics; /help TOPIC (in any of our
    languages, or a command: /help czas, /help время, /help mute) shows one topic."""
    word = turn.inbound.args.strip()
    if not word:
        return [await _help_reply(turn, None)]
    topic = find_topic(word)
    return [await _help_reply(turn, topic, unknown=None if topic else word)]


async def help_pressed(turn: Turn, pressed: HelpTopic) -> list[Reply]:
    topic = pressed.topic if pressed.topic in TOPICS else None
    reply = await _help_reply(turn, topic)
    return [dataclasses.replace(reply, edit=True)]


async def _help_reply(turn: Turn, topic: str | None, unknown: str | None = None) -> Reply:
    registered = turn.member is not None
    buttons: Buttons = ()
    if registered:
        keys = list(TOPICS)
        buttons = tuple(
            tuple(turn.button(f"help.topic.{k}", HelpTopic(k)) for k in keys[i : i + 3])
            for i in range(0, len(keys), 3)
        )
    project, person = await _examples(turn)
    if topic is None:
        return turn.reply(
            "help", buttons, registered=registered, unknown=unknown, project=project, person=person
        )
    return turn.reply(
        "help_topic", buttons, topic=topic, entries=TOPICS[topic], project=project, person=person
    )


async def _examples(turn: Turn) -> tuple[str | None, str | None]:
    """What the examples of /help name: the company's first project (the member's own
    first, if they have one) and a colleague's handle; None: the template's defaults."""
    if turn.member is None:
        return None, None
    me = turn.me
    projects = sorted(await turn.uow.projects.list(me.company_id), key=lambda p: p.id)
    mine = await turn.uow.projects.ids_for_member(me.id)
    project = next((p for p in projects if p.id in mine), projects[0] if projects else None)
    people = [m for m in await turn.uow.members.list(me.company_id) if m.id != me.id and m.handle]
    person = min(people, key=lambda m: m.id).handle if people else None
    return (project.name if project else None), person


async def language(turn: Turn) -> list[Reply]:
    arg = turn.inbound.args.strip()
    if not arg:
        buttons = (tuple(turn.button(f"lang.{code}", SetLanguage(code)) for code in LANGUAGES),)
        return [turn.reply("language_choose", buttons)]
    await members.set_language(turn.uow, turn.me, arg)
    return [turn.reply("language_set")]


async def language_pressed(turn: Turn, pressed: SetLanguage) -> list[Reply]:
    await members.set_language(turn.uow, turn.me, pressed.language)
    return [turn.edit("language_set")]


async def timezone(turn: Turn) -> list[Reply]:
    arg = turn.inbound.args.strip()
    if not arg:
        return [turn.reply("timezone_show", timezone=turn.me.timezone)]
    await members.set_timezone(turn.uow, turn.me, arg)
    return [turn.reply("timezone_set", timezone=turn.me.timezone)]


async def invite(turn: Turn) -> list[Reply]:
    """/invite [role] — admins and managers hand out codes from the chat."""
    arg = turn.inbound.args.strip().lower() or Role.EMPLOYEE.value
    try:
        role = Role(arg)
    except ValueError as exc:
        raise InvalidInput(field="role", reason="unknown", value=arg) from exc
    created = await members.create_invite(
        turn.uow, turn.me.company_id, role, turn.now, created_by=turn.me
    )
    return [
        turn.reply(
            "invite_created", invite_code=created.code, role=role.value, expires=created.expires_at
        )
    ]


async def whoami(turn: Turn) -> list[Reply]:
    me = turn.me
    context: dict[str, Any] = {
        "member": me,
        "company": turn.company.name if turn.company else "",
        "role": me.role.value,
    }
    return [turn.reply("whoami", **context)]


COMMANDS = {
    "start": start,
    "join": join,
    "help": help_,
    "lang": language,
    "tz": changes_privately("tz", personal("tz", timezone, without_args), with_args),
    "invite": invite,
    "me": personal("me", whoami),
}
ACTIONS = {SetLanguage: language_pressed, HelpTopic: help_pressed}
PROMPTS: dict[str, Any] = {}
