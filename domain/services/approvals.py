"""Approval use cases: file, decide, withdraw, list, deputies, reminders and escalation.

Who may decide is checked here, at press time, from the request as stored: the
actor must be a current approver, or the deputy of one on the actor's local today.
A button only says which request and which verdict; it grants nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.approval_types import ApprovalType, ApproverKind, ApproverSpec, date_range_of
from domain.approvals import (
    TASK_ACCEPTANCE,
    Absence,
    ApprovalAlreadyDecided,
    ApprovalNotFound,
    ApprovalNotPermitted,
    ApprovalRequest,
    ApprovalStatus,
    ApproverMode,
    Deputy,
    NewApprovalRequest,
    NewDeputy,
    Subject,
    SubjectKind,
    Verdict,
    add_working_hours,
    working_hours_between,
)
from domain.company import Member, Role, WorkSchedule
from domain.errors import Conflict, InvalidInput, MemberNotFound, TaskNotFound
from domain.events import RequestDecided, TaskAcceptanceDecided, TaskAwaitingAcceptance
from domain.notifications import Notification
from domain.ports import UnitOfWork
from domain.tasks import Task, TaskStatus

REQUESTED = "approval.requested"
DECIDED = "approval.decided"
REMINDER = "approval.reminder"
ESCALATED = "approval.escalated"
EXPIRED = "approval.expired"


def local_today(member: Member, now: datetime) -> date:
    return now.astimezone(ZoneInfo(member.timezone)).date()


# -- who approves ------------------------------------------------------------------------------


async def _department_head(uow: UnitOfWork, member: Member) -> int | None:
    """The head of the member's department; for the head themself, of the parent department."""
    department_id, seen = member.department_id, set()
    while department_id is not None and department_id not in seen:
        seen.add(department_id)
        dept = await uow.departments.get(department_id)
        if dept is None:
            return None
        # A head who was let go approves nothing: the chain goes up.
        head = dept.head_id
        if head is not None and head != member.id and await _active(uow, head):
            return head
        department_id = dept.parent_id
    return None


async def _active(uow: UnitOfWork, member_id: int) -> bool:
    found = await uow.members.get(member_id)
    return found is not None and found.active


async def _resolve(uow: UnitOfWork, requester: Member, spec: ApproverSpec) -> list[int]:
    match spec.kind:
        case ApproverKind.MANAGER:
            manager = requester.manager_id
            if manager and manager != requester.id and await _active(uow, manager):
                return [manager]
            head = await _department_head(uow, requester)
            return [head] if head else []
        case ApproverKind.DEPARTMENT_HEAD:
            head = await _department_head(uow, requester)
            return [head] if head else []
        case ApproverKind.MEMBER:
            found = await uow.members.by_handle(requester.company_id, spec.value or "")
            return [found.id] if found and found.id and found.active else []
        case ApproverKind.ROLE:
            return sorted(
                m.id
                for m in await uow.members.list(requester.company_id)
                if m.id and m.active and m.role.value == spec.value
            )
    return []  # pragma: no cover


async def resolve_steps(
    uow: UnitOfWork, requester: Member, specs: Sequence[ApproverSpec], mode: ApproverMode
) -> list[list[int]]:
    """Approver ids per step. Nobody approves their own request; when a spec finds nobody
    (no manager, no department), the company's admins stand in, so nothing is lost."""
    resolved = []
    for spec in specs:
        ids = [i for i in dict.fromkeys(await _resolve(uow, requester, spec)) if i != requester.id]
        if ids:
            resolved.append(ids)
    if not resolved:
        admins = [
            m.id
            for m in await uow.members.list(requester.company_id)
            if m.id and m.active and m.role is Role.ADMIN and m.id != requester.id
        ]
        if not admins:
            raise InvalidInput(field="approver", reason="nobody")
        return [sorted(admins)]  # any one of the admins
    match mode:
        case ApproverMode.ONE:
            return [[resolved[0][0]]]
        case ApproverMode.ANY:
            return [list(dict.fromkeys(i for step in resolved for i in step))]
        case ApproverMode.CHAIN:
            return resolved
    return resolved  # pragma: no cover


