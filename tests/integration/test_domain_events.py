"""Domain events run inside the unit of work that published them: a handler's failure
undoes the change that caused it, and every event has its wiring."""

from __future__ import annotations

import dataclasses
import inspect
import typing

import pytest

from brygada.bootstrap import App
from domain import events
from domain.bus import MessageBus
from domain.events import Event, TaskCompleted
from domain.ports import UnitOfWork
from domain.services import tasks, timetracking
from domain.services.event_handlers import default_event_handlers
from domain.tasks import TaskStatus
from storage.uow import UnitOfWorkFactory
from tests.conftest import FakeClock
from tests.factories import make_team


class Boom(Exception):
    pass


async def _fail(uow: UnitOfWork, event: TaskCompleted) -> None:
    raise Boom(event.task_id)


async def test_a_failing_handler_rolls_back_the_change_and_the_other_handlers(
    app: App, clock: FakeClock
) -> None:
    team = await make_team(app)
    boss, anna = team["boss"], team["anna"]
    async with app.uow() as uow:
        task = await tasks.create_task(
            uow, boss, tasks.CreateTask("Prepare the offer", responsible_id=anna.id), clock.now()
        )
        await timetracking.start_timer(uow, anna, task.id, clock.now())
        await uow.commit()
    clock.advance(minutes=25)

    wiring = dict(default_event_handlers())
    # The real handler (stop the timer, write its entry) runs first, then one fails.
    wiring[TaskCompleted] = [*wiring[TaskCompleted], _fail]
    failing = UnitOfWorkFactory(app.uow.sessions, clock, bus=MessageBus(wiring))
    async with failing() as uow:
        with pytest.raises(Boom):
            await tasks.complete_task(uow, anna, task.id, "Offer sent", clock.now())

    async with app.uow() as uow:
        again = await uow.tasks.get(task.id)
        assert again is not None and again.status is TaskStatus.IN_PROGRESS
        timer = await uow.time.timer(anna.id)
        assert timer is not None and timer.running
        assert await uow.time.spent_seconds(task.id) == 0

    # The same change with the wiring the app runs: completed, the timer's time kept.
    async with app.uow() as uow:
        await tasks.complete_task(uow, anna, task.id, "Offer sent", clock.now())
        await uow.commit()
    async with app.uow() as uow:
        assert await uow.time.timer(anna.id) is None
        assert await uow.time.spent_seconds(task.id) == 25 * 60


def test_every_event_is_handled_by_handlers_that_take_it() -> None:
    declared = {
        cls
        for _, cls in inspect.getmembers(events, inspect.isclass)
        if issubclass(cls, Event) and cls is not Event
    }
    wiring = default_event_handlers()
    assert set(wiring) == declared
    for kind, handlers in wiring.items():
        assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen  # type: ignore[attr-defined]
        assert handlers, kind.__name__
        for handler in handlers:
            assert inspect.iscoroutinefunction(handler)
            hints = typing.get_type_hints(handler)
            assert hints["event"] is kind, f"{handler.__qualname__} is wired for {kind.__name__}"
