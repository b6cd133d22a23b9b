"""The task repository: rows <-> Task, history, comments, list views and search."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict
from domain.ids import with_id
from domain.ports import ListView, Page, SearchQuery, TaskQuery
from domain.search import index_terms
from domain.tasks import (
    Comment,
    HistorySummary,
    NewComment,
    NewTask,
    Priority,
    Rating,
    Task,
    TaskEvent,
    TaskKind,
    TaskStatus,
)
from storage.models import (
    OutboxRow,
    TaskCommentRow,
    TaskEventRow,
    TaskParticipantRow,
    TaskRow,
    TaskTagRow,
    TaskTermRow,
)
from storage.repositories._sql import insert_ignore, rowcount, table_of
from storage.repositories.outbox import SENT

_TASKS = table_of(TaskRow)
# Prebuilt statements of the creation path (see storage/README.md).
_INSERT_TASK = insert(_TASKS).returning(_TASKS.c.id)
_INSERT_PARTICIPANTS = insert(table_of(TaskParticipantRow))
_INSERT_TAGS = insert(table_of(TaskTagRow))
_INSERT_TERMS = insert(table_of(TaskTermRow))
_INSERT_EVENTS = insert(table_of(TaskEventRow))
# ... and of a button press: the task, its people and tags, what its card shows.
_PEOPLE = table_of(TaskParticipantRow)
_TAGS = table_of(TaskTagRow)
_EVENTS = table_of(TaskEventRow)
_COMMENTS = table_of(TaskCommentRow)
_TASK_BY_ID = select(_TASKS).where(_TASKS.c.id == bindparam("id"))
_PEOPLE_OF = select(_PEOPLE.c.task_id, _PEOPLE.c.member_id, _PEOPLE.c.role).where(
    _PEOPLE.c.task_id.in_(bindparam("ids", expanding=True))
)
_TAGS_OF = select(_TAGS.c.task_id, _TAGS.c.tag).where(
    _TAGS.c.task_id.in_(bindparam("ids", expanding=True))
)
_HISTORY_SUMMARY = select(
    func.count().filter(and_(_EVENTS.c.field == "deadline", _EVENTS.c.old.is_not(None))),
    func.count().filter(_EVENTS.c.field == "responsible"),
).where(_EVENTS.c.task_id == bindparam("task"))
_LAST_COMMENTS = (
    select(_COMMENTS)
    .where(_COMMENTS.c.task_id == bindparam("task"))
    .order_by(_COMMENTS.c.id.desc())
    .limit(bindparam("limit"))
)
_SUBTASK_PROGRESS = select(
    func.count().filter(_TASKS.c.status == TaskStatus.COMPLETED.value), func.count()
).where(_TASKS.c.parent_id == bindparam("task"))

CO_EXECUTOR, OBSERVER = "co_executor", "observer"
SEARCH_COUNT_CAP = 200
_PLAIN_FIELDS = (
    "company_id", "title", "description", "creator_id", "responsible_id", "project_id",
    "deadline", "deadline_hard", "planned_minutes", "time_tracking", "accept_after_completion",
    "parent_id", "result", "rating_reason", "created_at", "completed_at", "previous_part_id",
    "part_number", "source_ref",
)  # fmt: skip


_UPDATED_FIELDS = (
    *_PLAIN_FIELDS, "priority", "kind", "status", "is_open", "rating", "crm_links",
    "attachments", "updated_at", "version",
)  # fmt: skip
# Parameters are prefixed: a bind named like a column is SQLAlchemy's own in an UPDATE.
_UPDATE_TASK = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("w_id"), _TASKS.c.version == bindparam("w_version"))
    .values({name: bindparam(f"v_{name}") for name in _UPDATED_FIELDS})
)
_DELETE_PEOPLE = delete(_PEOPLE).where(_PEOPLE.c.task_id == bindparam("task"))
_DELETE_TAGS = delete(_TAGS).where(_TAGS.c.task_id == bindparam("task"))
_TERMS = table_of(TaskTermRow)
_DELETE_TITLE_TERMS = delete(_TERMS).where(
    _TERMS.c.task_id == bindparam("task"), _TERMS.c.source == "t"
)


def _values(task: NewTask) -> dict[str, Any]:
    values = {f: getattr(task, f) for f in _PLAIN_FIELDS}
    values.update(
        priority=task.priority.value,
        kind=task.kind.value,
        status=task.status.value,
        is_open=task.is_open,
        rating=task.rating.value if task.rating else None,
        crm_links=sorted(task.crm_links),
        attachments=list(task.attachments),
        updated_at=task.pending_events[-1].at if task.pending_events else task.created_at,
    )
    return values


def _task(row: TaskRow | Row[Any], people: Sequence[tuple[int, str]], tags: Sequence[str]) -> Task:
    task = Task(
        id=row.id,
        priority=Priority(row.priority),
        kind=TaskKind(row.kind),
        status=TaskStatus(row.status),
        rating=Rating(row.rating) if row.rating else None,
        co_executors={m for m, role in people if role == CO_EXECUTOR},
        observers={m for m, role in people if role == OBSERVER},
        tags=set(tags),
        crm_links=set(row.crm_links or ()),
        attachments=list(row.attachments or ()),
        version=row.version,
        **{f: getattr(row, f) for f in _PLAIN_FIELDS},
    )
    return task


def _copy(task: Task) -> Task:
    return dataclasses.replace(
        task,
        co_executors=set(task.co_executors),
        observers=set(task.observers),
        tags=set(task.tags),
        crm_links=set(task.crm_links),
        attachments=list(task.attachments),
        pending_events=[],
    )


def _children_key(task: Task) -> tuple[object, ...]:
    """What the child rows (participants, tags, search terms) are made of."""
    return (task.co_executors, task.observers, task.tags, task.title, task.description)


class SqlTaskRepository:
    """Tasks read or written in this unit of work are remembered as stored, by id: a
    button press loads its task for the permission check, the change and the new card
    from one read, and a save that leaves people, tags and text alone rewrites no
    child rows. Callers always get copies; every write to ``tasks`` goes through here."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session
        self._stored: dict[int, Task] = {}

    def _remember(self, task: Task) -> Task:
        self._stored[task.id] = _copy(task)
        return task

    # -- writes -------------------------------------------------------------------------
    async def add(self, new: NewTask) -> Task:
        # Every column given (version too): no Python-side default left to compute.
        values = {**_values(new), "version": new.version}
        task = with_id(Task, new, (await self._s.execute(_INSERT_TASK, values)).scalar_one())
        await self._write_children(task)
        return self._remember(task)

    async def save(self, task: Task) -> None:
        values = {f"v_{name}": value for name, value in _values(task).items()}
        values.update(v_version=task.version + 1, w_id=task.id, w_version=task.version)
        if rowcount(await self._s.execute(_UPDATE_TASK, values)) != 1:
            raise Conflict(task_id=task.id)
        task.version += 1
        before = self._stored.get(task.id)
        if before is not None and _children_key(before) == _children_key(task):
            await self._write_events(task)
        else:
            for statement in (_DELETE_PEOPLE, _DELETE_TAGS, _DELETE_TITLE_TERMS):
                await self._s.execute(statement, {"task": task.id})
            await self._write_children(task)
        self._remember(task)

    async def _write_children(self, task: Task) -> None:
        task_id = task.id
        people = [
            {"task_id": task_id, "member_id": m, "role": CO_EXECUTOR}
            for m in sorted(task.co_executors)
        ]
        people += [
            {"task_id": task_id, "member_id": m, "role": OBSERVER} for m in sorted(task.observers)
        ]
        if people:
            await self._s.execute(_INSERT_PARTICIPANTS, people)
        if task.tags:
            await self._s.execute(
                _INSERT_TAGS, [{"task_id": task_id, "tag": t} for t in sorted(task.tags)]
            )
        terms = index_terms(task.title, task.description, " ".join(task.tags))
        if terms:
            await self._s.execute(
                _INSERT_TERMS,
                [{"task_id": task_id, "term": t, "source": "t"} for t in sorted(terms)],
            )
        await self._write_events(task)

    async def _write_events(self, task: Task) -> None:
        task_id = task.id
        if task.pending_events:
            await self._s.execute(
                _INSERT_EVENTS,
                [
                    {
                        "task_id": task_id,
                        "actor_id": e.actor_id,
                        "at": e.at,
                        "field": e.field,
                        "old": e.old,
                        "new": e.new,
                    }
                    for e in task.pending_events
                ],
            )
            task.pending_events.clear()

    async def delete(self, task_id: int) -> None:
        self._stored.pop(task_id, None)
        for table in (TaskParticipantRow, TaskTagRow, TaskTermRow, TaskEventRow, TaskCommentRow):
            await self._s.execute(delete(table).where(table.task_id == task_id))
        await self._s.execute(delete(TaskRow).where(TaskRow.id == task_id))

    async def add_comment(self, comment: NewComment) -> Comment:
        inserted = await self._s.execute(
            insert(TaskCommentRow)
            .values(
                task_id=comment.task_id,
                author_id=comment.author_id,
                at=comment.at,
                text=comment.text,
            )
            .returning(TaskCommentRow.id)
        )
        comment_id = inserted.scalar_one()
        await insert_ignore(
            self._s,
            TaskTermRow.__table__,  # type: ignore[arg-type]
            [
                {"task_id": comment.task_id, "term": t, "source": "c"}
                for t in sorted(index_terms(comment.text))
            ],
        )
        return with_id(Comment, comment, comment_id)

    # -- single reads -------------------------------------------------------------------
    async def get(self, task_id: int) -> Task | None:
        if task_id in self._stored:
            return _copy(self._stored[task_id])
        rows = (await self._s.execute(_TASK_BY_ID, {"id": task_id})).all()
        if not rows:
            return None
        return self._remember((await self._hydrate(rows))[0])

    async def _hydrate(self, rows: Sequence[TaskRow | Row[Any]]) -> list[Task]:
        ids = [r.id for r in rows]
        if not ids:
            return []
        people: dict[int, list[tuple[int, str]]] = {i: [] for i in ids}
        tags: dict[int, list[str]] = {i: [] for i in ids}
        for task_id, member_id, role in (await self._s.execute(_PEOPLE_OF, {"ids": ids})).all():
            people[task_id].append((member_id, role))
        for task_id, tag in (await self._s.execute(_TAGS_OF, {"ids": ids})).all():
            tags[task_id].append(tag)
        return [_task(r, people[r.id], tags[r.id]) for r in rows]

    async def history_summary(self, task_id: int) -> HistorySummary:
        (row,) = (await self._s.execute(_HISTORY_SUMMARY, {"task": task_id})).all()
        return HistorySummary(deadline_moves=int(row[0] or 0), delegations=int(row[1] or 0))

    async def history(self, task_id: int) -> Sequence[TaskEvent]:
        rows = await self._s.scalars(
            select(TaskEventRow).where(TaskEventRow.task_id == task_id).order_by(TaskEventRow.id)
        )
        return [TaskEvent(r.actor_id, r.at, r.field, r.old, r.new) for r in rows]

    async def comments(self, task_id: int, limit: int = 5) -> Sequence[Comment]:
        rows = (await self._s.execute(_LAST_COMMENTS, {"task": task_id, "limit": limit})).all()
        return [Comment(r.task_id, r.author_id, r.at, r.text, id=r.id) for r in reversed(rows)]

    async def notified(self, task_id: int) -> set[int]:
        # Task notifications' dedup keys are "kind:task_id:member:version" (LIKE narrows
        # the rows); the row's data says exactly which task it was about.
        rows = await self._s.execute(
            select(OutboxRow.member_id, OutboxRow.data).where(
                OutboxRow.status == SENT, OutboxRow.dedup_key.like(f"%:{task_id}:%")
            )
        )
        return {
            int(member_id)
            for member_id, data in rows
            if isinstance(data, dict) and data.get("task_id") == task_id
        }

    async def subtask_progress(self, task_id: int) -> tuple[int, int]:
        (row,) = (await self._s.execute(_SUBTASK_PROGRESS, {"task": task_id})).all()
        return int(row[0] or 0), int(row[1] or 0)

    async def children(self, task_id: int) -> Sequence[Task]:
        rows = await self._s.scalars(
            select(TaskRow).where(TaskRow.parent_id == task_id).order_by(TaskRow.id)
        )
        return await self._hydrate(list(rows))

    # -- lists and search ---------------------------------------------------------------
    async def list(self, query: TaskQuery) -> Page[Task]:
        return await self._page(
            _list_filter(query),
            query.limit,
            query.offset,
            by_person=query.member_ids is not None,
        )

    async def search(self, query: SearchQuery) -> Page[Task]:
        conditions: list[ColumnElement[bool]] = [TaskRow.company_id == query.company_id]
        for group in query.stem_groups:
            conditions.append(
                TaskRow.id.in_(select(TaskTermRow.task_id).where(TaskTermRow.term.in_(group)))
            )
        if query.project_id is not None:
            conditions.append(TaskRow.project_id == query.project_id)
        if query.visible_projects is not None:
            visible = _involved(query.member_id)
            if query.visible_projects:
                visible = or_(visible, TaskRow.project_id.in_(query.visible_projects))
            if query.team_ids:
                visible = or_(visible, TaskRow.responsible_id.in_(query.team_ids))
            conditions.append(visible)
        return await self._page(
            and_(*conditions),
            query.limit,
            query.offset,
            newest_first=True,
            count_up_to=SEARCH_COUNT_CAP,
        )

    async def _page(
        self,
        where: ColumnElement[bool],
        limit: int,
        offset: int,
        *,
        newest_first: bool = False,
        count_up_to: int | None = None,
        by_person: bool = False,
    ) -> Page[Task]:
        counted = select(TaskRow.id).where(where)
        if count_up_to is not None:
            counted = counted.limit(count_up_to + 1)
        total = int(await self._s.scalar(select(func.count()).select_from(counted.subquery())) or 0)
        more = count_up_to is not None and total > count_up_to
        if more:
            total = count_up_to or 0
        stmt = select(TaskRow).where(where)
        if newest_first:
            stmt = stmt.order_by(TaskRow.id.desc())
        elif by_person:  # a team's list reads person by person
            stmt = stmt.order_by(
                TaskRow.responsible_id, TaskRow.deadline.is_(None), TaskRow.deadline, TaskRow.id
            )
        else:
            stmt = stmt.order_by(TaskRow.deadline.is_(None), TaskRow.deadline, TaskRow.id)
        rows = list(await self._s.scalars(stmt.limit(limit).offset(offset)))
        return Page(
            items=await self._hydrate(rows), total=total, offset=offset, limit=limit, more=more
        )


