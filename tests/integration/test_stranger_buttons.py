"""Every kind of button, pressed by someone it is not for: "not yours", and nothing else.

A button token proves only that the bot issued it; a replayed or forwarded one reaches
people it was not meant for. Permission is checked before anything is shown, asked or
said about the record's state (no picker, no question, no "already decided by ...").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from brygada.bootstrap import App
from domain.company import Role
from handlers.intents import default_intents
from handlers.types import Inbound, Reply
from tests.conftest import APPROVALS_EXAMPLE
from tests.dialog import Dialog, verify_dialog
from tests.factories import make_department, make_team

# Buttons about the presser's own things: their timer, day, plan, report, lists, the
# request form they are filling, their language, a help topic. Nobody else's record is named.
OWN = frozenset(
    {"tmp", "tmr", "tmx", "dy", "pfx", "tfs", "tfw", "tfa", "rps", "ls", "lp", "lt", "lq"}
    | {"an", "ac", "as", "lg", "kL", "kD", "kF", "hp"}
    | {"npc", "npn"}  # the presser's own held text (a task whose prefix is no project)
)
TASK, REQUEST, LEAD, DEAL, MEMBER = 1, 1, 1, 1, 3
# Each other button with arguments naming a record of somebody else.
ARGS: dict[str, tuple[object, ...]] = {
    **{a: (TASK,) for a in ("ts", "tp", "df", "ro", "td", "tr", "dl", "dg", "ob", "co")},
    **{a: (TASK,) for a in ("cm", "pt", "pr", "mo", "pj", "tg", "pm", "st", "un", "op")},
    "ta": (TASK, "p"),
    "rq": (TASK, "tomorrow"),
    "dq": (TASK, "tomorrow"),
    "pq": (TASK, "tomorrow"),
    "dm": (TASK, 1),
    "om": (TASK, 1),
    "cx": (TASK, 1),
    "pp": (TASK, "h"),
    "pjs": (TASK, 1),
    "tmg": (TASK,),
    "ad": (REQUEST, "a"),
    "ao": (REQUEST,),
    "ax": (REQUEST,),
    **{a: (f"l{LEAD}",) for a in ("ko", "kt", "ka", "kc", "kr")},
    "km": (f"l{LEAD}", 1),
    "kf": (LEAD, "phone"),
    "kv": (LEAD,),
    "kg": (LEAD, "c1"),
    **{a: (DEAL,) for a in ("kn", "ks", "kw", "kl", "kA")},
    "kx": (DEAL, 1),
    "fx": (TASK,),
    "fk": (TASK,),
    "ds": (TASK, 29_500_000),
    "lw": ("mine", 3, 0),  # Anna's tasks (member 3): Ivan is not her head or manager
    # A member card's buttons: structure is the admins' (MEMBER: Anna).
    "mbe": (MEMBER, "p"),
    "mbp": (MEMBER, "r", "admin"),
    "mbx": (MEMBER,),
}
NOT_YOURS = {
    "task_not_found",
    "not_permitted",
    "approval_not_found",
    "approval_not_permitted",
    "crm_not_found",
    "crm_not_permitted",
}


@pytest.fixture
def approvals_config() -> Path:
    return APPROVALS_EXAMPLE


async def _records(app: App) -> Dialog:
    """Boss's task for Anna, Anna's leave request (Head decides), Boss's lead and deal;
    Ivan, an employee of another department, is involved in none of them."""
    people = [("boss", Role.ADMIN), ("head", Role.MANAGER)]
    team = await make_team(app, [*people, ("anna", Role.EMPLOYEE), ("ivan", Role.EMPLOYEE)])
    await make_department(app, team, "Sales", head="head", staff=["anna"])
    await make_department(app, team, "Support", head="boss", staff=["ivan"])
    dialog = Dialog(app, team)
    await verify_dialog(
        dialog,
        [
            ("boss", "Call the bank @anna", ["Task #1 created"]),
            ("anna", "/request leave", ["1/3"]),
            ("anna", "press:Vacation", ["2/3"]),
            ("anna", "01.12-05.12", ["3/3"]),
            ("anna", "Family trip", ["Request sent.", "#1"]),
            ("boss", "/lead Jan Kowalski, +48 600 100 200", ["Jan Kowalski"]),
            ("boss", "press:Convert to deal", ["Converted"]),
        ],
    )
    return dialog


def _press(app: App, who: str, action: str, args: tuple[object, ...]) -> Inbound:
    return Inbound(
        platform="console",
        workspace="local",
        user_id=who,
        chat_id=who,
        # The wire format as buttons already sent carry it (handlers.buttons reads it).
        action=app.signer.sign_wire(action, *args),
    )


def _verdict(replies: list[Reply]) -> str:
    [reply] = replies
    assert reply.alert and not reply.ask, reply
    return str(reply.context.get("error_code"))


async def test_every_button_pressed_by_a_stranger_says_only_not_yours(app: App) -> None:
    await _records(app)
    actions = {a.code for a in default_intents().actions}
    assert actions == OWN | set(ARGS), "a new button: say whose records it names"
    answers = {}
    for action, args in sorted(ARGS.items()):
        replies = await app.conversation.handle(_press(app, "ivan", action, args))
        answers[action] = _verdict(replies)
    wrong = {a: code for a, code in answers.items() if code not in NOT_YOURS}
    assert not wrong, wrong
    # The records are real: their owners get the picker and the card.
    [picker] = await app.conversation.handle(_press(app, "boss", "pr", (TASK,)))
    assert picker.template == "priority_ask"
    [card] = await app.conversation.handle(_press(app, "boss", "ko", (f"l{LEAD}",)))
    assert card.template == "crm_card"


async def test_a_decided_request_is_not_described_to_a_stranger(app: App) -> None:
    dialog = await _records(app)
    await verify_dialog(dialog, [("head", "/approval 1", ["Family trip"])])
    [approved] = await app.conversation.handle(_press(app, "head", "ad", (REQUEST, "a")))
    assert approved.template == "approval_card"
    late = await app.conversation.handle(_press(app, "ivan", "ad", (REQUEST, "a")))
    assert _verdict(late) == "approval_not_permitted"
    again = await app.conversation.handle(_press(app, "head", "ad", (REQUEST, "a")))
    assert _verdict(again) == "approval_decided"  # the approver is told how it ended
