"""The lead parser as a table: one chat message -> name, phone, email, company, comment."""

from __future__ import annotations

import pytest

from domain.crm_capture import LeadDraft, parse_lead

# (message, region, expected draft fields; a field left out must be None)
CASES: list[tuple[str, str, dict[str, str]]] = [
    # -- English --------------------------------------------------------------------
    (
        "John Smith +48 600 100 200 john@smith.com",
        "PL",
        {"name": "John Smith", "phone": "+48600100200", "email": "john@smith.com"},
    ),
    ("john@smith.com John Smith", "PL", {"name": "John Smith", "email": "john@smith.com"}),
    (
        "Mary Jones, Blue Ocean LLC, 601-234-567, wants a quote for 20 windows",
        "PL",
        {
            "name": "Mary Jones",
            "company": "Blue Ocean LLC",
            "phone": "+48601234567",
            "comment": "wants a quote for 20 windows",
        },
    ),
    (
        "wants a demo next week, Peter Brown, peter@brown.io",
        "PL",
        {"name": "Peter Brown", "email": "peter@brown.io", "comment": "wants a demo next week"},
    ),
    (
        "Anna Lee from Globex, phone 22 123 45 67",
        "PL",
        {"name": "Anna Lee", "company": "Globex", "phone": "+48221234567"},
    ),
    (
        "name: Tom Hardy; company: Initech; tel: 600100200; comment: call after 5pm",
        "PL",
        {
            "name": "Tom Hardy",
            "company": "Initech",
            "phone": "+48600100200",
            "comment": "call after 5pm",
        },
    ),
    (
        "Bob Stone, Stone & Sons Ltd, bob@stone.co.uk // met at the fair",
        "PL",
        {
            "name": "Bob Stone",
            "company": "Stone & Sons Ltd",
            "email": "bob@stone.co.uk",
            "comment": "met at the fair",
        },
    ),
    (
        "+1 650 253 0000 Larry Page, Google Inc.",
        "PL",
        {"name": "Larry Page", "company": "Google Inc.", "phone": "+16502530000"},
    ),
    ("Email: CEO@Example.COM, Jane Roe", "PL", {"name": "Jane Roe", "email": "CEO@Example.COM"}),
    ("Kate Moss 600 100 200", "PL", {"name": "Kate Moss", "phone": "+48600100200"}),
    (
        "Acme Corp. - Wile Coyote - wile@acme.test - needs rockets",
        "PL",
        {
            "name": "Wile Coyote",
            "company": "Acme Corp.",
            "email": "wile@acme.test",
            "comment": "needs rockets",
        },
    ),
    (
        '"Contoso" Jim Beam 600-100-200',
        "PL",
        {"name": "Jim Beam", "company": "Contoso", "phone": "+48600100200"},
    ),
    # -- Polish ---------------------------------------------------------------------
    (
        "Jan Kowalski, ACME sp. z o.o., +48 600 100 200, jan@acme.pl, chce ofertę",
        "PL",
        {
            "name": "Jan Kowalski",
            "company": "ACME sp. z o.o.",
            "phone": "+48600100200",
            "email": "jan@acme.pl",
            "comment": "chce ofertę",
        },
    ),
    (
        "Zofia Wiśniewska tel. 601 234 567",
        "PL",
        {"name": "Zofia Wiśniewska", "phone": "+48601234567"},
    ),
    (
        "Łukasz Żółć z firmy Budimex, lukasz@budimex.pl",
        "PL",
        {"name": "Łukasz Żółć", "company": "Budimex", "email": "lukasz@budimex.pl"},
    ),
    (
        "imię: Anna Nowak; firma: Orlen S.A.; telefon: 22 123 45 67",
        "PL",
        {"name": "Anna Nowak", "company": "Orlen S.A.", "phone": "+48221234567"},
    ),
    (
        "prosi o kontakt po 16, Marek Zając 600100200",
        "PL",
        {"name": "Marek Zając", "phone": "+48600100200", "comment": "prosi o kontakt po 16"},
    ),
    (
        "Piotr Nowak, Nowak i Syn sp. j., 601234567 // wycena dachu",
        "PL",
        {
            "name": "Piotr Nowak",
            "company": "Nowak i Syn sp. j.",
            "phone": "+48601234567",
            "comment": "wycena dachu",
        },
    ),
    ("Ewa Lis, e-mail: EWA.LIS@WP.PL", "PL", {"name": "Ewa Lis", "email": "EWA.LIS@WP.PL"}),
    ("Tomasz Kot 0048 600 100 200", "PL", {"name": "Tomasz Kot", "phone": "+48600100200"}),
    (
        "Karolina Nowicka (Allegro) 22 555 66 77",
        "PL",
        {"name": "Karolina Nowicka", "company": "Allegro", "phone": "+48225556677"},
    ),
    # -- Russian --------------------------------------------------------------------
    (
        "Иван Петров, ООО «Ромашка», +7 916 123-45-67, ivan@romashka.ru",
        "RU",
        {
            "name": "Иван Петров",
            "company": "ООО «Ромашка»",
            "phone": "+79161234567",
            "email": "ivan@romashka.ru",
        },
    ),
    (
        "Мария Иванова 8 (916) 123 45 67 — перезвонить после обеда",
        "RU",
        {"name": "Мария Иванова", "phone": "+79161234567", "comment": "перезвонить после обеда"},
    ),
    (
        "имя: Сергей; тел: 89161234567; компания: Вектор",
        "RU",
        {"name": "Сергей", "phone": "+79161234567", "company": "Вектор"},
    ),
    (
        "Ольга из компании Техносила ol@ga.ru хочет скидку",
        "RU",
        {"name": "Ольга", "company": "Техносила", "email": "ol@ga.ru", "comment": "хочет скидку"},
    ),
    (
        "ИП Сидоров, Пётр Сидоров, тел. +7 495 123 45 67",
        "RU",
        {"name": "Пётр Сидоров", "company": "ИП Сидоров", "phone": "+74951234567"},
    ),
    (
        "хочет счёт на 10 шт, Алексей Смирнов, alex@mail.ru",
        "RU",
        {"name": "Алексей Смирнов", "email": "alex@mail.ru", "comment": "хочет счёт на 10 шт"},
    ),
    (
        "Анна Кузнецова АО Вектор 8 916 765-43-21 // от Павла",
        "RU",
        {
            "name": "Анна Кузнецова",
            "company": "АО Вектор",
            "phone": "+79167654321",
            "comment": "от Павла",
        },
    ),
    ("Дмитрий +375 29 123-45-67", "RU", {"name": "Дмитрий", "phone": "+375291234567"}),
    # -- edge cases -----------------------------------------------------------------
    ("600 100 200", "PL", {"phone": "+48600100200"}),
    ("sales@bigcorp.com", "PL", {"email": "sales@bigcorp.com"}),
    ("Jan Kowalski 123 45", "PL", {"name": "Jan Kowalski", "comment": "123 45"}),
    # Not a valid number for the region: kept as typed, so the user is told it is wrong.
    ("Jan Nowak 600 100 200", "RU", {"name": "Jan Nowak", "phone": "600 100 200"}),
    (
        "Meeting on 28.11.2026, Adam Mickiewicz",
        "PL",
        {"name": "Adam Mickiewicz", "comment": "Meeting on 28.11.2026"},
    ),
]


@pytest.mark.parametrize(("text", "region", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_parse_lead(text: str, region: str, expected: dict[str, str]) -> None:
    draft = parse_lead(text, region)
    got = {k: getattr(draft, k) for k in ("name", "phone", "email", "company", "comment")}
    want = {k: expected.get(k) for k in got}
    assert got == want


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 30


def test_empty_message() -> None:
    assert parse_lead("   ").empty
    assert parse_lead("", "PL") == LeadDraft()
