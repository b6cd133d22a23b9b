"""Time-tracking use cases: timers, manual time and corrections, the working day,
the daily plan, the daily report and timesheets. The caller commits.

One rule ties timers and task states together, and the card, ``/timer``, the lists and
the daily report all follow it:

* **A timer is a person's.** Each member has at most one timer; starting, pausing,
  resuming or stopping it records that member's time and nobody else's.
* **A task is "in progress" while its responsible works on it.** The responsible's
  timer running on the task puts it in progress; when that timer pauses, stops (also
  with the working day's break or end, or an auto-stop) or moves to another task, the
  task goes back to "pending" (paused). A co-executor's (or an admin's) timer never
  changes the task's state: the card shows it as theirs.
* A task whose time is not tracked (a general task, tracking off) has no timers: its
  card's Start and Pause set the state directly.

Entries of a date whose daily report was submitted are locked: a change to them becomes
a TIME_CORRECTION request on the approval engine and is applied once approved
(``apply_correction``, run by the ``RequestDecided`` event ``approvals.decide`` publishes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.approval_types import BUILTIN, ApprovalType, FieldSpec, FieldType, LocalText
from domain.approvals import (
    REPORT_REVIEW,
    TIME_CORRECTION,
    ApprovalRequest,
    ApprovalStatus,
    Subject,
    SubjectKind,
)
from domain.company import Member, WorkSchedule
from domain.errors import InvalidInput, InvalidTransition, NotPermitted
from domain.events import MemberLeaving, RequestDecided, TaskCompleted
from domain.notifications import Notification
from domain.policies import Action
from domain.ports import ListView, UnitOfWork
from domain.services import approvals
from domain.services.tasks import list_tasks, load_for
from domain.tasks import Task, TaskKind, TaskStatus
from domain.timetracking import (
    PART_THRESHOLD_MINUTES,
    DailyPlan,
    DailyReport,
    DayEvent,
    DayEventKind,
    DayState,
    EntryChange,
    EntrySource,
    NewDailyReport,
    NewTimeEntry,
    PlanItem,
    TimeEntry,
    TimeError,
    Timer,
    check_day_move,
    day_state,
    local_day_bounds,
    parse_duration,
    parse_span,
    split_by_local_day,
    worked_seconds,
    working_minutes_left,
)

TIME_OVER = "task.time_over"
TIMER_STATE = "timer.state"  # the member's timer card (a pinned status message) is due an update
_STARTABLE = frozenset({TaskStatus.NEW, TaskStatus.PAUSED, TaskStatus.DEFERRED})
_PLAN_PAGES = 5


def _text_field(name: str, en: str, pl: str, ru: str) -> FieldSpec:
    return FieldSpec(name, FieldType.TEXT, LocalText.of({"en": en, "pl": pl, "ru": ru}))


CORRECTION_TYPE = ApprovalType(
    TIME_CORRECTION,
    BUILTIN[TIME_CORRECTION].title,
    fields=(
        _text_field("change", "Change", "Zmiana", "Изменение"),
        _text_field("reason", "Reason", "Powód", "Причина"),
    ),
)
REPORT_TYPE = ApprovalType(
    REPORT_REVIEW,
    BUILTIN[REPORT_REVIEW].title,
    fields=(
        # The per-task summary travels as the hidden answer ``_report`` (REPORT_KEY): the
        # card shows it as lines in the reader's language, and a correction updates it.
        _text_field("day", "Day", "Dzień", "День"),
        _text_field("comment", "Comment", "Komentarz", "Комментарий"),
    ),
)


def today_of(member: Member, now: datetime) -> date:
    return now.astimezone(ZoneInfo(member.timezone)).date()


async def _schedule(uow: UnitOfWork, member: Member) -> WorkSchedule:
    company = await uow.companies.get(member.company_id)
    return company.schedule if company else WorkSchedule()


# -- timers ---------------------------------------------------------------------------------


async def _timer_changed(
    uow: UnitOfWork, member_id: int, timer: Timer | None, now: datetime
) -> None:
    """One outbox row per change of a member's timer, for their timer card.

    The card is rendered from the timer as it is at send time, so rows piling up before
    the dispatcher runs all show the latest state: sending any of them is idempotent.
    The key names the new state too, so two different changes at one instant both go.
    """
    if timer is None:
        state = "stopped"
    else:
        state = f"{'running' if timer.running else 'paused'}:{timer.task_id}"
    await uow.outbox.add(
        Notification(
            member_id=member_id,
            kind=TIMER_STATE,
            data={"state": state},
            dedup_key=f"{TIMER_STATE}:{member_id}:{now.isoformat()}:{state}",
        )
    )


@dataclass(frozen=True)
class TimerChange:
    """What a timer command did, for the reply: the timer, entries written, side effects."""

    timer: Timer | None
    task: Task | None = None
    entries: Sequence[TimeEntry] = ()
    paused_task_id: int | None = None  # another task whose timer this start paused
    day_started: bool = False
    timer_skipped: bool = False  # a task without time tracking: status only


def check_trackable(task: Task) -> None:
    """A timer needs a task whose time is tracked: not a general task, tracking on."""
    if task.kind is TaskKind.GENERAL:
        raise TimeError(reason="general", task_id=task.id)
    if not task.time_tracking:
        raise TimeError(reason="tracking_off", task_id=task.id)


async def _ensure_day(uow: UnitOfWork, actor: Member, now: datetime) -> bool:
    """Starting work outside a started day starts (or resumes) the day; True if it did."""
    day = today_of(actor, now)
    events = await uow.time.day_events(actor.id, day)
    state = day_state(events)
    if state is DayState.WORKING:
        return False
    kind = DayEventKind.START if state is DayState.NOT_STARTED else DayEventKind.RESUME
    await uow.time.add_day_event(DayEvent(actor.id, actor.company_id, day, now, kind))
    return True


async def _write_entries(
    uow: UnitOfWork,
    actor: Member,
    task_id: int,
    start: datetime,
    end: datetime,
    source: EntrySource,
    comment: str | None,
    now: datetime,
    *,
    reason: str | None = None,
    owner: Member | None = None,
) -> list[TimeEntry]:
    """Entries for [start, end), one per local day of the owner; then the planned-time check."""
    owner = owner or actor
    written = []
    for day, piece_start, piece_end in split_by_local_day(start, end, owner.timezone):
        entry = await uow.time.add_entry(
            NewTimeEntry(
                company_id=owner.company_id,
                member_id=owner.id,
                task_id=task_id,
                started_at=piece_start,
                ended_at=piece_end,
                day=day,
                source=source,
                comment=comment,
            )
        )
        await uow.time.add_change(
            EntryChange(entry.id, actor.id, now, "created", None, entry.describe(), reason)
        )
        written.append(entry)
    if written:
        await _check_planned(uow, task_id)
    return written


async def _check_planned(uow: UnitOfWork, task_id: int) -> None:
    """Crossing the planned time tells the responsible, once (the outbox dedup key)."""
    task = await uow.tasks.get(task_id)
    if task is None or not task.planned_minutes:
        return
    spent = await uow.time.spent_seconds(task_id) // 60
    if spent > task.planned_minutes:
        await uow.outbox.add(
            Notification(
                member_id=task.responsible_id,
                kind=TIME_OVER,
                data={"task_id": task_id, "spent": spent, "planned": task.planned_minutes},
                dedup_key=f"{TIME_OVER}:{task_id}",
            )
        )


async def _close_running(
    uow: UnitOfWork, actor: Member, timer: Timer, now: datetime
) -> list[TimeEntry]:
    if timer.started_at is None:
        return []
    entries = await _write_entries(
        uow, actor, timer.task_id, timer.started_at, now, EntrySource.TIMER, None, now
    )
    timer.started_at = None
    return entries


def _works_on(actor: Member, task: Task) -> bool:
    """Whether the actor's timer drives the task's state: they are its responsible."""
    return actor.id == task.responsible_id


async def _responsible_stopped(uow: UnitOfWork, actor: Member, task_id: int, now: datetime) -> None:
    """The actor's timer left the task: if they are its responsible, it is pending again."""
    task = await uow.tasks.get(task_id)
    if task is not None and _works_on(actor, task) and task.status is TaskStatus.IN_PROGRESS:
        task.pause(actor.id, now)
        await uow.tasks.save(task)


