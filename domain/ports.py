"""The ports the domain needs; `storage` implements them, tests may fake them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from domain.approvals import (
    Absence,
    ApprovalRequest,
    Deputy,
    NewApprovalRequest,
    NewDeputy,
    Subject,
)
from domain.company import (
    ChatIdentity,
    Company,
    Department,
    Invite,
    Member,
    NewCompany,
    NewDepartment,
    NewMember,
    NewProject,
    Project,
    StructureChange,
)
from domain.crm import (
    Activity,
    ClientCompany,
    Contact,
    CrmScope,
    Deal,
    EntityRef,
    Lead,
    LeadForm,
    LeadStatus,
    NewActivity,
    NewClientCompany,
    NewContact,
    NewDeal,
    NewLead,
    NewLeadForm,
    NewPipeline,
    Pipeline,
    StageTotals,
)
from domain.events import Event
from domain.notifications import Notification, OutboxMessage
from domain.reminders import DueTask, NewTaskTemplate, Preferences, TaskTemplate
from domain.tasks import Comment, HistorySummary, NewComment, NewTask, Task, TaskEvent
from domain.timetracking import (
    DailyPlan,
    DailyReport,
    DayEvent,
    EntryChange,
    NewDailyReport,
    NewTimeEntry,
    TimeEntry,
    Timer,
)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


class ListView(StrEnum):
    TODAY = "today"
    OVERDUE = "overdue"
    NEW = "new"
    MINE = "mine"  # everything open where I am responsible or co-executor
    CREATED = "created"
    OBSERVING = "observing"
    AWAITING = "awaiting"  # awaiting my acceptance
    PROJECT = "project"
    TAG = "tag"
    BACKLOG = "backlog"


@dataclass(frozen=True)
class TaskQuery:
    company_id: int
    member_id: int
    view: ListView
    now: datetime
    day_end: datetime  # end of the member's local today, UTC
    project_id: int | None = None
    tag: str | None = None
    limit: int = 10
    offset: int = 0
    # Someone else's tasks (a manager's team, one report): the views then ask about these
    # members instead of ``member_id``, and the page is ordered person by person.
    member_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class SearchQuery:
    company_id: int
    member_id: int
    stem_groups: Sequence[frozenset[str]]
    project_id: int | None = None
    # None: everything in the company (admins); else tasks the member takes part in
    # or that belong to these projects.
    visible_projects: frozenset[int] | None = frozenset()
    # The tasks of these members are visible too (a head's or manager's team).
    team_ids: frozenset[int] = frozenset()
    limit: int = 10
    offset: int = 0


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    total: int
    offset: int
    limit: int
    # True when ``total`` is a lower bound: counting every match would cost more than
    # it tells (a search matching thousands of tasks shows "200+").
    more: bool = False

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.items) < self.total

    @property
    def has_prev(self) -> bool:
        return self.offset > 0


class CompanyRepository(Protocol):
    async def add(self, company: NewCompany) -> Company: ...
    async def get(self, company_id: int) -> Company | None: ...
    async def first(self) -> Company | None: ...
    async def all(self) -> Sequence[Company]: ...
    async def save(self, company: Company) -> None: ...


class MemberRepository(Protocol):
    async def add(self, member: NewMember) -> Member: ...
    async def get(self, member_id: int) -> Member | None: ...
    async def save(self, member: Member) -> None: ...
    async def by_handle(self, company_id: int, handle: str) -> Member | None: ...
    async def list(self, company_id: int) -> Sequence[Member]: ...
    async def get_many(self, member_ids: Collection[int]) -> Sequence[Member]:
        """The members with these ids (unknown ids are left out), in no set order."""
        ...

    async def count(self, company_id: int) -> int: ...
    async def supervisors_of(self, member_id: int) -> frozenset[int]: ...
    async def by_identity(
        self, platform: str, workspace: str, user_id: str
    ) -> tuple[Member, ChatIdentity] | None: ...
    async def add_identity(self, identity: ChatIdentity) -> None: ...
    async def identities_of(self, member_id: int) -> Sequence[ChatIdentity]: ...
    async def mark_unreachable(self, platform: str, workspace: str, user_id: str) -> None: ...
    async def mark_reachable(self, platform: str, workspace: str, user_id: str) -> None: ...
    async def by_email(self, company_id: int, email: str) -> Sequence[Member]:
        """Members of the company with this (case-folded) email address."""
        ...

    async def companies_on(self, platform: str, workspace: str) -> frozenset[int]:
        """The companies whose members have an identity in this workspace."""
        ...


class DepartmentRepository(Protocol):
    async def add(self, department: NewDepartment) -> Department: ...
    async def get(self, department_id: int) -> Department | None: ...
    async def list(self, company_id: int) -> Sequence[Department]: ...
    async def save(self, department: Department) -> None: ...


class ProjectRepository(Protocol):
    async def add(self, project: NewProject) -> Project: ...
    async def get(self, project_id: int) -> Project | None: ...
    async def by_name(self, company_id: int, name: str) -> Project | None: ...
    async def list(self, company_id: int) -> Sequence[Project]: ...
    async def ids_for_member(self, member_id: int) -> frozenset[int]: ...
    async def add_member(self, project_id: int, member_id: int) -> None: ...
    async def remove_member(self, project_id: int, member_id: int) -> None: ...
    async def save(self, project: Project) -> None:
        """Its name and whether it is archived (members change through add/remove)."""
        ...


class StructureLog(Protocol):
    """The history of the company's structure (projects, departments, members)."""

    async def add(self, change: StructureChange) -> None: ...
    async def recent(
        self,
        company_id: int,
        limit: int = 20,
        *,
        subject: str | None = None,
        subject_id: int | None = None,
    ) -> Sequence[StructureChange]:
        """The newest changes first; only one subject's when ``subject``/``subject_id``."""
        ...