def _participant(member_id: int, role: str) -> ColumnElement[bool]:
    # IN (uncorrelated) rather than EXISTS: SQLite then ORs two index lookups
    # (responsible, participants) instead of probing every open task of the company.
    return TaskRow.id.in_(
        select(TaskParticipantRow.task_id).where(
            TaskParticipantRow.member_id == member_id, TaskParticipantRow.role == role
        )
    )


def _doing(member_id: int) -> ColumnElement[bool]:
    return or_(TaskRow.responsible_id == member_id, _participant(member_id, CO_EXECUTOR))


def _involved(member_id: int) -> ColumnElement[bool]:
    return or_(
        _doing(member_id), TaskRow.creator_id == member_id, _participant(member_id, OBSERVER)
    )


def _doing_any(member_ids: frozenset[int]) -> ColumnElement[bool]:
    return or_(
        TaskRow.responsible_id.in_(member_ids),
        TaskRow.id.in_(
            select(TaskParticipantRow.task_id).where(
                TaskParticipantRow.member_id.in_(member_ids),
                TaskParticipantRow.role == CO_EXECUTOR,
            )
        ),
    )


def _others_filter(q: TaskQuery, member_ids: frozenset[int]) -> ColumnElement[bool]:
    """The views asked about other members (a manager's team): their work, their tasks
    waiting for acceptance; views that only make sense for oneself show their work too."""
    is_open = TaskRow.is_open.is_(True)
    doing = _doing_any(member_ids)
    match q.view:
        case ListView.TODAY:
            cond = and_(is_open, doing, TaskRow.deadline < q.day_end)
        case ListView.OVERDUE:
            cond = and_(is_open, doing, TaskRow.deadline < q.now)
        case ListView.NEW:
            cond = and_(doing, TaskRow.status == TaskStatus.NEW.value)
        case ListView.AWAITING:
            cond = and_(
                TaskRow.responsible_id.in_(member_ids),
                TaskRow.status == TaskStatus.AWAITING_ACCEPTANCE.value,
            )
        case ListView.BACKLOG:
            cond = and_(is_open, doing, TaskRow.kind == TaskKind.BACKLOG.value)
        case _:
            cond = and_(is_open, doing)
    return and_(TaskRow.company_id == q.company_id, cond)