async def _responsible_started(uow: UnitOfWork, actor: Member, task: Task, now: datetime) -> None:
    """The actor's timer runs on the task: if they are its responsible, it is in progress."""
    if _works_on(actor, task) and task.status in _STARTABLE:
        task.start(actor.id, now)
        await uow.tasks.save(task)


async def start_timer(uow: UnitOfWork, actor: Member, task_id: int, now: datetime) -> TimerChange:
    """Start the member's timer on a task (status: in progress); a running one is paused."""
    task = await load_for(uow, actor, task_id, Action.START)
    if not task.is_open:  # completed or awaiting acceptance: nothing left to time
        raise InvalidTransition(action="start", status=task.status.value, task_id=task.id)
    check_trackable(task)
    timer = await uow.time.timer(actor.id)
    entries: list[TimeEntry] = []
    paused_task_id = None
    if timer is not None and timer.running and timer.task_id == task_id:
        raise TimeError(reason="already_running", task_id=task_id)
    if timer is not None:
        if timer.running:
            entries = await _close_running(uow, actor, timer, now)
            paused_task_id = timer.task_id
        if timer.task_id != task_id:
            await _responsible_stopped(uow, actor, timer.task_id, now)
        timer.task_id, timer.started_at = task_id, now
    else:
        timer = Timer(actor.id, actor.company_id, task_id, now)
    await _responsible_started(uow, actor, task, now)
    day_started = await _ensure_day(uow, actor, now)
    await uow.time.save_timer(timer)
    await _timer_changed(uow, actor.id, timer, now)
    return TimerChange(timer, task, entries, paused_task_id, day_started)


