"""Whatever a user types, the create path answers it: a task, a question or a clear
refusal — never "unexpected error". Hypothesis over ``Conversation.handle`` on a real
database (SQLite, or PostgreSQL when BRYGADA_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from brygada.bootstrap import App
from handlers.types import Inbound, Reply
from tests.factories import make_team

_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_keys = itertools.count(1)

_unicode = st.text(st.characters(exclude_categories=("Cs",)), max_size=4096)
# Long runs of one word with a tail: the forms of one long word (a stem cut to the stored
# length) must not collide; "Sales"×600 + ": x" is one such message.
_long_words = st.builds(
    lambda word, times, tail: word * times + tail,
    st.sampled_from(["Sales", "a", "работа", "zażółć", "x1"]),
    st.integers(min_value=1, max_value=800),
    st.sampled_from(["", "ing", "s", ": x", " tomorrow", "ами", "ów"]),
).map(lambda s: s[:4096])
_numbers = st.one_of(
    st.integers(min_value=0, max_value=10**40),
    st.sampled_from([2**63 - 1, 2**63, 2**64, 10**23, 99999999999999999999999]),
)
_words = st.sampled_from(
    ["tomorrow", "@anna", "!high", "#tag", "~2h", "//", "Sales:", "28.11", "friday 15:00", "-"]
)
_messages = st.one_of(
    _unicode,
    _long_words,
    st.lists(st.one_of(_words, _numbers.map(str), st.text(max_size=12)), max_size=12).map(" ".join),
)
_ID_COMMANDS = [
    "show", "subtask", "accept", "time", "comment", "done", "deadline", "delegate", "go",
    "approval", "reopen", "part", "return", "observe",
]  # fmt: skip


def _inbound(**what: str) -> Inbound:
    return Inbound(
        platform="console",
        workspace="local",
        user_id="boss",
        chat_id="boss",
        user_name="Boss",
        update_key=f"property:{next(_keys)}",
        **what,  # type: ignore[arg-type]
    )


def _unexpected(replies: list[Reply]) -> list[Reply]:
    return [r for r in replies if r.template == "error_unexpected"]


# The ``app`` fixture is made once per test and shared by its examples: the team once.
_ready: set[int] = set()


async def _team(app: App) -> None:
    if id(app) not in _ready:
        await make_team(app)
        await app.conversation.handle(_inbound(text="Prepare the offer @anna"))
        _ready.add(id(app))


@_SETTINGS
@given(text=_messages)
@example(text="Sales" * 600 + ": x")
@example(text="a" * 66 + "ing")
@example(text="\x00")
async def test_any_message_creates_a_task_or_is_answered(app: App, text: str) -> None:
    await _team(app)
    replies = await app.conversation.handle(_inbound(text=text))
    assert not _unexpected(replies), text
    await app.conversation.handle(_inbound(command="cancel"))


@_SETTINGS
@given(
    command=st.sampled_from(_ID_COMMANDS),
    number=st.one_of(_numbers.map(str), _numbers.map(lambda n: f"#{n}"), st.text(max_size=8)),
    rest=_messages,
)
@example(command="show", number="99999999999999999999999", rest="")
@example(command="subtask", number="#" + "9" * 30, rest="Call back")
@example(command="time", number="²", rest="1h call")
async def test_any_task_command_is_answered(app: App, command: str, number: str, rest: str) -> None:
    await _team(app)
    replies = await app.conversation.handle(
        _inbound(command=command, args=f"{number} {rest}".strip())
    )
    assert not _unexpected(replies), (command, number, rest[:200])
    await app.conversation.handle(_inbound(command="cancel"))
