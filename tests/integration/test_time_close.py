"""Closing a task stops the timers running on it: no minute counted after, none lost."""

from __future__ import annotations

from brygada.bootstrap import App
from tests.conftest import FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team


async def test_done_stops_the_running_timer_and_keeps_its_time(app: App, clock: FakeClock) -> None:
    dialog = Dialog(app, await make_team(app))
    await verify_dialog(
        dialog,
        [
            ("boss", "Prepare the offer @anna ~1h", ["Task #1 created"]),
            ("anna", "/show 1", ["▶ Start"]),
            ("anna", "press:Start", ["In progress"]),
        ],
    )
    clock.advance(minutes=25)
    await verify_dialog(dialog, [("anna", "/done 1 Offer sent", ["sent to the director"])])
    clock.advance(minutes=30)
    anna = dialog.team["anna"]
    async with app.uow() as uow:
        assert await uow.time.timer(anna.id) is None
        assert await uow.time.spent_seconds(1) == 25 * 60
