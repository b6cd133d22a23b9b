"""The regulations, driven through the console adapter, handlers, storage and outbox."""

from __future__ import annotations

import pytest

from brygada.bootstrap import App
from domain.company import Role
from handlers.buttons import PauseTask
from handlers.types import Inbound
from tests.conftest import FakeClock
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_department, make_team

CREATE = "Sales: Call Ivan Petrov tomorrow 10:00 @anna !high #client ~30m // 1. prices 2. call"


@pytest.fixture
async def dialog(app: App) -> Dialog:
    return Dialog(app, await make_team(app))


async def test_create_start_complete_accept(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            (
                "boss",
                CREATE,
                [
                    "Task #1 created",
                    "Sales: Call Ivan Petrov",
                    "Anna",
                    "High",
                    "📁 Sales",
                    "#client",
                    "30m",
                    "Thu 26 Nov, 10:00",
                ],
            ),
            ("anna", "/tasks", ["My tasks", "#1 Sales: Call Ivan Petrov"]),
            ("anna", "/show 1", ["New", "director: Boss", "1. prices 2. call", "▶ Start"]),
            ("anna", "press:Start", ["Started.", "In progress", "⏸ Pause"]),
            ("anna", "press:Done", ["Write the result of #1"]),
            (
                "anna",
                "Offer sent: https://docs.example/offer-17",
                ["sent to the director for acceptance", "Awaiting acceptance"],
            ),
            ("boss", "press:Accept 👍", ["Accepted.", "Completed", "👍 positive"]),
        ],
    )
    assert any("waiting for your acceptance" in n for n in dialog.notices("boss"))
    assert any("accepted your work" in n for n in dialog.notices("anna"))
    assert any("gave you a task" in n for n in dialog.notices("anna"))


async def test_negative_rating_asks_for_the_reason(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", CREATE, ["Task #1 created"]),
            ("anna", "/done 1 Called, he will think", ["sent to the director"]),
            ("boss", "press:Accept 👎", ["Why 👎?"]),
            ("boss", "   ", ["Write a task as a message"]),
            ("boss", "No follow-up date agreed", ["Accepted.", "👎 negative — No follow-up date"]),
        ],
    )


async def test_negative_rating_command_without_reason_asks(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", CREATE, ["Task #1 created"]),
            ("anna", "/done 1 Called", ["sent to the director"]),
            ("boss", "/accept 1 -", ["Why 👎?"]),
            ("boss", "Again no notes", ["👎 negative — Again no notes"]),
        ],
    )


async def test_return_needs_reason_and_new_deadline(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", CREATE, ["Task #1 created"]),
            ("anna", "/done 1 waiting for your reaction to the interim results", ["sent"]),
            ("boss", "press:Return", ["Why are you returning #1"]),
            ("boss", "add the price list", ["new deadline for #1", "Today", "Tomorrow"]),
            ("boss", "press:Tomorrow", ["Returned for rework.", "Pending", "Thu 26 Nov, 18:00"]),
        ],
    )
    assert any(
        "returned the task for rework: add the price list" in n for n in dialog.notices("anna")
    )


async def test_return_with_deadline_in_the_same_message(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", CREATE, ["Task #1 created"]),
            ("anna", "/done 1 interim results", ["sent"]),
            (
                "boss",
                "/return 1 add totals friday 12:00",
                ["Returned for rework.", "Fri 27 Nov, 12:00"],
            ),
        ],
    )


async def test_hard_deadline_moves_only_by_its_director(app: App, dialog: Dialog) -> None:
    await dialog.send("boss", CREATE)
    async with app.uow() as uow:
        task = await uow.tasks.get(1)
        assert task is not None
        task.deadline_hard = True
        await uow.tasks.save(task)
        await uow.commit()
    await verify_dialog(
        dialog,
        [
            ("anna", "/deadline 1 friday", ["You can't do that", "move_hard_deadline"]),
            ("boss", "/deadline 1 friday", ["Deadline changed.", "Fri 27 Nov, 18:00"]),
        ],
    )


async def test_history_counts_moves_and_delegations(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", CREATE, ["Task #1 created"]),
            ("anna", "/deadline 1 friday", ["Deadline changed."]),
            ("boss", "/deadline 1 30.11", ["Deadline changed."]),
            ("boss", "/delegate 1 @ivan", ["Delegated.", "👤 Ivan"]),
            ("ivan", "/delegate 1 @anna", ["Delegated."]),
            ("boss", "/show 1", ["deadline moved 2 times, delegated 2 times"]),
        ],
    )


