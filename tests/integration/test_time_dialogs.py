"""Time tracking through the console adapter: timers, manual time, corrections, the day,
the plan, the report and timesheets."""

from __future__ import annotations

import pytest

from brygada.bootstrap import App, bootstrap
from brygada.settings import Settings
from domain.company import Role
from handlers.types import Inbound
from tests.conftest import FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team

PEOPLE = [("boss", Role.ADMIN), ("anna", Role.EMPLOYEE), ("ivan", Role.EMPLOYEE)]


@pytest.fixture
async def dialog(app: App) -> Dialog:
    team = await make_team(app, PEOPLE)
    async with app.uow() as uow:
        anna = team["anna"]
        anna.manager_id = team["boss"].id
        await uow.members.save(anna)
        await uow.commit()
    return Dialog(app, team)


async def test_timers_start_pause_switch_and_card(dialog: Dialog, clock: FakeClock) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Call Anna's client today 17:00 @anna ~30m", ["Task #1 created"]),
            ("boss", "Sales: Write the offer today 17:00 @anna", ["Task #2 created"]),
            ("anna", "/timer", ["No timer is running"]),
            ("anna", "/show 1", ["▶ Start"]),
            (
                "anna",
                "press:Start",
                ["Started.", "In progress", "working day started", "timer is running"],
            ),
        ],
    )
    clock.advance(minutes=40)
    await verify_dialog(
        dialog,
        [
            ("anna", "/timer", ["#1 Sales: Call", "Running since", "40m", "⏸ Pause", "⏹ Stop"]),
            ("anna", "/timer 2", ["Paused the timer on #1", "Timer started", "#2"]),
            ("anna", "/show 1", ["Pending", "spent 40m of 30m planned ⚠"]),
        ],
    )
    assert any("went over the planned 30m" in n for n in dialog.notices("anna"))
    clock.advance(minutes=10)
    await verify_dialog(
        dialog,
        [
            ("anna", "/show 2", ["⏸ Pause"]),
            ("anna", "press:Pause", ["Paused.", "10m logged"]),
            ("anna", "/timer", ["No timer is running"]),
            ("anna", "/time", ["Time today", "50m", "#1 Sales: Call", "#2 Sales: Write"]),
            ("anna", "/day", ["Working day", "working", "worked 50m"]),
            ("anna", "/timer 1", ["Timer started"]),
            ("anna", "/timer 1", ["already running on #1"]),
        ],
    )
    clock.advance(minutes=5)
    await verify_dialog(
        dialog,
        [
            # The refusal above has no buttons: the card's numbers are stale until shown again.
            ("anna", "press:Pause", ["pressed nothing", "⏸ Pause", "!Timer paused"]),
            ("anna", "/timer", ["Running since", "⏸ Pause"]),
            ("anna", "press:Pause", ["Timer paused, 5m logged", "▶ Resume"]),
            ("anna", "press:Resume", ["Timer resumed"]),
        ],
    )
    clock.advance(minutes=3)
    await verify_dialog(
        dialog,
        [
            ("anna", "/day end", ["Working day ended", "timer was stopped, 3m logged", "/report"]),
            ("anna", "/timer", ["No timer is running"]),
            ("anna", "/done 2 Offer written", ["#2"]),
            ("anna", "/timer 2", ["Task #2 is Awaiting acceptance", "!out of date"]),
        ],
    )


async def test_timer_survives_a_restart(
    dialog: Dialog, settings: Settings, clock: FakeClock
) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Call back @anna", ["Task #1 created"]),
            ("anna", "/timer 1", ["Timer started"]),
        ],
    )
    clock.advance(minutes=25)
    second = await bootstrap(settings, clock=clock, migrate=False)
    try:
        other = Dialog(second, dialog.team)
        await verify_dialog(other, [("anna", "/timer stop", ["Timer stopped, 25m logged"])])
    finally:
        await second.close()


async def test_general_task_refuses_a_timer_and_offers_subtasks(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "General: Launch the shop @anna", ["Task #1 created"]),
            ("boss", "/subtask 1 Shop: Pick a theme @anna", ["#2"]),
            ("anna", "/timer 1", ["general task", "#2 Shop: Pick a theme", "▶ #2 Shop"]),
            ("anna", "press:▶ #2", ["Timer started", "#2 Shop: Pick a theme"]),
        ],
    )


