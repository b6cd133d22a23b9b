"""Time reports on a real database: grouped sums in SQL (member, project, tag, client,
day), plan vs fact, attendance; and the /timesheet and /attendance dialogs with their
chart, CSV and XLSX."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from brygada.bootstrap import App
from domain.approvals import Absence
from domain.company import Role
from domain.crm import NewClientCompany, NewContact, NewDeal, NewLead
from domain.services import crm as crm_service
from domain.services import tasks as task_service
from domain.services import timereports
from domain.timereports import parse_report
from domain.timetracking import (
    DailyPlan,
    DayEvent,
    DayEventKind,
    EntrySource,
    NewDailyReport,
    NewTimeEntry,
    PlanItem,
)
from handlers.types import Inbound
from tests.conftest import FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import Team, make_team

MON, TUE = date(2026, 11, 23), date(2026, 11, 24)
PEOPLE = [("boss", Role.ADMIN), ("anna", Role.EMPLOYEE), ("ivan", Role.EMPLOYEE)]


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """A local Warsaw time in November (UTC+1), as UTC."""
    return datetime(day.year, day.month, day.day, hh - 1, mm, tzinfo=UTC)


@dataclass
class World:
    team: Team
    tasks: dict[str, int]


async def build(app: App, clock: FakeClock) -> World:
    team = await make_team(app, PEOPLE, projects=("Sales", "Website"))
    boss, anna, ivan = team["boss"], team["anna"], team["ivan"]
    company_id = team.company.id
    now = clock.now()
    async with app.uow() as uow:
        # They have worked here for a while: the week's time is recorded backwards.
        for member in (boss, anna, ivan):
            member.joined_at = now - timedelta(days=30)
            await uow.members.save(member)
        projects = {p.name: p.id for p in await uow.projects.list(company_id)}
        acme = await uow.crm.add_client_company(NewClientCompany(company_id, "Kowalski Sp.", now))
        jan = await uow.crm.add_contact(
            NewContact(company_id, "Jan Nowak", now, client_company_id=acme.id)
        )
        ewa = await uow.crm.add_contact(NewContact(company_id, "Ewa Solo", now))
        lead = await uow.crm.add_lead(
            NewLead(company_id, "Lead Person", now, company_name="Firma X")
        )
        pipeline = await crm_service.ensure_pipeline(uow, company_id)
        stage = pipeline.stages[0]
        deal = await uow.crm.add_deal(
            NewDeal(
                company_id,
                "Big deal",
                pipeline.id,
                stage.id,
                now,
                client_company_id=acme.id,
            )
        )
        specs = {
            "call": ("Sales: Call", "Sales", ("client",), (f"contact:{jan.id}",)),
            "offer": (
                "Sales: Offer",
                "Sales",
                ("no", "client"),
                (f"lead:{lead.id}", f"deal:{deal.id}"),
            ),
            "fix": ("Website: Fix", "Website", (), (f"lead:{lead.id}",)),
            "sync": ("Internal sync", None, ("no",), ()),
            "page": ("Website: Page", "Website", (), (f"contact:{ewa.id}",)),
        }
        tasks: dict[str, int] = {}
        for key, (title, project, tags, links) in specs.items():
            task = await task_service.create_task(
                uow,
                boss,
                task_service.CreateTask(
                    title=title,
                    responsible_id=anna.id,
                    project_id=projects[project] if project else None,
                    tags=tags,
                    crm_links=links,
                ),
                now,
            )
            tasks[key] = task.id
        entries = [
            (anna, "call", MON, 10, 60),
            (anna, "offer", MON, 12, 30),
            (anna, "fix", TUE, 10, 45),
            (anna, "sync", TUE, 12, 20),
            (ivan, "page", TUE, 11, 15),
            (anna, "call", date(2026, 11, 10), 10, 100),  # this month, not this week
        ]
        for member, key, day, hour, minutes in entries:
            start = at(day, hour)
            await uow.time.add_entry(
                NewTimeEntry(
                    company_id,
                    member.id,
                    tasks[key],
                    start,
                    start + timedelta(minutes=minutes),
                    day,
                    EntrySource.MANUAL,
                    "x",
                )
            )
        gone = await uow.time.add_entry(
            NewTimeEntry(
                company_id,
                anna.id,
                tasks["call"],
                at(MON, 15),
                at(MON, 16),
                MON,
                EntrySource.MANUAL,
                "deleted",
            )
        )
        gone.deleted = True
        await uow.time.save_entry(gone)
        await uow.time.save_plan(
            DailyPlan(
                anna.id,
                company_id,
                MON,
                [PlanItem(tasks["call"], 60), PlanItem(tasks["offer"], 60)],
                at(MON, 9, 40),
            )
        )
        for day, hh, mm, kind in [
            (MON, 9, 30, DayEventKind.START),
            (MON, 17, 30, DayEventKind.END),
            (TUE, 8, 55, DayEventKind.START),
            (TUE, 18, 5, DayEventKind.END),
        ]:
            await uow.time.add_day_event(DayEvent(anna.id, company_id, day, at(day, hh, mm), kind))
        await uow.time.add_report(NewDailyReport(anna.id, company_id, MON, "done", at(MON, 17, 40)))
        await uow.approvals.add_absence(Absence(ivan.id, MON, MON))
        await uow.commit()
    return World(team, tasks)


async def grouped(
    app: App, world: World, by: str, who: str = "boss"
) -> dict[object, tuple[int, int]]:
    async with app.uow() as uow:
        report = await timereports.time_report(
            uow, world.team[who], parse_report(f"team by {by}", MON)
        )
    return {g.name: (g.minutes, g.billable_minutes) for g in report.groups} | {
        "TOTAL": (report.total_minutes, report.billable_minutes)
    }


async def test_time_grouped_in_sql(app: App, clock: FakeClock) -> None:
    world = await build(app, clock)
    total = {"TOTAL": (170, 120)}
    assert await grouped(app, world, "member") == {"Anna": (155, 105), "Ivan": (15, 15), **total}
    assert await grouped(app, world, "project") == {
        "Sales": (90, 60),
        "Website": (60, 60),
        None: (20, 0),
        **total,
    }
    # a task with two tags counts under both; the total counts it once
    assert await grouped(app, world, "tag") == {
        "client": (90, 60),
        "no": (50, 0),
        None: (60, 60),
        **total,
    }
    # deal -> its company; contact -> its company; an unconverted lead -> its company name
    assert await grouped(app, world, "client") == {
        "Kowalski Sp.": (90, 60),
        "Firma X": (45, 45),
        "Ewa Solo": (15, 15),
        None: (20, 0),
        **total,
    }
    assert await grouped(app, world, "day") == {
        "2026-11-23": (90, 60),
        "2026-11-24": (80, 60),
        **total,
    }
    async with app.uow() as uow:
        month = await timereports.time_report(
            uow, world.team["anna"], parse_report("month by client", MON)
        )
    assert (month.total_minutes, month.billable_minutes) == (255, 205)
    assert month.groups[0].name == "Kowalski Sp." and month.groups[0].minutes == 190


async def test_plan_vs_fact_per_member_and_day(app: App, clock: FakeClock) -> None:
    world = await build(app, clock)
    async with app.uow() as uow:
        view = await timereports.plan_fact(uow, world.team["boss"], parse_report("team", MON))
    lines = {(x.name, x.day): (x.planned_minutes, x.tracked_minutes) for x in view.lines}
    assert lines == {("Anna", MON): (120, 90), ("Anna", TUE): (0, 65), ("Ivan", TUE): (0, 15)}
    assert view.by_member() == [("Anna", 120, 155), ("Ivan", 0, 15)]
    assert view.table().totals == ("total", "", 120, 170, 50)


async def test_attendance_late_short_missing(app: App, clock: FakeClock) -> None:
    world = await build(app, clock)
    async with app.uow() as uow:
        view = await timereports.attendance(
            uow, world.team["boss"], parse_report("team", MON), clock.now()
        )
    assert view.working_days == 5
    people = {m.name: m for m in view.members}
    anna, ivan, boss = people["Anna"], people["Ivan"], people["Boss"]
    assert [d.day for d in anna.days] == [MON, TUE, date(2026, 11, 25)]  # up to today
    assert [(d.day, d.late_minutes) for d in anna.late] == [(MON, 30)]
    assert [d.day for d in anna.short] == [MON]  # 8h against 9h; Tuesday 9h10m
    assert [d.day for d in anna.missing_reports] == [TUE]
    assert not anna.no_show
    assert [d.day for d in ivan.days] == [TUE, date(2026, 11, 25)]  # Monday: on leave
    assert [d.day for d in ivan.short] == [TUE]  # only 15 minutes tracked, no /day
    assert [d.day for d in boss.no_show] == [MON, TUE]
    assert [d.day for d in boss.missing_reports] == [MON, TUE]


async def test_attendance_counts_from_the_join_date(app: App, clock: FakeClock) -> None:
    world = await build(app, clock)
    async with app.uow() as uow:
        anna = world.team["anna"]
        anna.joined_at = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # joined on Tuesday
        await uow.members.save(anna)
        await uow.commit()
    async with app.uow() as uow:
        view = await timereports.attendance(
            uow, world.team["boss"], parse_report("team", MON), clock.now()
        )
    people = {m.name: m for m in view.members}
    assert [d.day for d in people["Anna"].days] == [TUE, date(2026, 11, 25)]
    assert not people["Anna"].late  # Monday's late start was before she joined
    assert [d.day for d in people["Boss"].no_show] == [MON, TUE]


@pytest.fixture
async def world_dialog(app: App, clock: FakeClock) -> Dialog:
    world = await build(app, clock)
    return Dialog(app, world.team)


async def test_report_dialogs(world_dialog: Dialog) -> None:
    await verify_dialog(
        world_dialog,
        [
            (
                "boss",
                "/timesheet team by client",
                [
                    "Team time by client",
                    "Kowalski Sp. · 1h 30m (billable 1h)",
                    "Firma X · 45m",
                    "no client · 20m",
                ],
            ),
            (
                "boss",
                "/timesheet by tag team",
                ["Team time by tag", "client · 1h 30m", "no tag · 1h", "under each"],
            ),
            (
                "anna",
                "/timereport by day",
                ["My time by day", "Mon 23.11 · 1h 30m", "Total 2h 35m"],
            ),
            ("anna", "/timesheet last week", ["Timesheet 16.11–22.11.2026", "No time tracked"]),
            (
                "anna",
                "/timesheet 2026-11-01..2026-11-30",
                ["Timesheet 01.11–30.11.2026", "Total 4h 15m"],
            ),
            (
                "anna",
                "/timesheet plan",
                [
                    "Plan vs fact",
                    "Planned 2h · tracked 2h 35m (129%)",
                    "Mon 23.11 · plan 2h · fact 1h 30m (75%)",
                    "no plan fixed",
                ],
            ),
            ("boss", "/timesheet plan team", ["Team plan vs fact", "Anna · plan 2h"]),
            (
                "boss",
                "/attendance team",
                [
                    "Team attendance",
                    "Working days: 5",
                    "Late starts 1: 23.11 09:30",
                    "Short days 1: 23.11 8h",
                    "No daily report 1: 24.11",
                    "Nothing recorded 2",
                ],
            ),
            ("anna", "/attendance", ["Attendance", "Late starts 1"]),
            ("anna", "/attendance team", ["can't do that"]),
            (
                "anna",
                "/timesheet by galaxy",
                ["by galaxy", "/timesheet by galaxy", "/timesheet week"],
            ),
            ("anna", "/timesheet 2026-11-30..2026-11-01", ["ends before it starts"]),
            ("anna", "/timesheet 31.02", ["31.02", "not a date"]),
            ("anna", "/attendance by tag", ["by tag", "/attendance week"]),
            ("anna", "/timesheet plan by tag", ["by tag", "/timesheet plan by tag"]),
        ],
    )


async def ask(dialog: Dialog, who: str, command: str, args: str) -> list:  # type: ignore[type-arg]
    return await dialog.app.conversation.handle(
        Inbound(
            platform="console",
            workspace="local",
            user_id=who,
            chat_id=who,
            command=command,
            args=args,
        )
    )


async def test_chart_csv_and_xlsx(world_dialog: Dialog) -> None:
    replies = await ask(world_dialog, "boss", "timesheet", "week team by client chart csv xlsx")
    assert len(replies) == 3
    assert replies[0].image is not None and replies[0].image.startswith(b"\x89PNG")
    assert replies[0].file is None
    name, data = replies[1].file
    assert name == "timesheet-by-client.csv"
    assert data.decode().splitlines() == [
        "client,minutes,billable_minutes",
        "Kowalski Sp.,90,60",
        "Firma X,45,45",
        "Ewa Solo,15,15",
        ",20,0",
        "total,170,120",
    ]
    name, data = replies[2].file
    assert name == "timesheet-by-client.xlsx"
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Client", "Minutes", "Billable minutes")
    assert rows[1] == ("Kowalski Sp.", 90, 60)
    assert rows[-1] == ("Total", 170, 120)

    # no chart: the first file rides on the summary; the default view's spreadsheet
    replies = await ask(world_dialog, "anna", "timesheet", "month xlsx")
    assert len(replies) == 1 and replies[0].template == "time_sheet"
    name, data = replies[0].file
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert name == "timesheet.xlsx"
    assert rows[0] == ("Member", "Date", "Project", "Minutes", "Billable minutes")
    assert rows[1][:2] == ("Anna", datetime(2026, 11, 10))
    assert rows[-1] == ("Total", None, None, 255, 205)

    for args in ("plan team chart xlsx", "team chart", "chart by day team"):
        replies = await ask(world_dialog, "boss", "timesheet", args)
        assert replies[0].image is not None and replies[0].image.startswith(b"\x89PNG"), args
    replies = await ask(world_dialog, "boss", "attendance", "team chart csv")
    assert replies[0].image is not None
    assert replies[1].file is not None and replies[1].file[0] == "attendance.csv"
    assert "Anna,2026-11-23,09:30,30,480,yes" in replies[1].file[1].decode()