def _list_filter(q: TaskQuery) -> ColumnElement[bool]:
    if q.member_ids is not None:
        return _others_filter(q, q.member_ids)
    base = [TaskRow.company_id == q.company_id]
    is_open = TaskRow.is_open.is_(True)
    match q.view:
        case ListView.TODAY:
            cond = and_(is_open, _doing(q.member_id), TaskRow.deadline < q.day_end)
        case ListView.OVERDUE:
            cond = and_(is_open, _doing(q.member_id), TaskRow.deadline < q.now)
        case ListView.NEW:
            cond = and_(_doing(q.member_id), TaskRow.status == TaskStatus.NEW.value)
        case ListView.MINE:
            cond = and_(is_open, _doing(q.member_id))
        case ListView.CREATED:
            cond = and_(is_open, TaskRow.creator_id == q.member_id)
        case ListView.OBSERVING:
            cond = and_(is_open, _participant(q.member_id, OBSERVER))
        case ListView.AWAITING:
            cond = and_(
                TaskRow.creator_id == q.member_id,
                TaskRow.status == TaskStatus.AWAITING_ACCEPTANCE.value,
            )
        case ListView.PROJECT:
            cond = and_(is_open, TaskRow.project_id == q.project_id)
        case ListView.TAG:
            cond = and_(
                is_open,
                _involved(q.member_id),
                TaskRow.id.in_(select(TaskTagRow.task_id).where(TaskTagRow.tag == q.tag)),
            )
        case ListView.BACKLOG:
            cond = and_(is_open, _doing(q.member_id), TaskRow.kind == TaskKind.BACKLOG.value)
    return and_(*base, cond)
