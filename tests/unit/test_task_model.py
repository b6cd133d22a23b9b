"""The task aggregate: state machine, acceptance, returns, parts, history counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidInput, InvalidTransition
from domain.tasks import (
    Cue,
    HistorySummary,
    Rating,
    Task,
    TaskStatus,
    project_prefix,
    split_title,
)

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
DIRECTOR, WORKER = 1, 2


def make(**kw: object) -> Task:
    fields: dict[str, object] = dict(
        company_id=1,
        title="Sales: Call Ivan",
        creator_id=DIRECTOR,
        responsible_id=WORKER,
        created_at=NOW,
        id=7,
    )
    fields.update(kw)
    return Task(**fields)  # type: ignore[arg-type]


def test_start_pause_complete_goes_to_acceptance_when_director_is_someone_else() -> None:
    task = make()
    task.start(WORKER, NOW)
    task.pause(WORKER, NOW)
    task.complete(WORKER, NOW, "Called; offer sent https://docs/x")
    assert task.status is TaskStatus.AWAITING_ACCEPTANCE
    assert task.result == "Called; offer sent https://docs/x"


def test_own_task_completes_without_acceptance() -> None:
    task = make(responsible_id=DIRECTOR)
    task.complete(DIRECTOR, NOW, "done")
    assert task.status is TaskStatus.COMPLETED and task.completed_at == NOW


def test_acceptance_flag_off_completes_directly() -> None:
    task = make(accept_after_completion=False)
    task.complete(WORKER, NOW, "done")
    assert task.status is TaskStatus.COMPLETED


def test_completion_requires_a_result_comment() -> None:
    with pytest.raises(InvalidInput) as err:
        make().complete(WORKER, NOW, "   ")
    assert err.value.params["field"] == "result"


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (TaskStatus.IN_PROGRESS, "start"),
        (TaskStatus.NEW, "pause"),
        (TaskStatus.COMPLETED, "complete"),
        (TaskStatus.NEW, "accept"),
        (TaskStatus.IN_PROGRESS, "return"),
        (TaskStatus.NEW, "reopen"),
    ],
)
def test_invalid_transitions_raise(status: TaskStatus, action: str) -> None:
    task = make(status=status)
    calls = {
        "start": lambda: task.start(WORKER, NOW),
        "pause": lambda: task.pause(WORKER, NOW),
        "complete": lambda: task.complete(WORKER, NOW, "r"),
        "accept": lambda: task.accept(DIRECTOR, NOW, Rating.POSITIVE, None),
        "return": lambda: task.return_for_rework(DIRECTOR, NOW, "why", NOW + timedelta(days=1)),
        "reopen": lambda: task.reopen(DIRECTOR, NOW),
    }
    with pytest.raises(InvalidTransition):
        calls[action]()
    assert task.status is status


def test_negative_rating_needs_a_reason() -> None:
    task = make(status=TaskStatus.AWAITING_ACCEPTANCE)
    with pytest.raises(InvalidInput) as err:
        task.accept(DIRECTOR, NOW, Rating.NEGATIVE, " ")
    assert err.value.params["reason"] == "negative_needs_reason"
    task.accept(DIRECTOR, NOW, Rating.NEGATIVE, "totals missing")
    assert (task.status, task.rating, task.rating_reason) == (
        TaskStatus.COMPLETED,
        Rating.NEGATIVE,
        "totals missing",
    )


def test_return_needs_a_new_deadline_in_the_future() -> None:
    task = make(status=TaskStatus.AWAITING_ACCEPTANCE)
    with pytest.raises(InvalidInput) as err:
        task.return_for_rework(DIRECTOR, NOW, "add totals", None)
    assert err.value.params["reason"] == "return_needs_deadline"
    with pytest.raises(InvalidInput):
        task.return_for_rework(DIRECTOR, NOW, "add totals", NOW - timedelta(hours=1))
    task.return_for_rework(DIRECTOR, NOW, "add totals", NOW + timedelta(hours=5))
    assert task.status is TaskStatus.PAUSED and task.deadline == NOW + timedelta(hours=5)


def test_history_counts_deadline_moves_and_delegations() -> None:
    task = make(deadline=NOW + timedelta(days=1))
    task.move_deadline(DIRECTOR, NOW, NOW + timedelta(days=2))
    task.move_deadline(WORKER, NOW, NOW + timedelta(days=3))
    task.delegate(DIRECTOR, NOW, 3)
    task.delegate(DIRECTOR, NOW, 4)
    task.delegate(DIRECTOR, NOW, 4)  # no change, no event
    summary = HistorySummary.of(task.pending_events)
    assert (summary.deadline_moves, summary.delegations) == (2, 2)
    assert all(e.actor_id in {DIRECTOR, WORKER} and e.at == NOW for e in task.pending_events)


def test_part_title_numbers_and_strips_previous_prefix() -> None:
    assert make().part_title() == ("(part 2) Sales: Call Ivan", 2)
    assert make(title="(part 2) Sales: Call Ivan", part_number=2).part_title() == (
        "(part 3) Sales: Call Ivan",
        3,
    )


def test_long_titles_keep_the_overflow_for_the_description() -> None:
    words = " ".join(f"word{i}" for i in range(80))
    title, rest = split_title(words)
    assert len(title) <= 250 and rest
    assert f"{title} {rest}" == words


def test_empty_title_is_refused() -> None:
    with pytest.raises(InvalidInput):
        split_title(" \n\t ")


def test_project_prefix() -> None:
    assert project_prefix("Sales: Call Ivan") == "Sales"
    assert project_prefix("Call https://x.y/z") is None
    assert project_prefix("(part 2) Sales: Call") == "Sales"


def test_colour_cues() -> None:
    end_of_today = NOW + timedelta(hours=8)
    assert make(deadline=NOW - timedelta(minutes=1)).cue(NOW, end_of_today) is Cue.OVERDUE
    assert make(deadline=NOW + timedelta(hours=2)).cue(NOW, end_of_today) is Cue.TODAY
    assert make(deadline=NOW + timedelta(days=3)).cue(NOW, end_of_today) is Cue.NEW
    assert make(status=TaskStatus.COMPLETED).cue(NOW, end_of_today) is Cue.NONE
