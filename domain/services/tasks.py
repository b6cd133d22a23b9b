"""Task use cases: create, act on, read. Permissions are checked here, at press time."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.approvals import Verdict
from domain.company import Member
from domain.errors import InvalidInput, MemberNotFound, NotPermitted, TaskNotFound
from domain.events import TaskAcceptanceDecided, TaskAwaitingAcceptance, TaskCompleted
from domain.notifications import Notification
from domain.policies import Action, TaskContext, allowed, require
from domain.ports import ListView, Page, SearchQuery, TaskQuery, UnitOfWork
from domain.search import query_groups
from domain.services import approvals
from domain.services.team import Scope, superiors, team_ids
from domain.tasks import (
    Comment,
    HistorySummary,
    NewComment,
    NewTask,
    Priority,
    Rating,
    SubtaskProgress,
    Task,
    TaskEvent,
    TaskKind,
    TaskStatus,
    split_title,
)

BACKLOG_HORIZON = timedelta(days=365)
PAGE_SIZE = 8


@dataclass(frozen=True)
class CreateTask:
    """A command: everything a new task may carry. Unset fields get the regulations' defaults."""

    title: str
    description: str | None = None
    responsible_id: int | None = None
    co_executor_ids: tuple[int, ...] = ()
    observer_ids: tuple[int, ...] = ()
    project_id: int | None = None
    tags: tuple[str, ...] = ()
    priority: Priority = Priority.MEDIUM
    deadline: datetime | None = None
    deadline_hard: bool = False
    planned_minutes: int | None = None
    kind: TaskKind = TaskKind.REGULAR
    parent_id: int | None = None
    accept_after_completion: bool = True
    source_ref: str | None = None
    attachments: tuple[str, ...] = ()
    crm_links: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskCard:
    """A read model: the task and what a card shows around it."""

    task: Task
    history: HistorySummary
    subtasks: SubtaskProgress
    comments: Sequence[Comment]
    names: dict[int, str] = field(default_factory=dict)
    project_name: str | None = None
    can: frozenset[Action] = frozenset()
    # Whose timer runs on the task now (member ids): a timer is a person's, and the card
    # shows a co-executor's as theirs (domain.services.timetracking, the rule).
    timing: tuple[int, ...] = ()
    my_timer: str | None = None  # the viewer's timer on this task: "running", "paused"
    returned: TaskEvent | None = None  # the director's return, while the rework is open

    def working_others(self) -> list[str]:
        """Names of those timing the task now, except its responsible (whose timer is its
        "in progress")."""
        return [self.names.get(m, "?") for m in self.timing if m != self.task.responsible_id]


# -- loading and context ------------------------------------------------------------


async def _context(uow: UnitOfWork, actor: Member, task: Task) -> TaskContext:
    return TaskContext(
        # Heads and managers up the whole chain: a director sees their people's people.
        responsible_supervisors=await superiors(uow, task.responsible_id),
        actor_project_ids=await uow.projects.ids_for_member(actor.id),
    )


async def load_for(uow: UnitOfWork, actor: Member, task_id: int, action: Action) -> Task:
    task = await uow.tasks.get(task_id)
    if task is None:
        raise TaskNotFound(task_id=task_id)
    require(actor, task, action, await _context(uow, actor, task))
    return task


async def _colleague(uow: UnitOfWork, actor: Member, member_id: int) -> Member:
    member = await uow.members.get(member_id)
    if member is None or member.company_id != actor.company_id or not member.active:
        raise MemberNotFound(member_id=member_id)
    return member


async def _notify(
    uow: UnitOfWork,
    kind: str,
    task: Task,
    recipients: Iterable[int],
    *,
    actor: Member,
    **data: object,
) -> None:
    """Queue one notification per recipient, never to the actor themselves."""
    for member_id in sorted(set(recipients) - {actor.id}):
        await uow.outbox.add(
            Notification(
                member_id=member_id,
                kind=kind,
                data={"task_id": task.id, "actor_id": actor.id, **data},
                dedup_key=f"{kind}:{task.id}:{member_id}:{task.version}",
            )
        )


# -- create ---------------------------------------------------------------------------


