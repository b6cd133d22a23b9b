"""Managers see their team: /tasks @anna, /today team, /overdue team, /awaiting team and
/search for heads (their departments, recursively) and managers (direct and indirect
reports), admins for everyone; anybody else is refused."""

from __future__ import annotations

import pytest

from brygada.bootstrap import App
from domain.company import NewDepartment, Role
from tests.conftest import FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import Team, make_team

PEOPLE = [
    ("boss", Role.ADMIN),
    ("head", Role.EMPLOYEE),  # heads Sales
    ("anna", Role.EMPLOYEE),  # in Sales; Kate's manager
    ("nick", Role.EMPLOYEE),  # heads North, a sub-department of Sales
    ("ivan", Role.EMPLOYEE),  # in North
    ("kate", Role.EMPLOYEE),  # no department; reports to Anna
    ("peer", Role.EMPLOYEE),  # heads Support: a peer of the head
    ("olga", Role.EMPLOYEE),  # in Support
]


async def org(app: App) -> Team:
    team = await make_team(app, PEOPLE)
    company_id = team.company.id
    async with app.uow() as uow:
        sales = await uow.departments.add(
            NewDepartment(company_id, "Sales", head_id=team["head"].id)
        )
        north = await uow.departments.add(
            NewDepartment(company_id, "North", head_id=team["nick"].id, parent_id=sales.id)
        )
        support = await uow.departments.add(
            NewDepartment(company_id, "Support", head_id=team["peer"].id)
        )
        placed = {"head": sales, "anna": sales, "nick": north, "ivan": north}
        placed |= {"peer": support, "olga": support}
        for handle, department in placed.items():
            team[handle].department_id = department.id
            await uow.members.save(team[handle])
        team["kate"].manager_id = team["anna"].id
        await uow.members.save(team["kate"])
        await uow.commit()
    return team


@pytest.fixture
async def dialog(app: App) -> Dialog:
    dialog = Dialog(app, await org(app))
    for text in (
        "Invoice Acme @anna today",  # 1
        "Invoice Globex @ivan yesterday",  # 2: overdue
        "Invoice Initech @kate tomorrow",  # 3
        "Invoice Umbrella @olga today",  # 4: Support, not the head's
        "Invoice Hooli @nick yesterday",  # 5: overdue
    ):
        await dialog.send("boss", text)
    return dialog


WORDS = {
    "en": {
        "team": "my team",
        "not_yours": "Olga is not in your team",
        "no_team": "Nobody reports to you",
        "tasks": "Tasks",
        "awaiting": "Awaiting acceptance",
    },
    "pl": {
        "team": "mój zespół",
        "not_yours": "Olga nie należy do Twojego zespołu",
        "no_team": "Nikt Ci nie podlega",
        "tasks": "Zadania",
        "awaiting": "Czeka na akceptację",
    },
    "ru": {
        "team": "моя команда",
        "not_yours": "Olga не из вашей команды",
        "no_team": "Вам никто не подчиняется",
        "tasks": "Задачи",
        "awaiting": "Ждут приёмки",
    },
}


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_a_head_sees_exactly_their_subtree(dialog: Dialog, lang: str) -> None:
    w = WORDS[lang]
    for handle in ("head", "peer", "anna", "kate"):
        await dialog.send(handle, f"/lang {lang}")
    await dialog.send("ivan", "/done 2 sent")
    await verify_dialog(
        dialog,
        [
            # Anna (Sales), Nick and Ivan (North, under Sales), Kate (Anna's report).
            (
                "head",
                "/tasks team",
                [w["team"], "(3)", "👤 Anna", "👤 Kate", "👤 Nick", "#1", "#3", "#5"],
            ),
            ("head", "/tasks team", ["!Olga", "!#4 "]),
            ("head", "/overdue team", ["👤 Nick", "#5", "!#1 ", "!#3 "]),
            ("head", "/today team", ["#1", "#5", "!#3 ", "!#4 "]),
            ("head", "/awaiting team", [w["awaiting"], "👤 Ivan", "#2", "!#1 "]),
            ("head", "/tasks @kate", [w["tasks"], "Kate", "#3", "!#1 "]),
            ("head", "/show 3", ["Invoice Initech"]),  # an indirect report's card
            ("head", "/tasks @olga", [w["not_yours"]]),
            ("peer", "/tasks @anna", ["Anna", "!#1 "]),
            ("peer", "/tasks team", ["👤 Olga", "#4", "!#1 "]),
            ("anna", "/tasks @kate", ["#3"]),
            ("anna", "/tasks @ivan", ["Ivan"]),
            ("kate", "/today team", [w["no_team"]]),
            ("kate", "/tasks @anna", ["Anna"]),
            # Search finds the team's tasks for heads, not a peer's.
            ("head", "/search invoice", ["#1", "#3", "#5", "!#4 "]),
            ("peer", "/search invoice", ["#4", "!#1 ", "!#3 "]),
        ],
    )
    refused = await dialog.send("head", "/tasks @olga")
    assert "#4" not in refused
    assert "Olga" in (await dialog.send("peer", "/tasks @olga"))


