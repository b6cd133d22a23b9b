"""Button actions: every one has its own code, fits a 64-byte token with the largest
values it will carry, reads back as it was written, and reads the buttons sent before."""

from __future__ import annotations

import dataclasses
import enum
import inspect
import types
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest

from domain.approvals import Verdict
from domain.crm import EntityKind, EntityRef
from domain.ports import ListView
from domain.tasks import Priority, Rating
from domain.timetracking import DayEventKind
from handlers import board, buttons
from handlers.buttons import (
    AcceptTask,
    CancelQuestion,
    Decide,
    HelpTopic,
    MergeLead,
    MoveDay,
    PauseTimer,
    PickForMember,
    SetDeadline,
    SetPriority,
    SetProject,
    StartTimer,
    TeamListPage,
)
from handlers.conversation import action_codes
from handlers.intents import ActionHandler, create, default_intents
from handlers.questions import Questions
from handlers.tokens import MAX_TOKEN_BYTES, BadToken, ButtonAction, Codes, TokenSigner

SIGNER = TokenSigner("unit-test-secret-0123456789")
BIGGEST_ID = 9_999_999_999  # ten digits: more rows than any install will have
# The longest text each str field carries (handlers that build them say why it is bounded).
LONGEST_TEXT: dict[tuple[type[ButtonAction], str], str] = {
    (buttons.TagPage, "tag"): "x" * 24,  # handlers.intents.views._MAX_NAV_QUERY
    (buttons.SearchPage, "query"): "ż" * 12,  # 24 bytes, the same limit
    (buttons.NewRequest, "type_key"): "k" * 24,  # domain.approval_types._KEY
    (buttons.FixLead, "field"): "company",
    (buttons.FunnelPeriod, "period"): "quarter",
    (buttons.PickForMember, "value"): "extranet",  # a role; ids are shorter than 11 digits
    (buttons.SetLanguage, "language"): "ru",
    (buttons.HelpTopic, "topic"): "settings",
    (buttons.CancelQuestion, "nonce"): "a1b2c3",  # secrets.token_hex(3)
}


def all_actions() -> Mapping[type[ButtonAction], ActionHandler]:
    questions = Questions(lambda: {}, timedelta(hours=1), create.create_from_text)
    return {**default_intents().actions, **questions.actions}


def _largest(cls: type[ButtonAction], name: str, hint: Any) -> Any:
    """The value of a field that makes the longest token."""
    if get_origin(hint) is Annotated:
        hint, *metadata = get_args(hint)
        codes = [m for m in metadata if isinstance(m, Codes)]
        if hint is str and codes:  # a str written as one of its codes
            return max(codes[0].codes, key=lambda pair: len(pair[1]))[0]
    if get_origin(hint) in (Union, types.UnionType):
        hint = next(a for a in get_args(hint) if a is not type(None))
    if get_origin(hint) is Literal:
        return max(get_args(hint), key=lambda v: len(str(v)))
    if hint is bool:
        return True
    if hint is int:
        return BIGGEST_ID
    if hint is datetime:
        return datetime(2999, 12, 31, 23, 59, tzinfo=UTC)
    if hint is EntityRef:
        return EntityRef(EntityKind.COMPANY, BIGGEST_ID)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return max(hint, key=lambda m: len(str(m.value)))
    assert (cls, name) in LONGEST_TEXT, f"{cls.__name__}.{name}: add its longest text above"
    return LONGEST_TEXT[cls, name]


def _sample(cls: type[ButtonAction]) -> ButtonAction:
    hints = get_type_hints(cls, include_extras=True)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]  # every action is a dataclass
    return cls(**{f.name: _largest(cls, f.name, hints[f.name]) for f in fields})


def test_every_action_has_its_own_code_and_is_answered() -> None:
    defined = [
        c
        for c in vars(buttons).values()
        if isinstance(c, type) and issubclass(c, ButtonAction) and c is not ButtonAction
    ]
    assert len(defined) > 70
    codes = Counter(c.code for c in defined)
    assert [code for code, n in codes.items() if n > 1] == []
    # Every action type has a handler, and no handler answers a type defined elsewhere.
    assert set(all_actions()) == set(defined)
    # The board signs its links and sessions with the same key: under codes no button has.
    assert codes.keys().isdisjoint({board.LINK, board.SESSION, board.CSRF})


def test_two_actions_with_one_code_are_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Impostor(ButtonAction, code="tmp"):
        pass

    with pytest.raises(ValueError, match="tmp"):
        action_codes([PauseTimer, Impostor])


def test_each_handler_takes_the_action_it_is_listed_for() -> None:
    for cls, handler in all_actions().items():
        pressed = list(inspect.signature(handler).parameters)[1]  # (turn, pressed)
        hint = get_type_hints(handler)[pressed]
        assert cls in (get_args(hint) or (hint,)), (cls.__name__, handler)


