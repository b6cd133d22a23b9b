"""Works on day one (issue 16): /request without any approvals.toml — leave, day off,
expense and business trip are ready-made; dates in words in en, pl and ru; the approver
is the member's manager, else an admin."""

from __future__ import annotations

import pytest

from brygada.bootstrap import App
from domain.approvals import ApprovalStatus
from domain.company import Role
from handlers.rendering import label
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team

PEOPLE = [("boss", Role.ADMIN), ("head", Role.MANAGER), ("anna", Role.EMPLOYEE)]

WORDS = {
    "en": {
        "types": ["Leave / absence", "Day off", "Expense", "Business trip"],
        "kind": "What kind of absence?",
        "vacation": "Vacation",
        "range": "from December 21 to 23",
        "backwards": "Dec 23-21",
        "end_before": "The end is before the start.",
        "wrote": "You wrote: Dec 23-21",
        "gibberish": "next week",
        "unreadable": 'couldn\'t read dates in "next week"',
        "day_off": "day off",
        "which_day": "Which day?",
        "amount": "$12,000",
        "shown": "$12,000.00",
        "bad_amount": "twelve thousand",
        "bad_currency": "12 000 GBP",
    },
    "pl": {
        "types": ["Urlop / nieobecność", "Dzień wolny", "Wydatek", "Delegacja"],
        "kind": "Jaki rodzaj nieobecności?",
        "vacation": "Urlop wypoczynkowy",
        "range": "od 21 do 23 grudnia",
        "backwards": "od 23 do 21 grudnia",
        "end_before": "Koniec jest przed początkiem.",
        "wrote": "Napisano: od 23 do 21 grudnia",
        "gibberish": "w przyszłym tygodniu",
        "unreadable": "Nie rozpoznaję dat w „w przyszłym tygodniu”",
        "day_off": "dzień wolny",
        "which_day": "Który dzień?",
        "amount": "12 000 zł",
        "shown": "12\u00a0000,00\u00a0zł",
        "bad_amount": "dwanaście tysięcy",
        "bad_currency": "12 000 GBP",
    },
    "ru": {
        "types": ["Отпуск / отсутствие", "Отгул", "Расход", "Командировка"],
        "kind": "Какое отсутствие?",
        "vacation": "Отпуск",
        "range": "с 21 по 23 декабря",
        "backwards": "с 23 по 21 декабря",
        "end_before": "Конец раньше начала.",
        "wrote": "Вы написали: с 23 по 21 декабря",
        "gibberish": "на следующей неделе",
        "unreadable": "Не могу разобрать даты в «на следующей неделе»",
        "day_off": "отгул",
        "which_day": "Какой день?",
        "amount": "12 000 ₽",
        "shown": "12\u00a0000\u00a0₽",
        "bad_amount": "двенадцать тысяч",
        "bad_currency": "12 000 GBP",
    },
}


async def _dialog(app: App, lang: str, *, manager: bool = True) -> Dialog:
    team = await make_team(app, PEOPLE)
    if manager:
        async with app.uow() as uow:
            anna = team["anna"]
            anna.manager_id = team["head"].id
            await uow.members.save(anna)
            await uow.commit()
    dialog = Dialog(app, team)
    for handle, _ in PEOPLE:
        await dialog.send(handle, f"/lang {lang}")
    return dialog


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_leave_without_any_configuration(app: App, lang: str) -> None:
    """No approvals.toml: /request lists the ready-made types and leave goes to the manager;
    a range ending before it starts, or no dates at all, is asked again with the answers
    given so far kept."""
    dialog = await _dialog(app, lang)
    w = WORDS[lang]
    sent = label(lang, "approval.notice.sent")
    await verify_dialog(
        dialog,
        [
            ("anna", "/request", [*w["types"], "/request leave", "/request business_trip"]),
            ("anna", "/request leave", [w["types"][0], "1/3", w["kind"]]),
            ("anna", f"press:{w['vacation']}", ["2/3", f"✓ {w['kind']}: {w['vacation']}"]),
            ("anna", w["backwards"], [w["end_before"], w["wrote"], "2/3", w["vacation"]]),
            ("anna", w["gibberish"], [w["unreadable"], "2/3", w["vacation"]]),
            ("anna", w["range"], ["3/3", "21.12.2026 – 23.12.2026"]),
            ("anna", "-", [sent, "21.12.2026 – 23.12.2026", "Head"]),
        ],
    )
    assert any("21.12.2026 – 23.12.2026" in n for n in dialog.notices("head"))
    assert not dialog.notices("boss")
    async with app.uow() as uow:
        request = await uow.approvals.get(1)
    assert request is not None and request.type_key == "leave"
    assert request.status is ApprovalStatus.PENDING
    assert request.answers["dates"] == {"start": "2026-12-21", "end": "2026-12-23"}


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_day_off_by_its_name_and_an_expense_to_the_admin(app: App, lang: str) -> None:
    """A type is found by its title in the member's language; a single date is a one-day
    range; without a manager or department the admin approves."""
    dialog = await _dialog(app, lang, manager=False)
    w = WORDS[lang]
    sent = label(lang, "approval.notice.sent")
    await verify_dialog(
        dialog,
        [
            ("anna", f"/request {w['day_off']}", [w["types"][1], "1/2", w["which_day"]]),
            ("anna", "24.12", ["2/2", "24.12.2026"]),
            ("anna", "-", [sent, "24.12.2026", "Boss"]),
            ("anna", "/request expense", [w["types"][2], "1/3"]),
            ("anna", "Taxi to the client", ["2/3"]),
            ("anna", w["bad_amount"], ["2/3", "Taxi to the client"]),
            ("anna", w["bad_currency"], ["GBP", "PLN, EUR, USD, RUB", "2/3"]),
            ("anna", w["amount"], ["3/3", w["shown"]]),
            ("anna", "-", [sent, w["shown"], "Boss"]),
        ],
    )
    assert len([n for n in dialog.notices("boss") if "Taxi to the client" in n]) == 1
