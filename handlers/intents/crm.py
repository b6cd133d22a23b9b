"""The CRM in the chat: /lead, /leads, /deals, /client, /funnel and the card buttons.

Buttons carry a record as a letter and an id (``l12`` = lead 12, ``d3`` = deal 3,
``c5`` = contact 5, ``o7`` = client company 7) because ``:`` separates token parts.
Every press is checked again in ``domain.services.crm`` (nothing is trusted from the
button). CRM refusals are answered by ``handlers.refusals`` with ``crm_error.j2``,
which falls back to the shared ``error.j2`` for the task-wide codes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from babel.numbers import format_percent

from domain.company import Member
from domain.crm import (
    Activity,
    ActivityKind,
    CrmAction,
    CrmNotFound,
    Deal,
    EntityKind,
    EntityRef,
    Funnel,
    Lead,
    LeadInput,
    Pipeline,
    Stage,
    StageKind,
)
from domain.crm_capture import parse_lead
from domain.errors import InvalidInput
from domain.ids import can_exist, parse_number
from domain.money import parse_money, read_money
from domain.services import crm as service
from domain.services.members import member_by_handle
from handlers.buttons import (
    AskAmount,
    AskOwner,
    AskRecordComment,
    AskStage,
    AssignRecord,
    CallTask,
    ConvertLead,
    DealLost,
    DealsPage,
    DealWon,
    FixLead,
    FunnelPeriod,
    LeadsPage,
    MergeLead,
    NextStage,
    OpenRecord,
    SetStage,
    TakeRecord,
)
from handlers.charts import png, pyplot
from handlers.personal import personal, with_args
from handlers.questions import NotAnAnswer, PromptResult, confirmed, person_in, short, task_like
from handlers.rendering import label, number
from handlers.tokens import ButtonAction
from handlers.turn import Turn
from handlers.types import Button, Buttons, Reply, SharedContact

log = logging.getLogger(__name__)

_PICK_LIMIT = 8
_REF_KINDS = frozenset({ActivityKind.CREATED, ActivityKind.CONVERTED, ActivityKind.MERGED})
_FIX_FIELDS = ("name", "phone", "email", "company", "comment")


def call_task_title(lang: str, name: str) -> str:
    """The title of the "call the lead" task, in the owner's language (handlers/labels.py)."""
    return label(lang, "crm.call_task_title", name=name)


def stage_label(lang: str, stage: Stage) -> str:
    return stage.name or label(lang, f"crm.stage.{stage.code}")


def pipeline_label(lang: str, pipeline: Pipeline) -> str:
    return pipeline.name or label(lang, f"crm.pipeline.{pipeline.code or 'sales'}")


# -- cards ------------------------------------------------------------------------------


async def _timeline(turn: Turn, card: service.CrmCard) -> list[tuple[Activity, str | None]]:
    """Timeline lines with their details made readable (stage names, member names)."""
    stages: dict[int, Stage] = {}
    if card.pipeline is not None:
        stages = {s.id: s for s in card.pipeline.stages}
    lines: list[tuple[Activity, str | None]] = []
    for activity in card.timeline:
        detail = activity.text
        if activity.kind is ActivityKind.STAGE and activity.text:
            moves, _, reason = activity.text.partition(": ")
            old, _, new = moves.partition(">")
            names = [
                stage_label(turn.lang, stages[int(x)]) if x.isdigit() and int(x) in stages else x
                for x in (old, new)
            ]
            detail = " → ".join(names) + (f": {reason}" if reason else "")
        elif activity.kind is ActivityKind.ASSIGNED and activity.text and activity.text.isdigit():
            member_id = int(activity.text)
            if member_id not in card.names:
                member = await turn.uow.members.get(member_id)
                card.names[member_id] = member.name if member else "?"
            detail = card.names[member_id]
        elif activity.text and activity.kind in _REF_KINDS:
            try:
                ref = EntityRef.parse(activity.text)
            except InvalidInput:
                pass
            else:
                detail = f"{label(turn.lang, f'crm.kind.{ref.kind.value}')} #{ref.id}"
        lines.append((activity, detail))
    return lines