async def test_admins_see_everyone_and_pages_keep_the_scope(dialog: Dialog) -> None:
    for n in range(9):
        await dialog.send("boss", f"Call client {n} @olga today")
    await verify_dialog(
        dialog,
        [
            ("boss", "/tasks team", ["(14)", "👤 Anna", "👤 Ivan", "Page 1 of 2", "!👤 Boss"]),
            ("boss", "press:More ▶", ["Page 2 of 2", "👤 Olga"]),
            ("boss", "/tasks @olga", ["(10)", "Page 1 of 2"]),
            ("boss", "press:More ▶", ["Page 2 of 2"]),
        ],
    )


DIGEST = {
    "en": (
        "Your team this morning",
        "Overdue:",
        "Ivan (1 task)",
        "No plan for today:",
        "No report for Mon 23.11:",
        "Morning team digest: on",
    ),
    "pl": (
        "Twój zespół dziś rano",
        "Zaległe:",
        "Ivan (1 zadanie)",
        "Bez planu na dziś:",
        "Bez raportu za pon. 23.11:",
        "Poranne podsumowanie zespołu: wł",
    ),
    "ru": (
        "Ваша команда этим утром",
        "Просрочено:",
        "Ivan (1 задача)",
        "Без плана на сегодня:",
        "Без отчёта за пн 23.11:",
        "Утренняя сводка по команде: вкл",
    ),
}


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_morning_team_digest_through_the_scheduler_and_outbox(
    app: App, clock: FakeClock, lang: str
) -> None:
    from datetime import UTC, date, datetime, timedelta

    from domain.timetracking import DailyPlan, NewDailyReport

    clock.set(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))  # Tuesday 07:00 in Warsaw
    team = await org(app)
    async with app.uow() as uow:
        for member in team.people.values():  # they have worked here for a while
            member.joined_at = clock.now() - timedelta(days=30)
            await uow.members.save(member)
        team["olga"].joined_at = clock.now()  # joined today: owes no report for Monday
        await uow.members.save(team["olga"])
        await uow.commit()
    dialog = Dialog(app, team)
    title, overdue, ivan, no_plan, no_report, on = DIGEST[lang]
    for handle in ("head", "kate"):
        await dialog.send(handle, f"/lang {lang}")
    await dialog.send("boss", "Invoice Globex @ivan yesterday")
    assert "/unmute team.digest" in await dialog.send("head", "/notifications")
    assert on in await dialog.send("head", "/unmute team.digest")
    await dialog.send("kate", "/unmute team.digest")  # nobody reports to Kate: no digest
    tuesday, monday = date(2026, 11, 24), date(2026, 11, 23)
    async with app.uow() as uow:
        anna = team["anna"].id
        await uow.time.save_plan(DailyPlan(anna, team.company.id, tuesday, [], clock.now()))
        await uow.time.add_report(
            NewDailyReport(anna, team.company.id, monday, "done", clock.now())
        )
        await uow.commit()
    sweeper = app.sweeper()
    while clock.now() < datetime(2026, 11, 24, 9, 0, tzinfo=UTC):
        clock.advance(minutes=15)
        await sweeper.run_once()
        await dialog.deliver()
    digests = [n for n in dialog.notices("head") if title in n]
    assert len(digests) == 1, dialog.notices("head")  # one message, not one per person
    text = digests[0]
    assert overdue in text and ivan in text and no_plan in text and no_report in text
    plan_line = next(line for line in text.splitlines() if no_plan in line)
    assert "Anna" not in plan_line and "Ivan" in plan_line and "Olga" not in plan_line
    report_line = next(line for line in text.splitlines() if no_report in line)
    assert "Anna" not in report_line and "Kate" in report_line and "Olga" not in report_line
    assert not [n for n in dialog.notices("kate") if title in n]
    assert not [n for n in dialog.notices("peer") if DIGEST["en"][0] in n]
    # The next morning it comes again, once; switched off, never.
    await dialog.send("head", "/mute team.digest")
    while clock.now() < datetime(2026, 11, 25, 9, 0, tzinfo=UTC):
        clock.advance(minutes=30)
        await sweeper.run_once()
        await dialog.deliver()
    assert len([n for n in dialog.notices("head") if title in n]) == 1
    assert timedelta(0) < clock.now() - datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
