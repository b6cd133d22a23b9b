"""Acting on a task, by button or by command: status, acceptance, dates, people, comments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from domain.capture import parse_task
from domain.company import Member
from domain.deadlines import Concern, QuickDeadline, quick_deadline
from domain.errors import InvalidInput, MemberNotFound
from domain.ids import task_number
from domain.policies import Action
from domain.services import tasks as service
from domain.services.dates import review_moment
from domain.tasks import Priority, Rating
from handlers.buttons import (
    AcceptTask,
    AddCoExecutor,
    AddObserver,
    AskCoExecutor,
    AskComment,
    AskDeadline,
    AskDelegate,
    AskObserver,
    AskPart,
    AskPlanned,
    AskPriority,
    AskProject,
    AskTags,
    CompleteTask,
    DeferTask,
    DelegateTo,
    PartBy,
    PauseTask,
    QuickDeadlinePicked,
    ReopenTask,
    ReturnBy,
    ReturnTask,
    SetDeadline,
    SetPriority,
    SetProject,
    ShowMore,
    StartTask,
)
from handlers.cards import card_reply
from handlers.intents import timetracking
from handlers.questions import NotAnAnswer, PromptResult, as_answer, confirmed, person_in
from handlers.rendering import when
from handlers.tokens import ButtonAction
from handlers.turn import Turn
from handlers.types import Button, Buttons, Reply

_PICK_LIMIT = 8


# -- helpers ---------------------------------------------------------------------------


def _task_id(raw: str) -> int:
    return task_number(raw)


def _split_args(turn: Turn) -> tuple[int, str]:
    """``/cmd 12 the rest`` -> (12, "the rest")."""
    head, _, rest = turn.inbound.args.strip().partition(" ")
    if not head:
        raise InvalidInput(field="task_id", reason="missing")
    return _task_id(head), rest.strip()


def deadline_in(turn: Turn, text: str) -> tuple[datetime | None, str]:
    """A deadline phrase in free text, and the text without it (the capture grammar)."""
    assert turn.company is not None
    draft = parse_task(
        text,
        now=turn.now,
        tz=turn.tz,
        lang=turn.lang,
        workday_end=turn.company.schedule.end,
        day_parts=turn.config.day_parts,
    )
    if draft.deadline is None:
        return None, text.strip()
    rest = draft.title if draft.title.strip() != text.strip() else ""
    return draft.deadline, " ".join(p for p in (rest, draft.description or "") if p)


def _date_answer(
    turn: Turn, data: dict[str, Any], text: str, answer_label: str
) -> datetime | NotAnAnswer | None:
    """A date question's answer: clean when the text is a deadline phrase and nothing
    else ("friday 15:00", "jutro o 11"). A sentence with a title beside its date, or no
    date at all, is not an answer (unless the text is meant as one: ``confirmed``)."""
    deadline, rest = deadline_in(turn, text)
    if confirmed(data) or (deadline is not None and not rest):
        return deadline
    if deadline is None:
        return NotAnAnswer(reason="question.why.date")
    params = {"task_id": data.get("task_id", "?"), "when": when(deadline, turn.lang, turn.tz)}
    return NotAnAnswer(answer=(answer_label, params), reason="question.why.date")


async def _person_answer(
    turn: Turn, data: dict[str, Any], text: str, answer_label: str
) -> Member | NotAnAnswer:
    """A person question's answer: clean when the text is one member and nothing else."""
    found, rest = await person_in(turn, text)
    if found is None:
        if confirmed(data):
            raise MemberNotFound(handle=text.split()[0] if text.split() else "")
        return NotAnAnswer(reason="question.why.person")
    if rest and not confirmed(data):
        params = {"task_id": data.get("task_id", "?"), "name": found.name}
        return NotAnAnswer(answer=(answer_label, params), reason="question.why.person")
    return found


def _quick(turn: Turn, choice: QuickDeadline) -> datetime | None:
    assert turn.company is not None
    return quick_deadline(choice, turn.now, turn.tz, turn.company.schedule)


