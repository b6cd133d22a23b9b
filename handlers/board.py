"""The manager's board (served by ``bots.web``): what each view shows and what its buttons do.

Platform neutral, like the rest of ``handlers``: the web adapter passes an open unit of
work, the signed-in member and the query's filters, and renders what comes back. Every
read goes through the domain's own scopes (``team_members``, ``report_members``,
``crm.funnel``) and every action through the same services as the chat card (start and
pause with the timer, done with a result, move the deadline), so the board never shows
or changes what the chat would refuse, and the outbox tells the chat (the timer card,
the director) exactly as it does after a press in the chat.

Signing in: a ``/board`` link carries a signed one-time token (``LINK``), used once
(``uow.board.use_link``); Telegram's Mini App proves the user with ``initData`` (checked
by the adapter). Either opens a session: a signed, short-lived token in a cookie, with a
CSRF token derived from it for every form that changes something.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.company import Company, Member
from domain.crm import Funnel
from domain.errors import DomainError, InvalidInput, NotPermitted
from domain.holidays import is_public_holiday
from domain.policies import Action, TaskContext, allowed
from domain.ports import BoardQuery, ListView, TaskCounts, TaskQuery, UnitOfWork
from domain.services import crm as crm_service
from domain.services import tasks as task_service
from domain.services import timetracking
from domain.services.team import superiors, team_members
from domain.services.timereports import PlanFact, plan_fact, report_members, timesheet
from domain.tasks import Task, TaskKind, TaskStatus
from domain.timereports import ReportQuery
from domain.timetracking import Timer
from handlers.tokens import BadToken, TokenSigner

LINK = "bl"  # a /board link's token: member, expiry (epoch seconds), nonce
SESSION = "bs"  # a session's token: member, expiry, nonce
CSRF = "cs"
# How many of one member's open tasks a board shows (the chat lists page by ten).
MAX_TASKS = 500


class BoardRefused(DomainError):
    """The board cannot be opened: ``reason`` is link_bad, link_expired, link_used,
    not_member (nobody with that chat identity) or session (none, or expired)."""

    code = "board_refused"


# -- links and sessions -------------------------------------------------------------------


def link_token(signer: TokenSigner, member_id: int, now: datetime, ttl: timedelta) -> str:
    expires = int((now + ttl).timestamp())
    return signer.sign_wire(LINK, member_id, expires, secrets.token_hex(8))


async def use_link(uow: UnitOfWork, signer: TokenSigner, token: str, now: datetime) -> Member:
    """The member a one-time link signs in; refused when forged, expired or used before.
    The caller commits (the link is spent with that commit)."""
    try:
        action, args = signer.verify(token)
        member_id, expires, nonce = int(args[0]), int(args[1]), args[2]
    except (BadToken, ValueError, IndexError):
        raise BoardRefused(reason="link_bad") from None
    if action != LINK:
        raise BoardRefused(reason="link_bad")
    expiry = datetime.fromtimestamp(expires, UTC)
    if now >= expiry:
        raise BoardRefused(reason="link_expired")
    if not await uow.board.use_link(nonce, member_id, now, expiry):
        raise BoardRefused(reason="link_used")
    return await active_member(uow, member_id)


async def telegram_member(uow: UnitOfWork, bot_id: str, user_id: int) -> Member:
    """The member behind a Telegram user whose ``initData`` the adapter verified."""
    found = await uow.members.by_identity("telegram", bot_id, str(user_id))
    if found is None or not found[0].active:
        raise BoardRefused(reason="not_member")
    return found[0]


async def active_member(uow: UnitOfWork, member_id: int) -> Member:
    member = await uow.members.get(member_id)
    if member is None or not member.active:
        raise BoardRefused(reason="not_member")
    return member


@dataclass(frozen=True)
class Session:
    member_id: int
    expires: datetime
    nonce: str
    via: str  # "link" or "tg" (the Telegram Mini App: its pages load Telegram's script)


def open_session(
    signer: TokenSigner, member_id: int, now: datetime, ttl: timedelta, via: str
) -> str:
    expires = int((now + ttl).timestamp())
    return signer.sign_wire(SESSION, member_id, expires, secrets.token_hex(8), via)


def read_session(signer: TokenSigner, value: str | None, now: datetime) -> Session | None:
    """The session a cookie holds; None when missing, forged, or expired."""
    if not value:
        return None
    try:
        action, args = signer.verify(value)
        expires = datetime.fromtimestamp(int(args[1]), UTC)
        session = Session(int(args[0]), expires, args[2], args[3])
    except (BadToken, ValueError, IndexError):
        return None
    return session if action == SESSION and now < session.expires else None


def csrf_token(signer: TokenSigner, session: Session) -> str:
    """The token every state-changing form carries: bound to the session, so a page of
    another site cannot know it."""
    return signer.sign_wire(CSRF, session.nonce).rpartition(":")[2]


def csrf_ok(signer: TokenSigner, session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_token(signer, session), token or "")


# -- filters and the viewer ---------------------------------------------------------------


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Filters:
    """Every view filters by project, tag and person (the query string)."""

    project_id: int | None = None
    tag: str | None = None
    person_id: int | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Filters:
        tag = (query.get("tag") or "").strip().lstrip("#").lower()
        return cls(_int(query.get("project")), tag[:64] or None, _int(query.get("person")))

    def keeps(self, task: Task) -> bool:
        if self.project_id is not None and task.project_id != self.project_id:
            return False
        return not (self.tag and self.tag not in task.tags)

    def query(self) -> dict[str, str]:
        pairs = {"project": self.project_id, "tag": self.tag, "person": self.person_id}
        return {k: str(v) for k, v in pairs.items() if v is not None}


@dataclass(frozen=True)
class Viewer:
    """The signed-in member and whom they may look at (themselves first)."""

    member: Member
    company: Company
    people: dict[int, str]  # the member and their team (admins: the company)
    team: frozenset[int]  # the team alone (empty: an employee)
    projects: dict[int, str]

    @property
    def id(self) -> int:
        return self.member.id

    @property
    def manages(self) -> bool:
        return bool(self.team)

    def person(self, filters: Filters) -> int:
        """The member a view is about: the filter's person, who must be the viewer or in
        their team (as in the chat: /tasks @anna)."""
        wanted = filters.person_id
        if wanted is None or wanted == self.id:
            return self.id
        if wanted not in self.team:
            raise NotPermitted(action="team_view", reason="not_yours")
        return wanted


async def viewer(uow: UnitOfWork, member: Member) -> Viewer:
    company = await uow.companies.get(member.company_id)
    if company is None:
        raise BoardRefused(reason="not_member")
    team = [] if member.is_extranet else await team_members(uow, member)
    people = {m.id: m.name for m in [member, *team]}
    if member.is_admin:
        visible = None
    else:
        visible = await uow.projects.ids_for_member(member.id)
    projects = {
        p.id: p.name
        for p in await uow.projects.list(member.company_id)
        if visible is None or p.id in visible
    }
    return Viewer(member, company, people, frozenset(m.id for m in team), projects)


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


# -- My board ---------------------------------------------------------------------------------

COLUMNS = ("new", "in_progress", "awaiting", "overdue", "done")


@dataclass(frozen=True)
class BoardCard:
    """A task on the board and the chat card's actions the viewer may take on it now."""

    task: Task
    cue: str
    start: bool = False
    pause: bool = False
    done: bool = False
    deadline: bool = False


