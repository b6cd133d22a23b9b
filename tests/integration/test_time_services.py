"""Time tracking services and storage on a real database: one timer per member, stale
writes refused, timesheet aggregation with the non-billable tag."""

from __future__ import annotations

import pytest

from brygada.bootstrap import App
from domain.errors import Conflict
from domain.services import tasks as task_service
from domain.services import timereports, timetracking
from domain.timereports import parse_report
from tests.conftest import FakeClock
from tests.factories import make_team


async def test_a_stale_timer_write_is_refused(app: App, clock: FakeClock) -> None:
    team = await make_team(app)
    anna = team["anna"]
    async with app.uow() as uow:
        task = await task_service.create_task(
            uow, anna, task_service.CreateTask(title="Sales: Call"), clock.now()
        )
        other = await task_service.create_task(
            uow, anna, task_service.CreateTask(title="Sales: Write"), clock.now()
        )
        await timetracking.start_timer(uow, anna, task.id, clock.now())
        await uow.commit()
    async with app.uow() as uow:
        stale = await uow.time.timer(anna.id)
    assert stale is not None and stale.running
    clock.advance(minutes=20)
    async with app.uow() as uow:  # "another process" switches the timer meanwhile
        change = await timetracking.start_timer(uow, anna, other.id, clock.now())
        assert change.paused_task_id == task.id and change.entries[0].minutes == 20
        await uow.commit()
    async with app.uow() as uow:
        stale.started_at = None
        with pytest.raises(Conflict):
            await uow.time.save_timer(stale)
    async with app.uow() as uow:
        current = await uow.time.timer(anna.id)
        assert current is not None and current.task_id == other.id and current.running


async def test_timesheet_excludes_no_tag_from_billable(app: App, clock: FakeClock) -> None:
    team = await make_team(app)
    anna = team["anna"]
    async with app.uow() as uow:
        billable = await task_service.create_task(
            uow, anna, task_service.CreateTask(title="Sales: Call"), clock.now()
        )
        internal = await task_service.create_task(
            uow, anna, task_service.CreateTask(title="Sales: Sync", tags=("no",)), clock.now()
        )
        await timetracking.add_manual(uow, anna, billable.id, "1h", "call", clock.now())
        await timetracking.add_manual(uow, anna, internal.id, "30m", "sync", clock.now())
        week = parse_report("week", timetracking.today_of(anna, clock.now())).for_timesheet()
        sheet = await timereports.timesheet(uow, anna, week)
    assert sheet.total_minutes == 90 and sheet.billable_minutes == 60
    assert sheet.by_day()[0][1] == 90