QuickPick = Callable[[int, QuickDeadline], ButtonAction]  # (task id, choice) -> the action


def _quick_row(
    turn: Turn, action: QuickPick, task_id: int, *, allow_none: bool
) -> tuple[Button, ...]:
    return tuple(
        turn.button(f"deadline.{c.value}", action(task_id, c))
        for c in QuickDeadline
        if allow_none or c is not QuickDeadline.NONE
    )


PersonPick = Callable[[int, int], ButtonAction]  # (task id, member id) -> the action


async def _member_rows(turn: Turn, action: PersonPick, task_id: int) -> Buttons:
    people = [
        m
        for m in await turn.uow.members.list(turn.me.company_id)
        if m.active and m.id != turn.me.id
    ][:_PICK_LIMIT]
    return tuple(
        tuple(
            turn.button("btn.member", action(task_id, m.id), name=m.name) for m in people[i : i + 2]
        )
        for i in range(0, len(people), 2)
    )


async def _ask_about(
    turn: Turn, task_id: int, permission: Action, prompt: str, buttons: Buttons = ()
) -> list[Reply]:
    """Check the member may do it now, then ask; the next message answers ``prompt``."""
    await service.load_for(turn.uow, turn.me, task_id, permission)
    return [
        await turn.ask_for(prompt, {"task_id": task_id}, f"{prompt}_ask", buttons, task_id=task_id)
    ]


Simple = Callable[[Any, Any, int, datetime], Awaitable[Any]]


def _simple(op: Simple, notice: str) -> tuple[Any, Any]:
    """A button and a command for an action that needs nothing but the task."""

    async def pressed(turn: Turn, pressed: DeferTask | ReopenTask) -> list[Reply]:
        await op(turn.uow, turn.me, pressed.task_id, turn.now)
        return [await card_reply(turn, pressed.task_id, notice=notice)]

    async def command(turn: Turn) -> list[Reply]:
        task_id, _ = _split_args(turn)
        await op(turn.uow, turn.me, task_id, turn.now)
        return [await card_reply(turn, task_id, notice=notice)]

    return pressed, command


# Start and Pause drive the member's timer as well as the status (handlers.intents.timetracking).
start_pressed, start_command = timetracking.card_start_pressed, timetracking.card_start_command
pause_pressed, pause_command = timetracking.card_pause_pressed, timetracking.card_pause_command
defer_pressed, defer_command = _simple(service.defer_task, "deferred")
reopen_pressed, reopen_command = _simple(service.reopen_task, "reopened")


# -- done and acceptance ----------------------------------------------------------------


async def done_pressed(turn: Turn, pressed: CompleteTask) -> list[Reply]:
    return await _ask_about(turn, pressed.task_id, Action.COMPLETE, "result")


