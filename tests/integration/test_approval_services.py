"""The approval services on a real database: races, reminders, escalation, expiry,
deputies, absences, and task acceptance running on the engine."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from brygada.bootstrap import App
from domain.approval_types import ApprovalType, ApproverSpec, LocalText, parse_approval_types
from domain.approvals import (
    ApprovalAlreadyDecided,
    ApprovalNotPermitted,
    ApprovalRequest,
    ApprovalStatus,
    ApproverMode,
    Subject,
    SubjectKind,
    Verdict,
)
from domain.company import Member, Role, WorkSchedule
from domain.errors import NotPermitted, TaskNotFound
from domain.services import approvals as service
from domain.services import tasks
from domain.tasks import Rating
from storage.models import OutboxRow
from tests.conftest import APPROVALS_EXAMPLE, FakeClock
from tests.factories import Team, make_department, make_team

EXAMPLE = parse_approval_types(APPROVALS_EXAMPLE.read_bytes())
LEAVE = EXAMPLE.custom["leave"]
ANSWERS = {"kind": "vacation", "dates": {"start": "2026-12-01", "end": "2026-12-05"}, "note": None}
EXPENSE = {"purpose": "Taxi", "amount": {"amount": "45.50", "currency": "PLN"}, "receipt": {}}
ANY_MANAGER = ApprovalType(
    "purchase",
    LocalText.of("Purchase"),
    (),
    (ApproverSpec.parse("role:manager"),),
    ApproverMode.ANY,
)


async def company(app: App) -> Team:
    team = await make_team(
        app,
        [
            ("boss", Role.ADMIN),
            ("head", Role.MANAGER),
            ("kate", Role.MANAGER),
            ("anna", Role.EMPLOYEE),
            ("ivan", Role.EMPLOYEE),
            ("client", Role.EXTRANET),
            ("admin2", Role.ADMIN),
        ],
    )
    await make_department(app, team, "Sales", head="head", staff=["anna", "ivan"])
    async with app.uow() as uow:
        head = team["head"]
        head.manager_id = team["boss"].id
        await uow.members.save(head)
        await uow.commit()
    return team


async def file(app: App, who: Member, rtype: ApprovalType = LEAVE) -> ApprovalRequest:
    async with app.uow() as uow:
        answers = EXPENSE if rtype.key == "expense" else ANSWERS
        request = await service.file_request(uow, who, rtype, answers, app.clock.now())
        await uow.commit()
    return request


async def decide(
    app: App, who: Member, request_id: int, verdict: Verdict = Verdict.APPROVE
) -> ApprovalRequest:
    async with app.uow() as uow:
        comment = None if verdict is Verdict.APPROVE else "no"
        request = await service.decide(uow, who, request_id, verdict, comment, app.clock.now())
        await uow.commit()
    return request


async def get(app: App, request_id: int) -> ApprovalRequest:
    async with app.uow() as uow:
        request = await uow.approvals.get(request_id)
    assert request is not None
    return request


async def outbox(app: App, kind: str) -> list[tuple[int, str]]:
    async with app.uow() as uow:
        rows = await uow.session.execute(
            select(OutboxRow.member_id, OutboxRow.dedup_key)
            .where(OutboxRow.kind == kind)
            .order_by(OutboxRow.id)
        )
        return [(int(m), str(k)) for m, k in rows]


# -- races ---------------------------------------------------------------------------------------


async def test_two_approvers_racing_one_decision_wins(app: App) -> None:
    team = await company(app)
    request = await file(app, team["anna"], ANY_MANAGER)
    assert (await get(app, request.id)).current_approvers == {team["head"].id, team["kate"].id}

    results = await asyncio.gather(
        decide(app, team["head"], request.id, Verdict.APPROVE),
        decide(app, team["kate"], request.id, Verdict.REJECT),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, ApprovalRequest)]
    lost = [r for r in results if isinstance(r, ApprovalAlreadyDecided)]
    assert len(won) == 1 and len(lost) == 1, results
    stored = await get(app, request.id)
    assert lost[0].params["by"] == stored.decided_by == won[0].decided_by
    assert lost[0].params["at"] == stored.decided_at
    assert len(stored.decisions) == 1
    assert len(await outbox(app, service.DECIDED)) == 1


async def test_a_double_press_decides_once(app: App) -> None:
    team = await company(app)
    request = await file(app, team["anna"])
    results = await asyncio.gather(
        decide(app, team["head"], request.id),
        decide(app, team["head"], request.id),
        return_exceptions=True,
    )
    assert sum(isinstance(r, ApprovalRequest) for r in results) == 1
    assert sum(isinstance(r, ApprovalAlreadyDecided) for r in results) == 1
    stored = await get(app, request.id)
    assert stored.status is ApprovalStatus.APPROVED and len(stored.decisions) == 1
    async with app.uow() as uow:
        assert len(await uow.approvals.absent_member_ids(team.company.id, date(2026, 12, 2))) == 1


async def test_a_stale_copy_cannot_overwrite_a_decision(app: App) -> None:
    """The conditional UPDATE: a decision made on a copy read before another decision
    fails, and names the winner."""
    team = await company(app)
    request = await file(app, team["anna"], ANY_MANAGER)
    stale = await get(app, request.id)
    await decide(app, team["kate"], request.id, Verdict.REJECT)
    async with app.uow() as uow:
        stale.decide(team["head"].id, Verdict.APPROVE, None, app.clock.now())
        with pytest.raises(ApprovalAlreadyDecided) as error:
            await service._save_decided(uow, stale)
    assert error.value.params["by"] == team["kate"].id
    assert (await get(app, request.id)).status is ApprovalStatus.REJECTED


# -- who may decide ---------------------------------------------------------------------------


async def test_every_other_role_is_refused(app: App) -> None:
    team = await company(app)
    request = await file(app, team["anna"])
    for handle in ("anna", "ivan", "kate", "boss", "admin2", "client"):
        with pytest.raises(ApprovalNotPermitted):
            await decide(app, team[handle], request.id)
    assert (await get(app, request.id)).is_pending


async def test_approvers_resolve_from_the_structure(app: App) -> None:
    team = await company(app)
    # Anna has no manager set: her department head approves.
    assert (await file(app, team["anna"])).steps == [[team["head"].id]]
    # The head's own request goes to their manager.
    assert (await file(app, team["head"])).steps == [[team["boss"].id]]
    # Ivan's explicit manager wins over the department head.
    async with app.uow() as uow:
        ivan = team["ivan"]
        ivan.manager_id = team["kate"].id
        await uow.members.save(ivan)
        await uow.commit()
    assert (await file(app, team["ivan"])).steps == [[team["kate"].id]]
    # Kate, with no manager and no department: the admins stand in.
    assert set((await file(app, team["kate"])).steps[0]) == {team["boss"].id, team["admin2"].id}
    expense = await file(app, team["anna"], EXAMPLE.custom["expense"])
    assert expense.mode is ApproverMode.CHAIN
    assert expense.steps == [[team["head"].id], [team["boss"].id, team["admin2"].id]]
    assert expense.due_at is not None


async def test_a_deputy_decides_only_within_the_dates(app: App, clock: FakeClock) -> None:
    team = await company(app)
    async with app.uow() as uow:
        await service.set_deputy(
            uow, team["head"], team["ivan"].id, date(2026, 11, 26), date(2026, 11, 27),
            clock.now(),
        )  # fmt: skip
        await uow.commit()
    request = await file(app, team["anna"])
    with pytest.raises(ApprovalNotPermitted):
        await decide(app, team["ivan"], request.id)  # today (25.11) is before the range
    clock.advance(days=1)
    decided = await decide(app, team["ivan"], request.id)
    [decision] = decided.decisions
    assert (decision.actor_id, decision.on_behalf_of) == (team["ivan"].id, team["head"].id)


# -- reminders, escalation, expiry --------------------------------------------------------------


async def sweep(app: App) -> int:
    async with app.uow() as uow:
        added = await service.enqueue_approval_reminders(
            uow, app.clock.now(), WorkSchedule(), remind_hours=4, escalate_hours=8
        )
        await uow.commit()
    return added


async def test_reminder_after_working_hours_then_escalation(app: App, clock: FakeClock) -> None:
    team = await company(app)
    await file(app, team["head"])  # Wed 10:30 Warsaw; the boss approves
    await file(app, team["anna"])  # the head approves this one
    clock.advance(hours=3, minutes=59)
    assert await sweep(app) == 0
    clock.advance(minutes=1)  # 4 working hours: 14:30 Warsaw
    assert await sweep(app) == 2
    assert await sweep(app) == 0  # dedup keys: a repeated sweep adds nothing
    reminded = {m for m, _ in await outbox(app, service.REMINDER)}
    assert reminded == {team["boss"].id, team["head"].id}
    # Overnight does not count: Thu 09:00 Warsaw is 7.5 working hours.
    clock.set(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    added = await sweep(app)
    assert added == 0, await outbox(app, service.REMINDER) + await outbox(app, service.ESCALATED)
    clock.set(datetime(2026, 11, 26, 8, 30, tzinfo=UTC))  # 8 working hours
    assert await sweep(app) == 3  # two second reminders and one escalation
    escalated = await outbox(app, service.ESCALATED)
    # The head's approval of Anna's request is escalated to the head's manager, the boss.
    assert [m for m, _ in escalated] == [team["boss"].id]
    assert await sweep(app) == 0
    requests = {r.requester_id: r for r in await _pending(app)}
    anna_request = requests[team["anna"].id]
    assert anna_request.current_approvers == {team["head"].id, team["boss"].id}
    assert anna_request.events[-1].action == "escalated"
    # The boss (now a current approver) decides.
    await decide(app, team["boss"], anna_request.id)


async def _pending(app: App) -> list[ApprovalRequest]:
    async with app.uow() as uow:
        return list(await uow.approvals.pending())


async def test_the_deputy_is_reminded_too(app: App, clock: FakeClock) -> None:
    team = await company(app)
    async with app.uow() as uow:
        await service.set_deputy(
            uow, team["head"], team["ivan"].id, date(2026, 11, 25), date(2026, 11, 30),
            clock.now(),
        )  # fmt: skip
        await uow.commit()
    await file(app, team["anna"])
    assert {m for m, _ in await outbox(app, service.REQUESTED)} == {
        team["head"].id,
        team["ivan"].id,
    }
    clock.advance(hours=4)
    assert await sweep(app) == 2


async def test_expiry(app: App, clock: FakeClock) -> None:
    team = await company(app)
    request = await file(app, team["anna"], EXAMPLE.custom["expense"])
    assert request.due_at is not None
    clock.set(request.due_at - timedelta(minutes=1))
    async with app.uow() as uow:
        assert await service.expire_overdue_approvals(uow, clock.now()) == 0
    clock.set(request.due_at)
    async with app.uow() as uow:
        assert await service.expire_overdue_approvals(uow, clock.now()) == 1
        await uow.commit()
    assert (await get(app, request.id)).status is ApprovalStatus.EXPIRED
    assert [m for m, _ in await outbox(app, service.EXPIRED)] == [team["anna"].id]
    with pytest.raises(ApprovalAlreadyDecided):
        await decide(app, team["head"], request.id)


# -- task acceptance on the engine --------------------------------------------------------------


async def finished_task(app: App, team: Team) -> int:
    async with app.uow() as uow:
        task = await tasks.create_task(
            uow, team["head"], tasks.CreateTask("Sales: Call Ivan", responsible_id=team["anna"].id),
            app.clock.now(),
        )  # fmt: skip
        await tasks.complete_task(uow, team["anna"], task.id, "Called", app.clock.now())
        await uow.commit()
    return task.id


async def acceptance(app: App, task_id: int) -> ApprovalRequest:
    async with app.uow() as uow:
        rows = await uow.approvals.awaiting(1, frozenset(range(1, 20)))
        for request in [*rows, *(await uow.approvals.pending())]:
            if request.subject == Subject(SubjectKind.TASK, task_id):
                return request
    raise AssertionError("no acceptance request")


async def test_completing_opens_a_request_and_accepting_decides_it(app: App) -> None:
    team = await company(app)
    task_id = await finished_task(app, team)
    request = await acceptance(app, task_id)
    assert request.type_key == "task_acceptance" and request.steps == [[team["head"].id]]
    assert request.requester_id == team["anna"].id
    async with app.uow() as uow:
        await tasks.accept_task(
            uow, team["head"], task_id, Rating.NEGATIVE, "late", app.clock.now()
        )
        await uow.commit()
    stored = await get(app, request.id)
    assert stored.status is ApprovalStatus.APPROVED and stored.decided_by == team["head"].id
    assert stored.decisions[0].comment == "negative: late"


async def test_returning_a_task_returns_its_request(app: App, clock: FakeClock) -> None:
    team = await company(app)
    task_id = await finished_task(app, team)
    async with app.uow() as uow:
        await tasks.return_task(
            uow, team["head"], task_id, "add totals", clock.now() + timedelta(days=1), clock.now()
        )
        await uow.commit()
    request = await get(app, (await _first_request_id(app)))
    assert request.status is ApprovalStatus.RETURNED
    assert request.decisions[0].comment == "add totals"
    # Completing again opens a fresh request.
    async with app.uow() as uow:
        await tasks.complete_task(uow, team["anna"], task_id, "Totals added", clock.now())
        await uow.commit()
    assert (await acceptance(app, task_id)).is_pending


async def _first_request_id(app: App) -> int:
    async with app.uow() as uow:
        from storage.models.approvals import ApprovalRequestRow

        found = await uow.session.scalar(
            select(ApprovalRequestRow.id).order_by(ApprovalRequestRow.id)
        )
    assert found is not None
    return int(found)


async def test_task_acceptance_permissions(app: App) -> None:
    team = await company(app)
    task_id = await finished_task(app, team)
    for handle in ("anna", "ivan", "client", "kate"):
        with pytest.raises((NotPermitted, TaskNotFound)):
            async with app.uow() as uow:
                await tasks.accept_task(
                    uow, team[handle], task_id, Rating.POSITIVE, None, app.clock.now()
                )
    # An admin may accept, as before; the engine records it on the director's behalf.
    async with app.uow() as uow:
        await tasks.accept_task(uow, team["boss"], task_id, Rating.POSITIVE, None, app.clock.now())
        await uow.commit()
    [decision] = (await get(app, await _first_request_id(app))).decisions
    assert (decision.actor_id, decision.on_behalf_of) == (team["boss"].id, team["head"].id)


async def test_the_directors_deputy_accepts_a_task(app: App, clock: FakeClock) -> None:
    team = await company(app)
    task_id = await finished_task(app, team)
    async with app.uow() as uow:
        await service.set_deputy(
            uow, team["head"], team["kate"].id, date(2026, 11, 25), date(2026, 11, 30),
            clock.now(),
        )  # fmt: skip
        await uow.commit()
    async with app.uow() as uow:
        await tasks.accept_task(uow, team["kate"], task_id, Rating.POSITIVE, None, clock.now())
        await uow.commit()
    [decision] = (await get(app, await _first_request_id(app))).decisions
    assert (decision.actor_id, decision.on_behalf_of) == (team["kate"].id, team["head"].id)
    async with app.uow() as uow:
        card = await tasks.task_card(uow, team["kate"], task_id)  # she may see what she judged
    assert team["kate"].id in card.task.observers


async def test_a_reopened_task_withdraws_its_request(app: App, clock: FakeClock) -> None:
    team = await company(app)
    task_id = await finished_task(app, team)
    async with app.uow() as uow:
        await tasks.reopen_task(uow, team["anna"], task_id, clock.now())
        await uow.commit()
    async with app.uow() as uow:
        assert await service.awaiting_my_decision(uow, team["head"], clock.now()) == []
        await uow.commit()
    assert (await get(app, await _first_request_id(app))).status is ApprovalStatus.WITHDRAWN
