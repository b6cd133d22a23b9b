"""Company structure in the chat: /project, /department, /member, /audit (admins change,
everyone may look), and the question a task with an unknown ``Name:`` prefix raises."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from domain.company import LANGUAGES, Department, Member, Project, Role
from domain.errors import InvalidInput, MemberNotFound
from domain.services import structure as service
from handlers.buttons import (
    CreateProjectFor,
    EditMember,
    LetMemberGo,
    NoProjectFor,
    PickForMember,
)
from handlers.intents.create import HELD_PROJECT, create_from_text
from handlers.questions import NotAnAnswer, PromptResult, confirmed, person_in, task_like
from handlers.turn import Turn
from handlers.types import Button, Buttons, Reply

_PICK_LIMIT = 8
PROJECT_VERBS = frozenset({"add", "rename", "archive", "restore"})
# Words that end a department's name in /department NAME <word> ...
_DEPARTMENT_WORDS = ("head", "add", "remove", "under")
# /member @ivan <field> <value>: the words people may use for each field.
MEMBER_FIELDS = {
    "position": "position",
    "manager": "manager",
    "department": "department",
    "dept": "department",
    "role": "role",
    "tz": "timezone",
    "timezone": "timezone",
    "lang": "language",
    "language": "language",
    "leave": "leave",
}
_NONE = "0"  # a member card's [None] button: no manager, no department


def words(text: str) -> list[str]:
    """Arguments split like a shell: "Field sales" in quotes is one word."""
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote: plain words then
        return text.split()


def _usage(command: str) -> InvalidInput:
    return InvalidInput(field="structure", reason="usage", command=command)


async def _people(turn: Turn, refs: Sequence[str]) -> list[Member]:
    found: list[Member] = []
    for ref in refs:
        member = await service.find_member(turn.uow, turn.me.company_id, ref)
        if member not in found:
            found.append(member)
    return found


def _split_mentions(tokens: Sequence[str]) -> tuple[list[str], list[str]]:
    names = [t for t in tokens if not t.startswith("@")]
    return names, [t for t in tokens if t.startswith("@")]


async def _names(turn: Turn, ids: Sequence[int | None]) -> dict[int, str]:
    known = await turn.uow.members.get_many([i for i in ids if i])
    return {m.id: m.name for m in known}


# -- projects ---------------------------------------------------------------------------


def is_project_change(args: str) -> bool:
    """/project add|rename|archive|restore …, or /project NAME add|remove @someone."""
    tokens = words(args)
    if not tokens:
        return False
    if tokens[0].lower() in PROJECT_VERBS:
        return True
    return any(
        t.lower() in ("add", "remove") and i > 0 and i + 1 < len(tokens)
        for i, t in enumerate(tokens)
    )


async def project_card(turn: Turn, project: Project, notice: str | None = None) -> Reply:
    names = await _names(turn, sorted(project.member_ids))
    return turn.reply(
        "project_card",
        project=project,
        members=sorted(names.values()),
        notice=notice,
    )


async def _split_known(turn: Turn, tokens: list[str]) -> tuple[str, str]:
    """ "Old name New name": the longest leading words that name a project are the old
    name (quotes make it plain)."""
    if len(tokens) == 2:
        return tokens[0], tokens[1]
    for cut in range(len(tokens) - 1, 0, -1):
        old = " ".join(tokens[:cut])
        if await turn.uow.projects.by_name(turn.me.company_id, old) is not None:
            return old, " ".join(tokens[cut:])
    raise _usage("project_rename")


async def project_change(turn: Turn) -> list[Reply]:
    tokens = words(turn.inbound.args)
    verb, rest = tokens[0].lower(), tokens[1:]
    company, uow, now, me = turn.me.company_id, turn.uow, turn.now, turn.me
    if verb == "add":
        names, mentions = _split_mentions(rest)
        if not names:
            raise _usage("project_add")
        service.require_admin(me)
        project = await service.add_project(
            uow, me, company, " ".join(names), await _people(turn, mentions), now
        )
        return [await project_card(turn, project, "created")]
    if verb == "rename":
        if len(rest) < 2:
            raise _usage("project_rename")
        service.require_admin(me)
        old, new = await _split_known(turn, rest)
        project = await service.rename_project(uow, me, company, old, new, now)
        return [await project_card(turn, project, "renamed")]
    if verb in ("archive", "restore"):
        if not rest:
            raise _usage("project_archive")
        project = await service.archive_project(
            uow, me, company, " ".join(rest), now, archived=verb == "archive"
        )
        return [await project_card(turn, project, "archived" if project.archived else "restored")]
    # /project NAME add|remove @a @b
    at = next(i for i, t in enumerate(tokens) if i > 0 and t.lower() in ("add", "remove"))
    name, mentions = " ".join(tokens[:at]), tokens[at + 1 :]
    service.require_admin(me)
    project = await service.change_project_members(
        uow,
        me,
        company,
        name,
        await _people(turn, mentions),
        now,
        add=tokens[at].lower() == "add",
    )
    return [await project_card(turn, project, "members")]


# -- departments ------------------------------------------------------------------------


async def department_list(turn: Turn) -> list[Reply]:
    departments = await turn.uow.departments.list(turn.me.company_id)
    people = [m for m in await turn.uow.members.list(turn.me.company_id) if m.active]
    by_id = {d.id: d for d in departments}
    names = {m.id: m.name for m in people}

    def depth(d: Department) -> int:
        level, seen, parent = 0, set(), d.parent_id
        while parent is not None and parent not in seen and parent in by_id:
            seen.add(parent)
            level, parent = level + 1, by_id[parent].parent_id
        return level

    def path(d: Department) -> list[str]:
        chain, seen, current = [d.name.casefold()], set(), d.parent_id
        while current is not None and current not in seen and current in by_id:
            seen.add(current)
            chain.insert(0, by_id[current].name.casefold())
            current = by_id[current].parent_id
        return chain

    rows = [
        {
            "name": d.name,
            "depth": depth(d),
            "head": names.get(d.head_id or 0),
            "staff": sum(1 for m in people if m.department_id == d.id),
        }
        for d in sorted(departments, key=path)
    ]
    return [turn.reply("department_list", departments=rows)]


async def department_card(turn: Turn, department: Department, notice: str | None = None) -> Reply:
    uow = turn.uow
    people = [m for m in await uow.members.list(turn.me.company_id) if m.active]
    parent = await uow.departments.get(department.parent_id) if department.parent_id else None
    head = await uow.members.get(department.head_id) if department.head_id else None
    return turn.reply(
        "department_card",
        department=department,
        parent=parent.name if parent else None,
        head=head.name if head else None,
        staff=[m.name for m in people if m.department_id == department.id],
        notice=notice,
    )


def _cut(tokens: list[str], stop: Sequence[str]) -> tuple[str, list[str]]:
    """The name before the first of the ``stop`` words, and the words from there on."""
    for i, t in enumerate(tokens):
        if t.lower() in stop and i > 0:
            return " ".join(tokens[:i]), tokens[i:]
    return " ".join(tokens), []


def _options(tokens: list[str]) -> dict[str, str]:
    """ "under Sales head @anna" -> {"under": "Sales", "head": "@anna"}."""
    found: dict[str, str] = {}
    key: str | None = None
    for t in tokens:
        if t.lower() in ("under", "head"):
            key = t.lower()
            found[key] = ""
        elif key is not None:
            found[key] = f"{found[key]} {t}".strip()
        else:
            raise _usage("department_add")
    return found


async def department(turn: Turn) -> list[Reply]:
    """/department [add NAME [under PARENT] [head @x] | rename OLD NEW | NAME head @x |
    NAME add @x @y | NAME remove @x | NAME under PARENT|-]"""
    tokens = words(turn.inbound.args)
    if not tokens:
        return await department_list(turn)
    uow, me, company, now = turn.uow, turn.me, turn.me.company_id, turn.now
    verb = tokens[0].lower()
    if verb == "add" and len(tokens) > 1:
        service.require_admin(me)
        name, rest = _cut(tokens[1:], ("under", "head"))
        options = _options(rest)
        head = (await _people(turn, [options["head"]]))[0] if options.get("head") else None
        created = await service.add_department(
            uow, me, company, name, now, parent=options.get("under") or None, head=head
        )
        return [await department_card(turn, created, "created")]
    if verb == "rename":
        if len(tokens) < 3:
            raise _usage("department_rename")
        service.require_admin(me)
        old, new = await _split_department(turn, tokens[1:])
        renamed = await service.rename_department(uow, me, company, old, new, now)
        return [await department_card(turn, renamed, "renamed")]
    name, rest = _cut(tokens, _DEPARTMENT_WORDS)
    if not rest:
        return [await department_card(turn, await service.find_department(uow, company, name))]
    service.require_admin(me)
    word, value = rest[0].lower(), rest[1:]
    if word == "under":
        parent = " ".join(value)
        moved = await service.move_department(
            uow, me, company, name, None if parent in ("", "-") else parent, now
        )
        return [await department_card(turn, moved, "moved")]
    if word == "head":
        if not value:
            raise _usage("department_head")
        head = None if value == ["-"] else (await _people(turn, value[:1]))[0]
        changed = await service.set_head(uow, me, company, name, head, now)
        return [await department_card(turn, changed, "head")]
    if not value:
        raise _usage("department_add")
    found = await service.find_department(uow, company, name)
    for member in await _people(turn, value):
        await service.set_department(uow, me, member, found if word == "add" else None, now)
    return [await department_card(turn, found, "staff")]


async def _split_department(turn: Turn, tokens: list[str]) -> tuple[str, str]:
    if len(tokens) == 2:
        return tokens[0], tokens[1]
    known = {d.name.casefold() for d in await turn.uow.departments.list(turn.me.company_id)}
    for cut in range(len(tokens) - 1, 0, -1):
        if " ".join(tokens[:cut]).casefold() in known:
            return " ".join(tokens[:cut]), " ".join(tokens[cut:])
    raise _usage("department_rename")


# -- members ----------------------------------------------------------------------------


def _member_buttons(turn: Turn, member: Member) -> Buttons:
    if not turn.me.is_admin:
        return ()
    mid = member.id

    def edit(label: str, field: str) -> Button:
        return turn.button(label, EditMember(mid, field))

    rows: list[tuple[Button, ...]] = [
        (
            edit("member.position", "position"),
            edit("member.manager", "manager"),
            edit("member.department", "department"),
        ),
        (
            edit("member.role", "role"),
            edit("member.timezone", "timezone"),
            edit("member.language", "language"),
        ),
    ]
    if member.active:
        rows.append((edit("member.leave", "leave"),))
    return tuple(rows)


async def member_card(turn: Turn, member: Member, notice: str | None = None) -> Reply:
    uow = turn.uow
    manager = await uow.members.get(member.manager_id) if member.manager_id else None
    department = await uow.departments.get(member.department_id) if member.department_id else None
    changes = (
        await service.history(uow, turn.me, subject=service.MEMBER, subject_id=member.id, limit=5)
        if turn.me.is_admin
        else []
    )
    actors = await _names(turn, [c.actor_id for c in changes])
    return turn.edit(
        "member_card",
        _member_buttons(turn, member),
        member=member,
        manager=manager.name if manager else None,
        department=department.name if department else None,
        changes=changes,
        actors=actors,
        notice=notice,
        # A colleague's e-mail is for the admins and for the member: the card may be
        # asked for in a group.
        email=member.email if turn.me.is_admin or turn.me.id == member.id else None,
    )


async def member_list(turn: Turn) -> list[Reply]:
    people = await turn.uow.members.list(turn.me.company_id)
    return [
        turn.reply(
            "member_list",
            active=[m for m in people if m.active],
            inactive=[m for m in people if not m.active],
        )
    ]


async def _target(turn: Turn, tokens: list[str]) -> tuple[Member, list[str]]:
    """The member a /member command is about (first word, or the whole text as a name)."""
    company = turn.me.company_id
    try:
        found = await service.find_member(turn.uow, company, tokens[0], active_only=False)
        return found, tokens[1:]
    except MemberNotFound:
        name, rest = _cut(tokens, tuple(MEMBER_FIELDS))
        return await service.find_member(turn.uow, company, name, active_only=False), rest


async def member(turn: Turn) -> list[Reply]:
    """/member [@ivan [position …|manager @anna|department Sales|role admin|tz …|lang pl|leave]]"""
    tokens = words(turn.inbound.args)
    if not tokens:
        return await member_list(turn)
    target, rest = await _target(turn, tokens)
    if not rest:
        return [await member_card(turn, target)]
    field = MEMBER_FIELDS.get(rest[0].lower())
    if field is None:
        raise _usage("member")
    value = " ".join(rest[1:]).strip()
    if field == "leave":
        return await _let_go(turn, target)
    if not value:  # "/member @ivan manager": the card's question for it
        return await member_edit_pressed(turn, EditMember(target.id, field))
    return [await member_card(turn, await _set(turn, target, field, value), field)]


async def _set(turn: Turn, target: Member, field: str, value: str) -> Member:
    uow, me, now = turn.uow, turn.me, turn.now
    service.require_admin(me)
    if field == "position":
        return await service.set_position(uow, me, target, value or None, now)
    if field == "manager":
        boss = None if value == "-" else (await _people(turn, [value]))[0]
        return await service.set_manager(uow, me, target, boss, now)
    if field == "department":
        found = None if value == "-" else await service.find_department(uow, me.company_id, value)
        return await service.set_department(uow, me, target, found, now)
    if field == "role":
        return await service.set_role(uow, me, target, service.parse_role(value), now)
    if field == "timezone":
        return await service.set_member_timezone(uow, me, target, value, now)
    return await service.set_member_language(uow, me, target, value, now)


async def _let_go(turn: Turn, target: Member) -> list[Reply]:
    departure = await service.let_go(turn.uow, turn.me, target, turn.now)
    return [
        turn.edit(
            "member_left",
            name=target.name,
            heir=departure.heir.name,
            tasks=[f"#{task_id}" for task_id in departure.task_ids],
            timer=departure.timer_stopped,
        )
    ]


async def _member_of(turn: Turn, member_id: int) -> Member:
    found = await turn.uow.members.get(member_id)
    if found is None or found.company_id != turn.me.company_id:
        raise InvalidInput(field="member", reason="unknown")
    return found


async def member_edit_pressed(turn: Turn, pressed: EditMember) -> list[Reply]:
    """A member card's button: ask for the new value (or pick it with buttons)."""
    service.require_admin(turn.me)  # a replayed button of someone else's card: refused
    target = await _member_of(turn, pressed.member_id)
    field = pressed.field
    mid, data = target.id, {"member_id": target.id}
    ask: dict[str, Any] = {"name": target.name, "field": field}
    if field == "position":
        return [await turn.ask_for("member_position", data, "member_ask", (), **ask)]
    if field == "timezone":
        return [await turn.ask_for("member_timezone", data, "member_ask", (), **ask)]
    if field == "manager":
        people = [
            m for m in await turn.uow.members.list(turn.me.company_id) if m.active and m.id != mid
        ][:_PICK_LIMIT]
        rows = [
            tuple(
                turn.button("btn.member", PickForMember(mid, field, str(m.id)), name=m.name)
                for m in pair
            )
            for pair in (people[i : i + 2] for i in range(0, len(people), 2))
        ]
        rows.append((turn.button("member.none", PickForMember(mid, field, _NONE)),))
        return [await turn.ask_for("member_manager", data, "member_ask", tuple(rows), **ask)]
    if field == "department":
        departments = list(await turn.uow.departments.list(turn.me.company_id))[:_PICK_LIMIT]
        rows = [
            tuple(
                turn.button("btn.member", PickForMember(mid, field, str(d.id)), name=d.name)
                for d in pair
            )
            for pair in (departments[i : i + 2] for i in range(0, len(departments), 2))
        ]
        rows.append((turn.button("member.none", PickForMember(mid, field, _NONE)),))
        return [turn.reply("member_ask", tuple(rows), **ask, pick=True)]
    if field == "role":
        row = tuple(
            turn.button(f"role.{r.value}", PickForMember(mid, field, r.value)) for r in Role
        )
        return [turn.reply("member_ask", (row,), **ask, pick=True)]
    if field == "language":
        row = tuple(
            turn.button(f"lang.{code}", PickForMember(mid, field, code)) for code in LANGUAGES
        )
        return [turn.reply("member_ask", (row,), **ask, pick=True)]
    if field == "leave":
        confirm = (turn.button("member.leave_confirm", LetMemberGo(mid), name=target.name),)
        return [turn.reply("member_ask", (confirm,), **ask, pick=True)]
    raise InvalidInput(field="member", reason="unknown")