def _card_buttons(turn: Turn, card: service.CrmCard) -> Buttons:
    ref, can, record = card.ref, card.can, card.record
    rows: list[tuple[Button, ...]] = []
    mine = record.owner_id == turn.me.id
    people: list[Button] = []
    if CrmAction.TAKE in can and not mine:
        people.append(turn.button("crm.btn.take", TakeRecord(ref)))
    if CrmAction.ASSIGN in can:
        people.append(turn.button("crm.btn.assign", AskOwner(ref)))
    record_id = record.id
    if isinstance(record, Deal) and CrmAction.WORK in can:
        stage_row: list[Button] = []
        if card.next_stage is not None and record.is_open:
            stage_row.append(
                turn.button(
                    "crm.btn.next",
                    NextStage(record_id),
                    stage=stage_label(turn.lang, card.next_stage),
                )
            )
        stage_row.append(turn.button("crm.btn.stages", AskStage(record_id)))
        stage_row.append(turn.button("crm.btn.amount", AskAmount(record_id)))
        rows.append(tuple(stage_row))
        if record.is_open:
            rows.append(
                (
                    turn.button("crm.btn.won", DealWon(record_id)),
                    turn.button("crm.btn.lost", DealLost(record_id)),
                )
            )
    open_record = not isinstance(record, Lead | Deal) or record.is_open
    work: list[Button] = []
    if CrmAction.WORK in can and open_record:
        work.append(turn.button("crm.btn.call_task", CallTask(ref)))
        if isinstance(record, Lead):
            work.append(turn.button("crm.btn.convert", ConvertLead(record_id)))
    if CrmAction.WORK in can:
        work.append(turn.button("crm.btn.comment", AskRecordComment(ref)))
    if work:
        rows.append(tuple(work))
    if people:
        rows.append(tuple(people))
    if isinstance(record, Lead) and record.is_open and CrmAction.WORK in can:
        for dup, name in card.duplicates[:2]:
            if dup.kind is not EntityKind.DEAL:
                rows.append(
                    (
                        turn.button(
                            "crm.btn.merge",
                            MergeLead(record_id, dup),
                            what=label(turn.lang, f"crm.kind.{dup.kind.value}"),
                            id=dup.id,
                            name=name[:24],
                        ),
                    )
                )
    return tuple(rows)


def _fix_buttons(turn: Turn, lead: Lead) -> tuple[Button, ...]:
    return tuple(turn.button(f"crm.fix.{f}", FixLead(lead.id, f)) for f in _FIX_FIELDS)


async def card_reply(
    turn: Turn,
    ref: EntityRef,
    *,
    notice: str | None = None,
    understood: bool = False,
) -> Reply:
    """The card of a lead, contact, company or deal, with the buttons the member may press."""
    card = await service.card(turn.uow, turn.me, ref, turn.config.crm)
    buttons = _card_buttons(turn, card)
    if understood and isinstance(card.record, Lead):
        buttons = (_fix_buttons(turn, card.record), *buttons)
    stages = card.pipeline.stages if card.pipeline else []
    return turn.edit(
        "crm_card",
        buttons,
        crm=card,
        record=card.record,
        ref_kind=ref.kind.value,
        timeline=await _timeline(turn, card),
        stage_name=stage_label(turn.lang, card.stage) if card.stage else None,
        stage_kind=card.stage.kind.value if card.stage else None,
        pipeline_name=pipeline_label(turn.lang, card.pipeline) if card.pipeline else None,
        stage_count=len(stages),
        notice=notice,
        understood=understood,
    )


# -- /lead --------------------------------------------------------------------------------


async def _capture(turn: Turn, text: str) -> list[Reply]:
    assert turn.company is not None
    region = service.region_of(turn.company, turn.config.crm)
    draft = parse_lead(text, region)
    data = LeadInput(
        name=draft.name,
        phone=draft.phone,
        email=draft.email,
        company_name=draft.company,
        comment=draft.comment,
        source="chat",
        amount=draft.amount,
        currency=draft.currency,
    )
    created = await service.create_lead(
        turn.uow, turn.me, data, turn.now, turn.config.crm, call_task_title
    )
    notice = "lead_created_duplicate" if created.duplicates else "lead_created"
    reply = await card_reply(turn, created.lead.ref, notice=notice, understood=True)
    return [replace(reply, context={**reply.context, "call_task": created.task})]