async def test_comment_reopens_a_completed_task(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Send offer @anna", ["Task #1 created"]),
            ("anna", "/done 1 sent", ["sent to the director"]),
            ("boss", "/accept 1 +", ["Completed"]),
            (
                "boss",
                "/reopen 1 The client asked for a discount",
                ["Comment added.", "Pending", "The client asked for a discount"],
            ),
        ],
    )
    assert any("commented" in n for n in dialog.notices("anna"))


async def test_part_n_copy_links_and_completes_current(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", CREATE, ["Task #1 created"]),
            ("anna", "/show 1", ["⏭ Part 2"]),
            ("anna", "press:Part 2", ["Continue #1 as the next part"]),
            (
                "anna",
                "press:Tomorrow",
                ["This part is closed.", "#2 (part 2) Sales: Call Ivan Petrov", "← continues #1"],
            ),
            ("anna", "/show 1", ["Completed", "→ #2"]),
        ],
    )


async def test_subtasks_show_progress(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            (
                "boss",
                "General: Launch the new price list @anna",
                ["Task #1 created", "General task"],
            ),
            ("anna", "/subtask 1 Sales: Update prices", ["Task #2 created"]),
            ("anna", "/subtask 1 Sales: Send to clients", ["Task #3 created"]),
            ("anna", "/done 2 updated", ["task completed"]),
            ("boss", "/show 1", ["subtasks 1/2 done"]),
        ],
    )


async def test_backlog_prefix_sets_deadline_a_year_ahead(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            (
                "boss",
                "STEC: Read the book on sales funnels",
                ["Task #1 created", "Backlog (STEC)", "2027"],
            ),
            ("boss", "/backlog", ["#1 STEC: Read the book"]),
        ],
    )


async def test_lists_show_colour_cues(app: App, clock: FakeClock, dialog: Dialog) -> None:
    await dialog.send("boss", "Call A today 15:00 @anna")
    await dialog.send("boss", "Call B in 3 days @anna")
    await dialog.send("boss", "Call C 17:00 @anna")
    await dialog.send("boss", "Call D 9:00 @anna")  # 9:00 has passed: tomorrow morning
    clock.advance(hours=6)  # 16:30 in Warsaw
    await verify_dialog(
        dialog,
        [
            ("anna", "/overdue", ["🔴 #1 Call A", "!#2", "!#3"]),
            ("anna", "/today", ["🔴 #1 Call A", "🔵 #3 Call C", "!#2", "!#4"]),
            ("anna", "/new", ["#1", "#2", "#3", "🟢 #4 Call D — Thu 26 Nov, 09:00"]),
            ("boss", "/created", ["#1", "#2", "#3", "#4"]),
        ],
    )


async def test_lists_paginate(dialog: Dialog) -> None:
    for n in range(11):
        await dialog.send("boss", f"Task number {n} @anna")
    await verify_dialog(
        dialog,
        [
            ("anna", "/tasks", ["My tasks", "(11)", "Page 1 of 2", "More ▶"]),
            ("anna", "press:More", ["Page 2 of 2", "#11 Task number 10", "◀ Back"]),
        ],
    )


async def test_search_finds_word_forms(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Raport z pracy działu @anna", ["Task #1 created"]),
            ("boss", "Отчёт о работе отдела @ivan", ["Task #2 created"]),
            ("boss", "Call Ivan", ["Task #3 created"]),
            ("boss", "/comment 3 omówić pracę nad ofertą", ["Comment added."]),
            ("boss", "/search praca", ["#1 Raport z pracy", "#3 Call Ivan", "!#2"]),
            ("boss", "/search работы", ["#2 Отчёт о работе", "!#1"]),
            ("ivan", "/search raport", ["(0)"]),
        ],
    )


async def test_project_and_tag_views(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Sales: Call Ivan #vip @anna", ["Task #1 created"]),
            ("boss", "Other thing #vip", ["Task #2 created"]),
            ("anna", "/project sales", ["Sales", "#1 Sales: Call Ivan", "!#2"]),
            ("boss", "/tag vip", ["#vip", "#1", "#2"]),
            ("boss", "/project", ["📁 Sales"]),
        ],
    )


async def test_observers_and_co_executors(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Prepare the contract @anna", ["Task #1 created"]),
            ("boss", "/show 1", ["👁 Observers"]),
            ("boss", "press:Observers", ["Who should observe #1"]),
            ("boss", "press:Ivan", ["Observer added.", "👁 Ivan"]),
            ("ivan", "/observing", ["#1 Prepare the contract"]),
            ("boss", "/coexec 1 @ivan", ["Co-executor added.", "👥 Ivan"]),
        ],
    )


async def test_unknown_handle_offers_members(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            (
                "boss",
                "Call the notary @kasia tomorrow",
                ["Task #1 created", "I don't know @kasia", "Anna", "Ivan", "@kasia"],
            ),
            ("boss", "press:Anna", ["Delegated.", "👤 Anna"]),
        ],
    )