async def current_timer(uow: UnitOfWork, actor: Member) -> tuple[Timer | None, Task | None]:
    timer = await uow.time.timer(actor.id)
    task = await uow.tasks.get(timer.task_id) if timer is not None else None
    return timer, task


@dataclass(frozen=True)
class TimerStatus:
    """What the timer card shows: the timer (None: none), its task, the member's time
    today including the running part, and the task timed last today (to start again)."""

    timer: Timer | None
    task: Task | None
    today_seconds: int
    last_task: Task | None = None


async def timer_status(uow: UnitOfWork, actor: Member, now: datetime) -> TimerStatus:
    timer, task = await current_timer(uow, actor)
    day = today_of(actor, now)
    entries = await uow.time.entries(actor.id, day)
    seconds = sum(e.seconds for e in entries)
    if timer is not None and timer.started_at is not None:
        day_start, _ = local_day_bounds(day, actor.timezone)
        seconds += max(0, int((now - max(timer.started_at, day_start)).total_seconds()))
    last_task = None
    if timer is None and entries:
        latest = max(entries, key=lambda e: e.ended_at)
        candidate = await uow.tasks.get(latest.task_id)
        if candidate is not None and candidate.is_open and candidate.time_tracking:
            last_task = candidate
    return TimerStatus(timer, task, seconds, last_task)


async def pause_timer(uow: UnitOfWork, actor: Member, now: datetime) -> TimerChange:
    timer = await uow.time.timer(actor.id)
    if timer is None or not timer.running:
        raise TimeError(reason="no_running_timer")
    entries = await _close_running(uow, actor, timer, now)
    await uow.time.save_timer(timer)
    await _responsible_stopped(uow, actor, timer.task_id, now)
    await _timer_changed(uow, actor.id, timer, now)
    return TimerChange(timer, await uow.tasks.get(timer.task_id), entries)


async def resume_timer(uow: UnitOfWork, actor: Member, now: datetime) -> TimerChange:
    timer = await uow.time.timer(actor.id)
    if timer is None or timer.running:
        raise TimeError(reason="no_paused_timer")
    task = await load_for(uow, actor, timer.task_id, Action.START)
    check_trackable(task)
    await _responsible_started(uow, actor, task, now)
    timer.started_at = now
    day_started = await _ensure_day(uow, actor, now)
    await uow.time.save_timer(timer)
    await _timer_changed(uow, actor.id, timer, now)
    return TimerChange(timer, task, day_started=day_started)


async def stop_timer(uow: UnitOfWork, actor: Member, now: datetime) -> TimerChange:
    timer = await uow.time.timer(actor.id)
    if timer is None:
        raise TimeError(reason="no_timer")
    entries = await _close_running(uow, actor, timer, now)
    await uow.time.delete_timer(timer)
    await _responsible_stopped(uow, actor, timer.task_id, now)
    await _timer_changed(uow, actor.id, None, now)
    return TimerChange(None, await uow.tasks.get(timer.task_id), entries)


async def start_task_with_timer(
    uow: UnitOfWork, actor: Member, task_id: int, now: datetime
) -> TimerChange:
    """The card's Start: the member's own timer starts on the task (which is in progress if
    they are its responsible); a task without time tracking just goes in progress."""
    task = await load_for(uow, actor, task_id, Action.START)
    try:
        check_trackable(task)
    except TimeError:
        if task.status not in _STARTABLE:  # a stale button: the status moved on meanwhile
            raise InvalidTransition(
                action="start", status=task.status.value, task_id=task.id
            ) from None
        task.start(actor.id, now)
        await uow.tasks.save(task)
        return TimerChange(None, task, timer_skipped=True)
    if not task.is_open or (_works_on(actor, task) and task.status not in _STARTABLE):
        raise InvalidTransition(action="start", status=task.status.value, task_id=task.id)
    return await start_timer(uow, actor, task_id, now)