@dataclass(frozen=True)
class MyBoard:
    person_id: int
    columns: dict[str, list[BoardCard]]

    @property
    def count(self) -> int:
        return sum(len(cards) for cards in self.columns.values())


async def my_board(uow: UnitOfWork, me: Viewer, filters: Filters, now: datetime) -> MyBoard:
    """The person's tasks as columns: new, in progress, awaiting acceptance (theirs and
    those awaiting their acceptance), overdue, done this week."""
    person = me.person(filters)
    tz = me.member.timezone
    day_end = task_service.end_of_local_day(now, tz)
    mine = frozenset({person})

    async def listed(view: ListView, member_ids: frozenset[int] | None) -> Sequence[Task]:
        query = TaskQuery(
            company_id=me.member.company_id,
            member_id=person,
            view=view,
            now=now,
            day_end=day_end,
            limit=MAX_TASKS,
            member_ids=member_ids,
        )
        return (await uow.tasks.list(query)).items

    open_tasks = await listed(ListView.MINE, mine)
    awaiting = [*await listed(ListView.AWAITING, mine), *await listed(ListView.AWAITING, None)]
    today = local_today(now, tz)
    week_start = datetime.combine(
        today - timedelta(days=today.weekday()), time(), tzinfo=ZoneInfo(tz)
    )
    done = await uow.time.completed_between(person, week_start, now + timedelta(seconds=1))
    columns: dict[str, list[Task]] = {name: [] for name in COLUMNS}
    seen: set[int] = set()
    for task in open_tasks:
        if task.deadline is not None and task.deadline < now:
            columns["overdue"].append(task)
        elif task.status is TaskStatus.NEW:
            columns["new"].append(task)
        else:
            columns["in_progress"].append(task)
    for task in awaiting:
        if task.id not in seen:
            seen.add(task.id)
            columns["awaiting"].append(task)
    columns["done"] = [t for t in done if t.status is TaskStatus.COMPLETED]
    cards = _Cards(uow, me.member, now, day_end)
    return MyBoard(
        person,
        {
            name: [await cards.card(t) for t in tasks if filters.keeps(t)]
            for name, tasks in columns.items()
        },
    )