async def test_no_deadline_offers_quick_choices_and_undo(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Order new chairs", ["no deadline yet", "Today", "Next week", "No deadline"]),
            ("boss", "press:Friday", ["Deadline changed.", "Fri 27 Nov, 18:00"]),
            ("boss", "Oops wrong message", ["Task #2 created", "✖ Undo"]),
            ("boss", "press:Undo", ["Undone: task #2"]),
            ("boss", "/show 2", ["Task #2 does not exist"]),
        ],
    )


async def test_undo_is_refused_after_the_window(clock: FakeClock, dialog: Dialog) -> None:
    await dialog.send("boss", "Order chairs")
    clock.advance(minutes=6)
    await verify_dialog(dialog, [("boss", "press:Undo", ["too late to undo"])])


# -- bad input ------------------------------------------------------------------------------


async def test_bad_input_gets_clear_answers_and_keeps_the_text(dialog: Dialog) -> None:
    long_title = "Prepare " + " ".join(f"item{i}" for i in range(60))
    await verify_dialog(
        dialog,
        [
            ("boss", "!high #tag", ["Task #1 created"]),  # nothing but tokens: the text stays
            ("boss", "/show 999", ["Task #999 does not exist"]),
            ("boss", "/show abc", ["Which task?", "!so nothing is lost"]),
            ("boss", "/frobnicate", ["I don't know /frobnicate"]),
            ("boss", long_title, ["Task #2 created"]),
            ("boss", "/show 2", ["item59"]),
            ("boss", "/tz Mars/Olympus", ["not a timezone I know", "Mars/Olympus"]),
            ("anna", "/done 2 my result", ["does not exist or is not visible"]),
            ("boss", "/done 2", ["Write the result of #2"]),
            ("boss", "/deadline 2 someday maybe", ["couldn't read a date", "someday maybe"]),
        ],
    )


async def test_not_permitted_actions_are_refused(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Prepare the report @anna", ["Task #1 created"]),
            ("boss", "/observe 1 @ivan", ["Observer added."]),
            ("ivan", "/done 1 finished", ["You can't do that", "complete"]),
            ("anna", "/done 1 finished", ["sent to the director"]),
            ("anna", "/accept 1 +", ["You can't do that"]),
        ],
    )


async def test_stale_and_forged_buttons(app: App, dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Prepare the report @anna", ["Task #1 created"]),
            ("anna", "/show 1", ["▶ Start"]),
        ],
    )
    chat = dialog.chat("anna")
    stale_start = chat.screen.buttons[chat.screen.labels.index("▶ Start")]
    await verify_dialog(dialog, [("anna", "/go 1", ["Started."])])

    def press(token: str) -> Inbound:
        return Inbound(
            platform="console", workspace="local", user_id="anna", chat_id="anna", action=token
        )

    [stale] = await app.conversation.handle(press(stale_start))
    assert stale.alert and stale.context["error_code"] == "invalid_transition"
    forged = app.signer.sign(PauseTask(1))[:-3] + "AAA"
    [refused] = await app.conversation.handle(press(forged))
    assert refused.alert and refused.context["error_code"] == "bad_token"
    # Signed by us but of no action this version knows, or with fields it cannot read
    # (a button of a newer or an older version): refused the same way, nothing done.
    for parts in [("zz", 1), ("tp",), ("tp", 1, 2), ("tp", "one"), ("ta", 1, "maybe")]:
        [refused] = await app.conversation.handle(press(app.signer.sign_wire(*parts)))
        assert refused.alert and refused.context["error_code"] == "bad_token", parts
    assert "In progress" in await dialog.send("anna", "/show 1")


async def test_redelivered_update_creates_nothing_twice(app: App, dialog: Dialog) -> None:
    chat = dialog.chat("boss")
    inbound = chat.inbound_for("Call the bank tomorrow")
    first = await app.conversation.handle(inbound)
    again = await app.conversation.handle(inbound)
    assert first and again == []
    assert "(1)" in await dialog.send("boss", "/created")


