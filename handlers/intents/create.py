"""Creating tasks from chat text (the capture grammar), subtasks, undo."""

from __future__ import annotations

from typing import Any

from domain.capture import TaskDraft, unknown_project
from domain.company import Member
from domain.deadlines import Concern, DeadlineCheck, QuickDeadline
from domain.ids import task_number
from domain.policies import Action
from domain.services.dates import review_deadline
from domain.services.drafts import Roster
from domain.services.tasks import create_task, load_for, move_deadline, undo_create
from domain.tasks import Task
from handlers.buttons import (
    AskDeadline,
    AskDelegate,
    AskPlanned,
    AskPriority,
    AskProject,
    AskSubtask,
    AskTags,
    CreateProjectFor,
    DelegateTo,
    FixDeadline,
    KeepDeadline,
    NoProjectFor,
    OpenTask,
    QuickDeadlinePicked,
    UndoCreate,
)
from handlers.cards import card_reply
from handlers.rendering import label
from handlers.turn import Turn
from handlers.types import Button, Buttons, Reply

_PICK_LIMIT = 8  # members offered as buttons for an unknown @handle
HELD_PROJECT = "project_prefix"  # the kind of a held task text whose prefix is no project


def fix_buttons(turn: Turn, tid: int, check: DeadlineCheck) -> tuple[Button, ...]:
    """[Next working day] (or [Tomorrow 9:00]) [Keep]: one tap mends or keeps a deadline."""
    if check.concern is Concern.PASSED_TODAY:
        fix = turn.button(
            "btn.tomorrow_at", FixDeadline(tid), time=f"{check.fix.hour}:{check.fix.minute:02d}"
        )
    else:
        fix = turn.button("btn.next_working_day", FixDeadline(tid))
    return (fix, turn.button("btn.keep", KeepDeadline(tid)))


def _confirmation_buttons(
    turn: Turn, task: Task, draft: TaskDraft, people: list[Member], check: DeadlineCheck | None
) -> Buttons:
    tid = task.id
    rows: list[tuple[Button, ...]] = []
    if check is not None:
        rows.append(fix_buttons(turn, tid, check))
    if task.deadline is None:
        rows.append(
            tuple(
                turn.button(f"deadline.{choice.value}", QuickDeadlinePicked(tid, choice))
                for choice in QuickDeadline
            )
        )
    if draft.unknown_handles:
        picks = [m for m in people if m.id != turn.me.id][:_PICK_LIMIT]
        rows.extend(
            tuple(
                turn.button("btn.member", DelegateTo(tid, m.id), name=m.name)
                for m in picks[i : i + 2]
            )
            for i in range(0, len(picks), 2)
        )
    # Fix what the parser got wrong, or take the whole message back.
    rows.append(
        (
            turn.button("btn.deadline", AskDeadline(tid)),
            turn.button("btn.delegate", AskDelegate(tid)),
            turn.button("btn.priority", AskPriority(tid)),
        )
    )
    rows.append(
        (
            turn.button("btn.project", AskProject(tid)),
            turn.button("btn.tags", AskTags(tid)),
            turn.button("btn.planned", AskPlanned(tid)),
        )
    )
    rows.append((turn.button("btn.card", OpenTask(tid)), turn.button("btn.undo", UndoCreate(tid))))
    return tuple(rows)


async def ask_about_prefix(turn: Turn, text: str, name: str, parent_id: int | None) -> Reply:
    """Hold the text; offer [Create project "Name"] (admins) and [No project]."""
    held = await turn.uow.prompts.hold(
        turn.me.id, HELD_PROJECT, {"parent_id": parent_id, "name": name}, text
    )
    rows: list[tuple[Button, ...]] = []
    if turn.me.is_admin:
        rows.append((turn.button("project.create", CreateProjectFor(held), name=name[:24]),))
    rows.append((turn.button("project.none", NoProjectFor(held)),))
    return turn.reply("project_prefix_ask", tuple(rows), name=name, admin=turn.me.is_admin)