def _picked_id(value: str) -> int | None:
    """A manager or department picked on a member card's buttons, by id; None: nobody."""
    if value == _NONE:
        return None
    if not value.isascii() or not value.isdigit():
        raise InvalidInput(field="member", reason="unknown")
    return int(value)


async def member_picked(turn: Turn, pressed: PickForMember) -> list[Reply]:
    uow, me, now = turn.uow, turn.me, turn.now
    service.require_admin(me)  # permission first: a replayed button names nobody
    target = await _member_of(turn, pressed.member_id)
    field, raw = pressed.field, pressed.value
    await turn.uow.prompts.clear(turn.me.id)
    if field == "manager":
        boss_id = _picked_id(raw)
        boss = await _member_of(turn, boss_id) if boss_id is not None else None
        changed = await service.set_manager(uow, me, target, boss, now)
    elif field == "department":
        department_id = _picked_id(raw)
        found = await uow.departments.get(department_id) if department_id is not None else None
        changed = await service.set_department(uow, me, target, found, now)
    elif field == "role":
        changed = await service.set_role(uow, me, target, service.parse_role(raw), now)
    else:
        changed = await service.set_member_language(uow, me, target, raw, now)
    return [replace(await member_card(turn, changed, field), edit=True)]


async def member_leave_pressed(turn: Turn, pressed: LetMemberGo) -> list[Reply]:
    service.require_admin(turn.me)
    return await _let_go(turn, await _member_of(turn, pressed.member_id))