async def test_extranet_sees_only_their_project(app: App) -> None:
    team = await make_team(
        app, [("boss", Role.ADMIN), ("anna", Role.EMPLOYEE), ("client", Role.EXTRANET)], projects=()
    )
    dialog = Dialog(app, team)
    async with app.uow() as uow:
        from domain.company import NewProject

        await uow.projects.add(
            NewProject(
                team.company.id,
                "Portal",
                frozenset({team["client"].id, team["boss"].id}),
            )
        )
        await uow.commit()
    await verify_dialog(
        dialog,
        [
            ("boss", "Portal: Fix the login page @anna", ["Task #1 created"]),
            ("boss", "Internal: salary review @anna", ["“Internal” is not a project yet."]),
            ("boss", "press:No project", ["Task #2 created"]),
            ("client", "/project Portal", ["#1 Portal: Fix the login"]),
            ("client", "/show 2", ["does not exist or is not visible"]),
            ("client", "/search salary", ["(0)"]),
            ("client", "/accept 1 +", ["You can't do that"]),
            ("client", "Please fix the logo", ["project"]),
        ],
    )


async def test_department_head_may_delegate_subordinates_tasks(app: App) -> None:
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
    dialog = Dialog(app, team)
    await verify_dialog(
        dialog,
        [
            ("boss", "Call the client @anna", ["Task #1 created"]),
            ("head", "/show 1", ["Call the client"]),
            ("head", "/delegate 1 @ivan", ["Delegated."]),
            ("anna", "/show 1", ["does not exist or is not visible"]),
        ],
    )


async def test_unregistered_user_is_told_how_to_join(app: App) -> None:
    team = await make_team(app)
    dialog = Dialog(app, team)
    stranger = Inbound(
        platform="console", workspace="local", user_id="nobody", chat_id="x", text="Hello"
    )
    [reply] = await app.conversation.handle(stranger)
    assert reply.template == "error" and reply.context["error_code"] == "not_registered"
    async with app.uow() as uow:
        from domain.services.members import create_invite

        invite = await create_invite(uow, team.company.id, Role.EMPLOYEE, app.clock.now())
        await uow.commit()
    joined = await app.conversation.handle(
        Inbound(
            platform="console",
            workspace="local",
            user_id="nobody",
            chat_id="x",
            user_name="New Person",
            command="join",
            args=invite.code,
        )
    )
    assert joined[0].template == "joined"
    again = await app.conversation.handle(
        Inbound(
            platform="console",
            workspace="local",
            user_id="other",
            chat_id="y",
            command="join",
            args=invite.code,
        )
    )
    assert again[0].context["error_code"] == "invite_invalid"
    assert dialog


async def test_language_switch(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("anna", "/lang pl", ["język: polski"]),
            ("anna", "/help", ["/today"]),
            ("anna", "/lang ru", ["Язык"]),
            ("anna", "/lang de", ["en, pl, ru"]),
        ],
    )


async def test_invites_from_the_chat(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "/invite manager", ["Invite for a new manager", "/join "]),
            ("anna", "/invite employee", ["You can't do that"]),
            ("boss", "/invite pope", ["Roles: admin, manager"]),
            ("anna", "/me", ["Anna", "@anna", "employee", "Europe/Warsaw"]),
            ("anna", "/tz America/New_York", ["Timezone set: America/New_York"]),
        ],
    )


async def test_unexpected_errors_are_logged_with_an_id(
    dialog: Dialog, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from handlers.intents import views

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(views, "list_tasks", broken)
    answer = await dialog.send("anna", "/today")
    assert "error id" in answer
    error_id = answer.split("error id")[1].split()[0].strip(".")
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)
    assert "disk on fire" not in answer


async def test_creation_card_fixes_each_field_and_undo_still_works(dialog: Dialog) -> None:
    await verify_dialog(
        dialog,
        [
            ("boss", "Call the bank tomorrow @anna", ["Task #1 created", "📁 Project", "🏷 Tags"]),
            ("boss", "press:Project", ["Which project is #1 in?", "Sales"]),
            ("boss", "press:Sales", ["Project changed.", "📁 Sales"]),
            ("boss", "Call the bank tomorrow @anna", ["Task #2 created"]),
            ("boss", "press:Tags", ["Tags for #2"]),
            ("boss", "#client, vip", ["Tags changed.", "#client", "#vip"]),
            ("boss", "/show 2", ["#client #vip"]),
            ("boss", "Call the bank tomorrow @anna", ["Task #3 created"]),
        ],
    )
    chat = dialog.chat("boss")
    undo = chat.screen.buttons[chat.screen.labels.index("✖ Undo")]
    await verify_dialog(
        dialog,
        [
            ("boss", "press:Planned", ["Planned time for #3"]),
            ("boss", "soon-ish", ["not an answer", "duration like 1h30m", "soon-ish"]),
            ("boss", "1h30m", ["Planned time changed.", "planned 1h 30m"]),
        ],
    )
    # Fixing what the parser got wrong does not take the Undo away.
    [undone] = await dialog.app.conversation.handle(
        Inbound(platform="console", workspace="local", user_id="boss", chat_id="boss", action=undo)
    )
    assert undone.template == "task_undone"