async def create_task(uow: UnitOfWork, actor: Member, cmd: CreateTask, now: datetime) -> Task:
    title, overflow = split_title(cmd.title)
    description = "\n\n".join(p for p in (overflow, cmd.description) if p) or None
    responsible_id = cmd.responsible_id or actor.id
    people = {responsible_id, *cmd.co_executor_ids, *cmd.observer_ids}
    for member_id in people - {actor.id}:
        await _colleague(uow, actor, member_id)
    if cmd.parent_id is not None:
        await load_for(uow, actor, cmd.parent_id, Action.ADD_SUBTASK)
    if cmd.project_id is not None:
        project = await uow.projects.get(cmd.project_id)
        if project is None or project.company_id != actor.company_id:
            raise InvalidInput(field="project", reason="unknown")
        if project.archived:
            raise InvalidInput(field="project", reason="archived", value=project.name)
        if actor.is_extranet and actor.id not in project.member_ids:
            raise NotPermitted(action="create")
    elif actor.is_extranet:
        # Extranet members see only their projects, so a task outside one would vanish.
        raise InvalidInput(field="project", reason="required_for_extranet")
    if cmd.planned_minutes is not None and not 0 < cmd.planned_minutes <= 100 * 60:
        raise InvalidInput(field="planned", reason="out_of_range")
    deadline = cmd.deadline
    if deadline is None and cmd.kind is TaskKind.BACKLOG:
        deadline = now + BACKLOG_HORIZON
    task = NewTask(
        company_id=actor.company_id,
        title=title,
        description=description,
        creator_id=actor.id,
        responsible_id=responsible_id,
        created_at=now,
        co_executors=set(cmd.co_executor_ids) - {responsible_id},
        observers=set(cmd.observer_ids),
        project_id=cmd.project_id,
        tags={t.lower().lstrip("#") for t in cmd.tags if t.strip("#")},
        priority=cmd.priority,
        deadline=deadline,
        deadline_hard=cmd.deadline_hard,
        planned_minutes=cmd.planned_minutes,
        # A general task's work is in its subtasks, so its own timer stays off.
        time_tracking=cmd.kind is not TaskKind.GENERAL,
        accept_after_completion=cmd.accept_after_completion,
        parent_id=cmd.parent_id,
        kind=cmd.kind,
        crm_links=set(cmd.crm_links),
        source_ref=cmd.source_ref,
        attachments=list(cmd.attachments),
    )
    task.pending_events.append(TaskEvent(actor.id, now, "created", None, title))
    task = await uow.tasks.add(task)
    await _notify(uow, "task.assigned", task, [responsible_id], actor=actor)
    await _notify(uow, "task.co_executor", task, task.co_executors, actor=actor)
    await _notify(uow, "task.observer", task, task.observers, actor=actor)
    return task


# -- status changes ---------------------------------------------------------------------


async def defer_task(uow: UnitOfWork, actor: Member, task_id: int, now: datetime) -> Task:
    """The people doing the work put it off (starting and pausing go with the timer)."""
    task = await load_for(uow, actor, task_id, Action.START)
    task.defer(actor.id, now)
    await uow.tasks.save(task)
    return task


async def complete_task(
    uow: UnitOfWork, actor: Member, task_id: int, result: str, now: datetime
) -> Task:
    task = await load_for(uow, actor, task_id, Action.COMPLETE)
    task.complete(actor.id, now, result)
    await uow.tasks.save(task)
    await uow.publish(TaskCompleted(task.id, now))
    if task.status is TaskStatus.AWAITING_ACCEPTANCE:
        # Acceptance runs on the approval engine: the director is the request's approver.
        await uow.publish(TaskAwaitingAcceptance(task.id, actor.id, now))
        await _notify(uow, "task.awaiting_acceptance", task, [task.creator_id], actor=actor)
    else:
        await _notify(uow, "task.completed", task, [task.creator_id, *task.observers], actor=actor)
    return task


async def load_for_acceptance(
    uow: UnitOfWork, actor: Member, task_id: int, now: datetime
) -> tuple[Task, int | None]:
    """The task, if the actor may accept or return it now, and whom they act for.

    The director (the acceptance request's approver), a manager it was escalated to,
    the deputy of either, or an admin (acting for the director) may decide.
    """
    task = await uow.tasks.get(task_id)
    if task is None:
        raise TaskNotFound(task_id=task_id)
    approver, behalf = await approvals.task_acceptance_role(uow, actor, task, now)
    ctx = await _context(uow, actor, task)
    if not approver:
        require(actor, task, Action.ACCEPT, ctx)
    elif not allowed(actor, task, Action.VIEW, ctx):
        # A deputy or escalated manager decides: they need to see the task they judge.
        task.add_observer(actor.id, now, actor.id)
    return task, behalf


async def accept_task(
    uow: UnitOfWork,
    actor: Member,
    task_id: int,
    rating: Rating,
    reason: str | None,
    now: datetime,
) -> Task:
    task, behalf = await load_for_acceptance(uow, actor, task_id, now)
    task.accept(actor.id, now, rating, reason)
    await uow.tasks.save(task)
    comment = f"{rating.value}: {task.rating_reason}" if task.rating_reason else rating.value
    await uow.publish(
        TaskAcceptanceDecided(task.id, actor.id, Verdict.APPROVE, comment, behalf, now)
    )
    await _notify(uow, "task.accepted", task, [task.responsible_id], actor=actor)
    return task


