"""The approval engine: one request, its approvers, decisions and full history.

Everything that needs somebody's yes goes through an ``ApprovalRequest``: accepting
a finished task, a retroactive time correction, a daily report review, and custom
request types the company defines (leave, expenses, ...). The request knows who may
decide *now* (the approvers of its current step), enforces one decision per step,
and records every move (requested, approved, returned, rejected, withdrawn, expired,
reminded, escalated) as an event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from domain.company import WorkSchedule
from domain.errors import DomainError, InvalidInput, NotFound, NotPermitted


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class ApproverMode(StrEnum):
    """How the approvers decide: one person, any one of a group, or a sequential chain."""

    ONE = "one"
    ANY = "any"
    CHAIN = "chain"


class Verdict(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"


_OUTCOME = {
    Verdict.APPROVE: ApprovalStatus.APPROVED,
    Verdict.RETURN: ApprovalStatus.RETURNED,
    Verdict.REJECT: ApprovalStatus.REJECTED,
}


class SubjectKind(StrEnum):
    """What is being approved."""

    TASK = "task"
    TIME_CORRECTION = "time_correction"
    DAILY_REPORT = "daily_report"
    FORM = "form"  # a custom request type: the answers live on the request


# Built-in request types; custom ones come from the company's approvals file.
TASK_ACCEPTANCE = "task_acceptance"
TIME_CORRECTION = "time_correction"
REPORT_REVIEW = "report_review"
BUILTIN_TYPES = frozenset({TASK_ACCEPTANCE, TIME_CORRECTION, REPORT_REVIEW})


# -- errors ----------------------------------------------------------------------------------


class ApprovalNotFound(NotFound):
    code = "approval_not_found"


class ApprovalNotPermitted(NotPermitted):
    """The actor is not a current approver of the request (nor their deputy)."""

    code = "approval_not_permitted"


class ApprovalAlreadyDecided(DomainError):
    """The request was decided (or withdrawn/expired) before this press.

    ``params``: request_id, status, by (member id or None), at (datetime or None).
    """

    code = "approval_decided"


# -- values ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    ref: int | None = None  # the task / time entry / report id; None for forms


@dataclass(frozen=True)
class ApprovalEvent:
    """One line of a request's history.

    ``action`` is "requested", a verdict ("approve", "return", "reject"), "withdrawn",
    "expired" or "escalated". ``on_behalf_of`` is set when a deputy (or
    an overriding admin) decided for an approver.
    """

    actor_id: int | None
    at: datetime
    action: str
    step: int
    comment: str | None = None
    on_behalf_of: int | None = None

    @property
    def verdict(self) -> Verdict | None:
        try:
            return Verdict(self.action)
        except ValueError:
            return None


@dataclass(frozen=True)
class NewDeputy:
    """``deputy_id`` decides for ``member_id`` from ``start`` to ``end`` (inclusive)."""

    member_id: int
    deputy_id: int
    start: date
    end: date
    company_id: int


@dataclass(frozen=True)
class Deputy(NewDeputy):
    id: int = field(kw_only=True)


@dataclass(frozen=True)
class Absence:
    """An approved leave: the member's scheduled prompts are muted on these days."""

    member_id: int
    start: date
    end: date
    request_id: int | None = None


# -- the aggregate ---------------------------------------------------------------------------


@dataclass
class NewApprovalRequest:
    """A request being filed: ``ApprovalRepository.add`` stores it (with the "requested"
    event) and returns the ``ApprovalRequest``."""

    company_id: int
    type_key: str
    subject: Subject
    requester_id: int
    steps: list[list[int]]  # approver ids per step; ONE/ANY have one step
    mode: ApproverMode
    created_at: datetime
    status: ApprovalStatus = ApprovalStatus.PENDING
    current_step: int = 0
    step_started_at: datetime | None = None
    due_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: int | None = None
    escalated_step: int | None = None  # the step that was already escalated
    answers: dict[str, Any] = field(default_factory=dict)
    spec: dict[str, Any] = field(default_factory=dict)  # the type as filed (labels, fields)
    history: list[ApprovalEvent] = field(default_factory=list)
    version: int = 0
    pending_events: list[ApprovalEvent] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.steps or any(not s for s in self.steps):
            raise InvalidInput(field="approver", reason="none")
        if self.mode is not ApproverMode.CHAIN and len(self.steps) != 1:
            raise InvalidInput(field="approver", reason="one_step_expected")
        if self.step_started_at is None:
            self.step_started_at = self.created_at

    # -- queries ------------------------------------------------------------------------
    @property
    def is_pending(self) -> bool:
        return self.status is ApprovalStatus.PENDING

    @property
    def current_approvers(self) -> frozenset[int]:
        if not self.is_pending:
            return frozenset()
        return frozenset(self.steps[self.current_step])

    @property
    def all_approvers(self) -> frozenset[int]:
        return frozenset(m for step in self.steps for m in step)

    def waiting_since(self, member_id: int) -> datetime:
        """Since when the member has had this step to decide (escalation adds people later)."""
        since = self.step_started_at or self.created_at
        for event in self.events:
            if (
                event.action == "escalated"
                and event.step == self.current_step
                and str(member_id) in (event.comment or "").split(",")
            ):
                since = max(since, event.at)
        return since

    @property
    def events(self) -> list[ApprovalEvent]:
        return [*self.history, *self.pending_events]

    @property
    def decisions(self) -> list[ApprovalEvent]:
        return [e for e in self.events if e.verdict is not None]

    # -- changes ------------------------------------------------------------------------
    def _record(self, event: ApprovalEvent) -> None:
        self.pending_events.append(event)

    def opened(self, at: datetime) -> None:
        """Record the filing (called once, by the service that creates the request)."""
        self._record(ApprovalEvent(self.requester_id, at, "requested", 0))