class _Cards:
    """Builds cards with the viewer's permissions, reading each responsible's superiors
    and the viewer's projects once (not once per card)."""

    def __init__(self, uow: UnitOfWork, member: Member, now: datetime, day_end: datetime) -> None:
        self._uow, self._member, self._now, self._day_end = uow, member, now, day_end
        self._bosses: dict[int, frozenset[int]] = {}
        self._projects: frozenset[int] | None = None
        self._timer: Timer | None = None

    async def _context(self, task: Task) -> TaskContext:
        if self._projects is None:
            self._projects = await self._uow.projects.ids_for_member(self._member.id)
            self._timer = await self._uow.time.timer(self._member.id)
        if task.responsible_id not in self._bosses:
            self._bosses[task.responsible_id] = await superiors(self._uow, task.responsible_id)
        return TaskContext(self._bosses[task.responsible_id], self._projects)

    async def card(self, task: Task) -> BoardCard:
        ctx = await self._context(task)
        wanted = (Action.START, Action.COMPLETE, Action.MOVE_DEADLINE)
        can = {a for a in wanted if allowed(self._member, task, a, ctx)}
        cue = task.cue(self._now, self._day_end).value
        if not task.is_open:
            return BoardCard(task, cue)
        timer = self._timer
        mine_running = timer is not None and timer.task_id == task.id and timer.running
        # The chat card's rule (handlers.cards): Pause when one's own timer runs on it,
        # or when it is the responsible's (or an untracked) task in progress.
        tracked = task.kind is not TaskKind.GENERAL and task.time_tracking
        own = task.status is TaskStatus.IN_PROGRESS and (
            not tracked or task.responsible_id == self._member.id
        )
        pause = Action.START in can and (mine_running or own)
        return BoardCard(
            task,
            cue,
            start=Action.START in can and not pause,
            pause=pause,
            done=Action.COMPLETE in can,
            deadline=Action.MOVE_DEADLINE in can,
        )


# -- actions ----------------------------------------------------------------------------------

ACTIONS = ("start", "pause", "done", "deadline")


def parse_local(value: str, tz: str) -> datetime | None:
    """A ``datetime-local`` field ("2026-11-27T18:00") in the member's timezone; empty: none."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field="deadline", reason="unknown", value=value[:40]) from None
    return moment.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


async def act(
    uow: UnitOfWork,
    member: Member,
    task_id: int,
    action: str,
    now: datetime,
    form: Mapping[str, str],
) -> Task | None:
    """One of the chat card's actions, through the chat's own services (the caller
    commits): Start and Pause drive the member's timer, Done needs the result."""
    if action == "start":
        await timetracking.start_task_with_timer(uow, member, task_id, now)
    elif action == "pause":
        await timetracking.pause_task_with_timer(uow, member, task_id, now)
    elif action == "done":
        result = (form.get("result") or "").strip()
        if not result:
            raise InvalidInput(field="result", reason="required")
        return await task_service.complete_task(uow, member, task_id, result, now)
    elif action == "deadline":
        moment = parse_local(form.get("deadline") or "", member.timezone)
        return await task_service.move_deadline(uow, member, task_id, moment, now)
    else:
        raise InvalidInput(field="action", reason="unknown", value=action[:20])
    return await uow.tasks.get(task_id)


# -- Team ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRow:
    member_id: int
    name: str
    counts: TaskCounts
    timing: int | None  # the task their timer runs on now
    today_minutes: int
    week_minutes: int
    plan: bool
    report: bool


async def team_view(uow: UnitOfWork, me: Viewer, filters: Filters, now: datetime) -> list[TeamRow]:
    """One row per subordinate (a head's whole subtree, an admin's company), each figure
    read for all of them at once."""
    if not me.manages:
        raise NotPermitted(action="team_view", reason="no_team")
    ids = sorted(me.team)
    if filters.person_id is not None:
        ids = [me.person(filters)] if filters.person_id != me.id else []
    today = local_today(now, me.member.timezone)
    week_start = today - timedelta(days=today.weekday())
    counts = await uow.board.task_counts(
        BoardQuery(
            company_id=me.member.company_id,
            member_ids=frozenset(ids),
            now=now,
            day_end=task_service.end_of_local_day(now, me.member.timezone),
            project_id=filters.project_id,
            tag=filters.tag,
        )
    )
    timing = {t.member_id: t.task_id for t in await uow.time.running_timers(ids)}
    tracked_today: dict[int, int] = {}
    tracked_week: dict[int, int] = {}
    for row in await uow.time.tracked_by_day(ids, week_start, today):
        tracked_week[row.member_id] = tracked_week.get(row.member_id, 0) + row.seconds
        if row.day == today:
            tracked_today[row.member_id] = tracked_today.get(row.member_id, 0) + row.seconds
    planned = {r.member_id for r in await uow.time.planned_by_day(ids, today, today)}
    reported = await uow.time.reported(ids, today)
    return [
        TeamRow(
            member_id=i,
            name=me.people.get(i, "?"),
            counts=counts.get(i, TaskCounts()),
            timing=timing.get(i),
            today_minutes=tracked_today.get(i, 0) // 60,
            week_minutes=tracked_week.get(i, 0) // 60,
            plan=i in planned,
            report=i in reported,
        )
        for i in sorted(ids, key=lambda i: me.people.get(i, "").lower())
    ]


