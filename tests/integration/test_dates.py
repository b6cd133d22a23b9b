"""Dates people can trust: holidays by country, past and non-working deadlines flagged on
the card with one-tap fixes, /deadline that never jumps a year, join dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from brygada.bootstrap import App
from domain.errors import InvalidInput
from domain.services import members
from tests.conftest import FakeClock
from tests.factories import make_team
from tests.scheduling import Recorder, run_until


async def test_new_company_takes_its_timezones_country(app: App) -> None:
    async with app.uow() as uow:
        warsaw = await members.create_company(uow, "A", timezone="Europe/Warsaw")
        moscow = await members.create_company(uow, "B", timezone="Europe/Moscow")
        await members.set_company_country(uow, moscow, "-")
        with pytest.raises(InvalidInput):
            await members.set_company_country(uow, warsaw, "Narnia")
        await uow.commit()
    async with app.uow() as uow:
        stored = [await uow.companies.get(c.id) for c in (warsaw, moscow)]
    assert [c.schedule.country if c else None for c in stored] == ["PL", ""]


@pytest.mark.parametrize(("country", "skipped"), [("PL", True), ("-", False)])
async def test_no_morning_prompt_on_a_public_holiday(
    app: App, clock: FakeClock, country: str, skipped: bool
) -> None:
    clock.set(datetime(2026, 11, 10, 0, 0, tzinfo=UTC))
    team = await make_team(app)
    async with app.uow() as uow:
        company = await uow.companies.get(team.company.id)
        assert company is not None
        await members.set_company_country(uow, company, country)
        await uow.commit()
    recorder = Recorder(clock)
    await run_until(app, clock, recorder, datetime(2026, 11, 12, 12, 0, tzinfo=UTC))
    days = recorder.local_dates("anna", "plan.morning", "Europe/Warsaw")
    independence = date(2026, 11, 11)
    assert days == [date(2026, 11, 10), *(() if skipped else (independence,)), date(2026, 11, 12)]


WORDS = {
    "en": {
        "today9": "Call Ivan today 9:00 @anna",
        "yesterday": "Send report yesterday @anna",
        "saturday": "Send report saturday @anna",
        "eve": "Send wishes 24.12 @anna",
        "friday": "Visit client friday @anna",
        "morning": "Call Olga tomorrow morning !urgent @anna",
        "foo": "Fix printer !foo @anna",
        "passed": "9:00 today has already passed",
        "past": "That deadline is in the past",
        "day_off": "That deadline is on a day off",
        "leave": "Anna is on leave that day",
        "not_priority": "foo is not a priority: high, medium, low",
        "high": "High",
        "tomorrow": "Tomorrow 9:00",
        "next": "Next working day",
        "keep": "Keep",
        "kept": "The deadline stays as it is",
        "anyway": "Set anyway",
        "ask": "anyway?",
        "other": "Write another deadline for #6",
        "sunday": "sunday",
        "yesterday_word": "yesterday",
        "moved": "Deadline moved",
    },
    "pl": {
        "today9": "Zadzwoń do Ivana dziś o 9:00 @anna",
        "yesterday": "Wyślij raport wczoraj @anna",
        "saturday": "Wyślij raport w sobotę @anna",
        "eve": "Wyślij życzenia 24.12 @anna",
        "friday": "Odwiedź klienta w piątek @anna",
        "morning": "Zadzwoń do Olgi jutro rano !pilne @anna",
        "foo": "Napraw drukarkę !foo @anna",
        "passed": "Dzisiejsza 9:00 już minęła",
        "past": "Ten termin już minął",
        "day_off": "Ten termin wypada w dzień wolny",
        "leave": "Anna jest tego dnia na urlopie",
        "not_priority": "foo to nie priorytet: wysoki, średni, niski",
        "high": "Wysoki",
        "tomorrow": "Jutro 9:00",
        "next": "Następny dzień roboczy",
        "keep": "Zostaw",
        "kept": "Termin zostaje bez zmian",
        "anyway": "Ustaw mimo to",
        "ask": "mimo to",
        "other": "Napisz inny termin dla #6",
        "sunday": "w niedzielę",
        "yesterday_word": "wczoraj",
        "moved": "Termin",
    },
    "ru": {
        "today9": "Позвонить Ивану сегодня в 9:00 @anna",
        "yesterday": "Отправить отчёт вчера @anna",
        "saturday": "Отправить отчёт в субботу @anna",
        "eve": "Отправить поздравления 24.12 @anna",
        "friday": "Съездить к клиенту в пятницу @anna",
        "morning": "Позвонить Ольге завтра утром !срочно @anna",
        "foo": "Починить принтер !foo @anna",
        "passed": "Сегодня 9:00 уже прошло",
        "past": "Этот срок уже прошёл",
        "day_off": "Этот срок приходится на выходной",
        "leave": "Anna в этот день в отпуске",
        "not_priority": "foo — это не приоритет: высокий, средний, низкий",
        "high": "Высокий",
        "tomorrow": "Завтра 9:00",
        "next": "Следующий рабочий день",
        "keep": "Оставить",
        "kept": "Срок остаётся прежним",
        "anyway": "Всё равно установить",
        "ask": "Всё равно установить срок",
        "other": "Напишите другой срок для #6",
        "sunday": "в воскресенье",
        "yesterday_word": "вчера",
        "moved": "Срок",
    },
}


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_deadlines_people_can_trust(app: App, clock: FakeClock, lang: str) -> None:
    from domain.approvals import Absence
    from tests.dialog import Dialog, verify_dialog

    clock.set(datetime(2026, 11, 25, 13, 0, tzinfo=UTC))  # Wednesday 14:00 in Warsaw
    team = await make_team(app)
    async with app.uow() as uow:
        friday = date(2026, 11, 27)
        await uow.approvals.add_absence(Absence(team["anna"].id, friday, friday))
        await uow.commit()
    dialog = Dialog(app, team)
    await dialog.send("boss", f"/lang {lang}")
    w = WORDS[lang]
    stamp = {
        "en": (
            "Thu 26 Nov, 09:00",
            "Mon 30 Nov, 18:00",
            "Mon 28 Dec, 18:00",
            "Sun 29 Nov",
            "Thu 26 Nov, 18:00",
        ),
        "pl": (
            "czw. 26 lis, 09:00",
            "pon. 30 lis, 18:00",
            "pon. 28 gru, 18:00",
            "niedz. 29 lis",
            "czw. 26 lis, 18:00",
        ),
        "ru": (
            "чт 26 нояб., 09:00",
            "пн 30 нояб., 18:00",
            "пн 28 дек., 18:00",
            "вс 29 нояб.",
            "чт 26 нояб., 18:00",
        ),
    }[lang]
    await verify_dialog(
        dialog,
        [
            # "today 9:00" at 14:00 is not born overdue without a word.
            ("boss", w["today9"], ["#1", w["passed"], w["tomorrow"], w["keep"]]),
            ("boss", f"press:{w['tomorrow']}", [stamp[0]]),
            ("boss", w["yesterday"], ["#2", w["past"], w["next"]]),
            ("boss", f"press:{w['keep']}", [w["kept"]]),
            ("boss", w["saturday"], ["#3", w["day_off"], w["next"]]),
            ("boss", f"press:{w['next']}", [stamp[1]]),  # Friday: Anna is on leave
            ("boss", w["eve"], ["#4", w["day_off"]]),  # Christmas Eve, a holiday in Poland
            ("boss", f"press:{w['next']}", [stamp[2]]),  # 25, 26 Dec: holidays; a weekend
            ("boss", w["friday"], ["#5", w["leave"]]),
            ("boss", w["morning"], ["#6", stamp[0], w["high"], "!⚠️"]),
            ("boss", w["foo"], ["#7", w["not_priority"]]),
            # /deadline: a day.month just passed is this year's, in the past: asked.
            ("boss", "/deadline 6 01.11", [w["past"], w["other"], w["next"], f"!{w['anyway']}"]),
            ("boss", "28.12", [stamp[2]]),  # the question's answer
            ("boss", f"/deadline 6 {w['yesterday_word']}", [w["past"], w["other"]]),
            ("boss", f"press:{w['next']}", [stamp[4]]),
            # A day off is possible, when meant: asked, then set.
            ("boss", f"/deadline 6 {w['sunday']}", [w["day_off"], w["ask"]]),
            ("boss", f"press:{w['anyway']}", [stamp[3]]),
        ],
    )
    async with app.uow() as uow:
        task = await uow.tasks.get(6)
        assert task is not None and task.deadline is not None
        assert task.deadline == datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
        moved = await uow.tasks.get(2)
        assert moved is not None and moved.deadline == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
