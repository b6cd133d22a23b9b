"""The approval request aggregate: every transition, and working-hours arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.approvals import (
    ApprovalAlreadyDecided,
    ApprovalNotPermitted,
    ApprovalRequest,
    ApprovalStatus,
    ApproverMode,
    Subject,
    SubjectKind,
    Verdict,
    add_working_hours,
    working_hours_between,
)
from domain.company import WorkSchedule
from domain.errors import InvalidInput

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # Wednesday
REQUESTER, BOSS, HEAD, OTHER = 1, 2, 3, 4


def make(
    mode: ApproverMode = ApproverMode.ONE, steps: list[list[int]] | None = None
) -> ApprovalRequest:
    request = ApprovalRequest(
        company_id=1,
        type_key="leave",
        subject=Subject(SubjectKind.FORM),
        requester_id=REQUESTER,
        steps=steps or [[BOSS]],
        mode=mode,
        created_at=T0,
        id=7,
    )
    request.opened(T0)
    return request


def test_a_new_request_is_pending_with_its_approvers() -> None:
    request = make()
    assert request.status is ApprovalStatus.PENDING
    assert request.current_approvers == {BOSS}
    assert [e.action for e in request.events] == ["requested"]


def test_approve_by_the_single_approver_decides() -> None:
    request = make()
    assert request.decide(BOSS, Verdict.APPROVE, None, T0 + timedelta(hours=1))
    assert request.status is ApprovalStatus.APPROVED
    assert (request.decided_by, request.decided_at) == (BOSS, T0 + timedelta(hours=1))
    assert request.current_approvers == frozenset()
    [decision] = request.decisions
    assert decision.verdict is Verdict.APPROVE and decision.actor_id == BOSS


@pytest.mark.parametrize(
    ("verdict", "status"),
    [(Verdict.RETURN, ApprovalStatus.RETURNED), (Verdict.REJECT, ApprovalStatus.REJECTED)],
)
def test_return_and_reject_need_a_comment(verdict: Verdict, status: ApprovalStatus) -> None:
    request = make()
    with pytest.raises(InvalidInput) as error:
        request.decide(BOSS, verdict, "  ", T0)
    assert error.value.params["field"] == "comment"
    assert request.is_pending
    request.decide(BOSS, verdict, "dates clash with the audit", T0)
    assert request.status is status
    assert request.decisions[-1].comment == "dates clash with the audit"


def test_only_a_current_approver_decides() -> None:
    request = make()
    for outsider in (REQUESTER, HEAD, OTHER):
        with pytest.raises(ApprovalNotPermitted):
            request.decide(outsider, Verdict.APPROVE, None, T0)
    # Acting "for" someone who is not an approver is refused too.
    with pytest.raises(ApprovalNotPermitted):
        request.decide(OTHER, Verdict.APPROVE, None, T0, on_behalf_of=HEAD)
    assert request.is_pending


def test_a_deputy_decides_on_behalf_of_the_approver() -> None:
    request = make()
    request.decide(OTHER, Verdict.APPROVE, None, T0, on_behalf_of=BOSS)
    [decision] = request.decisions
    assert decision.actor_id == OTHER and decision.on_behalf_of == BOSS
    assert request.decided_by == OTHER


def test_a_decided_request_refuses_a_second_decision_naming_the_first() -> None:
    request = make(ApproverMode.ANY, [[BOSS, HEAD]])
    request.decide(HEAD, Verdict.APPROVE, None, T0)
    with pytest.raises(ApprovalAlreadyDecided) as error:
        request.decide(BOSS, Verdict.REJECT, "no", T0 + timedelta(minutes=1))
    assert error.value.params == {"request_id": 7, "status": "approved", "by": HEAD, "at": T0}


def test_any_of_a_group_lets_any_member_decide() -> None:
    request = make(ApproverMode.ANY, [[BOSS, HEAD]])
    assert request.current_approvers == {BOSS, HEAD}
    assert request.decide(BOSS, Verdict.APPROVE, None, T0)


def test_a_chain_goes_step_by_step_and_a_return_stops_it() -> None:
    request = make(ApproverMode.CHAIN, [[HEAD], [BOSS]])
    with pytest.raises(ApprovalNotPermitted):
        request.decide(BOSS, Verdict.APPROVE, None, T0)  # not their turn yet
    assert not request.decide(HEAD, Verdict.APPROVE, None, T0 + timedelta(hours=1))
    assert request.is_pending and request.current_step == 1
    assert request.current_approvers == {BOSS}
    assert request.step_started_at == T0 + timedelta(hours=1)
    with pytest.raises(ApprovalNotPermitted):
        request.decide(HEAD, Verdict.APPROVE, None, T0)  # already had their say
    assert request.decide(BOSS, Verdict.RETURN, "attach the receipt", T0 + timedelta(hours=2))
    assert request.status is ApprovalStatus.RETURNED
    assert [d.step for d in request.decisions] == [0, 1]


def test_withdraw_by_the_requester() -> None:
    request = make()
    request.withdraw(REQUESTER, T0)
    assert request.status is ApprovalStatus.WITHDRAWN
    with pytest.raises(ApprovalAlreadyDecided):
        request.decide(BOSS, Verdict.APPROVE, None, T0)
    with pytest.raises(ApprovalAlreadyDecided):
        request.withdraw(REQUESTER, T0)


def test_expire_only_when_due() -> None:
    request = make()
    request.due_at = T0 + timedelta(hours=8)
    with pytest.raises(InvalidInput):
        request.expire(T0 + timedelta(hours=7))
    request.expire(T0 + timedelta(hours=8))
    assert request.status is ApprovalStatus.EXPIRED and request.decided_by is None
    assert request.events[-1].action == "expired"


def test_escalation_adds_managers_once_per_step() -> None:
    request = make(ApproverMode.CHAIN, [[HEAD], [BOSS]])
    assert request.escalate(frozenset({BOSS}), T0) == {BOSS}
    assert request.current_approvers == {HEAD, BOSS}
    assert request.escalate(frozenset({OTHER}), T0) == frozenset()  # once per step
    assert request.events[-1].action == "escalated"
    # The requester is never made their own approver.
    other = make()
    assert other.escalate(frozenset({REQUESTER}), T0) == frozenset()


def test_a_request_needs_approvers() -> None:
    with pytest.raises(InvalidInput):
        make(steps=[[]])
    with pytest.raises(InvalidInput):
        make(ApproverMode.ANY, [[BOSS], [HEAD]])


# -- working hours ------------------------------------------------------------------------------

SCHEDULE = WorkSchedule(holidays=frozenset({date(2026, 11, 27)}))  # Friday off
WARSAW = "Europe/Warsaw"


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    # Warsaw is UTC+1 in November.
    return datetime(2026, 11, day, hour - 1, minute, tzinfo=UTC)


def test_working_hours_count_only_the_schedule() -> None:
    assert working_hours_between(_local(25, 10), _local(25, 14), WARSAW, SCHEDULE) == 4
    # Wed 16:00 -> Thu 11:00: 2h on Wednesday, 2h on Thursday.
    assert working_hours_between(_local(25, 16), _local(26, 11), WARSAW, SCHEDULE) == 4
    # Thu 17:00 -> Mon 10:00 skips the Friday holiday and the weekend: 1h + 1h.
    assert working_hours_between(_local(26, 17), _local(30, 10), WARSAW, SCHEDULE) == 2
    # Outside working hours nothing accrues.
    assert working_hours_between(_local(25, 19), _local(25, 23), WARSAW, SCHEDULE) == 0
    assert working_hours_between(_local(25, 12), _local(25, 11), WARSAW, SCHEDULE) == 0


def test_add_working_hours_skips_nights_weekends_and_holidays() -> None:
    assert add_working_hours(_local(25, 10), 4, WARSAW, SCHEDULE) == _local(25, 14)
    assert add_working_hours(_local(25, 16), 4, WARSAW, SCHEDULE) == _local(26, 11)
    assert add_working_hours(_local(26, 17), 2, WARSAW, SCHEDULE) == _local(30, 10)
    assert add_working_hours(_local(25, 20), 1, WARSAW, SCHEDULE) == _local(26, 10)
