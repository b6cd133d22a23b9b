"""Task cards and task lists as replies, with the buttons the member may press right now."""

from __future__ import annotations

from collections.abc import Callable

from domain.policies import Action
from domain.ports import ListView, Page
from domain.services.tasks import TaskCard, end_of_local_day, task_card
from domain.tasks import Rating, Task, TaskKind, TaskStatus
from handlers.buttons import (
    AcceptTask,
    AskComment,
    AskDeadline,
    AskDelegate,
    AskObserver,
    AskPart,
    AskSubtask,
    CompleteTask,
    OpenTask,
    PauseTask,
    ReopenTask,
    ReturnTask,
    ShowMore,
    StartTask,
)
from handlers.tokens import ButtonAction
from handlers.turn import Turn
from handlers.types import Button, Buttons, Reply

# The action of a list's page by its number: ``lambda n: ListPage(ListView.TODAY, n)``.
Paging = Callable[[int], ButtonAction]


def card_buttons(turn: Turn, card: TaskCard) -> Buttons:
    task, can = card.task, card.can
    tid = task.id
    rows: list[tuple[Button, ...]] = []
    if task.status is TaskStatus.AWAITING_ACCEPTANCE and Action.ACCEPT in can:
        rows.append(
            (
                turn.button("btn.accept_good", AcceptTask(tid, Rating.POSITIVE)),
                turn.button("btn.accept_bad", AcceptTask(tid, Rating.NEGATIVE)),
                turn.button("btn.return", ReturnTask(tid)),
            )
        )
    if task.is_open:
        first: list[Button] = []
        if Action.START in can:
            # The rule (domain.services.timetracking): one's own running timer, or the
            # responsible's "in progress" (or an untracked task's), is what Pause stops.
            tracked = task.kind is not TaskKind.GENERAL and task.time_tracking
            own = task.status is TaskStatus.IN_PROGRESS and (
                not tracked or task.responsible_id == turn.me.id
            )
            if card.my_timer == "running" or own:
                first.append(turn.button("btn.pause", PauseTask(tid)))
            else:
                first.append(turn.button("btn.start", StartTask(tid)))
        if Action.COMPLETE in can:
            first.append(turn.button("btn.done", CompleteTask(tid)))
        if first:
            rows.append(tuple(first))
        second = [
            turn.button("btn.deadline", AskDeadline(tid)) if Action.MOVE_DEADLINE in can else None,
            turn.button("btn.delegate", AskDelegate(tid)) if Action.DELEGATE in can else None,
            turn.button("btn.comment", AskComment(tid)),
        ]
        rows.append(tuple(b for b in second if b is not None))
        third = [
            turn.button("btn.observers", AskObserver(tid)),
            turn.button("btn.subtask", AskSubtask(tid)) if Action.ADD_SUBTASK in can else None,
            turn.button("btn.part", AskPart(tid), n=task.part_number + 1)
            if Action.COPY_PART in can
            else None,
            turn.button("btn.more", ShowMore(tid)),
        ]
        rows.append(tuple(b for b in third if b is not None))
    else:
        last = [turn.button("btn.comment", AskComment(tid))]
        if Action.REOPEN in can:
            last.append(turn.button("btn.reopen", ReopenTask(tid)))
        rows.append(tuple(last))
    return tuple(rows)


async def card_reply(turn: Turn, task_id: int, *, notice: str | None = None) -> Reply:
    """The card for a task; edits the pressed message in place when a button caused it."""
    card = await task_card(turn.uow, turn.me, task_id)
    return turn.edit(
        "task_card",
        card_buttons(turn, card),
        card=card,
        task=card.task,
        cue=card.task.cue(turn.now, end_of_local_day(turn.now, turn.tz)).value,
        notice=notice,
        spent=await turn.uow.time.spent_seconds(task_id) // 60,
    )


def team_list_reply(
    turn: Turn,
    view: ListView,
    page: Page[Task],
    number: int,
    nav: Paging,
    names: dict[int, str],
    label: str | None,
) -> Reply:
    """Someone else's tasks (a manager's team, one report), grouped by responsible."""
    day_end = end_of_local_day(turn.now, turn.tz)
    rows: list[tuple[Button, ...]] = [
        (turn.button("btn.open", OpenTask(t.id), id=t.id, title=t.title[:40]),) for t in page.items
    ]
    paging: list[Button] = []
    if page.has_prev:
        paging.append(turn.button("btn.prev", nav(number - 1)))
    if page.has_next:
        paging.append(turn.button("btn.next", nav(number + 1)))
    if paging:
        rows.append(tuple(paging))
    groups: list[tuple[str, list[tuple[Task, str]]]] = []
    for task in page.items:
        name = names.get(task.responsible_id, "?")
        if not groups or groups[-1][0] != name:
            groups.append((name, []))
        groups[-1][1].append((task, task.cue(turn.now, day_end).value))
    return turn.edit(
        "team_list",
        tuple(rows),
        view=view.value,
        groups=groups,
        page=page,
        number=number,
        label=label,
    )


def list_reply(
    turn: Turn,
    view: ListView | str,
    page: Page[Task],
    number: int,
    nav: Paging | None,
    **extra: object,
) -> Reply:
    """A page of tasks with an Open button each; ``nav`` is the action of another page."""
    day_end = end_of_local_day(turn.now, turn.tz)
    rows: list[tuple[Button, ...]] = [
        (turn.button("btn.open", OpenTask(t.id), id=t.id, title=t.title[:40]),) for t in page.items
    ]
    paging: list[Button] = []
    if nav is not None and page.has_prev:
        paging.append(turn.button("btn.prev", nav(number - 1)))
    if nav is not None and page.has_next:
        paging.append(turn.button("btn.next", nav(number + 1)))
    if paging:
        rows.append(tuple(paging))
    items = [(t, t.cue(turn.now, day_end).value) for t in page.items]
    return turn.edit(
        "task_list", tuple(rows), view=str(view), items=items, page=page, number=number, **extra
    )