@pytest.mark.parametrize("cls", sorted(all_actions(), key=lambda c: c.code), ids=lambda c: c.code)
def test_largest_token_fits_and_reads_back(cls: type[ButtonAction]) -> None:
    action = _sample(cls)
    token = SIGNER.sign(action)
    assert len(token.encode()) <= MAX_TOKEN_BYTES, token
    assert SIGNER.read(token, action_codes(all_actions())) == action


def test_the_largest_token() -> None:
    """The largest token of all, for the record (the limit is 64 bytes)."""
    largest = max((SIGNER.sign(_sample(c)) for c in all_actions()), key=lambda t: len(t.encode()))
    assert len(largest.encode()) == 50, largest  # lq: a 24-byte query and page 9_999_999_999


KNOWN = action_codes(all_actions())
MINUTE = datetime(2026, 2, 1, 12, 40, tzinfo=UTC)


# Tokens as the version before typed actions signed them (with SIGNER's secret): a button
# sent in a chat before the upgrade does the same after it.
@pytest.mark.parametrize(
    ("token", "action"),
    [
        ("tmp:5xorqOdJGP-", PauseTimer()),
        ("tmp:c:WvkL7w-WO9z", PauseTimer(on_card=True)),
        ("tmg:1234567890:c:feekOKRuatT", StartTimer(1234567890, on_card=True)),
        ("ta:123456789:p:-hKZy0shyuQ", AcceptTask(123456789, Rating.POSITIVE)),
        ("ds:12:29500000:Zd4XT7psC-7", SetDeadline(12, datetime(2026, 2, 2, 2, 40, tzinfo=UTC))),
        ("kg:7:c12:IzhgmwFUyrw", MergeLead(7, EntityRef(EntityKind.CONTACT, 12))),
        ("lw:today:t:2:ua8OMZyyVTn", TeamListPage(ListView.TODAY, None, 2)),
        ("pjs:5:0:IuUjdo6y8gw", SetProject(5, None)),
        ("mbp:3:r:admin:hx_A_XbVCMj", PickForMember(3, "role", "admin")),
        ("qx:a1b2c3:AjPTL1I5GU4", CancelQuestion("a1b2c3")),
        ("ad:9:j:pmiAHPCs-YK", Decide(9, Verdict.REJECT)),
        ("pp:4:h:u3h2coKVjN2", SetPriority(4, Priority.HIGH)),
        ("dy:start:uN4skKizmkk", MoveDay(DayEventKind.START)),
        ("hp:time:hE1zrKxATNq", HelpTopic("time")),
    ],
)
def test_a_token_of_the_previous_version_reads_the_same(token: str, action: Any) -> None:
    assert SIGNER.read(token, KNOWN) == action
    assert SIGNER.sign(action) == token  # and is written the same


@pytest.mark.parametrize(
    "parts",
    [
        ("zz", 1),  # no such action
        ("ta", 1),  # a field missing
        ("ta", 1, "p", "x"),  # a field too many
        ("tmp", "c", "c"),  # ... past a default
        ("ta", "x1", "p"),  # not an int
        ("ta", "", "p"),  # nothing where an int goes
        ("ta", "1.5", "p"),
        ("ta", 1, "q"),  # no such rating
        ("dy", "lunch"),  # no such enum value
        ("tmp", "d"),  # a flag is "c" or nothing
        ("ko", "x12"),  # no such CRM kind
        ("ko", "l"),  # ... without its id
        ("ds", 1, "-5"),  # minutes are never negative
    ],
)
def test_a_malformed_token_is_refused(parts: tuple[Any, ...]) -> None:
    with pytest.raises(BadToken):
        SIGNER.read(SIGNER.sign_wire(*parts), KNOWN)


def test_a_forged_signature_is_refused() -> None:
    token = SIGNER.sign(AcceptTask(1, Rating.POSITIVE))
    with pytest.raises(BadToken):
        SIGNER.read(token.replace("ta:1:", "ta:2:"), KNOWN)
    with pytest.raises(BadToken):
        SIGNER.read(token[:-2] + ("AA" if not token.endswith("AA") else "BB"), KNOWN)
    with pytest.raises(BadToken):
        SIGNER.read(TokenSigner("another-secret-0123456789").sign(PauseTimer()), KNOWN)


def test_a_default_is_left_out_and_a_moment_keeps_its_minute() -> None:
    assert SIGNER.sign(PauseTimer()).count(":") == 1
    read = SIGNER.read(SIGNER.sign(SetDeadline(1, MINUTE + timedelta(seconds=59))), KNOWN)
    assert read == SetDeadline(1, MINUTE)


def test_a_field_of_a_type_a_token_cannot_carry_is_a_programming_error() -> None:
    @dataclasses.dataclass(frozen=True)
    class Odd(ButtonAction, code="zzz"):
        amount: float

    with pytest.raises(TypeError, match="amount"):
        SIGNER.sign(Odd(1.5))
    with pytest.raises(ValueError, match="1-4 letters"):
        type("Bad", (ButtonAction,), {}, code="a:b")