async def position_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    """Any short text is a position; a task-like sentence is asked about first."""
    target = await _member_of(turn, int(data["member_id"]))
    if task_like(turn, text) and not confirmed(data):
        return NotAnAnswer(
            answer=("question.as_position", {"name": target.name}), reason="question.why.position"
        )
    changed = await service.set_position(turn.uow, turn.me, target, text, turn.now)
    return [await member_card(turn, changed, "position")]


async def timezone_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    target = await _member_of(turn, int(data["member_id"]))
    if len(text.split()) != 1 and not confirmed(data):
        return NotAnAnswer(reason="question.why.timezone")
    changed = await service.set_member_timezone(turn.uow, turn.me, target, text, turn.now)
    return [await member_card(turn, changed, "timezone")]


async def manager_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    target = await _member_of(turn, int(data["member_id"]))
    found, rest = await person_in(turn, text)
    if found is None or (rest and not confirmed(data)):
        return NotAnAnswer(reason="question.why.person")
    changed = await service.set_manager(turn.uow, turn.me, target, found, turn.now)
    return [await member_card(turn, changed, "manager")]


# -- history ----------------------------------------------------------------------------


async def audit(turn: Turn) -> list[Reply]:
    """/audit — the latest changes of the company's structure (admins)."""
    changes = await service.history(turn.uow, turn.me, limit=20)
    actors = await _names(turn, [c.actor_id for c in changes])
    return [turn.reply("structure_history", changes=changes, actors=actors)]