async def result_answer(turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
    """The result is free text: any text answers (``/cancel`` and commands still leave)."""
    task_id = int(data["task_id"])
    task = await service.complete_task(turn.uow, turn.me, task_id, text, turn.now)
    return [await card_reply(turn, task_id, notice=f"completed.{task.status.value}")]


async def done_command(turn: Turn) -> list[Reply]:
    """/done 12 <result> — without a result the bot asks for it."""
    task_id, result = _split_args(turn)
    if not result:
        return await done_pressed(turn, CompleteTask(task_id))
    return await result_answer(turn, {"task_id": task_id}, result)


async def accept_pressed(turn: Turn, pressed: AcceptTask) -> list[Reply]:
    task_id = pressed.task_id
    if pressed.rating is Rating.POSITIVE:
        await service.accept_task(turn.uow, turn.me, task_id, Rating.POSITIVE, None, turn.now)
        return [await card_reply(turn, task_id, notice="accepted")]
    await service.load_for_acceptance(turn.uow, turn.me, task_id, turn.now)
    return [
        await turn.ask_for("negative", {"task_id": task_id}, "negative_reason_ask", task_id=task_id)
    ]


async def negative_answer(turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
    task_id = int(data["task_id"])
    await service.accept_task(turn.uow, turn.me, task_id, Rating.NEGATIVE, text, turn.now)
    return [await card_reply(turn, task_id, notice="accepted")]


async def accept_command(turn: Turn) -> list[Reply]:
    """/accept 12 [+|-] [reason]"""
    task_id, rest = _split_args(turn)
    negative = rest.startswith(("-", "👎"))
    if rest and not negative and not rest.startswith(("+", "👍")):
        # "/accept 10 maybe": not a rating; nothing is accepted on a guess.
        raise InvalidInput(field="rating", reason="unknown", value=rest, task_id=task_id)
    reason = rest.lstrip("+-👍👎 ").strip()
    rating = Rating.NEGATIVE if negative else Rating.POSITIVE
    if negative and not reason:
        return await accept_pressed(turn, AcceptTask(task_id, Rating.NEGATIVE))
    await service.accept_task(turn.uow, turn.me, task_id, rating, reason or None, turn.now)
    return [await card_reply(turn, task_id, notice="accepted")]


async def return_pressed(turn: Turn, pressed: ReturnTask) -> list[Reply]:
    task_id = pressed.task_id
    await service.load_for_acceptance(turn.uow, turn.me, task_id, turn.now)
    return [await turn.ask_for("return", {"task_id": task_id}, "return_ask", task_id=task_id)]


async def return_answer(turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
    """The reason, optionally with the new deadline in the same message."""
    task_id = int(data["task_id"])
    deadline, reason = deadline_in(turn, text)
    if not reason:
        reason = text
    if deadline is None:
        # No task is returned without a new deadline: ask for it, keeping the reason.
        buttons = (_quick_row(turn, ReturnBy, task_id, allow_none=False),)
        return [
            await turn.ask_for(
                "return_deadline",
                {"task_id": task_id, "reason": reason},
                "return_deadline_ask",
                buttons,
                task_id=task_id,
                reason=reason,
            )
        ]
    await service.return_task(turn.uow, turn.me, task_id, reason, deadline, turn.now)
    return [await card_reply(turn, task_id, notice="returned")]


async def return_deadline_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    deadline = _date_answer(turn, data, text, "question.as_return_deadline")
    if isinstance(deadline, NotAnAnswer):
        return deadline
    if deadline is None:
        raise InvalidInput(field="deadline", reason="not_understood", value=text)
    task_id = int(data["task_id"])
    await service.return_task(turn.uow, turn.me, task_id, str(data["reason"]), deadline, turn.now)
    return [await card_reply(turn, task_id, notice="returned")]


async def return_quick_pressed(turn: Turn, pressed: ReturnBy) -> list[Reply]:
    pending = await turn.uow.prompts.get(turn.me.id)
    task_id = pressed.task_id
    if pending is None or pending[0] != "return_deadline" or pending[1].get("task_id") != task_id:
        return await return_pressed(turn, ReturnTask(task_id))
    await turn.uow.prompts.clear(turn.me.id)
    deadline = _quick(turn, pressed.choice)
    await service.return_task(
        turn.uow, turn.me, task_id, str(pending[1]["reason"]), deadline, turn.now
    )
    return [await card_reply(turn, task_id, notice="returned")]


async def return_command(turn: Turn) -> list[Reply]:
    """/return 12 <reason and new deadline>"""
    task_id, rest = _split_args(turn)
    if not rest:
        return await return_pressed(turn, ReturnTask(task_id))
    await service.load_for_acceptance(turn.uow, turn.me, task_id, turn.now)
    return await return_answer(turn, {"task_id": task_id}, rest)


# -- deadline ---------------------------------------------------------------------------


async def deadline_pressed(turn: Turn, pressed: AskDeadline) -> list[Reply]:
    task_id = pressed.task_id
    buttons = (_quick_row(turn, QuickDeadlinePicked, task_id, allow_none=True),)
    return await _ask_about(turn, task_id, Action.MOVE_DEADLINE, "deadline", buttons)


async def deadline_quick_pressed(turn: Turn, pressed: QuickDeadlinePicked) -> list[Reply]:
    task_id = pressed.task_id
    await turn.uow.prompts.clear(turn.me.id)
    await service.move_deadline(turn.uow, turn.me, task_id, _quick(turn, pressed.choice), turn.now)
    return [await card_reply(turn, task_id, notice="deadline_moved")]


async def deadline_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    deadline = _date_answer(turn, data, text, "question.as_deadline")
    if isinstance(deadline, NotAnAnswer):
        return deadline
    if deadline is None:
        raise InvalidInput(field="deadline", reason="not_understood", value=text)
    task_id = int(data["task_id"])
    task = await service.load_for(turn.uow, turn.me, task_id, Action.MOVE_DEADLINE)
    assert turn.company is not None
    check = await review_moment(
        turn.uow, turn.company, turn.tz, task.responsible_id, deadline, turn.now
    )
    if check is not None:
        # In the past, on a day off, on the responsible's leave: say so and ask.
        responsible = await turn.uow.members.get(task.responsible_id)
        fix = (
            turn.button(
                "btn.tomorrow_at",
                SetDeadline(task_id, check.fix),
                time=f"{check.fix.hour}:{check.fix.minute:02d}",
            )
            if check.concern is Concern.PASSED_TODAY
            else turn.button("btn.next_working_day", SetDeadline(task_id, check.fix))
        )
        past = check.concern in (Concern.PAST, Concern.PASSED_TODAY)
        # A past deadline is never set (the task would be born overdue): only the fix.
        row = (
            (fix,) if past else (fix, turn.button("btn.set_anyway", SetDeadline(task_id, deadline)))
        )
        # An open question: another date written next answers it.
        return [
            await turn.ask_for(
                "deadline",
                {"task_id": task_id},
                "deadline_check",
                (row,),
                check=check,
                deadline=deadline,
                task_id=task_id,
                past=past,
                responsible=responsible.name if responsible else "",
            )
        ]
    await service.move_deadline(turn.uow, turn.me, task_id, deadline, turn.now)
    return [await card_reply(turn, task_id, notice="deadline_moved")]


async def deadline_set_pressed(turn: Turn, pressed: SetDeadline) -> list[Reply]:
    """[Next working day] / [Set anyway] under a deadline question: exactly that moment
    (in whole minutes: a button carries no seconds)."""
    await service.move_deadline(turn.uow, turn.me, pressed.task_id, pressed.at, turn.now)
    return [await card_reply(turn, pressed.task_id, notice="deadline_moved")]


async def deadline_command(turn: Turn) -> list[Reply]:
    """/deadline 12 <when>"""
    task_id, rest = _split_args(turn)
    if not rest:
        return await deadline_pressed(turn, AskDeadline(task_id))
    return await as_answer(deadline_answer, turn, {"task_id": task_id}, rest)


# -- people -----------------------------------------------------------------------------


def _people_flow(
    op: Callable[..., Awaitable[Any]],
    prompt: str,
    ask: Callable[[int], AskDelegate | AskObserver | AskCoExecutor],
    pick: PersonPick,
    permission: Action,
    notice: str,
) -> tuple[Any, Any, Any, Any]:
    """Pick a member by button or by @handle: delegate, observers, co-executors."""

    async def pressed(
        turn: Turn, pressed: AskDelegate | AskObserver | AskCoExecutor
    ) -> list[Reply]:
        task_id = pressed.task_id
        await service.load_for(turn.uow, turn.me, task_id, permission)
        return [
            await turn.ask_for(
                prompt,
                {"task_id": task_id},
                f"{prompt}_ask",
                await _member_rows(turn, pick, task_id),
                task_id=task_id,
            )
        ]

    async def picked(turn: Turn, pressed: DelegateTo | AddObserver | AddCoExecutor) -> list[Reply]:
        await turn.uow.prompts.clear(turn.me.id)
        await op(turn.uow, turn.me, pressed.task_id, pressed.member_id, turn.now)
        return [await card_reply(turn, pressed.task_id, notice=notice)]

    async def answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
        task_id = int(data["task_id"])
        if not text.strip():
            raise InvalidInput(field="member", reason="empty")
        member = await _person_answer(turn, data, text, f"question.as_{prompt}")
        if isinstance(member, NotAnAnswer):
            return member
        await op(turn.uow, turn.me, task_id, member.id, turn.now)
        return [await card_reply(turn, task_id, notice=notice)]

    async def command(turn: Turn) -> list[Reply]:
        task_id, rest = _split_args(turn)
        if not rest:
            return await pressed(turn, ask(task_id))
        return await as_answer(answer, turn, {"task_id": task_id}, rest)

    return pressed, picked, answer, command


delegate_pressed, delegate_picked, delegate_answer, delegate_command = _people_flow(
    service.delegate_task, "delegate", AskDelegate, DelegateTo, Action.DELEGATE, "delegated"
)
observer_pressed, observer_picked, observer_answer, observer_command = _people_flow(
    service.add_observer, "observer", AskObserver, AddObserver, Action.OBSERVE, "observer_added"
)
coexec_pressed, coexec_picked, coexec_answer, coexec_command = _people_flow(
    service.add_co_executor,
    "coexec",
    AskCoExecutor,
    AddCoExecutor,
    Action.DELEGATE,
    "co_executor_added",
)


# -- comments ---------------------------------------------------------------------------


async def comment_pressed(turn: Turn, pressed: AskComment) -> list[Reply]:
    return await _ask_about(turn, pressed.task_id, Action.COMMENT, "comment")


async def comment_answer(turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
    task_id = int(data["task_id"])
    await service.comment_task(
        turn.uow, turn.me, task_id, text, turn.now, reopen=bool(data.get("reopen"))
    )
    return [await card_reply(turn, task_id, notice="commented")]


async def comment_command(turn: Turn) -> list[Reply]:
    """/comment 12 <text>"""
    task_id, rest = _split_args(turn)
    if not rest:
        return await comment_pressed(turn, AskComment(task_id))
    return await comment_answer(turn, {"task_id": task_id}, rest)


async def reopen_with_comment(turn: Turn) -> list[Reply]:
    """/reopen 12 [comment] — a comment resurrects a closed task."""
    task_id, rest = _split_args(turn)
    if rest:
        return await comment_answer(turn, {"task_id": task_id, "reopen": True}, rest)
    replies: list[Reply] = await reopen_command(turn)
    return replies


# -- parts, priority, more ----------------------------------------------------------------


async def part_pressed(turn: Turn, pressed: AskPart) -> list[Reply]:
    task_id = pressed.task_id
    buttons = (_quick_row(turn, PartBy, task_id, allow_none=False),)
    return await _ask_about(turn, task_id, Action.COPY_PART, "part", buttons)


async def _copy_part(turn: Turn, task_id: int, deadline: datetime | None) -> list[Reply]:
    if deadline is None:
        raise InvalidInput(field="deadline", reason="return_needs_deadline")
    _, part = await service.copy_as_part(turn.uow, turn.me, task_id, deadline, turn.now)
    return [
        await card_reply(turn, task_id, notice="part_closed"),
        await card_reply(turn, part.id, notice="part_created"),
    ]


async def part_quick_pressed(turn: Turn, pressed: PartBy) -> list[Reply]:
    await turn.uow.prompts.clear(turn.me.id)
    return await _copy_part(turn, pressed.task_id, _quick(turn, pressed.choice))


async def part_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    deadline = _date_answer(turn, data, text, "question.as_part")
    if isinstance(deadline, NotAnAnswer):
        return deadline
    if deadline is None:
        raise InvalidInput(field="deadline", reason="not_understood", value=text)
    return await _copy_part(turn, int(data["task_id"]), deadline)


async def part_command(turn: Turn) -> list[Reply]:
    """/part 12 [deadline]"""
    task_id, rest = _split_args(turn)
    if not rest:
        return await part_pressed(turn, AskPart(task_id))
    return await as_answer(part_answer, turn, {"task_id": task_id}, rest)


async def priority_pressed(turn: Turn, pressed: AskPriority) -> list[Reply]:
    task_id = pressed.task_id
    # Permission first: someone else's replayed button gets no picker, only "not yours".
    await service.load_for(turn.uow, turn.me, task_id, Action.EDIT)
    buttons = (
        tuple(turn.button(f"priority.{p.value}", SetPriority(task_id, p)) for p in Priority),
    )
    return [turn.reply("priority_ask", buttons, task_id=task_id)]


async def priority_picked(turn: Turn, pressed: SetPriority) -> list[Reply]:
    task_id = pressed.task_id
    await service.set_priority(turn.uow, turn.me, task_id, pressed.priority, turn.now)
    return [await card_reply(turn, task_id, notice="priority_set")]


async def project_pressed(turn: Turn, pressed: AskProject) -> list[Reply]:
    task_id = pressed.task_id
    await service.load_for(turn.uow, turn.me, task_id, Action.EDIT)
    projects = [
        p for p in await turn.uow.projects.list(turn.me.company_id) if p.id and not p.archived
    ][:_PICK_LIMIT]
    rows: list[tuple[Button, ...]] = [
        tuple(
            turn.button("btn.member", SetProject(task_id, p.id), name=p.name)
            for p in projects[i : i + 2]
        )
        for i in range(0, len(projects), 2)
    ]
    rows.append((turn.button("deadline.none", SetProject(task_id, None)),))
    return [turn.reply("project_ask", tuple(rows), task_id=task_id)]


async def project_picked(turn: Turn, pressed: SetProject) -> list[Reply]:
    task_id = pressed.task_id
    await service.set_project(turn.uow, turn.me, task_id, pressed.project_id, turn.now)
    return [await card_reply(turn, task_id, notice="project_set")]


async def tags_pressed(turn: Turn, pressed: AskTags) -> list[Reply]:
    return await _ask_about(turn, pressed.task_id, Action.EDIT, "tags")


_TAG_WORDS = 3  # "client vip": a few bare words are tags; a longer sentence is something else


async def tags_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    """ "#client #vip" or "client vip"; "-" clears them. Clean: "-", every word a #tag, or a
    few words with no date in them; a sentence is offered as tags or as a new task."""
    task_id = int(data["task_id"])
    tags = (
        [] if text.strip() == "-" else [w for w in text.replace(",", " ").split() if w.strip("#")]
    )
    hashed = all(w.startswith("#") for w in tags)
    few = len(tags) <= _TAG_WORDS and deadline_in(turn, text)[0] is None
    if tags and not (hashed or few or confirmed(data)):
        shown = " ".join(f"#{w.lstrip('#')}" for w in tags)
        return NotAnAnswer(
            answer=("question.as_tags", {"task_id": task_id, "tags": shown[:40]}),
            reason="question.why.tags",
        )
    await service.set_tags(turn.uow, turn.me, task_id, tags, turn.now)
    return [await card_reply(turn, task_id, notice="tags_set")]


async def planned_pressed(turn: Turn, pressed: AskPlanned) -> list[Reply]:
    return await _ask_about(turn, pressed.task_id, Action.EDIT, "planned")


async def planned_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    """ "1h30m", "45min", "~2ч" — the capture grammar's planned time; "-" clears it.
    Clean: a duration and nothing else."""
    task_id = int(data["task_id"])
    minutes: int | None = None
    if text.strip() != "-":
        assert turn.company is not None
        draft = parse_task(
            f"x ~{text.strip().lstrip('~')}",
            now=turn.now,
            tz=turn.tz,
            lang=turn.lang,
            workday_end=turn.company.schedule.end,
        )
        if draft.planned_minutes is None:
            if confirmed(data):
                raise InvalidInput(field="planned", reason="not_understood", value=text)
            return NotAnAnswer(reason="question.why.planned")
        minutes = draft.planned_minutes
        if (draft.title.strip() != "x" or draft.deadline is not None) and not confirmed(data):
            shown = f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
            return NotAnAnswer(
                answer=("question.as_planned", {"task_id": task_id, "planned": shown}),
                reason="question.why.planned",
            )
    await service.set_planned(turn.uow, turn.me, task_id, minutes, turn.now)
    return [await card_reply(turn, task_id, notice="planned_set")]


async def more_pressed(turn: Turn, pressed: ShowMore) -> list[Reply]:
    task_id = pressed.task_id
    card = await service.task_card(turn.uow, turn.me, task_id)
    row: list[Button] = [
        turn.button("btn.priority", AskPriority(task_id)),
        turn.button("btn.coexec", AskCoExecutor(task_id)),
    ]
    if Action.START in card.can:
        row.append(turn.button("btn.defer", DeferTask(task_id)))
    rows: list[tuple[Button, ...]] = [tuple(row)]
    if Action.EDIT in card.can:
        # What the task was created with, as on the new task's card.
        rows.append(
            (
                turn.button("btn.project", AskProject(task_id)),
                turn.button("btn.tags", AskTags(task_id)),
                turn.button("btn.planned", AskPlanned(task_id)),
            )
        )
    return [turn.reply("task_more", tuple(rows), card=card, task=card.task)]


async def rename_command(turn: Turn) -> list[Reply]:
    """/rename 12 new title — the old title stays in the task's history."""
    task_id, title = _split_args(turn)
    if not title:
        raise InvalidInput(field="title", reason="empty")
    await service.rename_task(turn.uow, turn.me, task_id, title, turn.now)
    return [await card_reply(turn, task_id, notice="renamed")]


COMMANDS = {
    "go": start_command,
    "pause": pause_command,
    "defer": defer_command,
    "done": done_command,
    "accept": accept_command,
    "return": return_command,
    "deadline": deadline_command,
    "delegate": delegate_command,
    "observe": observer_command,
    "coexec": coexec_command,
    "comment": comment_command,
    "reopen": reopen_with_comment,
    "part": part_command,
    "rename": rename_command,
}
ACTIONS = {
    StartTask: start_pressed,
    PauseTask: pause_pressed,
    DeferTask: defer_pressed,
    ReopenTask: reopen_pressed,
    CompleteTask: done_pressed,
    AcceptTask: accept_pressed,
    ReturnTask: return_pressed,
    ReturnBy: return_quick_pressed,
    AskDeadline: deadline_pressed,
    QuickDeadlinePicked: deadline_quick_pressed,
    SetDeadline: deadline_set_pressed,
    AskDelegate: delegate_pressed,
    DelegateTo: delegate_picked,
    AskObserver: observer_pressed,
    AddObserver: observer_picked,
    AskCoExecutor: coexec_pressed,
    AddCoExecutor: coexec_picked,
    AskComment: comment_pressed,
    AskPart: part_pressed,
    PartBy: part_quick_pressed,
    AskPriority: priority_pressed,
    SetPriority: priority_picked,
    ShowMore: more_pressed,
    AskProject: project_pressed,
    SetProject: project_picked,
    AskTags: tags_pressed,
    AskPlanned: planned_pressed,
}
PROMPTS = {
    "result": result_answer,
    "negative": negative_answer,
    "return": return_answer,
    "return_deadline": return_deadline_answer,
    "deadline": deadline_answer,
    "delegate": delegate_answer,
    "observer": observer_answer,
    "coexec": coexec_answer,
    "comment": comment_answer,
    "part": part_answer,
    "tags": tags_answer,
    "planned": planned_answer,
}