# -- notifications ---------------------------------------------------------------------------


async def _deciders(
    uow: UnitOfWork, request: ApprovalRequest, approvers: Iterable[int], day: date
) -> list[int]:
    """The approvers plus the deputies standing in for them today."""
    ids = frozenset(approvers)
    deputies = await uow.approvals.deputies_for(ids, day)
    return sorted(ids | set(deputies.values()))


async def _notify_step(
    uow: UnitOfWork, request: ApprovalRequest, kind: str, now: datetime, actor_id: int | None
) -> None:
    for member_id in await _deciders(uow, request, request.current_approvers, now.date()):
        if member_id == actor_id:
            continue
        await uow.outbox.add(
            Notification(
                member_id=member_id,
                kind=kind,
                data={"request_id": request.id, "actor_id": request.requester_id},
                dedup_key=f"{kind}:{request.id}:{request.current_step}:{member_id}:{request.version}",
            )
        )


async def _tell_requester(uow: UnitOfWork, request: ApprovalRequest, kind: str) -> None:
    last = request.events[-1] if request.events else None
    await uow.outbox.add(
        Notification(
            member_id=request.requester_id,
            kind=kind,
            data={
                "request_id": request.id,
                "actor_id": request.decided_by,
                "status": request.status.value,
            },
            dedup_key=f"{kind}:{request.id}:{request.status.value}:{request.version}",
            meta={"action": last.action if last else None},
        )
    )


# -- filing ----------------------------------------------------------------------------------


async def file_request(
    uow: UnitOfWork,
    actor: Member,
    rtype: ApprovalType,
    answers: Mapping[str, Any],
    now: datetime,
    *,
    subject: Subject | None = None,
) -> ApprovalRequest:
    """File a request of ``rtype`` with the form ``answers``; its approvers are told."""
    if actor.is_extranet:
        raise ApprovalNotPermitted(action="request")
    for spec in rtype.fields:
        if spec.required and answers.get(spec.name) is None:
            raise InvalidInput(field=spec.name, reason="empty", type=spec.type.value)
    steps = await resolve_steps(uow, actor, rtype.approvers, rtype.mode)
    due_at = None
    if rtype.due_hours:
        company = await uow.companies.get(actor.company_id)
        schedule = company.schedule if company else WorkSchedule()
        due_at = add_working_hours(now, rtype.due_hours, actor.timezone, schedule)
    request = NewApprovalRequest(
        company_id=actor.company_id,
        type_key=rtype.key,
        subject=subject or Subject(SubjectKind.FORM),
        requester_id=actor.id,
        steps=steps,
        mode=rtype.mode,
        created_at=now,
        due_at=due_at,
        answers=dict(answers),
        spec=rtype.snapshot(),
    )
    request.opened(now)
    request = await uow.approvals.add(request)
    await _notify_step(uow, request, REQUESTED, now, actor.id)
    return request


async def open_task_acceptance(
    uow: UnitOfWork, task: Task, actor_id: int, now: datetime
) -> ApprovalRequest:
    """A task awaits acceptance: its director is asked (the task card is the notification)."""
    subject = Subject(SubjectKind.TASK, task.id)
    stale = await uow.approvals.pending_for_subject(subject)
    if stale is not None:
        stale.withdraw(actor_id, now, comment="completed again")
        await uow.approvals.save(stale)
    request = NewApprovalRequest(
        company_id=task.company_id,
        type_key=TASK_ACCEPTANCE,
        subject=subject,
        requester_id=task.responsible_id,
        steps=[[task.creator_id]],
        mode=ApproverMode.ONE,
        created_at=now,
        spec={"title": {"en": task.title}},
    )
    request.opened(now)
    return await uow.approvals.add(request)


# -- deciding --------------------------------------------------------------------------------