async def pause_task_with_timer(
    uow: UnitOfWork, actor: Member, task_id: int, now: datetime
) -> TimerChange:
    """The card's Pause: the member's own timer on this task stops; the task is pending
    again if they are its responsible (or its time is not tracked)."""
    task = await load_for(uow, actor, task_id, Action.START)
    entries: list[TimeEntry] = []
    timer = await uow.time.timer(actor.id)
    on_it = timer is not None and timer.task_id == task_id
    if timer is not None and on_it:
        entries = await _close_running(uow, actor, timer, now)
        await uow.time.delete_timer(timer)
        await _timer_changed(uow, actor.id, None, now)
        timer = None
    tracked = task.kind is not TaskKind.GENERAL and task.time_tracking
    if not tracked or _works_on(actor, task):
        if task.status is TaskStatus.IN_PROGRESS:
            task.pause(actor.id, now)
            await uow.tasks.save(task)
        elif not on_it:
            raise InvalidTransition(action="pause", status=task.status.value, task_id=task.id)
    elif not on_it:  # someone else's work: only one's own timer is paused here
        raise TimeError(reason="no_running_timer")
    return TimerChange(timer, task, entries)


# -- manual time and corrections --------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """The outcome of a change: applied entries, or the approval request it became."""

    entries: Sequence[TimeEntry] = ()
    request: ApprovalRequest | None = None
    deleted: bool = False


def _required(text: str | None, reason: str) -> str:
    text = (text or "").strip()
    if not text:
        raise TimeError(reason=reason)
    return text


def _moments(
    spec: str, member: Member, now: datetime, day: date | None = None, start: datetime | None = None
) -> tuple[datetime, datetime]:
    """A duration ("1h30m": ending now, or from ``start``) or a span ("9:00-10:30")."""
    span = parse_span(spec, day or today_of(member, now), member.timezone)
    if span is not None:
        return span
    minutes = parse_duration(spec)
    if minutes is None:
        raise TimeError(reason="bad_duration", value=spec)
    if start is not None:
        return start, start + timedelta(minutes=minutes)
    return now - timedelta(minutes=minutes), now


async def _locked(uow: UnitOfWork, member_id: int, days: Sequence[date]) -> bool:
    for day in set(days):
        if await uow.time.report(member_id, day) is not None:
            return True
    return False


async def _file_correction(
    uow: UnitOfWork,
    actor: Member,
    op: dict[str, Any],
    change: str,
    reason: str,
    entry_id: int | None,
    now: datetime,
) -> Correction:
    request = await approvals.file_request(
        uow,
        actor,
        CORRECTION_TYPE,
        {"change": change, "reason": reason, "_op": op},
        now,
        subject=Subject(SubjectKind.TIME_CORRECTION, entry_id),
    )
    return Correction(request=request)


def _span_text(start: datetime, end: datetime, tz: str) -> str:
    zone = ZoneInfo(tz)
    a, b = start.astimezone(zone), end.astimezone(zone)
    minutes = int((end - start).total_seconds()) // 60
    return f"{a:%d.%m %H:%M}-{b:%H:%M} ({minutes}m)"


async def add_manual(
    uow: UnitOfWork, actor: Member, task_id: int, spec: str, comment: str, now: datetime
) -> Correction:
    """Time added by hand (a forgotten timer), with a required comment saying what and why."""
    # The duration first: "/time 5 abc" is a bad duration, not a missing comment.
    start, end = _moments(spec, actor, now)
    comment = _required(comment, "comment_required")
    task = await load_for(uow, actor, task_id, Action.START)
    check_trackable(task)
    if end > now + timedelta(minutes=1):
        raise TimeError(reason="in_future")
    days = [d for d, _, _ in split_by_local_day(start, end, actor.timezone)]
    if await _locked(uow, actor.id, days):
        op = {
            "op": "add",
            "task_id": task_id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "comment": comment,
        }
        change = f"+ #{task_id} {_span_text(start, end, actor.timezone)}"
        return await _file_correction(uow, actor, op, change, comment, None, now)
    entries = await _write_entries(
        uow, actor, task_id, start, end, EntrySource.MANUAL, comment, now, reason=comment
    )
    return Correction(entries=entries)


async def _own_entry(uow: UnitOfWork, actor: Member, entry_id: int) -> TimeEntry:
    entry = await uow.time.get_entry(entry_id)
    if entry is None or entry.deleted or entry.member_id != actor.id:
        # Someone else's entry is not named: members correct only their own time.
        raise TimeError(reason="entry_not_found", entry_id=entry_id)
    return entry


