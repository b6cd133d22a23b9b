"""Every button's action: what pressing it does, and the arguments it carries.

One frozen dataclass per kind of button, with a short code that goes into its token
(``handlers.tokens``: ``code:field:field:signature``, at most 64 bytes). To add a button:

1. add its action here, with a code no other action has (a unit test checks), fields
   typed (``int``, ``str``, ``bool``, an Enum, a ``Literal``, ``X | None``, or
   ``Annotated`` with ``Codes`` / a codec of this module);
2. write its handler in the intent module, ``async def x_pressed(turn, pressed: X)``,
   and list it in that module's ``ACTIONS`` (``{X: x_pressed}``);
3. build the button with ``turn.button("label.key", X(...))`` (the label in
   ``handlers/labels.py``); give ``tests/unit/test_buttons.py`` a sample if a field
   is a ``str``.

Never change or reuse a code, nor reorder or retype the fields of an action already in
use: buttons sent before an upgrade must still read the same after it. A new field goes
last, with a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from domain.approvals import Verdict
from domain.crm import EntityKind, EntityRef
from domain.deadlines import QuickDeadline
from domain.ports import ListView
from domain.tasks import Priority, Rating
from domain.timetracking import DayEventKind
from handlers.tokens import ButtonAction, Codes

# -- field codecs ------------------------------------------------------------------------


class _EpochMinutes:
    """A moment as whole minutes since the epoch (a 64-byte token has no room for more)."""

    def dump(self, value: Any) -> str:
        assert isinstance(value, datetime), value
        return str(int(value.timestamp() // 60))

    def load(self, raw: str) -> datetime:
        if not raw.isascii() or not raw.isdigit():
            raise ValueError(raw)
        return datetime.fromtimestamp(int(raw) * 60, UTC)


_CRM_LETTER = {
    EntityKind.LEAD: "l",
    EntityKind.CONTACT: "c",
    EntityKind.COMPANY: "o",
    EntityKind.DEAL: "d",
}
_CRM_KIND = {letter: kind for kind, letter in _CRM_LETTER.items()}


class _CrmRef:
    """A CRM record as a letter and its id: ``l12`` is lead 12."""

    def dump(self, value: Any) -> str:
        assert isinstance(value, EntityRef), value
        return f"{_CRM_LETTER[value.kind]}{value.id}"

    def load(self, raw: str) -> EntityRef:
        kind = _CRM_KIND.get(raw[:1])
        if kind is None or not raw[1:].isascii() or not raw[1:].isdigit():
            raise ValueError(raw)
        return EntityRef(kind, int(raw[1:]))


Moment = Annotated[datetime, _EpochMinutes()]
CrmRef = Annotated[EntityRef, _CrmRef()]
# The timer card's buttons end with "c": the press answers with the card, edited in place.
OnCard = Annotated[bool, Codes({True: "c", False: ""})]


# -- a task's card and its questions (handlers.intents.actions, .create, .timetracking) ---


@dataclass(frozen=True)
class StartTask(ButtonAction, code="ts"):
    task_id: int


@dataclass(frozen=True)
class PauseTask(ButtonAction, code="tp"):
    task_id: int


@dataclass(frozen=True)
class DeferTask(ButtonAction, code="df"):
    task_id: int


@dataclass(frozen=True)
class ReopenTask(ButtonAction, code="ro"):
    task_id: int


@dataclass(frozen=True)
class CompleteTask(ButtonAction, code="td"):
    task_id: int


@dataclass(frozen=True)
class AcceptTask(ButtonAction, code="ta"):
    task_id: int
    rating: Annotated[Rating, Codes({Rating.POSITIVE: "p", Rating.NEGATIVE: "n"})]


@dataclass(frozen=True)
class ReturnTask(ButtonAction, code="tr"):
    task_id: int


@dataclass(frozen=True)
class ReturnBy(ButtonAction, code="rq"):
    """A quick new deadline for a task being returned (the reason is in the question)."""

    task_id: int
    choice: QuickDeadline


@dataclass(frozen=True)
class AskDeadline(ButtonAction, code="dl"):
    task_id: int


@dataclass(frozen=True)
class QuickDeadlinePicked(ButtonAction, code="dq"):
    task_id: int
    choice: QuickDeadline


@dataclass(frozen=True)
class SetDeadline(ButtonAction, code="ds"):
    """[Next working day] / [Set anyway] under a deadline question: exactly that moment."""

    task_id: int
    at: Moment


@dataclass(frozen=True)
class AskDelegate(ButtonAction, code="dg"):
    task_id: int


@dataclass(frozen=True)
class DelegateTo(ButtonAction, code="dm"):
    task_id: int
    member_id: int


@dataclass(frozen=True)
class AskObserver(ButtonAction, code="ob"):
    task_id: int


@dataclass(frozen=True)
class AddObserver(ButtonAction, code="om"):
    task_id: int
    member_id: int


@dataclass(frozen=True)
class AskCoExecutor(ButtonAction, code="co"):
    task_id: int


@dataclass(frozen=True)
class AddCoExecutor(ButtonAction, code="cx"):
    task_id: int
    member_id: int


@dataclass(frozen=True)
class AskComment(ButtonAction, code="cm"):
    task_id: int


@dataclass(frozen=True)
class AskPart(ButtonAction, code="pt"):
    task_id: int


@dataclass(frozen=True)
class PartBy(ButtonAction, code="pq"):
    """Carry the task over as its next part, due by a quick deadline."""

    task_id: int
    choice: QuickDeadline


@dataclass(frozen=True)
class AskPriority(ButtonAction, code="pr"):
    task_id: int


@dataclass(frozen=True)
class SetPriority(ButtonAction, code="pp"):
    task_id: int
    priority: Annotated[Priority, Codes({p: p.value[0] for p in Priority})]


@dataclass(frozen=True)
class ShowMore(ButtonAction, code="mo"):
    task_id: int


@dataclass(frozen=True)
class AskProject(ButtonAction, code="pj"):
    task_id: int


@dataclass(frozen=True)
class SetProject(ButtonAction, code="pjs"):
    task_id: int
    project_id: Annotated[int | None, Codes({None: "0"})]  # None: no project


@dataclass(frozen=True)
class AskTags(ButtonAction, code="tg"):
    task_id: int


@dataclass(frozen=True)
class AskPlanned(ButtonAction, code="pm"):
    task_id: int


@dataclass(frozen=True)
class AskSubtask(ButtonAction, code="st"):
    task_id: int


@dataclass(frozen=True)
class UndoCreate(ButtonAction, code="un"):
    task_id: int


@dataclass(frozen=True)
class FixDeadline(ButtonAction, code="fx"):
    """[Next working day] / [Tomorrow 9:00] under a new task: the fix worked out anew."""

    task_id: int


@dataclass(frozen=True)
class KeepDeadline(ButtonAction, code="fk"):
    task_id: int


# -- lists (handlers.intents.views, handlers.cards) ----------------------------------------


@dataclass(frozen=True)
class OpenTask(ButtonAction, code="op"):
    task_id: int


@dataclass(frozen=True)
class ListPage(ButtonAction, code="ls"):
    view: ListView
    page: int


@dataclass(frozen=True)
class TeamListPage(ButtonAction, code="lw"):
    view: ListView
    member_id: Annotated[int | None, Codes({None: "t"})]  # None: the presser's whole team
    page: int


@dataclass(frozen=True)
class ProjectPage(ButtonAction, code="lp"):
    project_id: int
    page: int


@dataclass(frozen=True)
class TagPage(ButtonAction, code="lt"):
    tag: str
    page: int


@dataclass(frozen=True)
class SearchPage(ButtonAction, code="lq"):
    query: str
    page: int


# -- time (handlers.intents.timetracking, .reminders) ---------------------------------------


@dataclass(frozen=True)
class PauseTimer(ButtonAction, code="tmp"):
    on_card: OnCard = False


@dataclass(frozen=True)
class ResumeTimer(ButtonAction, code="tmr"):
    on_card: OnCard = False


@dataclass(frozen=True)
class StopTimer(ButtonAction, code="tmx"):
    on_card: OnCard = False


@dataclass(frozen=True)
class StartTimer(ButtonAction, code="tmg"):
    task_id: int
    on_card: OnCard = False


@dataclass(frozen=True)
class MoveDay(ButtonAction, code="dy"):
    kind: DayEventKind


@dataclass(frozen=True)
class FixPlan(ButtonAction, code="pfx"):
    pass


@dataclass(frozen=True)
class StopTimerAt(ButtonAction, code="tfs"):
    at: Moment


@dataclass(frozen=True)
class StillWorking(ButtonAction, code="tfw"):
    pass


@dataclass(frozen=True)
class AdjustTimer(ButtonAction, code="tfa"):
    pass


@dataclass(frozen=True)
class SubmitReport(ButtonAction, code="rps"):
    pass


# -- approvals (handlers.intents.approvals) -------------------------------------------------


@dataclass(frozen=True)
class NewRequest(ButtonAction, code="an"):
    type_key: str


@dataclass(frozen=True)
class PickOption(ButtonAction, code="ac"):
    """An option of the choice field being asked (by its number)."""

    number: int


@dataclass(frozen=True)
class SkipField(ButtonAction, code="as"):
    pass


@dataclass(frozen=True)
class Decide(ButtonAction, code="ad"):
    request_id: int
    verdict: Annotated[
        Verdict, Codes({Verdict.APPROVE: "a", Verdict.RETURN: "r", Verdict.REJECT: "j"})
    ]


@dataclass(frozen=True)
class OpenRequest(ButtonAction, code="ao"):
    request_id: int


@dataclass(frozen=True)
class Withdraw(ButtonAction, code="ax"):
    request_id: int


# -- CRM (handlers.intents.crm) -------------------------------------------------------------


@dataclass(frozen=True)
class OpenRecord(ButtonAction, code="ko"):
    ref: CrmRef


@dataclass(frozen=True)
class TakeRecord(ButtonAction, code="kt"):
    ref: CrmRef


@dataclass(frozen=True)
class AskOwner(ButtonAction, code="ka"):
    ref: CrmRef


@dataclass(frozen=True)
class AssignRecord(ButtonAction, code="km"):
    ref: CrmRef
    member_id: int


@dataclass(frozen=True)
class CallTask(ButtonAction, code="kc"):
    ref: CrmRef


@dataclass(frozen=True)
class ConvertLead(ButtonAction, code="kv"):
    lead_id: int


@dataclass(frozen=True)
class MergeLead(ButtonAction, code="kg"):
    lead_id: int
    into: CrmRef


@dataclass(frozen=True)
class AskRecordComment(ButtonAction, code="kr"):
    ref: CrmRef


@dataclass(frozen=True)
class NextStage(ButtonAction, code="kn"):
    deal_id: int


@dataclass(frozen=True)
class AskStage(ButtonAction, code="ks"):
    deal_id: int


@dataclass(frozen=True)
class SetStage(ButtonAction, code="kx"):
    deal_id: int
    stage_id: int


@dataclass(frozen=True)
class DealWon(ButtonAction, code="kw"):
    deal_id: int


@dataclass(frozen=True)
class DealLost(ButtonAction, code="kl"):
    deal_id: int


@dataclass(frozen=True)
class AskAmount(ButtonAction, code="kA"):
    deal_id: int


@dataclass(frozen=True)
class FixLead(ButtonAction, code="kf"):
    lead_id: int
    field: str  # handlers.intents.crm: name, phone, email, company, comment


@dataclass(frozen=True)
class LeadsPage(ButtonAction, code="kL"):
    page: int


@dataclass(frozen=True)
class DealsPage(ButtonAction, code="kD"):
    page: int


@dataclass(frozen=True)
class FunnelPeriod(ButtonAction, code="kF"):
    period: str  # domain.services.crm.Period


# -- people, projects, settings (handlers.intents.structure, .onboarding) -------------------

MemberField = Annotated[
    str,
    Codes(
        {
            "position": "p",
            "manager": "m",
            "department": "d",
            "role": "r",
            "timezone": "z",
            "language": "l",
            "leave": "x",
        }
    ),
]


@dataclass(frozen=True)
class EditMember(ButtonAction, code="mbe"):
    member_id: int
    field: MemberField


@dataclass(frozen=True)
class PickForMember(ButtonAction, code="mbp"):
    """A value picked for a member's field: a member or department id ("0": none), a
    role, a language."""

    member_id: int
    field: MemberField
    value: str


@dataclass(frozen=True)
class LetMemberGo(ButtonAction, code="mbx"):
    member_id: int


@dataclass(frozen=True)
class CreateProjectFor(ButtonAction, code="npc"):
    """A held task text whose ``Name:`` prefix is no project: create the project."""

    held_id: int


@dataclass(frozen=True)
class NoProjectFor(ButtonAction, code="npn"):
    held_id: int


@dataclass(frozen=True)
class SetLanguage(ButtonAction, code="lg"):
    language: str


@dataclass(frozen=True)
class HelpTopic(ButtonAction, code="hp"):
    topic: str


# -- open questions (handlers.questions, handlers.turn) -------------------------------------


@dataclass(frozen=True)
class CancelQuestion(ButtonAction, code="qx"):
    """Every question's Cancel button: closes that question only (its nonce)."""

    nonce: str


@dataclass(frozen=True)
class TakeAsAnswer(ButtonAction, code="qa"):
    """A held text is the answer to the open question after all."""

    held_id: int


@dataclass(frozen=True)
class TakeAsTask(ButtonAction, code="qn"):
    held_id: int


@dataclass(frozen=True)
class DropHeld(ButtonAction, code="qc"):
    held_id: int
