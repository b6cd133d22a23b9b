"""Works on day one (issue 16): deals have an amount and a currency — from the lead's text,
/deal 7 amount …, the card's button, and asked for when a deal is won; the funnel sums
them per stage and currency. In en, pl and ru, with bad input answered clearly."""

from __future__ import annotations

import pytest

from brygada.bootstrap import App
from domain.company import Role
from handlers.rendering import label
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team

WORDS = {
    "en": {
        "lead": "/lead Jan Kowalski, ACME sp. z o.o., +48 600 100 200, budget 12 000 PLN",
        "budget": "💰 Budget: PLN\u00a012,000.00",
        "money": ("PLN\u00a012,000.00", "$12,000.00", "€1,500.50", "PLN\u00a03,000.00"),
        "set": "/deal 1 amount $12,000",
        "not_amount": '"twelve thousand" is not an amount',
        "bad": "/deal 1 amount twelve thousand",
        "unknown": "/deal 1 amount 12 000 XYZ",
        "unknown_says": "XYZ is not a currency I know",
        "kept": "Your text, so nothing is lost",
        "ask": "The amount of deal #1",
        "ask_won": "is won once it has its amount",
        "wrote": "You wrote: soon",
        "lead2": "/lead Anna Nowak, Budimex S.A., +48 601 234 567",
        "usage": "/deal 1 price 5",
        "usage_says": "to set its amount",
    },
    "pl": {
        "lead": "/lead Jan Kowalski, ACME sp. z o.o., +48 600 100 200, budżet 12000 zł",
        "budget": "💰 Budżet: 12\u00a0000,00\u00a0zł",
        "money": (
            "12\u00a0000,00\u00a0zł",
            "12\u00a0000,00\u00a0USD",
            "1\u00a0500,50\u00a0€",
            "3\u00a0000,00\u00a0zł",
        ),
        "set": "/deal 1 kwota $12,000",
        "not_amount": "„dwanaście tysięcy” to nie kwota",
        "bad": "/deal 1 kwota dwanaście tysięcy",
        "unknown": "/deal 1 kwota 12 000 XYZ",
        "unknown_says": "Nie znam waluty XYZ",
        "kept": "Twój tekst",
        "ask": "Jaka jest kwota transakcji #1",
        "ask_won": "zostanie wygrana, gdy będzie miała kwotę",
        "wrote": "Napisano: soon",
        "lead2": "/lead Anna Nowak, Budimex S.A., +48 601 234 567",
        "usage": "/deal 1 cena 5",
        "usage_says": "aby ustawić jej kwotę",
    },
    "ru": {
        "lead": "/lead Jan Kowalski, ACME sp. z o.o., +48 600 100 200, бюджет 12 000 ₽",
        "budget": "💰 Бюджет: 12\u00a0000\u00a0₽",
        "money": (
            "12\u00a0000\u00a0₽",
            "12\u00a0000\u00a0$",
            "1\u00a0500,50\u00a0€",
            "3\u00a0000\u00a0PLN",
        ),
        "set": "/deal 1 сумма $12,000",
        "not_amount": "«двенадцать тысяч» — не сумма",
        "bad": "/deal 1 сумма двенадцать тысяч",
        "unknown": "/deal 1 сумма 12 000 XYZ",
        "unknown_says": "Валюта XYZ мне неизвестна",
        "kept": "Ваш текст",
        "ask": "Какая сумма у сделки #1",
        "ask_won": "станет выигранной, когда у неё будет сумма",
        "wrote": "Вы написали: soon",
        "lead2": "/lead Anna Nowak, Budimex S.A., +48 601 234 567",
        "usage": "/deal 1 цена 5",
        "usage_says": "чтобы указать её сумму",
    },
}


async def _dialog(app: App, lang: str) -> Dialog:
    team = await make_team(app, [("boss", Role.ADMIN), ("anna", Role.EMPLOYEE)])
    dialog = Dialog(app, team)
    for handle in ("boss", "anna"):
        await dialog.send(handle, f"/lang {lang}")
    return dialog


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_deal_amounts_from_the_lead_the_command_the_button_and_won(
    app: App, lang: str
) -> None:
    dialog = await _dialog(app, lang)
    w = WORDS[lang]
    amount_button, won = label(lang, "crm.btn.amount"), label(lang, "crm.btn.won")
    budget, usd, eur, pln = w["money"]  # as each language writes money (CLDR)
    await verify_dialog(
        dialog,
        [
            # The budget written in the lead is the deal's amount on conversion.
            ("anna", w["lead"], [w["budget"], "Jan Kowalski", "+48600100200"]),
            ("anna", f"press:{label(lang, 'crm.btn.convert')}", [f"💰 {budget}"]),
            # Bad input: named clearly, the text kept, the amount unchanged.
            ("anna", w["bad"], [w["not_amount"], w["kept"], w["bad"].split(" ", 2)[2]]),
            ("anna", w["unknown"], [w["unknown_says"], w["kept"]]),
            ("anna", w["usage"], [w["usage_says"]]),
            ("anna", "/deal 1", [f"💰 {budget}", amount_button]),
            ("anna", w["set"], [label(lang, "crm.notice.amount_set"), f"💰 {usd}"]),
            # The card's button asks; a wrong answer is asked again with what was written.
            ("anna", f"press:{amount_button}", [w["ask"]]),
            ("anna", "soon", [w["ask"], w["wrote"]]),
            ("anna", "1.500,50 €", [label(lang, "crm.notice.amount_set"), f"💰 {eur}"]),
            # A second deal without an amount: Won asks for it first.
            ("anna", w["lead2"], ["Anna Nowak", "!💰"]),
            ("anna", f"press:{label(lang, 'crm.btn.convert')}", ["💰 —"]),
            ("anna", f"press:{won}", [w["ask_won"], f"!{label(lang, 'crm.notice.won')}"]),
            ("anna", "3 000 PLN", [label(lang, "crm.notice.won"), f"💰 {pln}"]),
            # The funnel sums per stage and currency.
            ("boss", "/funnel all", [eur, pln]),
        ],
    )
