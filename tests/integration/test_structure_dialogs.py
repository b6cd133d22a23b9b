"""Company structure set up in the chat: projects, departments, members, letting go.
Driven through the console adapter, the conversation, storage and the outbox."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from brygada.bootstrap import App
from domain.company import Role
from tests.conftest import APPROVALS_EXAMPLE
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team

PEOPLE = [
    ("boss", Role.ADMIN),
    ("anna", Role.EMPLOYEE),
    ("ivan", Role.EMPLOYEE),
    ("olek", Role.EMPLOYEE),
]


@pytest.fixture
async def dialog(app: App) -> Dialog:
    return Dialog(app, await make_team(app, PEOPLE))


@pytest.fixture
def approvals_config() -> Path:
    return APPROVALS_EXAMPLE


async def _lang(dialog: Dialog, lang: str) -> None:
    for handle, _ in PEOPLE:
        await dialog.send(handle, f"/lang {lang}")


# What each language says, by step; the commands are the same in every language.
WORDS = {
    "en": {
        "created": "Project created.",
        "renamed": "Project renamed.",
        "members": "Members changed.",
        "archived": "Project archived.",
        "archived_list": "Archived (their tasks are kept)",
        "taken": 'There is already a project called "Shipping"',
        "admin_only": "Only an admin can change projects, departments and members",
        "no_take": 'The project "Shipping" is archived',
        "dept_created": "Department created.",
        "head": "Head: Anna",
        "cycle": "a department would end up inside itself",
        "unknown_member": "I don't know @nobody",
        "saved": "Saved.",
        "position": "Position: Sales rep",
        "manager": "Manager: Anna",
        "role": "Role: Admin",
        "tz": "Timezone: Europe/Kyiv",
        "lang": "Language: Polski",
        "last_admin": "is the last admin",
        "not_project": "“Logistics” is not a project yet.",
        "renamed_task": "Title changed.",
        "inactive": "is inactive",
        "left": "Ivan is no longer active.",
        "went": "went to Anna",
    },
    "pl": {
        "created": "Projekt utworzony.",
        "renamed": "Nazwa projektu zmieniona.",
        "members": "Uczestnicy zmienieni.",
        "archived": "Projekt zarchiwizowany.",
        "archived_list": "W archiwum (zadania zachowane)",
        "taken": "Projekt „Shipping” już istnieje",
        "admin_only": "Tylko administrator może zmieniać projekty",
        "no_take": "Projekt „Shipping” jest w archiwum",
        "dept_created": "Dział utworzony.",
        "head": "Kierownik: Anna",
        "cycle": "dział znalazłby się wewnątrz samego siebie",
        "unknown_member": "@nobody",
        "saved": "Zapisano.",
        "position": "Stanowisko: Sales rep",
        "manager": "Przełożony: Anna",
        "role": "Rola: Administrator",
        "tz": "Strefa czasowa: Europe/Kyiv",
        "lang": "Język: Polski",
        "last_admin": "to ostatni administrator",
        "not_project": "„Logistics” nie jest jeszcze projektem.",
        "renamed_task": "Tytuł zmieniony.",
        "inactive": "jest nieaktywne",
        "left": "Ivan — konto nieaktywne.",
        "went": "Przekazano: Anna",
    },
    "ru": {
        "created": "Проект создан.",
        "renamed": "Проект переименован.",
        "members": "Участники изменены.",
        "archived": "Проект в архиве.",
        "archived_list": "В архиве (задачи сохранены)",
        "taken": "Проект «Shipping» уже есть",
        "admin_only": "может только администратор",
        "no_take": "Проект «Shipping» в архиве",
        "dept_created": "Отдел создан.",
        "head": "Руководитель: Anna",
        "cycle": "отдел оказался бы внутри самого себя",
        "unknown_member": "@nobody",
        "saved": "Сохранено.",
        "position": "Должность: Sales rep",
        "manager": "Руководитель: Anna",
        "role": "Роль: Администратор",
        "tz": "Часовой пояс: Europe/Kyiv",
        "lang": "Язык: Polski",
        "last_admin": "последний администратор",
        "not_project": "«Logistics» — пока не проект.",
        "renamed_task": "Название изменено.",
        "inactive": "неактивна",
        "left": "Ivan — учётная запись отключена.",
        "went": "Передано: Anna",
    },
}


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_projects(dialog: Dialog, lang: str) -> None:
    await _lang(dialog, lang)
    w = WORDS[lang]
    await verify_dialog(
        dialog,
        [
            (
                "boss",
                "/project add Logistics @anna @ivan",
                [w["created"], "Logistics", "Anna, Ivan"],
            ),
            ("boss", "/project add logistics", [w["taken"].replace("Shipping", "logistics")]),
            ("anna", "/project add Marketing", [w["admin_only"]]),
            ("anna", "/project rename Logistics Shipping", [w["admin_only"]]),
            ("boss", "/project add Team @nobody", [w["unknown_member"]]),
            ("boss", "/project rename Logistics Shipping", [w["renamed"], "Shipping"]),
            ("boss", "/project rename Sales Shipping", [w["taken"]]),
            ("boss", "/project Shipping add @olek", [w["members"], "Anna, Ivan, Olek"]),
            ("boss", "/project Shipping remove @olek", [w["members"], "Anna, Ivan", "!Olek"]),
            ("boss", "Shipping: Book a truck @anna", ["#1", "Shipping: Book a truck"]),
            ("boss", "/project archive Shipping", [w["archived"], "🗄 Shipping"]),
            ("boss", "/project", ["📁 Sales", w["archived_list"], "🗄 Shipping"]),
            ("boss", "Shipping: Book another truck", [w["no_take"]]),
            ("anna", "/show 1", ["Shipping: Book a truck", "📁 Shipping"]),
        ],
    )
    # Nothing was created by the refused commands.
    async with dialog.app.uow() as uow:
        names = {p.name for p in await uow.projects.list(dialog.team.company.id)}
        assert names == {"Sales", "Shipping"}


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_departments(dialog: Dialog, lang: str) -> None:
    await _lang(dialog, lang)
    w = WORDS[lang]
    await verify_dialog(
        dialog,
        [
            ("boss", "/department add Sales", [w["dept_created"], "🏢 Sales"]),
            (
                "boss",
                '/department add "Field sales" under Sales',
                [w["dept_created"], "Field sales"],
            ),
            ("boss", "/department Sales head @anna", [w["head"]]),
            ("boss", "/department Sales add @ivan", ["Ivan"]),
            ("boss", "/department Sales under Field sales", [w["cycle"]]),
            ("boss", "/department rename Sales Trade", ["Trade"]),
            ("ivan", "/department add Hackers", [w["admin_only"]]),
            ("boss", "/department", ["🏢 Trade", "· 🏢 Field sales", "Anna"]),
        ],
    )
    async with dialog.app.uow() as uow:
        departments = await uow.departments.list(dialog.team.company.id)
        assert sorted(d.name for d in departments) == ["Field sales", "Trade"]
        trade = next(d for d in departments if d.name == "Trade")
        assert trade.parent_id is None  # the cycle was refused


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_members(dialog: Dialog, lang: str) -> None:
    await _lang(dialog, lang)
    w = WORDS[lang]
    await verify_dialog(
        dialog,
        [
            ("boss", "/member @ivan position Sales rep", [w["saved"], w["position"]]),
            ("boss", "/member @ivan manager @anna", [w["manager"]]),
            ("boss", "/member @anna manager @ivan", ["Anna", "Ivan"]),  # a loop: refused
            ("boss", "/member @ivan tz Europe/Kyiv", [w["tz"]]),
            ("boss", "/member @ivan tz Mars/Base", ["Mars/Base"]),
            ("boss", "/member @olek lang pl", [w["lang"]]),
            ("boss", "/member @ivan role admin", [w["role"]]),
            ("ivan", "/member @boss role employee", [w["saved"]]),
            ("ivan", "/member @ivan role employee", [w["last_admin"]]),
            ("anna", "/member @ivan position Boss", [w["admin_only"]]),
            ("anna", "/member @ivan", [w["position"], "!🚪"]),
            ("ivan", "/member @anna", ["🚪", "💼"]),
            ("ivan", "/member @nobody", [w["unknown_member"]]),
        ],
    )
    async with dialog.app.uow() as uow:
        anna = await uow.members.get(dialog.team["anna"].id)
        assert anna is not None and anna.manager_id is None


async def test_member_card_buttons_edit_and_history(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "/member @ivan", ["Ivan (@ivan)", "Position: —", "💼 Position"]),
            ("boss", "press:Position", ["The new position of Ivan?"]),
            ("boss", "Warehouse lead", ["Saved.", "Position: Warehouse lead"]),
            ("boss", "press:Manager", ["Who is the manager of Ivan?", "Anna"]),
            ("boss", "press:Anna", ["Manager: Anna"]),
            ("boss", "press:Role", ["Which role does Ivan have?", "Extranet"]),
            ("boss", "press:Extranet", ["Role: Extranet"]),
            ("boss", "press:👔", ["Who is the manager of Ivan?"]),
            ("boss", "@olek", ["Manager: Olek"]),
            ("boss", "/member @ivan", ["Latest changes", "position — → Warehouse lead"]),
            ("boss", "/audit", ["member Ivan: manager — → Anna", "manager Anna → Olek", "Boss"]),
            ("anna", "/audit", ["Only an admin"]),
            ("boss", "/member @olek", ["🚪 Let go"]),
            ("boss", "press:Let go", ["Let Olek go?", "Yes, let Olek go"]),
            ("boss", "press:Yes, let Olek go", ["Olek is no longer active.", "no open tasks"]),
            ("boss", "/member", ["Anna (@anna)", "No longer active", "Olek (@olek)"]),
            (
                "anna",
                "/help company",
                ["/project add", "/department add", "/member @", "/audit", "/rename 12"],
            ),
        ],
    )


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_letting_go_hands_tasks_over_and_stops_the_timer(dialog: Dialog, lang: str) -> None:
    await _lang(dialog, lang)
    w = WORDS[lang]
    await verify_dialog(
        dialog,
        [
            ("boss", "/member @ivan manager @anna", [w["manager"]]),
            ("boss", "Sales: Call the client @ivan", ["#1"]),
            ("boss", "Sales: Send the offer @ivan", ["#2"]),
            ("ivan", "/go 1", []),
        ],
    )
    dialog.app.clock.advance(minutes=30)  # type: ignore[attr-defined]
    await verify_dialog(
        dialog,
        [
            ("anna", "/member @ivan leave", [w["admin_only"]]),
            ("boss", "/member @boss leave", [w["last_admin"]]),
            ("boss", "/member @ivan leave", [w["left"], w["went"], "#1, #2"]),
            ("ivan", "/tasks", [w["inactive"]]),
            ("ivan", "Sales: One more thing", [w["inactive"]]),
            ("anna", "/show 1", ["👤 Anna"]),
            ("boss", "Sales: Call @ivan", ["@ivan"]),  # no longer known by handle
            ("boss", "/member @ivan leave", ["Ivan"]),
        ],
    )
    assert sum("Ivan" in n and "#" in n for n in dialog.notices("anna")) >= 2
    async with dialog.app.uow() as uow:
        ivan = dialog.team["ivan"].id
        assert await uow.time.timer(ivan) is None
        assert await uow.time.spent_seconds(1) == 30 * 60
        task = await uow.tasks.get(3)
        assert task is not None and task.responsible_id != ivan


@pytest.mark.parametrize("lang", ["en", "pl", "ru"])
async def test_unknown_prefix_asks_to_create_the_project(dialog: Dialog, lang: str) -> None:
    await _lang(dialog, lang)
    w = WORDS[lang]
    await verify_dialog(
        dialog,
        [
            ("boss", "Logistics: Book a truck tomorrow", [w["not_project"], "📁", "Logistics"]),
            ("boss", "press:Logistics", ["#1", "Logistics: Book a truck", "📁 Logistics"]),
            ("boss", "Warehouse: Count the pallets", ["Warehouse"]),
            (
                "boss",
                "press:" + {"en": "No project", "pl": "Bez projektu", "ru": "Без проекта"}[lang],
                ["#2", "Warehouse: Count the pallets", "!📁 Warehouse"],
            ),
            (
                "anna",
                "Garage: Fix the door",
                [w["not_project"].replace("Logistics", "Garage"), "!📁 Create"],
            ),
            (
                "boss",
                "/rename 2 Warehouse: Count all the pallets",
                [w["renamed_task"], "Count all the pallets"],
            ),
        ],
    )
    async with dialog.app.uow() as uow:
        assert await uow.projects.by_name(dialog.team.company.id, "Logistics") is not None
        assert await uow.projects.by_name(dialog.team.company.id, "Warehouse") is None
        history = await uow.tasks.history(2)
        assert [(e.field, e.old, e.new) for e in history if e.field == "title"] == [
            ("title", "Warehouse: Count the pallets", "Warehouse: Count all the pallets")
        ]


async def test_more_edits_project_tags_and_planned_time(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Call the client @anna", ["#1"]),
            ("boss", "/show 1", ["⋯ More"]),
            ("boss", "press:More", ["📁 Project", "🏷 Tags", "⏱ Planned"]),
            ("boss", "press:Tags", ["#1"]),
            ("boss", "#vip", ["Tags changed.", "#vip"]),
            ("boss", "press:More", []),
            ("boss", "press:Planned", []),
            ("boss", "1h30m", ["Planned time changed.", "1h 30m"]),
            ("boss", "press:More", []),
            ("boss", "press:Project", ["Which project is #1 in?", "Sales"]),
            ("boss", "press:No deadline", ["Project changed."]),
            ("anna", "/show 1", ["⋯ More"]),
            ("anna", "press:More", ["!📁 Project"]),
        ],
    )


async def test_a_member_put_under_a_head_in_chat_gets_leave_from_that_head(
    app: App, dialog: Dialog
) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "/department add Sales", []),
            ("boss", "/department Sales head @anna", ["Head: Anna"]),
            ("boss", "/department Sales add @ivan", ["Ivan"]),
            ("ivan", "/request leave", ["What kind of absence?"]),
            ("ivan", "press:Vacation", ["Dates"]),
            ("ivan", "01.12-05.12", ["A note"]),
            ("ivan", "Family trip", ["Request sent.", "Anna"]),
            ("anna", "/approvals", ["#1 Leave / absence — Ivan"]),
            ("anna", "press:#1 Leave", ["✅ Grant leave"]),
            ("anna", "press:Grant leave", ["Approved."]),
        ],
    )
    async with app.uow() as uow:
        assert await uow.approvals.absent(dialog.team["ivan"].id, date(2026, 12, 3))


async def test_a_colleagues_email_is_shown_only_to_admins_and_to_themselves(
    app: App, dialog: Dialog
) -> None:
    async with app.uow() as uow:
        ivan = await uow.members.get(dialog.team["ivan"].id)
        assert ivan is not None
        ivan.email = "ivan@firma.pl"
        await uow.members.save(ivan)
        await uow.commit()
    await verify_dialog(
        dialog,
        [
            ("anna", "/member @ivan", ["Ivan", "!ivan@firma.pl"]),
            ("ivan", "/member @ivan", ["ivan@firma.pl"]),
            ("boss", "/member @ivan", ["ivan@firma.pl"]),
        ],
    )