async def acting_for(
    uow: UnitOfWork, request: ApprovalRequest, actor: Member, now: datetime
) -> int | None:
    """None when the actor is a current approver; the approver's id when the actor is their
    deputy today. Raises ApprovalNotPermitted for anyone else — before anything about the
    request's state is said — and AlreadyDecided to an approver (or deputy) who is late."""
    if not actor.active or actor.company_id != request.company_id:
        raise ApprovalNotPermitted(request_id=request.id)
    principals = await uow.approvals.principals_of(actor.id, local_today(actor, now))
    if not request.is_pending:
        deciders = {m for step in request.steps for m in step}
        if request.decided_by is not None:
            deciders.add(request.decided_by)
        if actor.id not in deciders and not principals & deciders:
            raise ApprovalNotPermitted(request_id=request.id)
        raise ApprovalAlreadyDecided(
            request_id=request.id,
            status=request.status.value,
            by=request.decided_by,
            at=request.decided_at,
        )
    if actor.id in request.current_approvers:
        return None
    for approver in sorted(principals & request.current_approvers):
        return approver
    raise ApprovalNotPermitted(request_id=request.id)


async def may_decide(
    uow: UnitOfWork, request: ApprovalRequest, actor: Member, now: datetime
) -> bool:
    try:
        await acting_for(uow, request, actor, now)
    except (ApprovalNotPermitted, ApprovalAlreadyDecided):
        return False
    return True


async def _save_decided(uow: UnitOfWork, request: ApprovalRequest) -> None:
    """Save; when another decision won the race, say who decided and when."""
    try:
        await uow.approvals.save(request)
    except Conflict:
        fresh = await uow.approvals.get(request.id)
        if fresh is not None and not fresh.is_pending:
            raise ApprovalAlreadyDecided(
                request_id=fresh.id,
                status=fresh.status.value,
                by=fresh.decided_by,
                at=fresh.decided_at,
            ) from None
        raise


async def load_request(uow: UnitOfWork, actor: Member, request_id: int) -> ApprovalRequest:
    request = await uow.approvals.get(request_id)
    if request is None or request.company_id != actor.company_id:
        raise ApprovalNotFound(request_id=request_id)
    return request


async def check_decider(
    uow: UnitOfWork, actor: Member, request_id: int, verdict: Verdict, now: datetime
) -> ApprovalRequest:
    """Before asking for a comment: the actor may decide this request right now."""
    request = await load_request(uow, actor, request_id)
    if request.subject.kind is SubjectKind.TASK:
        raise InvalidInput(field="approval", reason="decide_on_task_card", verdict=verdict.value)
    await acting_for(uow, request, actor, now)
    return request


async def decide(
    uow: UnitOfWork,
    actor: Member,
    request_id: int,
    verdict: Verdict,
    comment: str | None,
    now: datetime,
) -> ApprovalRequest:
    """Approve, return or reject a form request (tasks are decided by accept/return_task)."""
    request = await check_decider(uow, actor, request_id, verdict, now)
    behalf = await acting_for(uow, request, actor, now)
    final = request.decide(actor.id, verdict, comment, now, on_behalf_of=behalf)
    await _save_decided(uow, request)
    if not final:
        await _notify_step(uow, request, REQUESTED, now, actor.id)
        return request
    if request.status is ApprovalStatus.APPROVED:
        await _record_absence(uow, request)
    # What the request was for happens now (an approved time correction is applied).
    await uow.publish(RequestDecided(request.id, request.status, request.subject.kind, now))
    await _tell_requester(uow, request, DECIDED)
    return request


async def _record_absence(uow: UnitOfWork, request: ApprovalRequest) -> None:
    name = request.spec.get("absence_field")
    span = date_range_of(request.answers.get(name)) if name else None
    if span is not None:
        await uow.approvals.add_absence(Absence(request.requester_id, span[0], span[1], request.id))


async def decide_task(
    uow: UnitOfWork,
    actor_id: int,
    task: Task,
    verdict: Verdict,
    comment: str | None,
    now: datetime,
    *,
    on_behalf_of: int | None,
) -> ApprovalRequest:
    """Record the acceptance decision the task service just made on the task itself."""
    request = await uow.approvals.pending_for_subject(Subject(SubjectKind.TASK, task.id))
    if request is None:
        # Awaiting acceptance from before the engine existed: open the request now.
        request = await open_task_acceptance(uow, task, actor_id, now)
    if actor_id not in request.current_approvers and on_behalf_of is None:
        on_behalf_of = sorted(request.current_approvers)[0]
    request.decide(actor_id, verdict, comment, now, on_behalf_of=on_behalf_of)
    await _save_decided(uow, request)
    return request