async def edit_entry(
    uow: UnitOfWork, actor: Member, entry_id: int, spec: str, reason: str, now: datetime
) -> Correction:
    """Change an entry's time ("45m" keeps its start; "9:00-10:30" sets it on its day)."""
    reason = _required(reason, "reason_required")
    entry = await _own_entry(uow, actor, entry_id)
    start, end = _moments(spec, actor, now, day=entry.day, start=entry.started_at)
    pieces = split_by_local_day(start, end, actor.timezone)
    if len(pieces) != 1 or pieces[0][0] != entry.day:
        raise TimeError(reason="crosses_day")
    if await _locked(uow, actor.id, [entry.day]):
        op = {
            "op": "edit",
            "entry_id": entry_id,
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
        change = (
            f"#{entry_id}: {_span_text(entry.started_at, entry.ended_at, actor.timezone)}"
            f" → {_span_text(start, end, actor.timezone)}"
        )
        return await _file_correction(uow, actor, op, change, reason, entry_id, now)
    _apply_edit(entry, start, end)
    await _save_with_history(uow, entry, actor.id, now, "edited", reason, start, end)
    await _check_planned(uow, entry.task_id)
    return Correction(entries=[entry])


def _apply_edit(entry: TimeEntry, start: datetime, end: datetime) -> tuple[str, str]:
    old = entry.describe()
    entry.started_at, entry.ended_at = start, end
    return old, entry.describe()


async def _save_with_history(
    uow: UnitOfWork,
    entry: TimeEntry,
    actor_id: int,
    now: datetime,
    action: str,
    reason: str | None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> None:
    history = await uow.time.changes(entry.id)
    old = history[-1].new if history else None
    await uow.time.save_entry(entry)
    new = None if entry.deleted else entry.describe()
    await uow.time.add_change(EntryChange(entry.id, actor_id, now, action, old, new, reason))


async def delete_entry(
    uow: UnitOfWork, actor: Member, entry_id: int, reason: str, now: datetime
) -> Correction:
    reason = _required(reason, "reason_required")
    entry = await _own_entry(uow, actor, entry_id)
    if await _locked(uow, actor.id, [entry.day]):
        op = {"op": "delete", "entry_id": entry_id}
        change = f"− #{entry_id}: {_span_text(entry.started_at, entry.ended_at, actor.timezone)}"
        return await _file_correction(uow, actor, op, change, reason, entry_id, now)
    entry.deleted = True
    await _save_with_history(uow, entry, actor.id, now, "deleted", reason)
    return Correction(entries=[entry], deleted=True)


async def apply_correction(uow: UnitOfWork, request: ApprovalRequest, now: datetime) -> None:
    """An approved TIME_CORRECTION request: make the change it describes, with history."""
    op: dict[str, Any] = dict(request.answers.get("_op") or {})
    reason = f"{request.answers.get('reason') or ''} (✓ #{request.id})".strip()
    approver = request.decided_by or request.requester_id
    requester = await uow.members.get(request.requester_id)
    if requester is None:
        return
    days: list[date] = []
    match op.get("op"):
        case "add":
            approver_member = await uow.members.get(approver) or requester
            written = await _write_entries(
                uow,
                approver_member,
                int(op["task_id"]),
                datetime.fromisoformat(op["start"]),
                datetime.fromisoformat(op["end"]),
                EntrySource.MANUAL,
                str(op.get("comment") or ""),
                now,
                reason=reason,
                owner=requester,
            )
            days = [e.day for e in written]
        case "edit":
            entry = await uow.time.get_entry(int(op["entry_id"]))
            if entry is not None and not entry.deleted:
                _apply_edit(
                    entry, datetime.fromisoformat(op["start"]), datetime.fromisoformat(op["end"])
                )
                await _save_with_history(uow, entry, approver, now, "edited", reason)
                await _check_planned(uow, entry.task_id)
                days = [entry.day]
        case "delete":
            entry = await uow.time.get_entry(int(op["entry_id"]))
            if entry is not None and not entry.deleted:
                entry.deleted = True
                await _save_with_history(uow, entry, approver, now, "deleted", reason)
                days = [entry.day]
    await _refresh_reports(uow, requester, days, request.id)


@dataclass(frozen=True)
class EntryLine:
    entry: TimeEntry
    title: str


async def day_entries(uow: UnitOfWork, actor: Member, now: datetime) -> list[EntryLine]:
    lines = []
    for entry in await uow.time.entries(actor.id, today_of(actor, now)):
        task = await uow.tasks.get(entry.task_id)
        lines.append(EntryLine(entry, task.title if task else "?"))
    return lines


async def entry_history(
    uow: UnitOfWork, actor: Member, entry_id: int
) -> tuple[TimeEntry, Sequence[EntryChange]]:
    entry = await uow.time.get_entry(entry_id)
    if entry is None or entry.company_id != actor.company_id:
        raise TimeError(reason="entry_not_found", entry_id=entry_id)
    if entry.member_id != actor.id and not actor.is_admin:
        supervisors = await uow.members.supervisors_of(entry.member_id)
        if actor.id not in supervisors:
            raise NotPermitted(action="time")
    return entry, await uow.time.changes(entry_id)


# -- the working day --------------------------------------------------------------------------


@dataclass(frozen=True)
class DayView:
    day: date
    state: DayState
    events: Sequence[DayEvent]
    worked_minutes: int
    timer_change: TimerChange | None = None
    report_submitted: bool = False  # the day's report is in: nothing to remind about


async def day_view(uow: UnitOfWork, actor: Member, now: datetime) -> DayView:
    day = today_of(actor, now)
    events = await uow.time.day_events(actor.id, day)
    reported = await uow.time.report(actor.id, day) is not None
    minutes = worked_seconds(events, now) // 60
    return DayView(day, day_state(events), events, minutes, report_submitted=reported)


async def move_day(uow: UnitOfWork, actor: Member, kind: DayEventKind, now: datetime) -> DayView:
    """Start, pause, resume or end the working day; a pause or the end stops the timer's run."""
    day = today_of(actor, now)
    events = await uow.time.day_events(actor.id, day)
    check_day_move(events, kind)
    await uow.time.add_day_event(DayEvent(actor.id, actor.company_id, day, now, kind))
    change = None
    timer = await uow.time.timer(actor.id)
    if timer is not None and kind is DayEventKind.PAUSE and timer.running:
        change = await pause_timer(uow, actor, now)
    elif timer is not None and kind is DayEventKind.END:
        change = await stop_timer(uow, actor, now)
    view = await day_view(uow, actor, now)
    return replace(view, timer_change=change)


# -- the daily plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLine:
    task: Task
    minutes: int
    overdue: bool


@dataclass(frozen=True)
class PlanView:
    day: date
    lines: Sequence[PlanLine]
    total_minutes: int
    left_minutes: int
    fixed: DailyPlan | None

    @property
    def capacity(self) -> str:
        if self.total_minutes > self.left_minutes:
            return "over"
        if self.total_minutes < self.left_minutes:
            return "under"
        return "exact"


async def _open_tasks(uow: UnitOfWork, actor: Member, view: ListView, now: datetime) -> list[Task]:
    found: list[Task] = []
    for page in range(_PLAN_PAGES):
        chunk = await list_tasks(uow, actor, view, now, page=page)
        found.extend(chunk.items)
        if not chunk.has_next:
            break
    return found


async def plan_view(uow: UnitOfWork, actor: Member, now: datetime) -> PlanView:
    """Today's and overdue tasks with their planned minutes, against the hours left."""
    day = today_of(actor, now)
    overdue = {t.id for t in await _open_tasks(uow, actor, ListView.OVERDUE, now)}
    tasks: dict[int, Task] = {}
    for view in (ListView.OVERDUE, ListView.TODAY):
        for task in await _open_tasks(uow, actor, view, now):
            if task.kind is not TaskKind.GENERAL:
                tasks.setdefault(task.id, task)
    lines = [PlanLine(t, t.planned_minutes or 0, t.id in overdue) for t in tasks.values()]
    left = working_minutes_left(now, actor.timezone, await _schedule(uow, actor))
    return PlanView(
        day,
        lines,
        sum(line.minutes for line in lines),
        left,
        await uow.time.plan(actor.id, day),
    )


async def fix_plan(uow: UnitOfWork, actor: Member, now: datetime) -> PlanView:
    view = await plan_view(uow, actor, now)
    if not view.lines:
        raise TimeError(reason="plan_empty")
    plan = DailyPlan(
        actor.id,
        actor.company_id,
        view.day,
        [PlanItem(line.task.id, line.minutes) for line in view.lines],
        now,
    )
    await uow.time.save_plan(plan)
    return PlanView(view.day, view.lines, view.total_minutes, view.left_minutes, plan)


# -- the daily report -------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportLine:
    task: Task
    minutes: int
    # For an unfinished task: "part" (due today or overdue, over 7 minutes spent: carry it
    # over), "deadline" (due today or overdue, little spent: move the deadline), None (its
    # deadline is still ahead: it simply continues).
    suggestion: str | None = None


@dataclass(frozen=True)
class ReportView:
    day: date
    spent: Sequence[ReportLine]
    completed: Sequence[Task]
    not_done: Sequence[ReportLine]
    total_minutes: int
    submitted: DailyReport | None = None
    planned_minutes: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _suggestion(task: Task, minutes: int, day_end: datetime) -> str | None:
    """Carrying over or moving the deadline is for work due by the end of the day."""
    if task.deadline is None or task.deadline >= day_end:
        return None
    return "part" if minutes > PART_THRESHOLD_MINUTES else "deadline"


async def report_view(
    uow: UnitOfWork, actor: Member, now: datetime, day: date | None = None
) -> ReportView:
    """The day's report pre-filled from tracked time, closed tasks and the fixed plan."""
    day = day or today_of(actor, now)
    member_id = actor.id
    by_task = await uow.time.spent_by_task(member_id, day)
    spent: list[ReportLine] = []
    tasks: dict[int, Task] = {}
    for task_id, seconds in sorted(by_task.items(), key=lambda kv: -kv[1]):
        task = await uow.tasks.get(task_id)
        if task is not None:
            tasks[task_id] = task
            spent.append(ReportLine(task, seconds // 60))
    start, end = local_day_bounds(day, actor.timezone)
    completed = list(await uow.time.completed_between(member_id, start, end))
    plan = await uow.time.plan(member_id, day)
    candidates = [*by_task, *(i.task_id for i in plan.items)] if plan else list(by_task)
    not_done: list[ReportLine] = []
    for task_id in dict.fromkeys(candidates):
        task = tasks.get(task_id) or await uow.tasks.get(task_id)
        if task is None or not task.is_open:
            continue
        minutes = by_task.get(task_id, 0) // 60
        not_done.append(ReportLine(task, minutes, _suggestion(task, minutes, end)))
    return ReportView(
        day,
        spent,
        completed,
        not_done,
        sum(by_task.values()) // 60,
        await uow.time.report(member_id, day),
        plan.total_minutes if plan else None,
    )


REPORT_KEY = "_report"


def report_summary(view: ReportView) -> dict[str, Any]:
    """What the manager reads: per task its title, the time and done / continues."""
    minutes = {line.task.id: line.minutes for line in view.spent}
    lines: dict[int, dict[str, Any]] = {}
    for task in [*(line.task for line in view.spent), *view.completed]:
        lines.setdefault(task.id, _summary_line(task, minutes.get(task.id, 0)))
    for line in view.not_done:
        lines.setdefault(line.task.id, _summary_line(line.task, line.minutes))
    return {"minutes": view.total_minutes, "tasks": list(lines.values())}


def _summary_line(task: Task, minutes: int) -> dict[str, Any]:
    return {
        "id": task.id,
        "title": task.title,
        "minutes": minutes,
        "done": not task.is_open,
    }


async def submit_report(
    uow: UnitOfWork, actor: Member, comment: str, now: datetime
) -> tuple[DailyReport, ReportView]:
    """Submit today's report: it is stored, the day's time locks, the manager reviews it."""
    comment = _required(comment, "comment_required")
    view = await report_view(uow, actor, now)
    if view.submitted is not None:
        raise TimeError(reason="report_submitted", day=view.day.isoformat())
    summary = report_summary(view)
    report = await uow.time.add_report(
        NewDailyReport(actor.id, actor.company_id, view.day, comment, now, summary)
    )
    request = await approvals.file_request(
        uow,
        actor,
        REPORT_TYPE,
        {"day": view.day.isoformat(), "comment": comment, REPORT_KEY: summary},
        now,
        subject=Subject(SubjectKind.DAILY_REPORT, report.id),
    )
    report.request_id = request.id
    await uow.time.save_report(report)
    return report, view


async def _refresh_reports(
    uow: UnitOfWork, member: Member, days: Sequence[date], correction_id: int | None
) -> None:
    """An approved correction changed a reported day's time: the submitted report's summary
    (and what its reviewer reads) follows. Whether a task was done stays as reported."""
    for day in sorted(set(days)):
        report = await uow.time.report(member.id, day)
        if report is None:
            continue
        by_task = await uow.time.spent_by_task(member.id, day)
        old = list(report.summary.get("tasks") or [])
        known = {int(line["id"]) for line in old if line.get("id") is not None}
        lines = [{**line, "minutes": by_task.get(int(line["id"]), 0) // 60} for line in old]
        for task_id, seconds in sorted(by_task.items(), key=lambda kv: -kv[1]):
            task = await uow.tasks.get(task_id)
            if task_id not in known and task is not None:
                lines.append(_summary_line(task, seconds // 60))
        corrected = [*report.summary.get("corrected", []), correction_id]
        summary = {"minutes": sum(by_task.values()) // 60, "tasks": lines, "corrected": corrected}
        report.summary = summary
        await uow.time.save_report(report)
        request = await uow.approvals.get(report.request_id) if report.request_id else None
        if request is not None:
            request.answers = {**request.answers, REPORT_KEY: summary}
            await uow.approvals.save(request)


async def stop_timers_on(uow: UnitOfWork, task: Task, now: datetime) -> None:
    """A task that is closed takes its running timers with it: the time up to now is
    recorded, nothing keeps counting on a finished task."""
    for member_id in sorted({task.responsible_id, *task.co_executors}):
        timer = await uow.time.timer(member_id)
        member = await uow.members.get(member_id)
        if timer is None or timer.task_id != task.id or member is None:
            continue
        await _close_running(uow, member, timer, now)
        await uow.time.delete_timer(timer)
        await _timer_changed(uow, member_id, None, now)


# -- event handlers (wired in domain.services.event_handlers) --------------------------------


async def stop_timers_of_completed_task(uow: UnitOfWork, event: TaskCompleted) -> None:
    task = await uow.tasks.get(event.task_id)
    if task is not None:
        await stop_timers_on(uow, task, event.at)


async def apply_approved_correction(uow: UnitOfWork, event: RequestDecided) -> None:
    if event.subject_kind is not SubjectKind.TIME_CORRECTION:
        return
    if event.status is not ApprovalStatus.APPROVED:
        return
    request = await uow.approvals.get(event.request_id)
    if request is not None:
        await apply_correction(uow, request, event.at)


async def stop_timer_of_leaving_member(uow: UnitOfWork, event: MemberLeaving) -> None:
    """The time up to now is kept; nothing counts on for someone who has left."""
    member = await uow.members.get(event.member_id)
    if member is not None and await uow.time.timer(event.member_id) is not None:
        await stop_timer(uow, member, event.at)


STILL_WORKING = "timer.still_working"


async def stop_timer_at(
    uow: UnitOfWork,
    actor: Member,
    at: datetime,
    now: datetime,
    source: EntrySource = EntrySource.TIMER,
) -> TimerChange:
    """Stop the running timer as of ``at`` (the forgotten timer: "I stopped at 18:00")."""
    timer = await uow.time.timer(actor.id)
    if timer is None or timer.started_at is None:
        raise TimeError(reason="no_running_timer")
    if not timer.started_at < at <= now:
        raise InvalidInput(field="time", reason="out_of_range")
    entries = await _write_entries(
        uow, actor, timer.task_id, timer.started_at, at, source, None, now
    )
    await uow.time.delete_timer(timer)
    await _responsible_stopped(uow, actor, timer.task_id, now)
    await _timer_changed(uow, actor.id, None, now)
    return TimerChange(None, await uow.tasks.get(timer.task_id), entries)


async def still_working(uow: UnitOfWork, actor: Member, now: datetime) -> None:
    """The member confirmed the timer runs on purpose: no auto-stop today."""
    await uow.scheduler.set_watermark(f"{STILL_WORKING}:{actor.id}:{today_of(actor, now)}", now)


async def forgotten_timers(
    uow: UnitOfWork, member_ids: Sequence[int], end: datetime
) -> list[Notification]:
    """At the end of the working day: ask everyone whose timer still runs."""
    notes = []
    for timer in await uow.time.running_timers(member_ids):
        day = end.date().isoformat()
        notes.append(
            Notification(
                member_id=timer.member_id,
                kind="timer.forgotten",
                data={"task_id": timer.task_id, "end": end.isoformat(), "date": day},
                dedup_key=f"timer.forgotten:{timer.member_id}:{day}",
            )
        )
    return notes


async def auto_stop_timers(
    uow: UnitOfWork, member_ids: Sequence[int], end: datetime, now: datetime
) -> int:
    """Nobody answered: timers started before the end of the day stop at its end, flagged."""
    stopped = 0
    for timer in await uow.time.running_timers(member_ids):
        member = await uow.members.get(timer.member_id)
        if member is None or timer.started_at is None or timer.started_at >= end:
            continue
        key = f"{STILL_WORKING}:{timer.member_id}:{today_of(member, end)}"
        if await uow.scheduler.watermark(key) is not None:
            continue
        await stop_timer_at(uow, member, end, now, EntrySource.AUTO_STOPPED)
        await uow.outbox.add(
            Notification(
                member_id=timer.member_id,
                kind="timer.auto_stopped",
                data={"task_id": timer.task_id, "end": end.isoformat()},
                dedup_key=f"timer.auto_stopped:{timer.member_id}:{end.date().isoformat()}",
            )
        )
        stopped += 1
    return stopped