async def create_from_text(
    turn: Turn, text: str, *, parent_id: int | None = None, ask_project: bool = True
) -> list[Reply]:
    """``ask_project``: a plain text whose ``Name:`` prefix names no project is held and
    the member asked: create the project, or no project (handlers.intents.structure)."""
    inbound = turn.inbound
    if inbound.quoted and inbound.quoted.strip() != text.strip():
        text = " ".join(p for p in (text, inbound.quoted) if p)
    if not text.strip() and inbound.attachments:
        text = inbound.attachments[0].name or inbound.attachments[0].kind
    assert turn.company is not None
    roster = await Roster.load(turn.uow, turn.company)
    draft = roster.draft(
        text, now=turn.now, tz=turn.tz, lang=turn.lang, day_parts=turn.config.day_parts
    )
    plain = not (inbound.attachments or inbound.origin or inbound.quoted or inbound.forwarded_from)
    if ask_project and plain and parent_id is None and draft.project is None:
        # Only a plain text is held: it is all there is to keep until the member picks.
        # A subtask is not asked: it belongs where its parent is.
        name = unknown_project(text, [p.name for p in roster.projects])
        if name is not None:
            return [await ask_about_prefix(turn, text, name, parent_id)]
    origin = inbound.origin
    if inbound.forwarded_from is not None:
        origin = label(turn.lang, "word.forwarded_from", name=inbound.forwarded_from or "?")
    quote = "\n".join(p for p in (origin, inbound.quoted) if p) or None
    command = roster.command(
        draft,
        parent_id=parent_id,
        quote=quote,
        source_ref=origin,
        attachments=tuple(f"{inbound.platform}:{a.kind}:{a.ref}" for a in inbound.attachments),
    )
    task = await create_task(turn.uow, turn.me, command, turn.now)
    check = await review_deadline(turn.uow, turn.company, turn.tz, task, turn.now)
    people = list(roster.people)
    names = {m.id: m.name for m in people}
    return [
        turn.reply(
            "task_created",
            _confirmation_buttons(turn, task, draft, people, check),
            check=check,
            bad_priorities=draft.unknown_priorities,
            task=task,
            responsible=names.get(task.responsible_id, ""),
            co_executors=[names.get(m, "") for m in sorted(task.co_executors)],
            project=draft.project,
            unknown=draft.unknown_handles,
            self_assigned=task.responsible_id == turn.me.id,
        )
    ]


async def task_command(turn: Turn) -> list[Reply]:
    """/task <text> — the way to create tasks in groups, and an explicit one in private."""
    text = turn.inbound.args.strip()
    if not text and not turn.inbound.quoted:
        return [await turn.ask_for("new_task", {}, "task_ask")]
    return await create_from_text(turn, text)


async def new_task_answer(turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
    return await create_from_text(turn, text)


async def subtask_pressed(turn: Turn, pressed: AskSubtask) -> list[Reply]:
    task_id = pressed.task_id
    # Permission first: someone else's replayed button gets no question, only "not yours".
    await load_for(turn.uow, turn.me, task_id, Action.ADD_SUBTASK)
    return [await turn.ask_for("subtask", {"task_id": task_id}, "subtask_ask", task_id=task_id)]


async def subtask_command(turn: Turn) -> list[Reply]:
    """/subtask 12 <text>"""
    head, _, text = turn.inbound.args.strip().partition(" ")
    parent_id = task_number(head)
    if not text.strip():
        return await subtask_pressed(turn, AskSubtask(parent_id))
    return await create_from_text(turn, text, parent_id=parent_id)


async def subtask_answer(turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
    return await create_from_text(turn, text, parent_id=int(data["task_id"]))


async def fix_pressed(turn: Turn, pressed: FixDeadline) -> list[Reply]:
    """[Next working day] / [Tomorrow 9:00]: the fix is worked out again now (the button
    may be pressed later, or the deadline changed since)."""
    task_id = pressed.task_id
    assert turn.company is not None
    task = await load_for(turn.uow, turn.me, task_id, Action.MOVE_DEADLINE)
    check = await review_deadline(turn.uow, turn.company, turn.tz, task, turn.now)
    if check is None:
        return [await card_reply(turn, task_id, notice="deadline_kept")]
    await move_deadline(turn.uow, turn.me, task_id, check.fix, turn.now)
    return [await card_reply(turn, task_id, notice="deadline_moved")]


async def keep_pressed(turn: Turn, pressed: KeepDeadline) -> list[Reply]:
    return [await card_reply(turn, pressed.task_id, notice="deadline_kept")]


async def undo_pressed(turn: Turn, pressed: UndoCreate) -> list[Reply]:
    task = await undo_create(turn.uow, turn.me, pressed.task_id, turn.now)
    return [turn.edit("task_undone", task=task)]


COMMANDS = {"task": task_command, "subtask": subtask_command}
ACTIONS = {
    AskSubtask: subtask_pressed,
    UndoCreate: undo_pressed,
    FixDeadline: fix_pressed,
    KeepDeadline: keep_pressed,
}
PROMPTS = {"new_task": new_task_answer, "subtask": subtask_answer}
