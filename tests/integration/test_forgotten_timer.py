"""The forgotten timer: asked at the end of the working day, stopped (and flagged) when
nobody answers; "Still working" keeps it; "Stop at 18:00" records up to 18:00."""

from __future__ import annotations

from datetime import UTC, datetime

from brygada.bootstrap import App
from domain.company import Role
from domain.timetracking import EntrySource
from handlers.types import Inbound, Reply
from tests.conftest import FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team
from tests.scheduling import Recorder, run_until


def press(reply: Reply, label: str, who: str) -> Inbound:
    [token] = [b.token for row in reply.buttons for b in row if b.label == label]
    return Inbound(platform="console", workspace="local", user_id=who, chat_id=who, action=token)


async def test_end_of_day_question_auto_stop_and_answers(app: App, clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))  # Monday 16:00 in Warsaw
    team = await make_team(
        app,
        [
            ("boss", Role.ADMIN),
            ("anna", Role.EMPLOYEE),
            ("ivan", Role.EMPLOYEE),
            ("olga", Role.EMPLOYEE),
        ],
    )
    dialog = Dialog(app, team)
    for n, who in enumerate(("anna", "ivan", "olga"), 1):
        await verify_dialog(dialog, [("boss", f"Task for {who} @{who}", [f"Task #{n} created"])])
    async with app.uow() as uow:
        from domain.services import timetracking

        for n, who in enumerate(("anna", "ivan", "olga"), 1):
            await timetracking.start_timer(uow, team[who], n, clock.now())
        await uow.commit()
    recorder = Recorder(clock)
    await run_until(app, clock, recorder, datetime(2026, 11, 23, 17, 5, tzinfo=UTC))  # 18:05
    asked = {s.handle: s.reply for s in recorder.sent if s.kind == "timer.forgotten"}
    assert set(asked) == {"anna", "ivan", "olga"}
    [stop_label] = [b.label for b in asked["anna"].buttons[0]][:1]
    assert stop_label == "time.stop_at"
    # Anna stopped at 18:00; Ivan is still working; Olga does not answer.
    [done] = await app.conversation.handle(press(asked["anna"], "time.stop_at", "anna"))
    assert done.template == "time_forgotten_done" and done.context["outcome"] == "stopped"
    [kept] = await app.conversation.handle(press(asked["ivan"], "time.still_working", "ivan"))
    assert kept.context["outcome"] == "working"
    await run_until(app, clock, recorder, datetime(2026, 11, 23, 18, 30, tzinfo=UTC))  # 19:30
    async with app.uow() as uow:
        assert await uow.time.timer(team["anna"].id) is None
        assert await uow.time.timer(team["ivan"].id) is not None  # still running
        assert await uow.time.timer(team["olga"].id) is None
        olga = await uow.time.entries(team["olga"].id, datetime(2026, 11, 23).date())
        anna = await uow.time.entries(team["anna"].id, datetime(2026, 11, 23).date())
    assert [e.source for e in olga] == [EntrySource.AUTO_STOPPED]
    assert olga[0].ended_at == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # 18:00 Warsaw
    assert sum(e.seconds for e in anna) == 2 * 3600
    assert [s.handle for s in recorder.sent if s.kind == "timer.auto_stopped"] == ["olga"]


async def test_adjust_takes_a_typed_time(app: App, clock: FakeClock) -> None:
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))
    team = await make_team(app)
    dialog = Dialog(app, team)
    await dialog.send("boss", "Report @anna")
    async with app.uow() as uow:
        from domain.services import timetracking

        await timetracking.start_timer(uow, team["anna"], 1, clock.now())
        await uow.commit()
    recorder = Recorder(clock)
    await run_until(app, clock, recorder, datetime(2026, 11, 23, 17, 10, tzinfo=UTC))
    [asked] = [s.reply for s in recorder.sent if s.kind == "timer.forgotten"]
    [question] = await app.conversation.handle(press(asked, "time.adjust", "anna"))
    assert question.ask
    await verify_dialog(
        dialog,
        [
            ("anna", "25:99", ["17:40"]),
            ("anna", "17:40", ["Timer stopped at", "17:40"]),
        ],
    )


async def test_manager_hears_who_did_not_report(app: App, clock: FakeClock) -> None:
    from domain.services import timetracking
    from tests.factories import make_department

    clock.set(datetime(2026, 11, 23, 16, 0, tzinfo=UTC))  # Monday 17:00 in Warsaw
    team = await make_team(
        app,
        [
            ("boss", Role.ADMIN),
            ("head", Role.MANAGER),
            ("anna", Role.EMPLOYEE),
            ("ivan", Role.EMPLOYEE),
        ],
    )
    await make_department(app, team, "Sales", head="head", staff=["anna", "ivan"])
    async with app.uow() as uow:
        await timetracking.submit_report(uow, team["anna"], "Calls done", clock.now())
        await uow.commit()
    recorder = Recorder(clock)
    await run_until(app, clock, recorder, datetime(2026, 11, 24, 8, 10, tzinfo=UTC))
    [digest] = [s for s in recorder.sent if s.kind == "reports.missing"]
    assert digest.handle == "head"
    assert digest.reply.context["data"]["names"] == ["Ivan"]
    assert digest.local("Europe/Warsaw").hour == 9