# -- Calendar ---------------------------------------------------------------------------------


@dataclass
class CalendarDay:
    day: date
    holiday: bool = False
    deadlines: list[Task] = field(default_factory=list)
    away: list[str] = field(default_factory=list)  # names on approved leave


WEEKS = 4


async def calendar(
    uow: UnitOfWork, me: Viewer, filters: Filters, now: datetime
) -> list[list[CalendarDay]]:
    """Four weeks from this Monday: the person's deadlines, approved leave (the viewer's
    team, or the person), the company's holidays."""
    person = me.person(filters)
    tz = me.member.timezone
    today = local_today(now, tz)
    start = today - timedelta(days=today.weekday())
    days = [CalendarDay(start + timedelta(days=n)) for n in range(7 * WEEKS)]
    by_day = {d.day: d for d in days}
    schedule = me.company.schedule
    for d in days:
        weekday_off = d.day.weekday() not in schedule.working_days
        d.holiday = not weekday_off and (
            d.day in schedule.holidays or is_public_holiday(schedule.country, d.day)
        )
    page = await uow.tasks.list(
        TaskQuery(
            company_id=me.member.company_id,
            member_id=person,
            view=ListView.MINE,
            now=now,
            day_end=task_service.end_of_local_day(now, tz),
            limit=MAX_TASKS,
            member_ids=frozenset({person}),
        )
    )
    for task in page.items:
        if task.deadline is not None and filters.keeps(task):
            slot = by_day.get(local_today(task.deadline, tz))
            if slot is not None:
                slot.deadlines.append(task)
    whose = sorted({person} if filters.person_id is not None else {me.id, *me.team})
    end = days[-1].day
    for member_id, first, last in await uow.time.absent_days(whose, start, end):
        day = max(first, start)
        while day <= min(last, end):
            by_day[day].away.append(me.people.get(member_id, "?"))
            day += timedelta(days=1)
    return [days[w * 7 : w * 7 + 7] for w in range(WEEKS)]


# -- Time ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeView:
    start: date
    end: date
    # (name, project name or None, minutes) per member and project, the week's total
    rows: list[tuple[str, str | None, int]]
    plan_fact: PlanFact


async def time_view(uow: UnitOfWork, me: Viewer, filters: Filters, now: datetime) -> TimeView:
    """This week's timesheet and plan against fact: the viewer's, or their team's
    (the chat's /timesheet team), narrowed by person and project."""
    today = local_today(now, me.member.timezone)
    start = today - timedelta(days=today.weekday())
    query = ReportQuery(start=start, end=start + timedelta(days=6), team=me.manages)
    person = me.person(filters) if filters.person_id is not None else None
    sheet = await timesheet(uow, me.member, query)
    totals: dict[tuple[int, int | None], int] = {}
    for row in sheet.rows:
        if person is not None and row.member_id != person:
            continue
        if filters.project_id is not None and row.project_id != filters.project_id:
            continue
        key = (row.member_id, row.project_id)
        totals[key] = totals.get(key, 0) + row.seconds
    rows = sorted(
        (
            (sheet.names.get(m, "?"), sheet.projects.get(p) if p else None, s // 60)
            for (m, p), s in totals.items()
        ),
        key=lambda r: (r[0].lower(), -r[2]),
    )
    facts = await plan_fact(uow, me.member, query)
    if person is not None:
        facts = PlanFact(facts.query, [x for x in facts.lines if x.member_id == person])
    return TimeView(start, query.end, rows, facts)


async def members_of_report(uow: UnitOfWork, me: Viewer) -> list[Member]:
    return await report_members(uow, me.member, me.manages)


# -- Funnel -------------------------------------------------------------------------------------


async def funnel_view(uow: UnitOfWork, me: Viewer, filters: Filters, now: datetime) -> list[Funnel]:
    """Deals by stage with their sums, as the chat's /funnel shows them to this member
    (their own deals; a manager's team's; an admin's company). The person filter means
    the deals' owner (the viewer or one of their team, and within the viewer's CRM
    scope); deals have no project or tags, so those filters do not apply here."""
    owner = me.person(filters) if filters.person_id is not None else None
    return await crm_service.funnel(uow, me.member, None, now, owner_id=owner)