async def test_manual_time_corrections_and_the_locked_day(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Call back @anna", ["Task #1 created"]),
            ("anna", "/time 1 1h30m", ["A comment is required"]),
            ("anna", "/time 1 soon called", ["Give the time as"]),
            ("anna", "/time 1 1h30m forgot the timer, call with Ivan", ["Added 1h 30m", "[1]"]),
            ("anna", "/time 1 8:00-8:30 morning prep", ["Added 30m", "[2]"]),
            ("anna", "/time", ["[1]", "[2]", "forgot the timer", "2h"]),
            ("anna", "/time edit 1 45m", ["reason is required"]),
            ("anna", "/time edit 1 45m typo, it was shorter", ["now 45m"]),
            ("anna", "/time log 1", ["created", "edited", "typo, it was shorter", "→"]),
            ("ivan", "/time del 1 mine now", ["There is no time entry #1 of yours"]),
            ("anna", "/report", ["Daily report", "1h 15m", "#1 Sales: Call back", "Not finished"]),
            ("anna", "press:Submit", ["Write a comment for today's report"]),
            ("anna", "Called back, waiting for the answer", ["Report submitted"]),
            ("anna", "/report submit again", ["already been submitted"]),
            ("anna", "/time del 2 it was a meeting, not this task", ["correction request #"]),
            ("anna", "/time", ["[2]", "1h 15m"]),
        ],
    )
    assert any("asks for your decision" in n for n in dialog.notices("boss"))
    async with dialog.app.uow() as uow:
        pending = await uow.approvals.awaiting(
            dialog.team.company.id, frozenset({dialog.team["boss"].id})
        )
        kinds = sorted(r.subject.kind.value for r in pending)
    assert kinds == ["daily_report", "time_correction"]
    correction = next(r for r in pending if r.subject.kind.value == "time_correction")
    await verify_dialog(
        dialog,
        [
            ("boss", "/approvals", ["Time correction"]),
        ],
    )
    from domain.approvals import Verdict
    from domain.services import approvals

    async with dialog.app.uow() as uow:
        boss = await uow.members.get(dialog.team["boss"].id)
        assert boss is not None
        await approvals.decide(
            uow, boss, correction.id, Verdict.APPROVE, None, dialog.app.clock.now()
        )
        await uow.commit()
    await verify_dialog(
        dialog,
        [
            ("anna", "/time", ["[1]", "45m", "!morning prep"]),
            ("anna", "/time log 2", ["deleted", "it was a meeting", "✓ #"]),
        ],
    )


async def test_plan_and_timesheet_with_csv(dialog: Dialog, clock: FakeClock) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Call the client today 17:00 @anna ~2h", ["Task #1 created"]),
            ("boss", "Sales: Internal sync today 17:00 @anna ~7h #no", ["Task #2 created"]),
            ("anna", "/plan", ["Plan for", "#1 Sales: Call", "2h", "Over capacity", "Fix"]),
            ("anna", "press:Fix", ["Plan fixed", "Fixed at"]),
            ("anna", "/time 1 1h call", ["Added 1h"]),
            ("anna", "/time 2 30m sync", ["Added 30m"]),
            ("anna", "/timesheet", ["Timesheet", "Total 1h 30m", "billable 1h", "Sales"]),
            ("anna", "/timesheet team", ["can't do that"]),
            ("boss", "/timesheet month team", ["Team timesheet", "Anna", "1h 30m"]),
            ("anna", "/timesheet year", ["/timesheet week"]),
        ],
    )
    anna = dialog.team["anna"]
    replies = await dialog.app.conversation.handle(
        Inbound(
            platform="console",
            workspace="local",
            user_id="anna",
            chat_id="anna",
            command="timesheet",
            args="week csv",
        )
    )
    assert replies[0].file is not None
    name, data = replies[0].file
    assert name == "timesheet.csv"
    text = data.decode()
    assert "member,date,project,minutes,billable_minutes" in text
    assert f"{anna.name},2026-11-25,Sales,90,60" in text


async def test_timer_across_local_midnight_makes_two_entries(
    dialog: Dialog, clock: FakeClock
) -> None:
    from datetime import UTC, date, datetime

    clock.set(datetime(2026, 11, 25, 22, 30, tzinfo=UTC))  # 23:30 in Warsaw
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Night deployment @anna", ["Task #1 created"]),
            ("anna", "/timer 1", ["Timer started"]),
        ],
    )
    clock.advance(minutes=45)  # 00:15 on Thursday in Warsaw
    await verify_dialog(dialog, [("anna", "/timer stop", ["Timer stopped, 45m logged"])])
    async with dialog.app.uow() as uow:
        anna = dialog.team["anna"].id
        wed = await uow.time.entries(anna, date(2026, 11, 25))
        thu = await uow.time.entries(anna, date(2026, 11, 26))
    assert [e.minutes for e in wed] == [30] and [e.minutes for e in thu] == [15]


async def test_report_offers_a_part_or_a_new_deadline(dialog: Dialog, clock: FakeClock) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Long analysis today 17:00 @anna", ["Task #1 created"]),
            ("boss", "Sales: Quick check today 17:00 @anna", ["Task #2 created"]),
            # Due at the end of the year: two hours on it is just work that continues.
            ("boss", "Sales: Yearly plan 31.12 @anna", ["Task #3 created"]),
            ("anna", "/time 1 20m started the analysis", ["Added 20m"]),
            ("anna", "/time 2 5m looked at it", ["Added 5m"]),
            ("anna", "/time 3 2h drafted it", ["Added 2h"]),
            (
                "anna",
                "/report",
                [
                    "carry it over as part 2",
                    "move the deadline",
                    "#1 part 2",
                    "#2 deadline",
                    "Yearly plan · 2h — continues, due",
                    "!#3 part 2",
                    "!#3 deadline",
                ],
            ),
            ("anna", "press:#1 part 2", ["#1"]),
        ],
    )