# -- event handlers (wired in domain.services.event_handlers) --------------------------------


async def _event_task(uow: UnitOfWork, task_id: int) -> Task:
    task = await uow.tasks.get(task_id)
    if task is None:
        raise TaskNotFound(task_id=task_id)
    return task


async def open_acceptance_request(uow: UnitOfWork, event: TaskAwaitingAcceptance) -> None:
    await open_task_acceptance(uow, await _event_task(uow, event.task_id), event.actor_id, event.at)


async def record_acceptance_decision(uow: UnitOfWork, event: TaskAcceptanceDecided) -> None:
    await decide_task(
        uow,
        event.actor_id,
        await _event_task(uow, event.task_id),
        event.verdict,
        event.comment,
        event.at,
        on_behalf_of=event.on_behalf_of,
    )


async def task_acceptance_role(
    uow: UnitOfWork, actor: Member, task: Task, now: datetime
) -> tuple[bool, int | None]:
    """For the task service: (is a current approver or deputy of one, approver acted for)."""
    request = await uow.approvals.pending_for_subject(Subject(SubjectKind.TASK, task.id))
    if request is None:
        return False, None
    try:
        return True, await acting_for(uow, request, actor, now)
    except (ApprovalNotPermitted, ApprovalAlreadyDecided):
        return False, None


async def withdraw(
    uow: UnitOfWork, actor: Member, request_id: int, now: datetime
) -> ApprovalRequest:
    request = await load_request(uow, actor, request_id)
    if request.requester_id != actor.id or request.subject.kind is SubjectKind.TASK:
        raise ApprovalNotPermitted(request_id=request_id)
    request.withdraw(actor.id, now)
    await _save_decided(uow, request)
    return request


# -- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalView:
    """A read model for a request card."""

    request: ApprovalRequest
    names: dict[int, str] = field(default_factory=dict)
    can_decide: bool = False
    can_withdraw: bool = False