# -- a task whose "Name:" prefix is no project -------------------------------------------


async def create_project_pressed(turn: Turn, pressed: CreateProjectFor) -> list[Reply]:
    return await _held_task(turn, pressed.held_id, create_project=True)


async def no_project_pressed(turn: Turn, pressed: NoProjectFor) -> list[Reply]:
    return await _held_task(turn, pressed.held_id, create_project=False)


async def _held_task(turn: Turn, held_id: int, *, create_project: bool) -> list[Reply]:
    """[Create project] / [No project]: the held text becomes the task now."""
    held = await turn.uow.prompts.held(turn.me.id, held_id)
    if held is None or held.kind != HELD_PROJECT:
        return [turn.edit("question_cancelled", subject=None, gone=True)]
    name, parent = str(held.data["name"]), held.data.get("parent_id")
    if create_project:
        await service.add_project(turn.uow, turn.me, turn.me.company_id, name, [turn.me], turn.now)
    await turn.uow.prompts.release(turn.me.id, held.id)
    created = await create_from_text(
        turn,
        held.text,
        parent_id=int(str(parent)) if parent else None,
        ask_project=False,
    )
    return [replace(created[0], edit=True), *created[1:]] if created else created


COMMANDS = {"department": department, "member": member, "audit": audit}
ACTIONS = {
    EditMember: member_edit_pressed,
    PickForMember: member_picked,
    LetMemberGo: member_leave_pressed,
    CreateProjectFor: create_project_pressed,
    NoProjectFor: no_project_pressed,
}
PROMPTS = {
    "member_position": position_answer,
    "member_timezone": timezone_answer,
    "member_manager": manager_answer,
}
