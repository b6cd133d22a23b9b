"""The scheduler over simulated days: prompts in each member's timezone, on working days,
never on holidays or during leave; overdue alerts; recurring tasks; preferences."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from brygada.bootstrap import App, bootstrap
from brygada.settings import Settings
from domain.approvals import Absence
from domain.company import Role, WorkSchedule
from domain.services.tasks import CreateTask, comment_task, create_task
from tests.conftest import FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import Team, make_department, make_team
from tests.scheduling import Recorder, run_until

ZONES = {
    "boss": "Europe/Warsaw",
    "anna": "Europe/Warsaw",
    "olga": "Europe/Moscow",
    "nick": "America/New_York",
    "yuki": "Asia/Tokyo",
}
HOLIDAY = date(2026, 10, 28)
LEAVE = (date(2026, 10, 29), date(2026, 10, 30))


async def world(app: App, *, holidays: Iterable[date] = ()) -> Team:
    team = await make_team(app, [(h, Role.ADMIN if h == "boss" else Role.EMPLOYEE) for h in ZONES])
    async with app.uow() as uow:
        for handle, tz in ZONES.items():
            team[handle].timezone = tz
            await uow.members.save(team[handle])
        company = team.company
        company.schedule = WorkSchedule(holidays=frozenset(holidays))
        await uow.companies.save(company)
        await uow.commit()
    return team


def working_days(start: date, end: date, skip: Iterable[date] = ()) -> list[date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5 and day not in set(skip):
            days.append(day)
        day += timedelta(days=1)
    return days


async def test_two_weeks_across_dst_holiday_leave_and_a_restart(
    app: App, clock: FakeClock, settings: Settings
) -> None:
    """Wed 21 Oct -> Wed 4 Nov 2026: Europe leaves DST on 25 Oct, the US on 1 Nov."""
    clock.set(datetime(2026, 10, 21, 0, 0, tzinfo=UTC))
    team = await world(app, holidays=[HOLIDAY])
    async with app.uow() as uow:
        await uow.approvals.add_absence(Absence(team["anna"].id, *LEAVE))
        await uow.commit()
    recorder = Recorder(clock)
    await run_until(app, clock, recorder, datetime(2026, 10, 28, 12, 7, tzinfo=UTC))
    # A restart in the middle of a day: a new process on the same database.
    restarted = await bootstrap(settings, clock=clock, migrate=False)
    try:
        await run_until(restarted, clock, recorder, datetime(2026, 11, 4, 0, 0, tzinfo=UTC))
    finally:
        await restarted.close()

    assert recorder.duplicates() == []
    # The morning prompt offers to fix the plan; the evening one is the pre-filled report.
    morning = recorder.of("anna", "plan.morning")[0].reply
    assert morning.buttons[0][0].label == "time.plan_fix"
    assert {s.reply.template for s in recorder.of("anna", "day.report_request")} == {"time_report"}
    start, end = datetime(2026, 10, 21, 0, 0, tzinfo=UTC), datetime(2026, 11, 4, 0, 0, tzinfo=UTC)
    for handle, tz in ZONES.items():
        zone = ZoneInfo(tz)
        first = datetime(2026, 10, 21, 0, 0, tzinfo=UTC).astimezone(zone).date()
        skip = [HOLIDAY, *(LEAVE if handle == "anna" else ())]
        days = working_days(first, end.astimezone(zone).date(), skip)

        def due(at: time, days: list[date] = days, zone: ZoneInfo = zone) -> list[date]:
            return [d for d in days if start < datetime.combine(d, at, tzinfo=zone) <= end]

        for kind, at, expected in [
            ("plan.morning", time(9, 0), due(time(9, 0))),
            ("day.report_request", time(17, 30), due(time(17, 30))),
            ("backlog.weekly", time(9, 0), [d for d in due(time(9, 0)) if d.weekday() == 0]),
        ]:
            sent = recorder.of(handle, kind)
            assert [s.local(tz).date() for s in sent] == expected, (handle, kind)
            # At the local hour, before and after the clocks changed: within one sweep step.
            for s in sent:
                planned = datetime.combine(s.local(tz).date(), at, tzinfo=zone)
                assert timedelta(0) <= s.at - planned < timedelta(minutes=15), (handle, kind, s)


async def test_downtime_sends_todays_prompt_late_and_skips_yesterdays(
    app: App, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))  # Tuesday, 07:00 in Warsaw
    team = await world(app)
    recorder = Recorder(clock)
    await run_until(app, clock, recorder, datetime(2026, 11, 24, 7, 0, tzinfo=UTC))
    # Down from 08:00 Warsaw Tuesday until 11:00 Wednesday: Tuesday's prompts are stale.
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    await run_until(app, clock, recorder, datetime(2026, 11, 25, 10, 15, tzinfo=UTC))
    anna = recorder.of("anna", "plan.morning")
    assert [s.local("Europe/Warsaw").date() for s in anna] == [date(2026, 11, 25)]
    assert anna[0].local("Europe/Warsaw").hour == 11  # late, once
    assert recorder.of("anna", "day.report_request") == []  # Tuesday's: skipped
    assert team


async def test_overdue_alert_within_a_minute_and_escalation(app: App, clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # Monday 09:00 Warsaw
    team = await make_team(
        app, [("boss", Role.ADMIN), ("head", Role.MANAGER), ("anna", Role.EMPLOYEE)]
    )
    await make_department(app, team, "Sales", head="head", staff=["anna"])
    async with app.uow() as uow:
        await create_task(
            uow,
            team["boss"],
            CreateTask(
                title="Call Ivan",
                responsible_id=team["anna"].id,
                deadline=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
            ),
            clock.now(),
        )
        await create_task(
            uow,
            team["boss"],
            CreateTask(
                title="Evening thing",
                responsible_id=team["anna"].id,
                deadline=datetime(2026, 11, 23, 19, 0, tzinfo=UTC),
            ),
            clock.now(),
        )
        await uow.commit()
    recorder = Recorder(clock)
    await run_until(
        app,
        clock,
        recorder,
        datetime(2026, 11, 23, 9, 59, 30, tzinfo=UTC),
        step=timedelta(minutes=1),
    )
    assert recorder.of("anna", "task.overdue") == []
    await run_until(
        app,
        clock,
        recorder,
        datetime(2026, 11, 23, 10, 1, 30, tzinfo=UTC),
        step=timedelta(seconds=30),
    )
    [alert] = recorder.of("anna", "task.overdue")
    assert alert.at - datetime(2026, 11, 23, 10, 0, tzinfo=UTC) <= timedelta(minutes=1)
    labels = [b.label for row in alert.reply.buttons for b in row]
    assert {"btn.done", "btn.deadline", "btn.start"} <= set(labels)
    # Reminder an hour before the evening deadline; its overdue alert waits for the morning.
    await run_until(app, clock, recorder, datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    assert [s.at.hour for s in recorder.of("anna", "task.deadline_soon")] == [9, 18]
    evening = [s for s in recorder.of("anna", "task.overdue") if s.at.day == 24]
    assert [s.local("Europe/Warsaw").hour for s in evening] == [9]
    # Two working days later the director and the department head hear about it.
    await run_until(app, clock, recorder, datetime(2026, 11, 25, 10, 30, tzinfo=UTC))
    assert len(recorder.of("boss", "task.overdue_escalated")) == 1
    assert len(recorder.of("head", "task.overdue_escalated")) == 1
    assert recorder.of("anna", "task.overdue_escalated") == []


async def test_recurring_tasks_once_per_occurrence_across_restarts(
    app: App, clock: FakeClock, settings: Settings
) -> None:
    clock.set(datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # Monday
    dialog = Dialog(app, await make_team(app))
    await verify_dialog(
        dialog,
        [
            (
                "boss",
                "/repeat weekdays 9:00 ; Sales: Call back list @anna",
                ["Repeating task #1 saved", "every working day at 9:00", "Europe/Warsaw"],
            ),
            ("boss", "/repeat every day", ["Repeat rules look like"]),
            ("boss", "/repeat 61 25 * * * ; bad", ["Repeat rules look like"]),
            ("boss", "/repeat", ["#1 every working day at 9:00", "Sales: Call back list"]),
        ],
    )
    recorder = Recorder(clock)
    await run_until(app, clock, recorder, datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    again = await bootstrap(settings, clock=clock, migrate=False)
    try:
        await run_until(again, clock, recorder, datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
        # A second sweeper re-running an old window creates nothing twice.
        async with again.uow() as uow:
            await uow.scheduler.set_watermark("sweep", datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
            await uow.commit()
        await again.sweeper().run_once()
    finally:
        await again.close()
    async with app.uow() as uow:
        tasks = [t for t in [await uow.tasks.get(i) for i in range(1, 10)] if t]
    assert [(t.title, t.created_at.date().isoformat()) for t in tasks] == [
        ("Sales: Call back list", "2026-11-23"),
        ("Sales: Call back list", "2026-11-24"),
        ("Sales: Call back list", "2026-11-25"),
    ]
    assert all(t.responsible_id == dialog.team["anna"].id for t in tasks)
    await verify_dialog(dialog, [("boss", "/repeat stop 1", ["None yet"])])


async def test_mute_quiet_hours_and_digest(app: App, clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 23, 7, 0, tzinfo=UTC))  # Monday 08:00 Warsaw
    team = await make_team(app)
    dialog = Dialog(app, team)
    await verify_dialog(
        dialog,
        [
            ("anna", "/mute plan.morning", ["Muted: Morning plan (plan.morning)"]),
            ("anna", "/mute everything", ["I don't know the notification “everything”", "Kinds:"]),
            ("ivan", "/quiet 22:00-10:00", ["Quiet hours: 22:00–10:00"]),
            ("ivan", "/quiet 25:00-1", ["Quiet hours look like"]),
            ("boss", "/digest on", ["Hourly digest instead of single alerts: on"]),
            ("boss", "/notifications", ["Muted: nothing"]),
        ],
    )
    recorder = Recorder(clock)
    await run_until(app, clock, recorder, datetime(2026, 11, 23, 8, 30, tzinfo=UTC))
    assert recorder.of("anna", "plan.morning") == []
    assert recorder.of("boss", "plan.morning")  # not digestible: sent as it is
    assert recorder.of("ivan", "plan.morning") == []  # held back by quiet hours
    await run_until(app, clock, recorder, datetime(2026, 11, 23, 9, 15, tzinfo=UTC))
    [late] = recorder.of("ivan", "plan.morning")
    assert late.local("Europe/Warsaw").hour == 10
    # Three comments for the boss inside an hour: one digest.
    async with app.uow() as uow:
        task = await create_task(
            uow,
            team["boss"],
            CreateTask(title="Prepare offer", responsible_id=team["anna"].id),
            clock.now(),
        )
        for text in ("first", "second", "third"):
            await comment_task(uow, team["anna"], task.id, text, clock.now())
            clock.advance(minutes=10)
        await uow.commit()
    await run_until(app, clock, recorder, datetime(2026, 11, 23, 12, 0, tzinfo=UTC))
    [digest] = recorder.of("boss", "digest")
    assert [i["kind"] for i in digest.reply.context["items"]] == ["task.commented"] * 3
    assert recorder.of("boss", "task.commented") == []
    assert len(recorder.of("anna", "task.assigned")) == 1  # no digest for anna: sent at once


@pytest.mark.skipif(
    "not __import__('os').environ.get('BRYGADA_TEST_DATABASE_URL')",
    reason="two sweepers racing need a server database",
)
async def test_two_sweepers_on_postgresql_never_double(
    app: App, clock: FakeClock, settings: Settings
) -> None:
    import asyncio

    clock.set(datetime(2026, 11, 23, 7, 50, tzinfo=UTC))
    await world(app)
    other = await bootstrap(settings, clock=clock, migrate=False)
    try:
        async with app.uow() as uow:
            await uow.scheduler.set_watermark("sweep", clock.now())
            await uow.commit()
        clock.set(datetime(2026, 11, 23, 8, 10, tzinfo=UTC))
        reports = await asyncio.gather(app.sweeper().run_once(), other.sweeper().run_once())
        assert sum(r.led for r in reports) >= 1
        async with app.uow() as uow:
            from sqlalchemy import func, select

            from storage.models import OutboxRow

            rows = await uow.session.execute(
                select(OutboxRow.dedup_key, func.count()).group_by(OutboxRow.dedup_key)
            )
            counts = dict(rows.all())
        assert counts and set(counts.values()) == {1}
        assert any(k.startswith("plan.morning:") for k in counts)
    finally:
        await other.close()
