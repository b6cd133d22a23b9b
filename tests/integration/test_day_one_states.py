"""States and reports that agree (issue 16): one rule for timers and task states, a
returned task's card, and the daily report as its manager reads it — in en, pl and ru.

The rule (domain.services.timetracking): a timer is a person's; a task is in progress
while its responsible works on it. A co-executor's timer shows on the card as theirs.
"""

from __future__ import annotations

import pytest

from brygada.bootstrap import App
from domain.company import Role
from handlers.rendering import label
from tests.conftest import FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team

LANGS = ["en", "pl", "ru"]
PEOPLE = [("boss", Role.ADMIN), ("anna", Role.EMPLOYEE), ("ivan", Role.EMPLOYEE)]

WORDS = {
    "en": {
        "timer_on": "Timer running now: Ivan",
        "timer_started": "Timer started",
        "no_timer": "No timer is running",
        "returned": "Returned for rework by Boss:",
        "new_deadline": "New deadline:",
        "result": "Result:",
        "continues_due": "continues, due",
        "part": "carry it over as part 2",
        "tracked": "Tracked: 2h 30m",
        "day": "Day: Wed, 25.11.2026",
        "done": "✅ done",
        "continues": "⏳ continues",
        "corrected": "Updated after an approved time correction.",
        "tracked_after": "Tracked: 3h",
        "remind": "Don't forget",
        "ended": "Working day ended",
    },
    "pl": {
        "timer_on": "Licznik działa teraz: Ivan",
        "timer_started": "Licznik uruchomiony",
        "no_timer": "Żaden licznik nie działa",
        "returned": "Zwrócone do poprawy (Boss):",
        "new_deadline": "Nowy termin:",
        "result": "Wynik:",
        "continues_due": "w toku, termin",
        "part": "przenieś jako część 2",
        "tracked": "Zarejestrowano: 2 godz. 30 min",
        "day": "Dzień: śr., 25.11.2026",
        "done": "✅ zrobione",
        "continues": "⏳ w toku",
        "corrected": "Zaktualizowano po zatwierdzonej korekcie czasu.",
        "tracked_after": "Zarejestrowano: 3 godz.",
        "remind": "Nie zapomnij",
        "ended": "Dzień pracy zakończony",
    },
    "ru": {
        "timer_on": "Сейчас таймер идёт у: Ivan",
        "timer_started": "Таймер запущен",
        "no_timer": "Таймер не запущен",
        "returned": "Возвращено на доработку (Boss):",
        "new_deadline": "Новый срок:",
        "result": "Результат:",
        "continues_due": "продолжается, срок",
        "part": "перенесите как часть 2",
        "tracked": "Учтено: 2 ч 30 мин",
        "day": "День: ср, 25.11.2026",
        "done": "✅ выполнено",
        "continues": "⏳ продолжается",
        "corrected": "Обновлено после одобренной корректировки времени.",
        "tracked_after": "Учтено: 3 ч",
        "remind": "Не забудьте",
        "ended": "Рабочий день завершён",
    },
}


async def _dialog(app: App, lang: str) -> Dialog:
    team = await make_team(app, PEOPLE)
    async with app.uow() as uow:
        for handle in ("anna", "ivan"):
            member = team[handle]
            member.manager_id = team["boss"].id
            await uow.members.save(member)
        await uow.commit()
    dialog = Dialog(app, team)
    for handle, _ in PEOPLE:
        await dialog.send(handle, f"/lang {lang}")
    return dialog