class InviteRepository(Protocol):
    async def add(self, invite: Invite) -> None: ...
    async def get(self, code: str) -> Invite | None: ...
    async def for_member(self, member_id: int) -> Sequence[Invite]:
        """The invites made for a member created before joining (brygada import)."""
        ...

    async def save(self, invite: Invite) -> None: ...


class TaskRepository(Protocol):
    async def add(self, task: NewTask) -> Task:
        """Insert with its pending events and search terms; the stored task, with its id."""
        ...

    async def get(self, task_id: int) -> Task | None: ...

    async def save(self, task: Task) -> None:
        """Write changed fields and pending events (optimistic version check)."""
        ...

    async def delete(self, task_id: int) -> None:
        """Remove a task and everything hanging off it (undo of a fresh task only).
        Its number is never given to another task."""
        ...

    async def notified(self, task_id: int) -> set[int]:
        """Members a notification about the task was already delivered to."""
        ...

    async def history(self, task_id: int) -> Sequence[TaskEvent]: ...
    async def history_summary(self, task_id: int) -> HistorySummary:
        """What a card shows of the history, counted by the database."""
        ...

    async def add_comment(self, comment: NewComment) -> Comment: ...
    async def comments(self, task_id: int, limit: int = 5) -> Sequence[Comment]: ...
    async def subtask_progress(self, task_id: int) -> tuple[int, int]: ...
    async def children(self, task_id: int) -> Sequence[Task]: ...
    async def list(self, query: TaskQuery) -> Page[Task]: ...
    async def search(self, query: SearchQuery) -> Page[Task]: ...


@dataclass(frozen=True)
class CrmListQuery:
    """A page of leads or deals visible in ``scope``; ``open_only`` hides closed ones."""

    company_id: int
    scope: CrmScope
    open_only: bool = True
    limit: int = 8
    offset: int = 0


@dataclass(frozen=True)
class ClientMatch:
    """A search hit for /client: which record and its display name."""

    ref: EntityRef
    name: str
    owner_id: int | None


@dataclass(frozen=True)
class FunnelQuery:
    company_id: int
    pipeline_id: int
    scope: CrmScope
    since: datetime | None
    until: datetime


@dataclass(frozen=True)
class DuplicateKeys:
    company_id: int
    phone_key: str | None
    email_key: str | None
    company_key: str | None
    exclude: EntityRef | None = None


