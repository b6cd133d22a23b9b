"""An open question never swallows a message: driven through the console adapter.

After a question (📅 Deadline, ⏭ Part, Delegate, Comment…) the next message used to be
its answer whatever it was. Now each question says what a clean answer is; anything
else is held and the member picks what it was; /cancel, a Cancel button and cancel
words leave a question; a command closes it and says so; questions expire.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from brygada.bootstrap import App
from domain.tasks import Task, TaskStatus
from tests.conftest import FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_team

TASK = "Sales: Call Ivan Petrov @anna"  # no deadline: the question has something to set


@pytest.fixture
async def dialog(app: App) -> Dialog:
    return Dialog(app, await make_team(app))


async def task(app: App, task_id: int) -> Task | None:
    async with app.uow() as uow:
        return await uow.tasks.get(task_id)


async def deadline_of(app: App, task_id: int) -> datetime | None:
    found = await task(app, task_id)
    assert found is not None
    return found.deadline


async def test_a_new_task_typed_after_the_deadline_button_is_not_its_deadline(
    app: App, dialog: Dialog
) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", TASK, ["Task #1 created"]),
            ("boss", "press:Deadline", ["New deadline for #1", "✖ Cancel"]),
            (
                "boss",
                "Buy printer paper tomorrow",
                [
                    "Is this the answer to the question about the deadline of #1",
                    "“Buy printer paper tomorrow”",
                    "📅 Deadline of #1 → Thu 26 Nov, 18:00",
                    "➕ New task “Buy printer paper”",
                    "✖ Neither",
                    "!Deadline changed",
                ],
            ),
        ],
    )
    assert await deadline_of(app, 1) is None
    assert await task(app, 2) is None
    await verify_dialog(
        dialog,
        [
            ("boss", "press:New task", ["Task #2 created", "Buy printer paper", "Thu 26 Nov"]),
            # The member said what the text was: the question is closed.
            ("boss", "/show 1", ["#1", "!question"]),
        ],
    )
    assert await deadline_of(app, 1) is None


async def test_the_held_text_can_be_the_answer_after_all(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", TASK, ["Task #1 created"]),
            ("boss", "press:Deadline", ["New deadline for #1"]),
            ("boss", "tomorrow please", ["📅 Deadline of #1 → Thu 26 Nov, 18:00"]),
            ("boss", "press:Deadline of #1", ["Deadline changed.", "Thu 26 Nov, 18:00"]),
        ],
    )
    assert await task(app, 2) is None


async def test_a_clean_answer_still_answers(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", TASK, ["Task #1 created"]),
            ("boss", "press:Deadline", ["New deadline for #1"]),
            ("boss", "friday 12:00", ["Deadline changed.", "Fri 27 Nov, 12:00"]),
        ],
    )


async def test_polish_part_question_keeps_the_new_task(app: App, dialog: Dialog) -> None:
    """ "Zadzwonić do księgowej jutro o 11" answered ⏭ Part: it closed the director's task
    and made "part 2"; the text was lost."""
    async with app.uow() as uow:
        for handle in ("boss", "anna"):
            member = dialog.team[handle]
            member.language = "pl"
            await uow.members.save(member)
        await uow.commit()
    await verify_dialog(
        dialog,
        [
            ("boss", "Sprzedaż: Zadzwonić do Iwana jutro 10:00 @anna", ["„Sprzedaż”"]),
            ("boss", "press:Bez projektu", ["#1"]),
            ("anna", "/show 1", ["⏭ Część 2"]),
            ("anna", "press:Część", ["Kontynuujemy #1 jako kolejną część", "✖ Anuluj"]),
            (
                "anna",
                "Zadzwonić do księgowej jutro o 11",
                [
                    "Czy to odpowiedź na pytanie o kolejną część #1",
                    "⏭ Część #1 do czw. 26 lis, 11:00",
                    "➕ Nowe zadanie „Zadzwonić do księgowej”",
                ],
            ),
        ],
    )
    first = await task(app, 1)
    assert first is not None and first.status is TaskStatus.NEW
    assert await task(app, 2) is None
    await verify_dialog(dialog, [("anna", "press:Nowe zadanie", ["#2", "Zadzwonić do księgowej"])])
    first = await task(app, 1)
    assert first is not None and first.status is TaskStatus.NEW
    second = await task(app, 2)
    assert second is not None and second.parent_id is None


async def test_cancel_button_cancel_words_and_the_command(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", TASK, ["Task #1 created"]),
            ("boss", "/comment 1", ["Your comment on #1", "✖ Cancel"]),
            ("boss", "press:Cancel", ["Cancelled: the question about a comment on #1"]),
            # The question is gone: the next message is an ordinary one (a task).
            ("boss", "Order toner", ["Task #2 created", "Order toner"]),
            ("boss", "/comment 1", ["Your comment on #1"]),
            ("boss", "anuluj", ["Cancelled: the question about a comment on #1"]),
            ("boss", "/comment 1", ["Your comment on #1"]),
            ("boss", "Отмена", ["Cancelled"]),
            ("boss", "/comment 1", ["Your comment on #1"]),
            ("boss", "/cancel", ["Cancelled: the question about a comment on #1"]),
            ("boss", "/cancel", ["There is no open question to cancel."]),
            ("boss", "cancel", ["There is no open question to cancel.", "!created"]),
        ],
    )
    assert await task(app, 3) is None
    async with app.uow() as uow:
        assert await uow.tasks.comments(1) == []


async def test_a_command_closes_the_question_and_says_so(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", TASK, ["Task #1 created"]),
            ("boss", "press:Deadline", ["New deadline for #1"]),
            ("boss", "/tasks", ["The question about the deadline of #1 is closed.", "My tasks"]),
            ("boss", "friday 12:00", ["Task #2 created"]),
        ],
    )
    assert await deadline_of(app, 1) is None


async def test_a_question_expires(app: App, dialog: Dialog, clock: FakeClock) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", TASK, ["Task #1 created"]),
            ("boss", "press:Deadline", ["New deadline for #1"]),
        ],
    )
    clock.advance(minutes=16)
    await verify_dialog(dialog, [("boss", "Order toner friday", ["Task #2 created"])])
    assert await deadline_of(app, 1) is None


async def test_a_question_is_open_for_its_ttl(app: App, dialog: Dialog, clock: FakeClock) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", TASK, ["Task #1 created"]),
            ("boss", "press:Deadline", ["New deadline for #1"]),
        ],
    )
    clock.advance(minutes=14)
    await verify_dialog(dialog, [("boss", "friday 12:00", ["Deadline changed."])])


async def test_person_questions_take_people_only(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", TASK, ["Task #1 created"]),
            ("boss", "press:Delegate", ["Who should be responsible for #1"]),
            (
                "boss",
                "Call the accountant tomorrow",
                [
                    "This is not an answer to the question about delegating #1",
                    "it wants a person",
                    "➕ New task “Call the accountant”",
                    "!Delegated",
                ],
            ),
            ("boss", "@ivan please call him", ["👤 Delegate #1 → Ivan"]),
            ("boss", "press:Delegate #1", ["Delegated.", "Ivan"]),
            ("boss", "press:Delegate", ["Who should be responsible for #1"]),
            ("boss", "Anna", ["Delegated.", "Anna"]),
        ],
    )
    assert await task(app, 2) is None


async def test_free_text_questions_take_any_text(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", TASK, ["Task #1 created"]),
            ("boss", "/comment 1", ["Your comment on #1"]),
            ("boss", "Call him tomorrow about the prices", ["Comment added."]),
        ],
    )
    assert await task(app, 2) is None


async def test_each_choice_works_once(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", TASK, ["Task #1 created"]),
            ("boss", "press:Tags", ["#1"]),
            (
                "boss",
                "Buy printer paper for the office tomorrow",
                ["🏷 Tags of #1 → #Buy #printer", "➕ New task"],
            ),
            ("boss", "press:Neither", ["Left as it is", "Buy printer paper for the office"]),
        ],
    )
    # The choice message was replaced: its old numbers press nothing.
    assert "pressed nothing" in await dialog.send("boss", "1")
    assert await task(app, 2) is None


async def test_a_number_without_buttons_is_not_a_task(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", "3", ["“3” pressed nothing: there are no buttons on screen", "!created"]),
            ("boss", TASK, ["Task #1 created", "📅 Deadline"]),
            ("boss", "/timer", ["No timer"]),
            ("boss", "press:Deadline", ["pressed nothing", "was “📅 Deadline”", "!New deadline"]),
            ("boss", "/show 1", ["📅 Deadline"]),
            ("boss", "press:Deadline", ["New deadline for #1"]),
        ],
    )
    assert await task(app, 2) is None


async def test_other_question_kinds_hold_what_is_not_their_answer(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", TASK, ["Task #1 created"]),
            ("boss", "/search", ["What should I look for?"]),
            ("boss", "Buy printer paper tomorrow", ["🔎 Search “Buy printer paper tomorrow”"]),
            ("boss", "press:New task", ["Task #2 created", "Buy printer paper"]),
            ("boss", "press:Planned", ["Planned time for #2"]),
            ("boss", "2h call the bank", ["⏱ Planned time of #2 → 2h00m"]),
            ("boss", "press:Planned time of #2", ["Planned time changed.", "planned 2h"]),
            ("anna", "/done 1 Called", ["sent to the director"]),
            ("boss", "/return 1 add the prices", ["new deadline for #1"]),
            ("boss", "Send the invoice on friday", ["↩ Return #1 until Fri 27 Nov, 18:00"]),
            ("boss", "press:Return #1", ["Returned for rework.", "Fri 27 Nov, 18:00"]),
        ],
    )
    assert await task(app, 3) is None