@pytest.mark.parametrize("lang", LANGS)
async def test_a_timer_is_a_persons_and_the_responsible_makes_the_state(
    app: App, clock: FakeClock, lang: str
) -> None:
    dialog = await _dialog(app, lang)
    w = WORDS[lang]
    new, in_progress, pending = (
        label(lang, f"status.{s}") for s in ("new", "in_progress", "paused")
    )
    pause, start = label(lang, "btn.pause"), label(lang, "btn.start")
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Call the client today 17:00 @anna", ["#1"]),
            ("boss", "/coexec 1 @ivan", ["👥 Ivan"]),
            # A co-executor's timer is theirs: the responsible's task stays as it was.
            ("ivan", "/timer 1", [w["timer_started"]]),
            ("anna", "/show 1", [new, w["timer_on"], start, f"!{pause}"]),
            ("ivan", "/show 1", [new, w["timer_on"], pause]),
            ("anna", "/today", ["#1 Sales: Call the client —", "!▶"]),
            # The responsible's timer is the task's "in progress"…
            ("anna", "/timer 1", [w["timer_started"]]),
            ("anna", "/show 1", [in_progress, pause, f"!{start}"]),
            ("anna", "/today", ["#1 Sales: Call the client ▶"]),
            # …and pausing it in /timer makes the task pending, card and list alike.
            ("anna", "/timer pause", ["⏸"]),
            ("anna", "/show 1", [pending, start, f"!{pause}"]),
            ("anna", "/today", ["!▶"]),
            ("anna", "/timer resume", ["▶"]),
            ("anna", "/show 1", [in_progress, pause]),
            ("anna", f"press:{pause}", [pending, start]),
            ("anna", "/timer", [w["no_timer"]]),
            # Ivan's own timer still runs; his Pause stops it and leaves the state alone.
            ("ivan", "/show 1", [pending, w["timer_on"], pause]),
            ("ivan", f"press:{pause}", [pending, start, f"!{w['timer_on']}"]),
            ("ivan", "/timer", [w["no_timer"]]),
            # A co-executor's Start starts their timer only.
            ("ivan", "/show 1", [pending, start]),
            ("ivan", f"press:{start}", [pending, w["timer_on"], pause]),
        ],
    )
    clock.advance(minutes=30)
    # The working day's end stops the responsible's timer: the task is pending again.
    await verify_dialog(
        dialog,
        [
            ("anna", "/timer 1", [w["timer_started"]]),
            ("anna", "/day end", [w["ended"]]),
            ("anna", "/show 1", [pending]),
        ],
    )


@pytest.mark.parametrize("lang", LANGS)
async def test_a_returned_task_shows_the_reason_and_the_new_deadline(app: App, lang: str) -> None:
    dialog = await _dialog(app, lang)
    w = WORDS[lang]
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Write the offer today 17:00 @anna", ["#1"]),
            ("anna", "/done 1 Offer sent to the client", ["#1"]),
            ("boss", "/show 1", [w["result"], "Offer sent to the client"]),
            ("boss", f"press:{label(lang, 'btn.return')}", []),
            ("boss", "The prices are from last year", []),
            ("boss", "28.11 12:00", []),
            (
                "anna",
                "/show 1",
                [
                    w["returned"],
                    "The prices are from last year",
                    w["new_deadline"],
                    "12:00",
                    f"!{w['result']}",
                    "!Offer sent to the client",
                ],
            ),
            # Done again: the new result replaces the return on the card.
            ("anna", "/done 1 Offer with this year's prices", ["#1"]),
            ("anna", "/show 1", ["this year's prices", f"!{w['returned']}"]),
        ],
    )


@pytest.mark.parametrize("lang", LANGS)
async def test_the_report_the_manager_reads_and_its_correction(
    app: App, clock: FakeClock, lang: str
) -> None:
    dialog = await _dialog(app, lang)
    w = WORDS[lang]
    approve = label(lang, "approval.approve")
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Call the client today 17:00 @anna", ["#1"]),
            ("boss", "Sales: Yearly plan 31.12 @anna", ["#2"]),
            ("anna", "/time 1 30m first call", []),
            ("anna", "/time 2 2h drafted the plan", []),
            ("anna", "/done 1 Called, the client agreed", ["#1"]),
            # Due at the year's end after 2 hours: it continues, nothing to carry over.
            ("anna", "/report", [w["continues_due"], f"!{w['part']}"]),
            ("anna", "/report submit A good day", []),
        ],
    )
    summary = dialog.notices("boss")[-1]
    for fragment in (
        w["tracked"],
        "#1 Sales: Call the client · 30",
        w["done"],
        "#2 Sales: Yearly plan · 2",
        w["continues"],
    ):
        assert fragment in summary, summary
    assert "✓#" not in summary and "…#" not in summary
    await verify_dialog(
        dialog,
        [
            # The day's report is in: ending the day does not ask for it again.
            ("anna", "/day start", []),
            ("anna", "/day end", [w["ended"], f"!{w['remind']}", "!/report"]),
            ("anna", "/time 2 30m forgot the review", []),
        ],
    )
    await verify_dialog(
        dialog,
        [
            ("boss", "/approval 2", [w["tracked"], f"!{w['corrected']}", w["day"], "!2026-11-25"]),
            ("boss", "/approval 3", ["#3"]),
            ("boss", f"press:{approve}", [label(lang, "approval.status.approved")]),
            ("boss", "/approval 2", [w["tracked_after"], w["corrected"], w["continues"]]),
        ],
    )


@pytest.mark.parametrize("lang", LANGS)
async def test_ending_the_day_reminds_about_a_report_not_yet_sent(app: App, lang: str) -> None:
    dialog = await _dialog(app, lang)
    w = WORDS[lang]
    await verify_dialog(
        dialog,
        [
            ("anna", "/day start", []),
            ("anna", "/day end", [w["ended"], w["remind"], "/report"]),
        ],
    )
