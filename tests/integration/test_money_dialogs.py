"""Amounts, counts and durations as the member's language writes them: a funnel with
money, a deal card, a timesheet (en, pl, ru)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from brygada.bootstrap import App
from domain.company import Role
from tests.conftest import FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team

LEAD = "/lead Jan Kowalski, ACME sp. z o.o., +48 600 100 200"

WORDS = {
    "en": {
        "currency": "USD",
        "money": "$12,000.00",
        "stage": "New: 1 now · $12,000.00",
        "sheet": ["Timesheet", "Total 1h 30m", "Sales · 1h 30m", "Mon 23.11 · 1h 30m"],
    },
    "pl": {
        "currency": "PLN",
        "money": "12 000,00 zł",
        "stage": "Nowa: 1 teraz · 12 000,00 zł",
        "sheet": ["Razem 1 godz. 30 min", "Sales · 1 godz. 30 min", "pon. 23.11 · 1 godz. 30 min"],
    },
    "ru": {
        "currency": "RUB",
        "money": "12 000 ₽",
        "stage": "Новая: 1 сейчас · 12 000 ₽",
        "sheet": ["Всего 1 ч 30 мин", "Sales · 1 ч 30 мин", "пн 23.11 · 1 ч 30 мин"],
    },
}


class Plain(Dialog):
    """No-break spaces of CLDR shown as spaces, so the tables read as people see them."""

    async def send(self, handle: str, line: str) -> str:
        return (await super().send(handle, line)).replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_funnel_and_deal_amounts_in_the_members_language(app: App, lang: str) -> None:
    team = await make_team(app, [("boss", Role.ADMIN), ("anna", Role.EMPLOYEE)])
    dialog = Plain(app, team)
    w = WORDS[lang]
    for handle in ("boss", "anna"):
        await dialog.send(handle, f"/lang {lang}")
    await dialog.send("anna", LEAD)
    await dialog.send("anna", "press:🔁")
    async with app.uow() as uow:
        deal = await uow.crm.get_deal(1)
        assert deal is not None
        deal.amount, deal.currency = Decimal("12000"), w["currency"]
        await uow.crm.save_deal(deal)
        await uow.commit()
    await verify_dialog(
        dialog,
        [
            ("boss", "/funnel all", [w["stage"]]),
            ("anna", "/deals", ["#1"]),
            ("anna", "press:#1", [f"💰 {w['money']}"]),
        ],
    )


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_timesheet_durations_in_the_members_language(
    app: App, clock: FakeClock, lang: str
) -> None:
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))  # Monday
    dialog = Plain(app, await make_team(app))
    await dialog.send("anna", f"/lang {lang}")
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Call Ivan @anna", ["#1"]),
            ("anna", "/time 1 9:00-10:30 call", ["[1]"]),
            ("anna", "/timesheet week", WORDS[lang]["sheet"]),
        ],
    )