async def lead_command(turn: Turn) -> list[Reply]:
    """/lead Jan Kowalski, ACME sp. z o.o., +48 600 100 200 — without text the bot asks.

    As a reply to a (forwarded) message, that message is the lead's text."""
    text = " ".join(p for p in (turn.inbound.args.strip(), turn.inbound.quoted) if p)
    if not text:
        return [await turn.ask_for("crm_lead", {}, "crm_lead_ask")]
    return await _capture(turn, text)


async def lead_from_contact(turn: Turn, contact: SharedContact) -> list[Reply]:
    """A shared contact card becomes a lead: its name and phone, parsed like /lead text."""
    return await _capture(turn, " ".join(p for p in (contact.name, contact.phone) if p))


async def lead_answer(turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
    return await _capture(turn, text)


async def fix_pressed(turn: Turn, pressed: FixLead) -> list[Reply]:
    lead_id, field_name = pressed.lead_id, pressed.field
    await service.load(turn.uow, turn.me, EntityRef(EntityKind.LEAD, lead_id), CrmAction.WORK)
    return [
        await turn.ask_for(
            "crm_fix",
            {"lead_id": lead_id, "field": field_name},
            "crm_fix_ask",
            lead_id=lead_id,
            field=field_name,
        )
    ]


async def fix_answer(turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
    lead_id = int(data["lead_id"])
    await service.fix_lead(
        turn.uow, turn.me, lead_id, str(data["field"]), text, turn.now, turn.config.crm
    )
    return [
        await card_reply(
            turn, EntityRef(EntityKind.LEAD, lead_id), notice="lead_fixed", understood=True
        )
    ]


# -- card buttons -------------------------------------------------------------------------


async def open_pressed(turn: Turn, pressed: OpenRecord) -> list[Reply]:
    reply = await card_reply(turn, pressed.ref)
    return [replace(reply, edit=False)]


async def take_pressed(turn: Turn, pressed: TakeRecord) -> list[Reply]:
    ref = pressed.ref
    await service.take(turn.uow, turn.me, ref, turn.now)
    return [await card_reply(turn, ref, notice="taken")]


async def _member_rows(turn: Turn, ref: EntityRef) -> Buttons:
    people = [
        m for m in await turn.uow.members.list(turn.me.company_id) if m.active and not m.is_extranet
    ][:_PICK_LIMIT]
    return tuple(
        tuple(
            turn.button("btn.member", AssignRecord(ref, m.id), name=m.name)
            for m in people[i : i + 2]
        )
        for i in range(0, len(people), 2)
    )


async def assign_pressed(turn: Turn, pressed: AskOwner) -> list[Reply]:
    ref = pressed.ref
    await service.load(turn.uow, turn.me, ref, CrmAction.ASSIGN)
    return [
        await turn.ask_for(
            "crm_assign",
            {"ref": str(ref)},
            "crm_assign_ask",
            await _member_rows(turn, ref),
            ref_kind=ref.kind.value,
            ref_id=ref.id,
        )
    ]


async def assign_picked(turn: Turn, pressed: AssignRecord) -> list[Reply]:
    ref = pressed.ref
    await turn.uow.prompts.clear(turn.me.id)
    await service.assign(turn.uow, turn.me, ref, pressed.member_id, turn.now)
    return [await _after_assign(turn, ref)]


async def assign_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    """Clean: one member (@handle, handle or full name) and nothing else."""
    found, rest = await person_in(turn, text)
    if not confirmed(data):
        if found is None:
            return NotAnAnswer(reason="question.why.person")
        if rest:
            params = {"ref_id": EntityRef.parse(str(data["ref"])).id, "name": found.name}
            return NotAnAnswer(
                answer=("question.as_crm_assign", params), reason="question.why.person"
            )
    return await _assign_answered(turn, data, text, found)


async def _assign_answered(
    turn: Turn, data: dict[str, Any], text: str, member: Member | None
) -> list[Reply]:
    ref = EntityRef.parse(str(data["ref"]))
    if member is None:
        handle = text.strip().split()[0] if text.strip() else ""
        if not handle:
            raise InvalidInput(field="member", reason="empty")
        member = await member_by_handle(turn.uow, turn.me.company_id, handle)
    await service.assign(turn.uow, turn.me, ref, member.id, turn.now)
    return [await _after_assign(turn, ref)]


async def _after_assign(turn: Turn, ref: EntityRef) -> Reply:
    """The card again, unless the new owner is outside the actor's view."""
    try:
        return await card_reply(turn, ref, notice="assigned")
    except CrmNotFound:
        return turn.edit("crm_assigned_away", ref_kind=ref.kind.value, ref_id=ref.id)


async def call_pressed(turn: Turn, pressed: CallTask) -> list[Reply]:
    ref = pressed.ref
    task = await service.call_task(
        turn.uow, turn.me, ref, turn.now, turn.config.crm, call_task_title
    )
    reply = await card_reply(turn, ref, notice="call_task")
    return [replace(reply, context={**reply.context, "call_task": task})]


async def convert_pressed(turn: Turn, pressed: ConvertLead) -> list[Reply]:
    conversion = await service.convert_lead(
        turn.uow, turn.me, pressed.lead_id, turn.now, turn.config.crm
    )
    deal = await card_reply(turn, conversion.deal.ref, notice="converted")
    return [replace(deal, edit=False)]


async def merge_pressed(turn: Turn, pressed: MergeLead) -> list[Reply]:
    into = await service.merge_lead(turn.uow, turn.me, pressed.lead_id, pressed.into, turn.now)
    return [await card_reply(turn, into.ref, notice="merged")]


async def comment_pressed(turn: Turn, pressed: AskRecordComment) -> list[Reply]:
    ref = pressed.ref
    await service.load(turn.uow, turn.me, ref, CrmAction.WORK)
    return [
        await turn.ask_for(
            "crm_comment",
            {"ref": str(ref)},
            "crm_comment_ask",
            ref_kind=ref.kind.value,
            ref_id=ref.id,
        )
    ]


async def comment_answer(turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
    ref = EntityRef.parse(str(data["ref"]))
    await service.comment(turn.uow, turn.me, ref, text, turn.now)
    return [await card_reply(turn, ref, notice="commented")]


def _deal_ref(deal_id: int) -> EntityRef:
    return EntityRef(EntityKind.DEAL, deal_id)


async def next_pressed(turn: Turn, pressed: NextStage) -> list[Reply]:
    await service.next_stage(turn.uow, turn.me, pressed.deal_id, turn.now)
    return [await card_reply(turn, _deal_ref(pressed.deal_id), notice="stage_moved")]


async def stages_pressed(turn: Turn, pressed: AskStage) -> list[Reply]:
    deal_id = pressed.deal_id
    card = await service.card(turn.uow, turn.me, _deal_ref(deal_id), turn.config.crm)
    assert card.pipeline is not None and isinstance(card.record, Deal)
    if CrmAction.WORK not in card.can:
        await service.load(turn.uow, turn.me, card.ref, CrmAction.WORK)
    choices = [
        s
        for s in sorted(card.pipeline.stages, key=lambda s: s.position)
        if s.id != card.record.stage_id
    ]
    buttons = tuple(
        tuple(
            turn.button("crm.btn.stage", SetStage(deal_id, s.id), stage=stage_label(turn.lang, s))
            for s in choices[i : i + 2]
        )
        for i in range(0, len(choices), 2)
    )
    return [turn.reply("crm_stage_ask", buttons, deal_id=deal_id, title=card.record.title)]


async def stage_picked(turn: Turn, pressed: SetStage) -> list[Reply]:
    deal_id, stage_id = pressed.deal_id, pressed.stage_id
    deal = await service.load(turn.uow, turn.me, _deal_ref(deal_id), CrmAction.WORK)
    assert isinstance(deal, Deal)
    pipeline = await turn.uow.crm.get_pipeline(deal.pipeline_id)
    assert pipeline is not None
    if pipeline.stage(stage_id).kind is StageKind.LOST:
        return await lost_pressed(turn, DealLost(deal_id))
    if pipeline.stage(stage_id).kind is StageKind.WON and deal.amount is None:
        return [await _ask_amount(turn, deal, then_won=True)]
    await service.move_deal(turn.uow, turn.me, deal_id, stage_id, turn.now)
    return [await card_reply(turn, _deal_ref(deal_id), notice="stage_moved")]


async def won_pressed(turn: Turn, pressed: DealWon) -> list[Reply]:
    deal = await service.load(turn.uow, turn.me, _deal_ref(pressed.deal_id), CrmAction.WORK)
    assert isinstance(deal, Deal)
    if deal.amount is None:  # a won deal counts in the funnel's sums: ask for it first
        return [await _ask_amount(turn, deal, then_won=True)]
    await service.close_deal(turn.uow, turn.me, pressed.deal_id, True, turn.now)
    return [await card_reply(turn, _deal_ref(pressed.deal_id), notice="won")]


# -- deal amounts -----------------------------------------------------------------------------

_AMOUNT_WORDS = frozenset({"amount", "kwota", "сумма", "budget", "budżet", "бюджет"})


async def _ask_amount(
    turn: Turn,
    deal: Deal,
    *,
    then_won: bool = False,
    error: dict[str, Any] | None = None,
    text: str | None = None,
) -> Reply:
    return await turn.ask_for(
        "crm_amount",
        {"deal_id": deal.id, "won": then_won},
        "crm_amount_ask",
        deal=deal,
        then_won=then_won,
        error=error,
        text=text,
        default_currency=deal.currency,
    )


async def _set_amount(turn: Turn, deal_id: int, text: str, *, then_won: bool) -> list[Reply]:
    amount, currency = parse_money(text, turn.config.crm.default_currency)
    await service.set_deal_amount(turn.uow, turn.me, deal_id, amount, turn.now, currency)
    if then_won:
        await service.close_deal(turn.uow, turn.me, deal_id, True, turn.now)
    notice = "won" if then_won else "amount_set"
    return [await card_reply(turn, EntityRef(EntityKind.DEAL, deal_id), notice=notice)]


async def amount_pressed(turn: Turn, pressed: AskAmount) -> list[Reply]:
    deal = await service.load(turn.uow, turn.me, _deal_ref(pressed.deal_id), CrmAction.WORK)
    assert isinstance(deal, Deal)
    return [await _ask_amount(turn, deal)]


async def amount_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    """Clean: an amount ("12 000 PLN", "12000 zł", "$12,000"). A mistyped one is asked
    again with the reason and the text; a task-like sentence is not an answer."""
    deal_id, then_won = int(data["deal_id"]), bool(data.get("won"))
    try:
        read_money(text)
    except InvalidInput as error:
        if task_like(turn, text) and not confirmed(data):
            return NotAnAnswer(reason="question.why.amount")
        deal = await service.load(turn.uow, turn.me, _deal_ref(deal_id), CrmAction.WORK)
        assert isinstance(deal, Deal)
        return [await _ask_amount(turn, deal, then_won=then_won, error=error.params, text=text)]
    return await _set_amount(turn, deal_id, text, then_won=then_won)


async def deal_command(turn: Turn) -> list[Reply]:
    """/deal — the deals; /deal 7 — its card; /deal 7 amount 12 000 PLN — its amount."""
    args = turn.inbound.args.strip()
    if not args:
        return await show_deals(turn)
    head, _, rest = args.partition(" ")
    number = parse_number(head.lstrip("#"))
    if number is None or not can_exist(number):
        raise InvalidInput(field="deal", reason="usage", value=args)
    word, _, money = rest.strip().partition(" ")
    if not word:
        return [replace(await card_reply(turn, _deal_ref(number)), edit=False)]
    if word.casefold() not in _AMOUNT_WORDS:
        raise InvalidInput(field="deal", reason="usage", value=args)
    if not money.strip():
        deal = await service.load(turn.uow, turn.me, _deal_ref(number), CrmAction.WORK)
        assert isinstance(deal, Deal)
        return [await _ask_amount(turn, deal)]
    replies = await _set_amount(turn, number, money, then_won=False)
    return [replace(r, edit=False) for r in replies]


async def lost_pressed(turn: Turn, pressed: DealLost) -> list[Reply]:
    deal_id = pressed.deal_id
    await service.load(turn.uow, turn.me, _deal_ref(deal_id), CrmAction.WORK)
    return [await turn.ask_for("crm_lost", {"deal_id": deal_id}, "crm_lost_ask", deal_id=deal_id)]


async def lost_answer(turn: Turn, data: dict[str, Any], text: str) -> list[Reply]:
    deal_id = int(data["deal_id"])
    await service.close_deal(turn.uow, turn.me, deal_id, False, turn.now, reason=text)
    return [await card_reply(turn, EntityRef(EntityKind.DEAL, deal_id), notice="lost")]


# -- lists and search -----------------------------------------------------------------------


def _list_reply(
    turn: Turn,
    what: str,
    items: Sequence[tuple[EntityRef, str]],
    total: int,
    page: int,
    nav: Callable[[int], ButtonAction] | None,
    has_next: bool,
    **extra: Any,
) -> Reply:
    rows: list[tuple[Button, ...]] = [
        (turn.button("crm.btn.open", OpenRecord(ref), id=ref.id, name=name[:40],
                     what=label(turn.lang, f"crm.kind.{ref.kind.value}")),)
        for ref, name in items
    ]  # fmt: skip
    paging: list[Button] = []
    if nav is not None and page > 0:
        paging.append(turn.button("btn.prev", nav(page - 1)))
    if nav is not None and has_next:
        paging.append(turn.button("btn.next", nav(page + 1)))
    if paging:
        rows.append(tuple(paging))
    return turn.edit("crm_list", tuple(rows), what=what, total=total, page=page, **extra)


async def show_leads(turn: Turn, page: int = 0) -> list[Reply]:
    result = await service.list_leads(turn.uow, turn.me, page=page)
    names = await _owner_names(turn, [lead.owner_id for lead in result.items])
    return [
        _list_reply(
            turn,
            "leads",
            [(lead.ref, lead.name) for lead in result.items],
            result.total,
            page,
            LeadsPage,
            result.has_next,
            leads=result.items,
            owners=names,
        )
    ]


async def show_deals(turn: Turn, page: int = 0) -> list[Reply]:
    result = await service.list_deals(turn.uow, turn.me, page=page)
    names = await _owner_names(turn, [deal.owner_id for deal in result.items])
    stage_names: dict[int, str] = {}
    for pipeline in await turn.uow.crm.pipelines(turn.me.company_id):
        for stage in pipeline.stages:
            stage_names[stage.id] = stage_label(turn.lang, stage)
    return [
        _list_reply(
            turn,
            "deals",
            [(deal.ref, deal.title) for deal in result.items],
            result.total,
            page,
            DealsPage,
            result.has_next,
            deals=result.items,
            owners=names,
            stage_names=stage_names,
        )
    ]


async def _owner_names(turn: Turn, ids: Sequence[int | None]) -> dict[int, str]:
    names: dict[int, str] = {}
    for member_id in {i for i in ids if i is not None}:
        member = await turn.uow.members.get(member_id)
        names[member_id] = member.name if member else "?"
    return names


async def leads_command(turn: Turn) -> list[Reply]:
    return await show_leads(turn)


async def leads_pressed(turn: Turn, pressed: LeadsPage) -> list[Reply]:
    return await show_leads(turn, pressed.page)


async def deals_command(turn: Turn) -> list[Reply]:
    return await show_deals(turn)


async def deals_pressed(turn: Turn, pressed: DealsPage) -> list[Reply]:
    return await show_deals(turn, pressed.page)


async def _clients(turn: Turn, text: str) -> list[Reply]:
    matches = await service.find_clients(turn.uow, turn.me, text)
    if len(matches) == 1:
        return [await card_reply(turn, matches[0].ref)]
    return [
        _list_reply(
            turn, "clients", [(m.ref, m.name) for m in matches], len(matches), 0, None, False,
            query=text,
        )
    ]  # fmt: skip


async def client_command(turn: Turn) -> list[Reply]:
    """/client <name> — leads, contacts, companies and deals whose name matches."""
    text = turn.inbound.args.strip()
    if not text:
        return [await turn.ask_for("crm_client", {}, "crm_client_ask")]
    return await _clients(turn, text)


async def client_answer(turn: Turn, data: dict[str, Any], text: str) -> PromptResult:
    """A search is free text, but a task-like sentence is offered as a task too."""
    if task_like(turn, text) and not confirmed(data):
        return NotAnAnswer(answer=("question.as_search", {"query": short(text)}))
    return await _client_answered(turn, text)


async def _client_answered(turn: Turn, text: str) -> list[Reply]:
    return await _clients(turn, text)


# -- /funnel ------------------------------------------------------------------------------------


def _funnel_rows(lang: str, funnel: Funnel) -> list[dict[str, Any]]:
    return [
        {
            "name": stage_label(lang, s.stage),
            "kind": s.stage.kind.value,
            "count": s.count,
            "amounts": s.amounts,
            "reached": s.reached,
            "conversion": None if s.conversion is None else round(s.conversion * 100),
        }
        for s in funnel.stages
    ]


def funnel_chart(lang: str, funnels: Sequence[Funnel]) -> bytes | None:
    """A PNG of each pipeline's funnel (deals that reached each stage), or None without
    matplotlib (see ``handlers.charts``)."""
    plt = pyplot()
    if plt is None:
        return None
    shown = [f for f in funnels if f.total] or list(funnels[:1])
    if not shown:
        return None
    fig, axes = plt.subplots(
        len(shown),
        1,
        figsize=(7, 0.6 + 0.55 * max(len(f.stages) for f in shown) * len(shown)),
        squeeze=False,
    )
    try:
        for ax, funnel in zip(axes[:, 0], shown, strict=True):
            stages = [s for s in funnel.stages if s.stage.kind is not StageKind.LOST]
            names = [stage_label(lang, s.stage) for s in stages][::-1]
            reached = [s.reached for s in stages][::-1]
            colors = ["#2e7d32" if s.stage.kind is StageKind.WON else "#1565c0" for s in stages]
            bars = ax.barh(names, reached, color=colors[::-1])
            for bar, s in zip(bars, stages[::-1], strict=True):
                note = f" {number(s.reached, lang)}"
                if s.conversion is not None:
                    note += f" ({format_percent(s.conversion, locale=lang)})"
                ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, note, va="center")
            ax.set_title(
                label(
                    lang, "crm.funnel_chart_title", pipeline=pipeline_label(lang, funnel.pipeline)
                )
            )
            ax.set_xlim(0, max([*reached, 1]) * 1.25)
            ax.spines[["top", "right"]].set_visible(False)
    except Exception:
        plt.close(fig)
        raise
    return png(plt, fig)


async def show_funnel(turn: Turn, period: str) -> list[Reply]:
    since = service.period_start(period, turn.now, turn.tz)
    funnels = await service.funnel(turn.uow, turn.me, since, turn.now)
    buttons = (
        tuple(
            turn.button(f"crm.period.{p}", FunnelPeriod(p))
            for p in service.Period.CHOICES
            if p != period
        ),
    )
    reply = turn.edit(
        "crm_funnel",
        buttons,
        period=period,
        since=since,
        funnels=[
            {
                "name": pipeline_label(turn.lang, f.pipeline),
                "total": f.total,
                "won_rate": None if f.won_rate is None else round(f.won_rate * 100),
                "stages": _funnel_rows(turn.lang, f),
            }
            for f in funnels
        ],
    )
    return [replace(reply, image=funnel_chart(turn.lang, funnels))]


async def funnel_command(turn: Turn) -> list[Reply]:
    """/funnel [week|month|quarter|year|all] — default: this month."""
    period = (turn.inbound.args.strip().lower() or service.Period.MONTH).split()[0]
    if period not in service.Period.CHOICES:
        raise InvalidInput(field="period", reason="unknown", value=period)
    return await show_funnel(turn, period)


async def funnel_pressed(turn: Turn, pressed: FunnelPeriod) -> list[Reply]:
    return await show_funnel(turn, pressed.period)


COMMANDS = {
    "lead": lead_command,
    "deal": deal_command,
    "leads": personal("leads", leads_command),
    "deals": personal("deals", deals_command),
    "client": personal("client", client_command, with_args),
    "funnel": personal("funnel", funnel_command),
}
ACTIONS = {
    OpenRecord: open_pressed,
    TakeRecord: take_pressed,
    AskOwner: assign_pressed,
    AssignRecord: assign_picked,
    CallTask: call_pressed,
    ConvertLead: convert_pressed,
    MergeLead: merge_pressed,
    AskRecordComment: comment_pressed,
    NextStage: next_pressed,
    AskStage: stages_pressed,
    SetStage: stage_picked,
    DealWon: won_pressed,
    DealLost: lost_pressed,
    FixLead: fix_pressed,
    LeadsPage: leads_pressed,
    DealsPage: deals_pressed,
    FunnelPeriod: funnel_pressed,
    AskAmount: amount_pressed,
}
PROMPTS = {
    "crm_lead": lead_answer,
    "crm_fix": fix_answer,
    "crm_assign": assign_answer,
    "crm_comment": comment_answer,
    "crm_lost": lost_answer,
    "crm_client": client_answer,
    "crm_amount": amount_answer,
}