async def return_task(
    uow: UnitOfWork,
    actor: Member,
    task_id: int,
    reason: str,
    new_deadline: datetime | None,
    now: datetime,
) -> Task:
    task, behalf = await load_for_acceptance(uow, actor, task_id, now)
    task.return_for_rework(actor.id, now, reason, new_deadline)
    await uow.tasks.save(task)
    await uow.publish(
        TaskAcceptanceDecided(task.id, actor.id, Verdict.RETURN, reason.strip(), behalf, now)
    )
    await _notify(uow, "task.returned", task, [task.responsible_id], actor=actor, reason=reason)
    return task


async def reopen_task(uow: UnitOfWork, actor: Member, task_id: int, now: datetime) -> Task:
    task = await load_for(uow, actor, task_id, Action.REOPEN)
    task.reopen(actor.id, now)
    await uow.tasks.save(task)
    await _notify(uow, "task.reopened", task, [task.responsible_id, task.creator_id], actor=actor)
    return task


# -- people and dates --------------------------------------------------------------------


async def delegate_task(
    uow: UnitOfWork, actor: Member, task_id: int, member_id: int, now: datetime
) -> Task:
    task = await load_for(uow, actor, task_id, Action.DELEGATE)
    await _colleague(uow, actor, member_id)
    previous = task.responsible_id
    task.delegate(actor.id, now, member_id)
    await uow.tasks.save(task)
    await _notify(uow, "task.assigned", task, [member_id], actor=actor)
    await _notify(uow, "task.delegated_away", task, [previous, task.creator_id], actor=actor)
    return task


async def move_deadline(
    uow: UnitOfWork, actor: Member, task_id: int, deadline: datetime | None, now: datetime
) -> Task:
    task = await load_for(uow, actor, task_id, Action.MOVE_DEADLINE)
    if task.deadline_hard:
        require(actor, task, Action.MOVE_HARD_DEADLINE, await _context(uow, actor, task))
    task.move_deadline(actor.id, now, deadline)
    await uow.tasks.save(task)
    await _notify(
        uow, "task.deadline_moved", task, [task.responsible_id, task.creator_id], actor=actor
    )
    return task


async def add_observer(
    uow: UnitOfWork, actor: Member, task_id: int, member_id: int, now: datetime
) -> Task:
    task = await load_for(uow, actor, task_id, Action.OBSERVE)
    await _colleague(uow, actor, member_id)
    task.add_observer(actor.id, now, member_id)
    await uow.tasks.save(task)
    await _notify(uow, "task.observer", task, [member_id], actor=actor)
    return task


async def add_co_executor(
    uow: UnitOfWork, actor: Member, task_id: int, member_id: int, now: datetime
) -> Task:
    task = await load_for(uow, actor, task_id, Action.DELEGATE)
    await _colleague(uow, actor, member_id)
    task.add_co_executor(actor.id, now, member_id)
    await uow.tasks.save(task)
    await _notify(uow, "task.co_executor", task, [member_id], actor=actor)
    return task


async def set_priority(
    uow: UnitOfWork, actor: Member, task_id: int, priority: Priority, now: datetime
) -> Task:
    task = await load_for(uow, actor, task_id, Action.EDIT)
    task.set_priority(actor.id, now, priority)
    await uow.tasks.save(task)
    return task


async def set_project(
    uow: UnitOfWork, actor: Member, task_id: int, project_id: int | None, now: datetime
) -> Task:
    task = await load_for(uow, actor, task_id, Action.EDIT)
    if project_id is not None:
        project = await uow.projects.get(project_id)
        if project is None or project.company_id != actor.company_id:
            raise InvalidInput(field="project", reason="unknown", value=str(project_id))
        if project.archived and project_id != task.project_id:
            raise InvalidInput(field="project", reason="archived", value=project.name)
    task.set_project(actor.id, now, project_id)
    await uow.tasks.save(task)
    return task


async def rename_task(
    uow: UnitOfWork, actor: Member, task_id: int, title: str, now: datetime
) -> Task:
    """A new title (its history keeps the old one); what does not fit goes to the
    description, as when the task was created."""
    task = await load_for(uow, actor, task_id, Action.EDIT)
    if not title.strip():
        raise InvalidInput(field="title", reason="empty")
    overflow = task.rename(actor.id, now, " ".join(title.split()))
    if overflow:
        task.description = "\n\n".join(p for p in (overflow, task.description) if p)
    await uow.tasks.save(task)
    return task