@dataclass
class ApprovalRequest(NewApprovalRequest):
    """The stored request: decisions, withdrawal, expiry and escalation go through it."""

    id: int = field(kw_only=True)

    def _require_pending(self) -> None:
        if not self.is_pending:
            raise ApprovalAlreadyDecided(
                request_id=self.id,
                status=self.status.value,
                by=self.decided_by,
                at=self.decided_at,
            )

    def decide(
        self,
        actor_id: int,
        verdict: Verdict,
        comment: str | None,
        at: datetime,
        *,
        on_behalf_of: int | None = None,
    ) -> bool:
        """Decide the current step; returns True when the request is finally decided.

        ``on_behalf_of`` names the approver a deputy acts for; the service decides
        whether the actor may act for them. Return and reject need a comment.
        """
        self._require_pending()
        approver = on_behalf_of if on_behalf_of is not None else actor_id
        if approver not in self.current_approvers:
            raise ApprovalNotPermitted(request_id=self.id)
        comment = (comment or "").strip() or None
        if verdict is not Verdict.APPROVE and comment is None:
            raise InvalidInput(field="comment", reason="required", verdict=verdict.value)
        self._record(
            ApprovalEvent(actor_id, at, verdict.value, self.current_step, comment, on_behalf_of)
        )
        if verdict is Verdict.APPROVE and self.current_step + 1 < len(self.steps):
            self.current_step += 1
            self.step_started_at = at
            return False
        self.status = _OUTCOME[verdict]
        self.decided_at, self.decided_by = at, actor_id
        return True

    def withdraw(self, actor_id: int, at: datetime, *, comment: str | None = None) -> None:
        """The requester takes the request back (the system does so when the subject moved on)."""
        self._require_pending()
        self._record(ApprovalEvent(actor_id, at, "withdrawn", self.current_step, comment))
        self.status = ApprovalStatus.WITHDRAWN
        self.decided_at, self.decided_by = at, actor_id

    def expire(self, at: datetime) -> None:
        self._require_pending()
        if self.due_at is None or at < self.due_at:
            raise InvalidInput(field="due", reason="not_due")
        self._record(ApprovalEvent(None, at, "expired", self.current_step))
        self.status = ApprovalStatus.EXPIRED
        self.decided_at, self.decided_by = at, None

    def escalate(self, to: frozenset[int], at: datetime) -> frozenset[int]:
        """Add the approvers' managers to the current step, once per step; returns who was added."""
        self._require_pending()
        if self.escalated_step == self.current_step:
            return frozenset()
        added = frozenset(to) - set(self.steps[self.current_step]) - {self.requester_id}
        self.escalated_step = self.current_step
        if added:
            self.steps[self.current_step] = [*self.steps[self.current_step], *sorted(added)]
            detail = ",".join(str(m) for m in sorted(added))
            self._record(ApprovalEvent(None, at, "escalated", self.current_step, detail))
        return added


# -- working hours -----------------------------------------------------------------------------


def working_hours_between(start: datetime, end: datetime, tz: str, schedule: WorkSchedule) -> float:
    """Hours of ``[start, end)`` that fall inside the work schedule, in the zone ``tz``."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(tz)
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    total = timedelta()
    while day <= last:
        if schedule.is_working_day(day):
            open_, close = schedule.start_of_day(day, tz), schedule.end_of_day(day, tz)
            lo, hi = max(open_, start), min(close, end)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def add_working_hours(start: datetime, hours: float, tz: str, schedule: WorkSchedule) -> datetime:
    """The moment ``hours`` working hours after ``start`` (for due times)."""
    zone = ZoneInfo(tz)
    remaining = timedelta(hours=hours)
    moment = start
    for _ in range(3660):
        day = moment.astimezone(zone).date()
        if schedule.is_working_day(day):
            open_, close = schedule.start_of_day(day, tz), schedule.end_of_day(day, tz)
            lo = max(open_, moment)
            if lo < close:
                if lo + remaining <= close:
                    return lo + remaining
                remaining -= close - lo
        nxt = day + timedelta(days=1)
        moment = datetime.combine(nxt, datetime.min.time(), tzinfo=zone)
    return moment