class CrmRepository(Protocol):
    """Leads, contacts, client companies, pipelines, deals, activities and web forms."""

    async def add_lead(self, lead: NewLead) -> Lead: ...
    async def get_lead(self, lead_id: int) -> Lead | None: ...
    async def save_lead(self, lead: Lead) -> None: ...
    async def list_leads(self, query: CrmListQuery) -> Page[Lead]: ...
    async def last_web_lead_owner(self, company_id: int) -> int | None: ...

    async def add_contact(self, contact: NewContact) -> Contact: ...
    async def get_contact(self, contact_id: int) -> Contact | None: ...
    async def save_contact(self, contact: Contact) -> None: ...
    async def add_client_company(self, company: NewClientCompany) -> ClientCompany: ...
    async def get_client_company(self, company_id: int) -> ClientCompany | None: ...
    async def save_client_company(self, company: ClientCompany) -> None: ...
    async def client_company_by_name(self, company_id: int, name: str) -> ClientCompany | None: ...

    async def duplicates(self, keys: DuplicateKeys) -> Sequence[EntityRef]:
        """Leads (not merged), contacts and companies sharing a phone, email or company name."""
        ...

    async def search_clients(
        self, company_id: int, scope: CrmScope, text: str, limit: int
    ) -> Sequence[ClientMatch]: ...

    async def add_pipeline(self, pipeline: NewPipeline) -> Pipeline: ...
    async def pipelines(self, company_id: int) -> Sequence[Pipeline]: ...
    async def get_pipeline(self, pipeline_id: int) -> Pipeline | None: ...

    async def add_deal(self, deal: NewDeal) -> Deal: ...
    async def get_deal(self, deal_id: int) -> Deal | None: ...
    async def save_deal(self, deal: Deal) -> None: ...
    async def list_deals(self, query: CrmListQuery) -> Page[Deal]: ...
    async def deals_of(self, ref: EntityRef) -> Sequence[Deal]:
        """Deals of a contact or client company, newest first."""
        ...

    async def contacts_of(self, client_company_id: int) -> Sequence[Contact]: ...
    async def funnel_totals(
        self, query: FunnelQuery
    ) -> tuple[Sequence[StageTotals], dict[int, int]]:
        """Per stage: count and amount per currency; per reached position: count (GROUP BY)."""
        ...

    async def stale_deals(self, before: datetime, limit: int) -> Sequence[Deal]:
        """Open deals whose last activity was before ``before``, in every company."""
        ...

    async def add_activity(self, activity: NewActivity) -> Activity: ...
    async def timeline(self, refs: Sequence[EntityRef], limit: int) -> Sequence[Activity]:
        """Newest first, across the given records (a deal and the lead it came from)."""
        ...

    async def move_activities(self, source: EntityRef, target: EntityRef) -> None: ...
    async def linked_task_ids(
        self, company_id: int, refs: Sequence[EntityRef], limit: int
    ) -> Sequence[int]:
        """Tasks whose ``crm_links`` name any of ``refs``, open first, newest first."""
        ...

    async def add_form(self, form: NewLeadForm) -> LeadForm: ...
    async def form_by_token(self, token: str) -> LeadForm | None: ...
    async def count_leads(self, company_id: int, status: LeadStatus | None = None) -> int: ...


class ApprovalRepository(Protocol):
    """Approval requests with their history, deputies, and the absences approved leave makes."""

    async def add(self, request: NewApprovalRequest) -> ApprovalRequest: ...
    async def get(self, request_id: int) -> ApprovalRequest | None:
        """Fresh from the database (not a cached copy), history included."""
        ...

    async def save(self, request: ApprovalRequest) -> None:
        """Write changes and pending events if nobody else did meanwhile; else raise Conflict."""
        ...

    async def pending_for_subject(self, subject: Subject) -> ApprovalRequest | None: ...
    async def awaiting(
        self, company_id: int, member_ids: frozenset[int]
    ) -> Sequence[ApprovalRequest]:
        """Pending requests whose current step includes any of ``member_ids``, oldest first."""
        ...

    async def pending(self, limit: int = 500) -> Sequence[ApprovalRequest]:
        """Pending requests of every company, for the scheduled sweep."""
        ...

    async def set_deputy(self, deputy: NewDeputy) -> Deputy:
        """Replace the member's deputy (one at a time)."""
        ...

    async def clear_deputy(self, member_id: int) -> None: ...
    async def deputy_of(self, member_id: int) -> Deputy | None: ...
    async def deputies_for(self, member_ids: frozenset[int], day: date) -> dict[int, int]:
        """{approver: deputy} for approvers with a deputy covering ``day``."""
        ...

    async def principals_of(self, deputy_id: int, day: date) -> frozenset[int]:
        """Members for whom ``deputy_id`` decides on ``day``."""
        ...

    async def add_absence(self, absence: Absence) -> None: ...
    async def absent(self, member_id: int, day: date) -> bool: ...
    async def absent_member_ids(self, company_id: int, day: date) -> frozenset[int]: ...