async def set_tags(
    uow: UnitOfWork, actor: Member, task_id: int, tags: Iterable[str], now: datetime
) -> Task:
    task = await load_for(uow, actor, task_id, Action.EDIT)
    task.set_tags(actor.id, now, set(tags))
    await uow.tasks.save(task)
    return task


async def set_planned(
    uow: UnitOfWork, actor: Member, task_id: int, minutes: int | None, now: datetime
) -> Task:
    task = await load_for(uow, actor, task_id, Action.EDIT)
    task.set_planned(actor.id, now, minutes)
    await uow.tasks.save(task)
    return task


# -- comments and parts -----------------------------------------------------------------


async def comment_task(
    uow: UnitOfWork,
    actor: Member,
    task_id: int,
    text: str,
    now: datetime,
    *,
    reopen: bool = False,
) -> Task:
    """Comment; with ``reopen`` a comment resurrects a closed task (creator/responsible)."""
    task = await load_for(uow, actor, task_id, Action.COMMENT)
    text = text.strip()
    if not text:
        raise InvalidInput(field="comment", reason="empty")
    await uow.tasks.add_comment(NewComment(task.id, actor.id, now, text))
    if reopen and not task.is_open:
        require(actor, task, Action.REOPEN, await _context(uow, actor, task))
        task.reopen(actor.id, now)
    task.pending_events.append(TaskEvent(actor.id, now, "comment", None, text[:200]))
    await uow.tasks.save(task)
    await _notify(uow, "task.commented", task, task.participants(), actor=actor)
    return task


async def copy_as_part(
    uow: UnitOfWork,
    actor: Member,
    task_id: int,
    deadline: datetime,
    now: datetime,
    result: str | None = None,
) -> tuple[Task, Task]:
    """Carry unfinished work over: "(part N)" copy with a new deadline; this part completes."""
    current = await load_for(uow, actor, task_id, Action.COPY_PART)
    if deadline <= now:
        raise InvalidInput(field="deadline", reason="in_past")
    current._check("copy_part")
    title, number = current.part_title()
    part = NewTask(
        company_id=current.company_id,
        title=title,
        description=current.description,
        creator_id=current.creator_id,
        responsible_id=current.responsible_id,
        created_at=now,
        co_executors=set(current.co_executors),
        observers=set(current.observers),
        project_id=current.project_id,
        tags=set(current.tags),
        priority=current.priority,
        deadline=deadline,
        deadline_hard=current.deadline_hard,
        planned_minutes=current.planned_minutes,
        time_tracking=current.time_tracking,
        accept_after_completion=current.accept_after_completion,
        parent_id=current.parent_id,
        kind=current.kind,
        crm_links=set(current.crm_links),
        previous_part_id=current.id,
        part_number=number,
        source_ref=current.source_ref,
    )
    part.pending_events.append(TaskEvent(actor.id, now, "created", None, f"part of #{current.id}"))
    part = await uow.tasks.add(part)
    # The carried-over part is closed without acceptance: the work continues in the copy.
    current.accept_after_completion = False
    current.complete(actor.id, now, result or f"→ #{part.id}")
    await uow.tasks.save(current)
    await uow.publish(TaskCompleted(current.id, now))
    await _notify(uow, "task.assigned", part, [part.responsible_id], actor=actor)
    return current, part


# -- reading --------------------------------------------------------------------------------


async def task_card(uow: UnitOfWork, actor: Member, task_id: int) -> TaskCard:
    task = await load_for(uow, actor, task_id, Action.VIEW)
    ctx = await _context(uow, actor, task)
    done, total = await uow.tasks.subtask_progress(task.id)
    ids = task.participants()
    names: dict[int, str] = {}
    for member_id in ids:
        member = await uow.members.get(member_id)
        if member is not None:
            names[member_id] = member.name
    project = await uow.projects.get(task.project_id) if task.project_id else None
    # Others' timers are read without locking them (a card is only a view).
    workers = sorted({task.responsible_id, *task.co_executors, actor.id})
    timing = [t.member_id for t in await uow.time.running_timers(workers) if t.task_id == task.id]
    mine = await uow.time.timer(actor.id)
    my_timer = None
    if mine is not None and mine.task_id == task.id:
        my_timer = "running" if mine.running else "paused"
    names.setdefault(actor.id, actor.name)
    returned = None
    if task.is_open and task.result is None and task.status is not TaskStatus.NEW:
        # Returned for rework: the last word on the result is the director's return.
        history = await uow.tasks.history(task.id)
        last = next((e for e in reversed(history) if e.field in ("returned", "result")), None)
        if last is not None and last.field == "returned":
            returned = last
            if returned.actor_id is not None and returned.actor_id not in names:
                who = await uow.members.get(returned.actor_id)
                names[returned.actor_id] = who.name if who else "?"
    return TaskCard(
        task=task,
        history=await uow.tasks.history_summary(task.id),
        subtasks=SubtaskProgress(done, total),
        comments=await uow.tasks.comments(task.id),
        names=names,
        project_name=project.name if project else None,
        can=frozenset(a for a in Action if allowed(actor, task, a, ctx)),
        timing=tuple(sorted(timing)),
        my_timer=my_timer,
        returned=returned,
    )