async def _names(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for member_id in set(ids):
        member = await uow.members.get(member_id)
        if member is not None:
            names[member_id] = member.name
    return names


async def view_request(
    uow: UnitOfWork, actor: Member, request_id: int, now: datetime
) -> ApprovalView:
    """The requester, every approver (and a deputy of one) and admins may see a request."""
    request = await load_request(uow, actor, request_id)
    can_decide = await may_decide(uow, request, actor, now)
    principals = await uow.approvals.principals_of(actor.id, local_today(actor, now))
    visible = (
        actor.id == request.requester_id
        or actor.id in request.all_approvers
        or bool(principals & request.all_approvers)
        or actor.is_admin
    )
    if not visible:
        raise ApprovalNotFound(request_id=request_id)
    people = {request.requester_id, *request.all_approvers}
    people |= {e.actor_id for e in request.events if e.actor_id is not None}
    people |= {e.on_behalf_of for e in request.events if e.on_behalf_of is not None}
    return ApprovalView(
        request=request,
        names=await _names(uow, people),
        can_decide=can_decide and request.subject.kind is not SubjectKind.TASK,
        can_withdraw=request.is_pending
        and actor.id == request.requester_id
        and request.subject.kind is not SubjectKind.TASK,
    )


async def awaiting_my_decision(
    uow: UnitOfWork, actor: Member, now: datetime
) -> Sequence[ApprovalRequest]:
    """Pending requests the actor may decide now, as an approver or as a deputy."""
    principals = await uow.approvals.principals_of(actor.id, local_today(actor, now))
    requests = await uow.approvals.awaiting(actor.company_id, frozenset({actor.id, *principals}))
    found = []
    for request in requests:
        if request.subject.kind is SubjectKind.TASK and not await _task_still_waiting(
            uow, request, now
        ):
            continue
        found.append(request)
    return found


async def _task_still_waiting(uow: UnitOfWork, request: ApprovalRequest, now: datetime) -> bool:
    """A task reopened or deleted meanwhile: its acceptance request is withdrawn."""
    task = await uow.tasks.get(request.subject.ref or 0)
    if task is not None and task.status is TaskStatus.AWAITING_ACCEPTANCE:
        return True
    request.withdraw(request.requester_id, now, comment="task no longer awaits acceptance")
    await uow.approvals.save(request)
    return False


# -- deputies --------------------------------------------------------------------------------


async def set_deputy(
    uow: UnitOfWork, actor: Member, deputy_id: int, start: date, end: date, now: datetime
) -> Deputy:
    """Hand the actor's decisions to a colleague for a date range (inclusive)."""
    deputy = await uow.members.get(deputy_id)
    if deputy is None or deputy.company_id != actor.company_id or not deputy.active:
        raise MemberNotFound(member_id=deputy_id)
    if deputy_id == actor.id:
        raise InvalidInput(field="deputy", reason="self")
    if deputy.is_extranet:
        raise InvalidInput(field="deputy", reason="extranet")
    if end < start:
        raise InvalidInput(field="dates", reason="end_before_start")
    if end < local_today(actor, now):
        raise InvalidInput(field="dates", reason="in_past")
    return await uow.approvals.set_deputy(
        NewDeputy(actor.id, deputy_id, start, end, actor.company_id)
    )


# -- the scheduled sweep ---------------------------------------------------------------------


async def enqueue_approval_reminders(
    uow: UnitOfWork,
    now: datetime,
    schedule: WorkSchedule,
    remind_hours: float,
    escalate_hours: float,
) -> int:
    """Remind approvers of requests pending ``remind_hours`` working hours (again every
    ``remind_hours``), and after ``escalate_hours`` add each approver's manager to the step.

    Hours count in each approver's own timezone on ``schedule``. Idempotent: dedup keys
    name the request, step, member and reminder number, so a repeated sweep adds nothing.
    Returns how many notifications were enqueued.
    """
    added = 0
    for request in await uow.approvals.pending():
        if request.subject.kind is SubjectKind.TASK and not await _task_still_waiting(
            uow, request, now
        ):
            continue
        approvers = sorted(request.current_approvers)
        managers: set[int] = set()
        for approver_id in approvers:
            approver = await uow.members.get(approver_id)
            if approver is None:
                continue
            since = request.waiting_since(approver_id)
            hours = working_hours_between(since, now, approver.timezone, schedule)
            if remind_hours > 0 and hours >= remind_hours:
                number = int(hours // remind_hours)
                deputy = (
                    await uow.approvals.deputies_for(frozenset({approver_id}), now.date())
                ).get(approver_id)
                for member_id in {approver_id, *([deputy] if deputy else [])}:
                    added += await uow.outbox.add(
                        Notification(
                            member_id=member_id,
                            kind=REMINDER,
                            data={"request_id": request.id, "actor_id": request.requester_id},
                            dedup_key=(
                                f"{REMINDER}:{request.id}:{request.current_step}:"
                                f"{member_id}:{number}"
                            ),
                        )
                    )
            if (
                escalate_hours > 0
                and hours >= escalate_hours
                and request.escalated_step != request.current_step
            ):
                boss = approver.manager_id or await _department_head(uow, approver)
                if boss and boss != approver_id:
                    managers.add(boss)
        if managers and request.escalated_step != request.current_step:
            new = request.escalate(frozenset(managers), now)
            await uow.approvals.save(request)
            for member_id in sorted(new):
                added += await uow.outbox.add(
                    Notification(
                        member_id=member_id,
                        kind=ESCALATED,
                        data={"request_id": request.id, "actor_id": request.requester_id},
                        dedup_key=f"{ESCALATED}:{request.id}:{request.current_step}:{member_id}",
                    )
                )
    return added


async def expire_overdue_approvals(uow: UnitOfWork, now: datetime) -> int:
    """Expire pending requests past their due time and tell their requesters."""
    expired = 0
    for request in await uow.approvals.pending():
        if request.due_at is not None and request.due_at <= now:
            request.expire(now)
            await uow.approvals.save(request)
            await _tell_requester(uow, request, EXPIRED)
            expired += 1
    return expired