@dataclass(frozen=True)
class TimesheetRow:
    """Seconds tracked by one member on one local day in one project (None: no project)."""

    member_id: int
    project_id: int | None
    day: date
    seconds: int
    billable_seconds: int


class TimeGrouping(StrEnum):
    """What a time report sums by (``/timesheet by ...``)."""

    MEMBER = "member"
    PROJECT = "project"
    TAG = "tag"
    CLIENT = "client"
    DAY = "day"


@dataclass(frozen=True)
class TimeGroupRow:
    """Seconds tracked in one group of a time report. ``key`` is the member or project id,
    the tag, the day, or the client's CRM reference (``company:3``); None: no project,
    no tag, no client. ``label`` names a client (the other groups are named by the caller).
    """

    key: int | str | date | None
    seconds: int
    billable_seconds: int
    label: str | None = None


@dataclass(frozen=True)
class MemberDayRow:
    """One member's figure for one local day: seconds tracked, or planned."""

    member_id: int
    day: date
    seconds: int


class TimeRepository(Protocol):
    """Timers, time entries with their history, the working day, daily plans and reports."""

    async def timer(self, member_id: int) -> Timer | None:
        """The member's timer, fresh from the database (locked for update where supported)."""
        ...

    async def reported(self, member_ids: Sequence[int], day: date) -> frozenset[int]:
        """Which of these members submitted the daily report for ``day``."""
        ...

    async def running_timers(self, member_ids: Sequence[int]) -> Sequence[Timer]:
        """The running timers of these members (the end-of-day check)."""
        ...

    async def save_timer(self, timer: Timer) -> None:
        """Insert or update (optimistic version check); raise Conflict if someone else won."""
        ...

    async def delete_timer(self, timer: Timer) -> None: ...
    async def add_entry(self, entry: NewTimeEntry) -> TimeEntry: ...
    async def get_entry(self, entry_id: int) -> TimeEntry | None: ...
    async def save_entry(self, entry: TimeEntry) -> None: ...
    async def add_change(self, change: EntryChange) -> None: ...
    async def changes(self, entry_id: int) -> Sequence[EntryChange]: ...
    async def entries(self, member_id: int, day: date) -> Sequence[TimeEntry]: ...
    async def spent_seconds(self, task_id: int) -> int: ...
    async def spent_by_task(self, member_id: int, day: date) -> dict[int, int]: ...
    async def completed_between(
        self, member_id: int, start: datetime, end: datetime
    ) -> Sequence[Task]: ...
    async def day_events(self, member_id: int, day: date) -> list[DayEvent]: ...
    async def add_day_event(self, event: DayEvent) -> None: ...
    async def plan(self, member_id: int, day: date) -> DailyPlan | None: ...
    async def save_plan(self, plan: DailyPlan) -> None: ...
    async def report(self, member_id: int, day: date) -> DailyReport | None: ...
    async def add_report(self, report: NewDailyReport) -> DailyReport: ...
    async def save_report(self, report: DailyReport) -> None: ...
    async def timesheet(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> Sequence[TimesheetRow]:
        """Per member, project and day in [start, end], summed in SQL (GROUP BY)."""
        ...

    async def time_by(
        self, member_ids: Sequence[int], start: date, end: date, by: TimeGrouping
    ) -> Sequence[TimeGroupRow]:
        """Time of these members in [start, end] per group, summed in SQL. By tag, a task
        with several tags counts under each; by client, a task counts for one client."""
        ...

    async def time_totals(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> tuple[int, int]:
        """(seconds, billable seconds) of these members in [start, end]."""
        ...

    async def tracked_by_day(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> Sequence[MemberDayRow]:
        """Seconds tracked per member and local day (GROUP BY member, day)."""
        ...

    async def planned_by_day(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> Sequence[MemberDayRow]:
        """Seconds planned per member and day: the fixed daily plans' totals."""
        ...

    async def day_events_between(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> Sequence[DayEvent]:
        """The working-day events of these members, by member, day and moment."""
        ...

    async def reported_days(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> frozenset[tuple[int, date]]:
        """(member, day) pairs with a submitted daily report."""
        ...

    async def absent_days(
        self, member_ids: Sequence[int], start: date, end: date
    ) -> Sequence[tuple[int, date, date]]:
        """(member, first day, last day) of approved absences overlapping [start, end]."""
        ...


class Outbox(Protocol):
    async def add(self, notification: Notification) -> bool:
        """Enqueue unless a row with the same dedup key exists; True if added."""
        ...

    async def add_many(self, notifications: Sequence[Notification]) -> int:
        """Enqueue in bulk, skipping dedup-key duplicates; returns how many were added."""
        ...

    async def prune(self, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` notifications sent, given up or skipped and due before
        ``before``; never one still owed. Returns how many went."""
        ...

    # -- the dispatcher's side: claim, then settle each claimed row one way -------------
    async def claim_due(
        self, now: datetime, limit: int, lease: timedelta
    ) -> Sequence[OutboxMessage]:
        """Claim up to ``limit`` due rows, oldest due first, each counting an attempt;
        a claim lasts ``lease`` (then a crashed sender's rows are due again). Concurrent
        dispatchers never claim the same row."""
        ...

    async def mark_sent(self, message_id: int, now: datetime) -> None: ...

    async def mark_failed(self, message_id: int, error: str) -> None:
        """Given up on: never sent again."""
        ...

    async def mark_skipped(self, message_id: int, reason: str) -> None:
        """Not to be sent (muted, nothing to say any more): never sent again."""
        ...

    async def postpone(self, message_id: int, at: datetime, reason: str) -> None:
        """Due again at ``at`` (quiet hours, a digest) without counting the attempt."""
        ...

    async def retry_later(self, message_id: int, at: datetime, error: str) -> None:
        """Due again at ``at`` after a failed attempt."""
        ...


class InboundLog(Protocol):
    async def seen(self, platform: str, key: str) -> bool:
        """Record an inbound update key; True when it was recorded before."""
        ...

    async def prune(self, before: datetime, limit: int) -> int:
        """Forget up to ``limit`` keys recorded before ``before``; how many went."""
        ...


@dataclass(frozen=True)
class LeaseHolder:
    """A process that holds a lease: which one (``token``, unique per start), where it
    runs, since when, and when it last said it is alive."""

    token: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime


@dataclass(frozen=True)
class BoardQuery:
    """The team board's counts: open tasks of these responsibles, optionally one
    project's or one tag's (the board's filters)."""

    company_id: int
    member_ids: frozenset[int]
    now: datetime
    day_end: datetime  # end of the viewer's local today, UTC
    project_id: int | None = None
    tag: str | None = None


@dataclass(frozen=True)
class TaskCounts:
    """One responsible's tasks on the team board."""

    in_progress: int = 0
    due_today: int = 0  # open, due before the end of today and not overdue yet
    overdue: int = 0
    awaiting: int = 0  # done, awaiting the director's acceptance


class BoardRepository(Protocol):
    """What the manager's board (web, Telegram Mini App) reads and records."""

    async def use_link(self, nonce: str, member_id: int, now: datetime, expires: datetime) -> bool:
        """Take a one-time link's nonce; False when it was used before."""
        ...

    async def task_counts(self, query: BoardQuery) -> Mapping[int, TaskCounts]:
        """Per responsible (only those with tasks), counted in SQL (GROUP BY)."""
        ...

    async def prune_links(self, expired_before: datetime, limit: int) -> int:
        """Forget up to ``limit`` used links that expired before ``expired_before``
        (their signature refuses them anyway); how many were deleted."""
        ...


class InstanceLeases(Protocol):
    """Named leases in the database: one process at a time runs what a lease covers
    ("all-in-one" for ``brygada run``; scale-out roles will take leases of their own)."""

    async def acquire(self, name: str, me: LeaseHolder, stale_before: datetime) -> LeaseHolder:
        """Take ``name`` when it is free, already ours, or its heartbeat is older than
        ``stale_before`` (its holder died); the holder afterwards, ``me`` when taken."""
        ...

    async def renew(self, name: str, token: str, now: datetime) -> bool:
        """Record a heartbeat; False when the lease is no longer ours (taken over)."""
        ...

    async def release(self, name: str, token: str) -> None:
        """Give the lease up if it is still ours."""
        ...


@dataclass(frozen=True)
class ChatRef:
    """One chat on one platform (workspace: the bot id on Telegram, the team on Slack)."""

    platform: str
    workspace: str
    chat_id: str


@dataclass(frozen=True)
class StoredReplies:
    """The replies an inbound update owes its chat, as the platform's adapter rendered
    them: ``payload`` is a list of operations only that adapter reads; the first
    ``done`` of them were carried out already."""

    id: int
    chat: ChatRef
    payload: Sequence[Mapping[str, Any]]
    done: int = 0
    attempts: int = 0


class ReplyOutbox(Protocol):
    """Replies kept in the unit of work of the update that caused them, delivered after
    its commit (at once by the adapter, or later, in order per chat, by the dispatcher).

    A row is pending (due at ``not_before``), being sent (claimed until a lease ends),
    sent, or failed (the chat is gone)."""

    async def add(
        self,
        chat: ChatRef,
        update_key: str | None,
        payload: Sequence[Mapping[str, Any]],
        not_before: datetime,
    ) -> StoredReplies: ...

    async def backlog(self, chat: ChatRef, before: int | None = None) -> bool:
        """Whether the chat has undelivered replies (older than row ``before``, if given)."""
        ...

    async def unsent_of(self, platform: str, update_key: str) -> StoredReplies | None:
        """The update's replies if they are pending (not sent, and not being sent)."""
        ...

    async def take(self, reply_id: int, until: datetime) -> bool:
        """Reserve a pending row for an immediate send: nobody else sends it before
        ``until``. False when it is no longer pending."""
        ...

    async def sent(self, reply_id: int, now: datetime) -> None: ...

    async def retry_later(self, reply_id: int, at: datetime, done: int, error: str) -> None:
        """Back to pending, due at ``at``, the first ``done`` operations delivered."""
        ...

    async def failed(self, reply_id: int, done: int, error: str) -> None: ...

    async def claim_due(
        self, now: datetime, chats: int, lease: timedelta
    ) -> Sequence[StoredReplies]:
        """Claim every undelivered row of up to ``chats`` chats whose oldest undelivered
        row is due; rows come per chat in id order. A claim lasts ``lease``."""
        ...

    async def release(self, reply_id: int, due: datetime | None = None) -> None:
        """Give back a claimed row not tried this time (an older one of its chat failed,
        or it is being sent live); ``due``: when it may be claimed again."""
        ...

    async def prune(self, sent_before: datetime, failed_before: datetime, limit: int) -> int:
        """Delete up to ``limit`` rows sent before ``sent_before`` or given up on and
        created before ``failed_before``; pending rows never. Returns how many went."""
        ...


@dataclass(frozen=True)
class InboxEntry:
    """A platform request kept before it was acknowledged (see ``RequestInbox``)."""

    id: int
    kind: str
    team: str
    body: Mapping[str, Any]
    attempts: int = 0


class RequestInbox(Protocol):
    """Requests of a platform that never sends an acknowledged request again (Slack):
    written in their own short transaction before the ack, marked handled once their
    turn is committed; one left unhandled (the process died) is handled again."""

    async def add(
        self, kind: str, team: str, body: Mapping[str, Any], not_before: datetime
    ) -> int: ...

    async def handled(self, entry_id: int, now: datetime, error: str | None = None) -> None: ...

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> Sequence[InboxEntry]:
        """Unhandled rows due at ``now``, oldest first, each held for ``lease`` (and its
        attempt counted) so that nobody else handles it meanwhile."""
        ...

    async def prune(self, handled_before: datetime) -> int:
        """Forget rows handled before ``handled_before``; how many."""
        ...


class UnitOfWork(Protocol):
    # Read-only members so that implementations may narrow the repository types.
    @property
    def companies(self) -> CompanyRepository: ...
    @property
    def members(self) -> MemberRepository: ...
    @property
    def departments(self) -> DepartmentRepository: ...
    @property
    def projects(self) -> ProjectRepository: ...
    @property
    def invites(self) -> InviteRepository: ...
    @property
    def structure(self) -> StructureLog: ...
    @property
    def tasks(self) -> TaskRepository: ...
    @property
    def crm(self) -> CrmRepository: ...
    @property
    def approvals(self) -> ApprovalRepository: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def inbound(self) -> InboundLog: ...
    @property
    def replies(self) -> ReplyOutbox: ...
    @property
    def inbox(self) -> RequestInbox: ...
    @property
    def prompts(self) -> PromptStore: ...
    @property
    def scheduler(self) -> SchedulerRepository: ...
    @property
    def time(self) -> TimeRepository: ...
    @property
    def leases(self) -> InstanceLeases: ...
    @property
    def board(self) -> BoardRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...

    async def publish(self, event: Event) -> None:
        """Handle a domain event now, in this transaction: the handlers wired for it
        (``domain.bus``) run before this returns, so their writes commit or roll back
        with the change that caused them and their errors reach the publisher."""
        ...

    async def serialize_chat(self, platform: str, chat_id: str) -> None:
        """Wait until no other unit of work (of any process) holds this chat, then hold
        it until this one ends: updates of one chat are handled one at a time."""
        ...


@dataclass(frozen=True)
class OpenQuestion:
    """A question a member was asked and has not answered yet, and when it was asked."""

    kind: str
    data: dict[str, object]
    at: datetime


@dataclass(frozen=True)
class HeldText:
    """A message that did not cleanly answer ``kind``/``data``, kept until the member picks."""

    id: int
    kind: str
    data: dict[str, object]
    text: str
    at: datetime


class PromptStore(Protocol):
    """What a member was just asked (e.g. "the result for task 12"): their next text answers it."""

    async def get(self, member_id: int) -> tuple[str, dict[str, object]] | None: ...
    async def set(
        self, member_id: int, kind: str, data: dict[str, object], at: datetime | None = None
    ) -> None:
        """Ask ``kind``; ``at`` keeps an earlier asking time (a question put back)."""

    async def clear(self, member_id: int) -> None: ...
    async def question(self, member_id: int) -> OpenQuestion | None: ...
    async def expire(self, member_id: int, asked_before: datetime) -> OpenQuestion | None:
        """Close the member's question if it was asked before ``asked_before``; the closed one."""

    async def hold(self, member_id: int, kind: str, data: dict[str, object], text: str) -> int:
        """Keep ``text`` (not a clean answer to ``kind``) until the member picks; its id."""

    async def held(self, member_id: int, held_id: int) -> HeldText | None: ...
    async def release(self, member_id: int, held_id: int) -> None: ...


class SchedulerRepository(Protocol):
    """What the scheduled sweep reads and remembers."""

    async def lead(self) -> bool:
        """Become the only sweeper for this transaction (PostgreSQL advisory lock)."""
        ...

    async def watermark(self, name: str) -> datetime | None: ...
    async def set_watermark(self, name: str, at: datetime) -> None: ...
    async def tasks_due_between(
        self, company_id: int, start: datetime, end: datetime
    ) -> Sequence[DueTask]: ...
    async def member_timezones(self, company_id: int) -> Sequence[str]: ...
    async def members_in_timezone(self, company_id: int, tz: str) -> Sequence[int]: ...
    async def backlog_counts(self, member_ids: Sequence[int]) -> dict[int, int]: ...
    async def templates(self) -> Sequence[TaskTemplate]: ...
    async def add_template(self, template: NewTaskTemplate) -> TaskTemplate: ...
    async def deactivate_template(self, template_id: int, company_id: int) -> bool: ...
    async def record_run(self, template_id: int, occurrence: datetime) -> bool:
        """True the first time an occurrence is recorded: it is created exactly once."""
        ...

    async def preferences(self, member_ids: Sequence[int]) -> dict[int, Preferences]: ...
    async def save_preferences(self, prefs: Preferences) -> None: ...