def end_of_local_day(now: datetime, tz: str) -> datetime:
    local = now.astimezone(ZoneInfo(tz))
    return datetime.combine(
        local.date() + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(tz)
    )


async def list_tasks(
    uow: UnitOfWork,
    actor: Member,
    view: ListView,
    now: datetime,
    *,
    page: int = 0,
    project_id: int | None = None,
    tag: str | None = None,
    scope: Scope | None = None,
) -> Page[Task]:
    """A list view; with ``scope`` (see ``domain.services.team.scope_for``, which checks
    the actor may see them) the view is about those members instead of the actor."""
    if view is ListView.PROJECT:
        if project_id is None:
            raise InvalidInput(field="project", reason="required")
        if actor.is_extranet and project_id not in await uow.projects.ids_for_member(actor.id):
            raise NotPermitted(action="view")
    return await uow.tasks.list(
        TaskQuery(
            company_id=actor.company_id,
            member_id=actor.id,
            view=view,
            now=now,
            day_end=end_of_local_day(now, actor.timezone),
            project_id=project_id,
            tag=tag.lower().lstrip("#") if tag else None,
            limit=PAGE_SIZE,
            offset=max(page, 0) * PAGE_SIZE,
            member_ids=scope.member_ids if scope is not None else None,
        )
    )


async def search_tasks(uow: UnitOfWork, actor: Member, text: str, *, page: int = 0) -> Page[Task]:
    groups = query_groups(text)
    if not groups:
        raise InvalidInput(field="query", reason="empty")
    visible = None if actor.is_admin else await uow.projects.ids_for_member(actor.id)
    # Heads and managers find their people's tasks too (admins find everything anyway).
    team = frozenset() if actor.is_admin or actor.is_extranet else await team_ids(uow, actor)
    return await uow.tasks.search(
        SearchQuery(
            company_id=actor.company_id,
            member_id=actor.id,
            stem_groups=groups,
            visible_projects=visible,
            team_ids=team,
            limit=PAGE_SIZE,
            offset=max(page, 0) * PAGE_SIZE,
        )
    )


UNDO_WINDOW = timedelta(minutes=5)
# What the creation card lets one fix right away; such fixes do not block the Undo.
TASK_WITHDRAWN = "task.withdrawn"
_CONFIRMATION_FIXES = frozenset(
    {"created", "deadline", "responsible", "priority", "project", "tags", "planned"}
)


async def undo_create(uow: UnitOfWork, actor: Member, task_id: int, now: datetime) -> Task:
    """Take back a task just created by mistake: only its creator, within minutes, untouched."""
    task = await load_for(uow, actor, task_id, Action.VIEW)
    if task.creator_id != actor.id:
        raise NotPermitted(action="undo", task_id=task.id)
    if now - task.created_at > UNDO_WINDOW:
        raise InvalidInput(field="undo", reason="too_late")
    history = await uow.tasks.history(task.id)
    _done, total = await uow.tasks.subtask_progress(task.id)
    if total or any(e.field not in _CONFIRMATION_FIXES for e in history):
        raise InvalidInput(field="undo", reason="already_changed")
    # Who already heard of it is told it was withdrawn: "#12" in their chat is not a task
    # any more (and its number is never given to another one). A notification not sent
    # yet is simply dropped at send time (the task is gone).
    told = await uow.tasks.notified(task.id)
    people = {task.responsible_id, *task.co_executors, *task.observers} - {task.creator_id}
    for member_id in sorted(people & told):
        await uow.outbox.add(
            Notification(
                member_id=member_id,
                kind=TASK_WITHDRAWN,
                # The task is gone: its number and title travel with the notification.
                data={"withdrawn_id": task.id, "title": task.title, "actor_id": actor.id},
                dedup_key=f"{TASK_WITHDRAWN}:{task.id}:{member_id}",
            )
        )
    await uow.tasks.delete(task.id)
    return task
