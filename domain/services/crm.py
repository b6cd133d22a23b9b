"""CRM use cases: capture and work leads, convert them, move deals, the funnel, stale deals.

Every function takes the unit of work first and ``now`` last; the caller commits.
Permissions are checked here at action time from the record's owner and the actor's
place in the company (``domain.crm.scope_for``); a record the actor may not see is
reported as not found.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.company import Company, Member, Role
from domain.crm import (
    Activity,
    ActivityKind,
    ClientCompany,
    Contact,
    CrmAction,
    CrmNotFound,
    CrmNotPermitted,
    CrmRules,
    CrmScope,
    Deal,
    EntityKind,
    EntityRef,
    FormNotFound,
    Funnel,
    Lead,
    LeadForm,
    LeadInput,
    LeadStatus,
    NewActivity,
    NewClientCompany,
    NewContact,
    NewDeal,
    NewLead,
    NewLeadForm,
    NewPipeline,
    Pipeline,
    Stage,
    StageKind,
    build_funnel,
    call_deadline,
    clean_lead,
    crm_can,
    crm_require,
    default_pipeline,
    name_key,
    normalize_email,
    notification_key,
    phone_region_for,
    pick_round_robin,
    scope_for,
    validate_stages,
    web_lead_candidates,
)
from domain.errors import InvalidInput, MemberNotFound, NotPermitted
from domain.notifications import Notification
from domain.ports import (
    ClientMatch,
    CrmListQuery,
    DuplicateKeys,
    FunnelQuery,
    Page,
    UnitOfWork,
)
from domain.services.tasks import CreateTask, create_task
from domain.tasks import Priority, Task

PAGE_SIZE = 8
TIMELINE_SIZE = 8
CARD_TASKS = 10
Record = Lead | Contact | ClientCompany | Deal
# (language, lead name) -> the title of the "call the lead" task; the conversation layer
# provides it from its templates, so no user-facing text lives here.
CallTitle = Callable[[str, str], str]


# -- read models ------------------------------------------------------------------------


@dataclass(frozen=True)
class CrmCard:
    """A lead, contact, company or deal with what its card shows around it.

    Time tracked on the linked tasks is not shown yet: time tracking is not built.
    """

    ref: EntityRef
    record: Record
    can: frozenset[CrmAction]
    owner_name: str | None = None
    names: dict[int, str] = field(default_factory=dict)
    timeline: Sequence[Activity] = ()
    tasks: Sequence[Task] = ()
    duplicates: Sequence[tuple[EntityRef, str]] = ()
    pipeline: Pipeline | None = None
    stage: Stage | None = None
    next_stage: Stage | None = None
    deals: Sequence[Deal] = ()
    contacts: Sequence[Contact] = ()
    contact: Contact | None = None
    client_company: ClientCompany | None = None


@dataclass(frozen=True)
class LeadCreated:
    lead: Lead
    duplicates: Sequence[EntityRef]
    task: Task | None


@dataclass(frozen=True)
class Conversion:
    lead: Lead
    contact: Contact
    client_company: ClientCompany | None
    deal: Deal


# -- context ------------------------------------------------------------------------------


async def crm_scope(uow: UnitOfWork, actor: Member) -> CrmScope:
    members = await uow.members.list(actor.company_id)
    departments = await uow.departments.list(actor.company_id)
    return scope_for(actor, members, departments)


async def _company(uow: UnitOfWork, company_id: int) -> Company:
    company = await uow.companies.get(company_id)
    if company is None:
        raise CrmNotFound(ref=f"company {company_id}")
    return company


def region_of(company: Company, rules: CrmRules) -> str | None:
    return phone_region_for(company.timezone, rules.phone_region)


def _require_crm_user(actor: Member) -> None:
    if actor.role is Role.EXTRANET or not actor.active:
        raise CrmNotPermitted(action="crm")


async def _fetch(uow: UnitOfWork, ref: EntityRef) -> Record | None:
    match ref.kind:
        case EntityKind.LEAD:
            return await uow.crm.get_lead(ref.id)
        case EntityKind.CONTACT:
            return await uow.crm.get_contact(ref.id)
        case EntityKind.COMPANY:
            return await uow.crm.get_client_company(ref.id)
        case EntityKind.DEAL:
            return await uow.crm.get_deal(ref.id)


async def load(uow: UnitOfWork, actor: Member, ref: EntityRef, action: CrmAction) -> Record:
    """A record the actor may act on, or CrmNotFound / CrmNotPermitted."""
    _require_crm_user(actor)
    record = await _fetch(uow, ref)
    if record is None:
        raise CrmNotFound(ref=str(ref))
    scope = await crm_scope(uow, actor)
    crm_require(actor, record.company_id, record.owner_id, scope, action, ref)
    return record


async def _save(uow: UnitOfWork, record: Record) -> None:
    match record:
        case Lead():
            await uow.crm.save_lead(record)
        case Contact():
            await uow.crm.save_contact(record)
        case ClientCompany():
            await uow.crm.save_client_company(record)
        case Deal():
            await uow.crm.save_deal(record)


async def _log(
    uow: UnitOfWork,
    record: Record,
    kind: ActivityKind,
    at: datetime,
    actor_id: int | None,
    text: str | None = None,
) -> None:
    await uow.crm.add_activity(
        NewActivity(record.company_id, str(record.ref), kind, at, actor_id, text)
    )
    if isinstance(record, Lead | Deal):
        record.last_activity_at = at


async def _colleague(uow: UnitOfWork, company_id: int, member_id: int) -> Member:
    member = await uow.members.get(member_id)
    if (
        member is None
        or member.company_id != company_id
        or not member.active
        or member.role is Role.EXTRANET
    ):
        raise MemberNotFound(member_id=member_id)
    return member


def _notify(
    member_id: int | None, kind: str, ref: EntityRef, actor_id: int | None, key: str
) -> Notification | None:
    if member_id is None or member_id == actor_id:
        return None
    return Notification(
        member_id=member_id,
        kind=kind,
        data={notification_key(ref.kind): ref.id, "actor_id": actor_id},
        dedup_key=f"{kind}:{ref}:{member_id}:{key}",
    )


async def _send(uow: UnitOfWork, notification: Notification | None) -> None:
    if notification is not None:
        await uow.outbox.add(notification)


# -- leads --------------------------------------------------------------------------------


async def create_lead(
    uow: UnitOfWork,
    actor: Member | None,
    data: LeadInput,
    now: datetime,
    rules: CrmRules,
    call_title: CallTitle,
    *,
    form: LeadForm | None = None,
) -> LeadCreated:
    """A new lead from a chat message (``actor`` owns it) or a website form (round-robin).

    Duplicates are flagged, the owner gets a "call the lead" task inside working hours,
    and a web lead is announced to its owner through the outbox.
    """
    if actor is not None:
        _require_crm_user(actor)
        company_id = actor.company_id
    elif form is not None:
        company_id = form.company_id
    else:
        raise InvalidInput(field="lead", reason="no_source")
    company = await _company(uow, company_id)
    clean = clean_lead(data, region_of(company, rules), strict_name=form is not None)
    duplicates = await uow.crm.duplicates(
        DuplicateKeys(company_id, clean.phone_key, clean.email_key, name_key(clean.company_name))
    )
    owner_id = actor.id if actor is not None else await _next_web_owner(uow, company_id)
    lead = NewLead(
        company_id=company_id,
        name=clean.name,
        created_at=now,
        phone=clean.phone or _raw_phone(data),
        email=clean.email,
        company_name=clean.company_name,
        source=clean.source or ("web" if form else "chat"),
        comment=clean.comment,
        owner_id=owner_id,
        created_by=actor.id if actor else None,
        form_id=form.id if form else None,
        duplicate_of=str(duplicates[0]) if duplicates else None,
        last_activity_at=now,
        amount=data.amount,
        currency=(data.currency or rules.default_currency) if data.amount is not None else None,
    )
    lead = await uow.crm.add_lead(lead)
    await _log(uow, lead, ActivityKind.CREATED, now, actor.id if actor else None, lead.source)
    task = None
    if owner_id is not None:
        owner = await uow.members.get(owner_id)
        if owner is not None and owner.active:
            task = await _call_task(uow, owner, owner, lead, company, now, rules, call_title)
    if form is not None:
        await _send(uow, _notify(owner_id, "lead.new", lead.ref, None, "new"))
    await uow.crm.save_lead(lead)
    return LeadCreated(lead, duplicates, task)


def _raw_phone(data: LeadInput) -> str | None:
    return data.phone.strip() if data.phone and data.phone.strip() else None


async def _next_web_owner(uow: UnitOfWork, company_id: int) -> int | None:
    members = await uow.members.list(company_id)
    departments = await uow.departments.list(company_id)
    candidates = web_lead_candidates(members, departments)
    return pick_round_robin(candidates, await uow.crm.last_web_lead_owner(company_id))


async def _call_task(
    uow: UnitOfWork,
    actor: Member,
    owner: Member,
    record: Lead | Contact | ClientCompany | Deal,
    company: Company,
    now: datetime,
    rules: CrmRules,
    call_title: CallTitle,
) -> Task:
    lang = owner.language or company.language
    title = call_title(lang, _display_name(record))
    deadline = call_deadline(
        now, owner.timezone, company.schedule, timedelta(minutes=rules.lead_sla_minutes)
    )
    task = await create_task(
        uow,
        actor,
        CreateTask(
            title=title,
            description=_call_plan(record),
            responsible_id=owner.id,
            priority=Priority.HIGH,
            deadline=deadline,
            accept_after_completion=False,
            crm_links=(str(record.ref),),
        ),
        now,
    )
    await _log(uow, record, ActivityKind.TASK, now, actor.id, f"#{task.id}")
    return task


def _display_name(record: Record) -> str:
    return record.title if isinstance(record, Deal) else record.name


def _call_plan(record: Record) -> str | None:
    """Contact details for the task's description (data, not prose)."""
    if isinstance(record, Deal):
        return None
    parts = [record.phone, record.email]
    if isinstance(record, Lead):
        parts += [record.company_name, record.comment]
    return "\n".join(p for p in parts if p) or None


async def lead_duplicates(uow: UnitOfWork, lead: Lead, rules: CrmRules) -> Sequence[EntityRef]:
    return await uow.crm.duplicates(
        DuplicateKeys(
            lead.company_id,
            lead.phone if lead.phone and lead.phone.startswith("+") else None,
            normalize_email(lead.email),
            name_key(lead.company_name),
            exclude=lead.ref,
        )
    )


async def take(uow: UnitOfWork, actor: Member, ref: EntityRef, now: datetime) -> Record:
    """Become the owner of a record (from the pool, or a supervisor taking it over)."""
    record = await load(uow, actor, ref, CrmAction.TAKE)
    if record.owner_id == actor.id:
        return record
    previous = record.owner_id
    record.owner_id = actor.id
    if isinstance(record, Lead) and record.status is LeadStatus.NEW:
        record.status = LeadStatus.IN_PROGRESS
    await _log(uow, record, ActivityKind.ASSIGNED, now, actor.id, str(actor.id))
    await _save(uow, record)
    taken = _notify(previous, "crm.taken", ref, actor.id, now.isoformat())
    if taken is not None:
        taken.data.update(kind=ref.kind.value, name=_display_name(record))
    await _send(uow, taken)
    return record


async def assign(
    uow: UnitOfWork, actor: Member, ref: EntityRef, member_id: int, now: datetime
) -> Record:
    record = await load(uow, actor, ref, CrmAction.ASSIGN)
    member = await _colleague(uow, actor.company_id, member_id)
    if record.owner_id == member.id:
        return record
    record.owner_id = member.id
    await _log(uow, record, ActivityKind.ASSIGNED, now, actor.id, str(member.id))
    await _save(uow, record)
    await _send(uow, _notify(member.id, "crm.assigned", ref, actor.id, now.isoformat()))
    return record


async def comment(
    uow: UnitOfWork, actor: Member, ref: EntityRef, text: str, now: datetime
) -> Record:
    record = await load(uow, actor, ref, CrmAction.WORK)
    text = text.strip()
    if not text:
        raise InvalidInput(field="comment", reason="empty")
    await _log(uow, record, ActivityKind.COMMENT, now, actor.id, text[:2000])
    if isinstance(record, Lead) and record.status is LeadStatus.NEW:
        record.status = LeadStatus.IN_PROGRESS
    await _save(uow, record)
    return record


async def call_task(
    uow: UnitOfWork,
    actor: Member,
    ref: EntityRef,
    now: datetime,
    rules: CrmRules,
    call_title: CallTitle,
) -> Task:
    """A "call" task for the record's owner (the actor when nobody owns it)."""
    record = await load(uow, actor, ref, CrmAction.WORK)
    owner = actor
    if record.owner_id is not None and record.owner_id != actor.id:
        owner = await _colleague(uow, actor.company_id, record.owner_id)
    company = await _company(uow, record.company_id)
    task = await _call_task(uow, actor, owner, record, company, now, rules, call_title)
    await _save(uow, record)
    return task


_FIXABLE = ("name", "phone", "email", "company", "comment")


async def fix_lead(
    uow: UnitOfWork,
    actor: Member,
    lead_id: int,
    field_name: str,
    value: str,
    now: datetime,
    rules: CrmRules,
) -> Lead:
    """Correct one field the parser got wrong; the whole lead is validated again."""
    if field_name not in _FIXABLE:
        raise InvalidInput(field="field", reason="unknown", value=field_name)
    lead = await load(uow, actor, EntityRef(EntityKind.LEAD, lead_id), CrmAction.WORK)
    assert isinstance(lead, Lead)
    company = await _company(uow, lead.company_id)
    current = {
        "name": lead.name,
        "phone": lead.phone,
        "email": lead.email,
        "company": lead.company_name,
        "comment": lead.comment,
    }
    current[field_name] = value.strip() or None
    clean = clean_lead(
        LeadInput(
            name=current["name"],
            phone=current["phone"],
            email=current["email"],
            company_name=current["company"],
            comment=current["comment"],
            source=lead.source,
        ),
        region_of(company, rules),
        strict_name=False,
    )
    lead.name, lead.phone, lead.email = clean.name, clean.phone, clean.email
    lead.company_name, lead.comment = clean.company_name, clean.comment
    duplicates = await lead_duplicates(uow, lead, rules)
    lead.duplicate_of = str(duplicates[0]) if duplicates else None
    await _log(uow, lead, ActivityKind.EDITED, now, actor.id, field_name)
    await uow.crm.save_lead(lead)
    return lead


def _open_lead(lead: Lead) -> None:
    if not lead.is_open:
        raise InvalidInput(field="lead", reason="closed", status=lead.status.value)


async def convert_lead(
    uow: UnitOfWork,
    actor: Member,
    lead_id: int,
    now: datetime,
    rules: CrmRules,
    *,
    amount: Decimal | None = None,
) -> Conversion:
    """Lead -> contact + client company (when it names one) + deal, in one step.

    An existing client company with the same name is reused, and so is a contact the
    lead was flagged as a duplicate of. The lead keeps its timeline; the new deal's and
    contact's cards show it (they remember the lead they came from).
    """
    lead = await load(uow, actor, EntityRef(EntityKind.LEAD, lead_id), CrmAction.WORK)
    assert isinstance(lead, Lead)
    _open_lead(lead)
    client: ClientCompany | None = None
    if lead.company_name:
        client = await uow.crm.client_company_by_name(lead.company_id, lead.company_name)
        if client is None:
            client = await uow.crm.add_client_company(
                NewClientCompany(
                    company_id=lead.company_id,
                    name=lead.company_name,
                    created_at=now,
                    owner_id=lead.owner_id,
                    source_lead_id=lead.id,
                )
            )
            await _log(uow, client, ActivityKind.CREATED, now, actor.id, str(lead.ref))
    contact: Contact | None = None
    if lead.duplicate_of and lead.duplicate_of.startswith("contact:"):
        contact = await uow.crm.get_contact(EntityRef.parse(lead.duplicate_of).id)
    if contact is None:
        contact = await uow.crm.add_contact(
            NewContact(
                company_id=lead.company_id,
                name=lead.name,
                created_at=now,
                phone=lead.phone,
                email=lead.email,
                client_company_id=client.id if client else None,
                owner_id=lead.owner_id,
                source_lead_id=lead.id,
            )
        )
        await _log(uow, contact, ActivityKind.CREATED, now, actor.id, str(lead.ref))
    pipeline = await ensure_pipeline(uow, lead.company_id)
    stage = pipeline.first_stage()
    deal = await uow.crm.add_deal(
        NewDeal(
            company_id=lead.company_id,
            title=(lead.company_name or lead.name)[:250],
            pipeline_id=pipeline.id,
            stage_id=stage.id,
            created_at=now,
            # the amount given now, else the budget written in the lead
            amount=amount if amount is not None else lead.amount,
            currency=(lead.currency if amount is None else None) or rules.default_currency,
            reached_position=stage.position,
            owner_id=lead.owner_id,
            contact_id=contact.id,
            client_company_id=client.id if client else None,
            source_lead_id=lead.id,
            last_activity_at=now,
        )
    )
    await _log(uow, deal, ActivityKind.CREATED, now, actor.id, str(lead.ref))
    await uow.crm.save_deal(deal)
    lead.status = LeadStatus.CONVERTED
    lead.contact_id, lead.deal_id = contact.id, deal.id
    lead.client_company_id = client.id if client else None
    await _log(uow, lead, ActivityKind.CONVERTED, now, actor.id, str(deal.ref))
    await uow.crm.save_lead(lead)
    return Conversion(lead, contact, client, deal)


async def merge_lead(
    uow: UnitOfWork, actor: Member, lead_id: int, target: EntityRef, now: datetime
) -> Record:
    """Fold a duplicate lead into the record it duplicates: missing details are copied,
    the timeline and the linked tasks move over, the lead is closed as merged."""
    lead = await load(uow, actor, EntityRef(EntityKind.LEAD, lead_id), CrmAction.WORK)
    assert isinstance(lead, Lead)
    _open_lead(lead)
    if target == lead.ref or target.kind is EntityKind.DEAL:
        raise InvalidInput(field="merge", reason="bad_target", value=str(target))
    into = await load(uow, actor, target, CrmAction.WORK)
    if isinstance(into, Lead):
        _open_lead(into)
        into.company_name = into.company_name or lead.company_name
        into.comment = "\n".join(c for c in (into.comment, lead.comment) if c) or None
    if not isinstance(into, Deal):
        into.phone = into.phone or lead.phone
        into.email = into.email or lead.email
    await uow.crm.move_activities(lead.ref, into.ref)
    for task_id in await uow.crm.linked_task_ids(lead.company_id, [lead.ref], 100):
        task = await uow.tasks.get(task_id)
        if task is not None:
            task.crm_links = (task.crm_links - {str(lead.ref)}) | {str(into.ref)}
            await uow.tasks.save(task)
    lead.status = LeadStatus.MERGED
    lead.merged_into = str(into.ref)
    await _log(uow, lead, ActivityKind.MERGED, now, actor.id, str(into.ref))
    await uow.crm.save_lead(lead)
    await _log(uow, into, ActivityKind.MERGED, now, actor.id, str(lead.ref))
    await _save(uow, into)
    return into


# -- pipelines and deals -------------------------------------------------------------------


async def ensure_pipeline(uow: UnitOfWork, company_id: int) -> Pipeline:
    """The company's first pipeline; the default one is made on first use."""
    pipelines = await uow.crm.pipelines(company_id)
    if pipelines:
        return pipelines[0]
    return await uow.crm.add_pipeline(default_pipeline(company_id))


async def create_pipeline(
    uow: UnitOfWork, actor: Member, name: str, stages: Sequence[tuple[str, StageKind]]
) -> Pipeline:
    """Admins configure pipelines: named stages in order, one won and one lost stage."""
    if actor.role is not Role.ADMIN:
        raise NotPermitted(action="pipeline")
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(field="pipeline", reason="empty")
    await ensure_pipeline(uow, actor.company_id)
    return await uow.crm.add_pipeline(
        NewPipeline(actor.company_id, name[:100], validate_stages(stages))
    )


async def create_deal(
    uow: UnitOfWork,
    actor: Member,
    title: str,
    now: datetime,
    rules: CrmRules,
    *,
    amount: Decimal | None = None,
    currency: str | None = None,
    pipeline_id: int | None = None,
    contact_id: int | None = None,
    client_company_id: int | None = None,
    expected_close: date | None = None,
) -> Deal:
    _require_crm_user(actor)
    title = " ".join(title.split())[:250]
    if not title:
        raise InvalidInput(field="title", reason="empty")
    if pipeline_id is None:
        pipeline = await ensure_pipeline(uow, actor.company_id)
    else:
        found = await uow.crm.get_pipeline(pipeline_id)
        if found is None or found.company_id != actor.company_id:
            raise InvalidInput(field="pipeline", reason="unknown", value=pipeline_id)
        pipeline = found
    for ref_id, kind in ((contact_id, EntityKind.CONTACT), (client_company_id, EntityKind.COMPANY)):
        if ref_id is not None:
            await load(uow, actor, EntityRef(kind, ref_id), CrmAction.VIEW)
    stage = pipeline.first_stage()
    deal = await uow.crm.add_deal(
        NewDeal(
            company_id=actor.company_id,
            title=title,
            pipeline_id=pipeline.id,
            stage_id=stage.id,
            created_at=now,
            amount=amount,
            currency=(currency or rules.default_currency).upper()[:3],
            reached_position=stage.position,
            owner_id=actor.id,
            contact_id=contact_id,
            client_company_id=client_company_id,
            expected_close=expected_close,
            last_activity_at=now,
        )
    )
    await _log(uow, deal, ActivityKind.CREATED, now, actor.id, None)
    await uow.crm.save_deal(deal)
    return deal


async def _deal_and_pipeline(
    uow: UnitOfWork, actor: Member, deal_id: int, action: CrmAction
) -> tuple[Deal, Pipeline]:
    deal = await load(uow, actor, EntityRef(EntityKind.DEAL, deal_id), action)
    assert isinstance(deal, Deal)
    pipeline = await uow.crm.get_pipeline(deal.pipeline_id)
    assert pipeline is not None
    return deal, pipeline


async def move_deal(
    uow: UnitOfWork,
    actor: Member,
    deal_id: int,
    stage_id: int,
    now: datetime,
    *,
    reason: str | None = None,
) -> Deal:
    """Put a deal in a stage of its pipeline; lost needs a reason, won and lost close it."""
    deal, pipeline = await _deal_and_pipeline(uow, actor, deal_id, CrmAction.WORK)
    old = pipeline.stage(deal.stage_id)
    new = pipeline.stage(stage_id)
    if new.id == old.id:
        return deal
    if new.kind is StageKind.WON and deal.amount is None:
        # A won deal counts in the funnel's sums: its amount is asked for first.
        raise InvalidInput(field="amount", reason="required_for_won", deal_id=deal.id)
    deal.move_to(pipeline, new, now, reason)
    text = f"{old.id}>{new.id}" + (f": {deal.lost_reason}" if deal.lost_reason else "")
    await _log(uow, deal, ActivityKind.STAGE, now, actor.id, text)
    await uow.crm.save_deal(deal)
    return deal


async def next_stage(uow: UnitOfWork, actor: Member, deal_id: int, now: datetime) -> Deal:
    deal, pipeline = await _deal_and_pipeline(uow, actor, deal_id, CrmAction.WORK)
    if not deal.is_open:
        raise InvalidInput(field="deal", reason="closed")
    nxt = pipeline.next_open(deal.stage_id)
    if nxt is None:
        raise InvalidInput(field="stage", reason="last_open_stage")
    return await move_deal(uow, actor, deal_id, nxt.id, now)


async def close_deal(
    uow: UnitOfWork,
    actor: Member,
    deal_id: int,
    won: bool,
    now: datetime,
    *,
    reason: str | None = None,
) -> Deal:
    _, pipeline = await _deal_and_pipeline(uow, actor, deal_id, CrmAction.WORK)
    stage = pipeline.closing(StageKind.WON if won else StageKind.LOST)
    return await move_deal(uow, actor, deal_id, stage.id, now, reason=reason)


async def set_deal_amount(
    uow: UnitOfWork,
    actor: Member,
    deal_id: int,
    amount: Decimal,
    now: datetime,
    currency: str | None = None,
) -> Deal:
    """The deal's amount (and currency: unchanged when not given); the timeline keeps it."""
    deal, _ = await _deal_and_pipeline(uow, actor, deal_id, CrmAction.WORK)
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
        raise InvalidInput(field="amount", reason="out_of_range", value=str(amount))
    deal.amount = amount.quantize(Decimal("0.01"))
    deal.currency = (currency or deal.currency).upper()[:3]
    text = f"amount:{deal.amount} {deal.currency}"
    await _log(uow, deal, ActivityKind.EDITED, now, actor.id, text)
    await uow.crm.save_deal(deal)
    return deal


# -- reading --------------------------------------------------------------------------------


async def _names(uow: UnitOfWork, ids: set[int | None]) -> dict[int, str]:
    names: dict[int, str] = {}
    for member_id in ids:
        if member_id is not None:
            member = await uow.members.get(member_id)
            if member is not None:
                names[member_id] = member.name
    return names


async def _tasks(uow: UnitOfWork, company_id: int, refs: Sequence[EntityRef]) -> list[Task]:
    found = []
    for task_id in await uow.crm.linked_task_ids(company_id, refs, CARD_TASKS):
        task = await uow.tasks.get(task_id)
        if task is not None:
            found.append(task)
    return found


async def ref_name(uow: UnitOfWork, ref: EntityRef) -> str:
    record = await _fetch(uow, ref)
    return _display_name(record) if record is not None else "?"


async def card(uow: UnitOfWork, actor: Member, ref: EntityRef, rules: CrmRules) -> CrmCard:
    record = await load(uow, actor, ref, CrmAction.VIEW)
    scope = await crm_scope(uow, actor)
    history_refs = [ref]
    extra: dict[str, object] = {}
    if isinstance(record, Lead):
        if record.is_open:
            dups = await lead_duplicates(uow, record, rules)
            extra["duplicates"] = [(d, await ref_name(uow, d)) for d in dups]
    elif isinstance(record, Deal):
        pipeline = await uow.crm.get_pipeline(record.pipeline_id)
        assert pipeline is not None
        extra["pipeline"] = pipeline
        extra["stage"] = pipeline.stage(record.stage_id)
        extra["next_stage"] = pipeline.next_open(record.stage_id) if record.is_open else None
        if record.contact_id:
            extra["contact"] = await uow.crm.get_contact(record.contact_id)
        if record.client_company_id:
            extra["client_company"] = await uow.crm.get_client_company(record.client_company_id)
        if record.source_lead_id:
            history_refs.append(EntityRef(EntityKind.LEAD, record.source_lead_id))
    else:
        extra["deals"] = await uow.crm.deals_of(ref)
        if isinstance(record, ClientCompany):
            extra["contacts"] = await uow.crm.contacts_of(record.id)
        if isinstance(record, Contact) and record.client_company_id:
            extra["client_company"] = await uow.crm.get_client_company(record.client_company_id)
        if record.source_lead_id:
            history_refs.append(EntityRef(EntityKind.LEAD, record.source_lead_id))
    timeline = await uow.crm.timeline(history_refs, TIMELINE_SIZE)
    names = await _names(uow, {record.owner_id, *(a.actor_id for a in timeline)})
    return CrmCard(
        ref=ref,
        record=record,
        can=crm_can(actor, record.owner_id, scope),
        owner_name=names.get(record.owner_id) if record.owner_id else None,
        names=names,
        timeline=timeline,
        tasks=await _tasks(uow, record.company_id, history_refs),
        **extra,  # type: ignore[arg-type]
    )


async def list_leads(
    uow: UnitOfWork, actor: Member, *, page: int = 0, open_only: bool = True
) -> Page[Lead]:
    _require_crm_user(actor)
    scope = await crm_scope(uow, actor)
    return await uow.crm.list_leads(
        CrmListQuery(actor.company_id, scope, open_only, PAGE_SIZE, max(page, 0) * PAGE_SIZE)
    )


async def list_deals(
    uow: UnitOfWork, actor: Member, *, page: int = 0, open_only: bool = True
) -> Page[Deal]:
    _require_crm_user(actor)
    scope = await crm_scope(uow, actor)
    return await uow.crm.list_deals(
        CrmListQuery(actor.company_id, scope, open_only, PAGE_SIZE, max(page, 0) * PAGE_SIZE)
    )


async def find_clients(uow: UnitOfWork, actor: Member, text: str) -> Sequence[ClientMatch]:
    _require_crm_user(actor)
    text = " ".join(text.split())
    if len(text) < 2:
        raise InvalidInput(field="query", reason="empty")
    scope = await crm_scope(uow, actor)
    return await uow.crm.search_clients(actor.company_id, scope, text, PAGE_SIZE)


class Period:
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ALL = "all"
    CHOICES = (WEEK, MONTH, QUARTER, YEAR, ALL)


def period_start(period: str, now: datetime, tz: str) -> datetime | None:
    """The start of the current calendar week/month/quarter/year in ``tz``; None for "all"."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    match period:
        case Period.WEEK:
            day = today - timedelta(days=today.weekday())
        case Period.MONTH:
            day = today.replace(day=1)
        case Period.QUARTER:
            day = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        case Period.YEAR:
            day = today.replace(month=1, day=1)
        case Period.ALL:
            return None
        case _:
            raise InvalidInput(field="period", reason="unknown", value=period)
    return datetime.combine(day, datetime.min.time(), tzinfo=zone)


async def funnel(
    uow: UnitOfWork,
    actor: Member,
    since: datetime | None,
    until: datetime,
    *,
    pipeline_id: int | None = None,
    owner_id: int | None = None,
) -> list[Funnel]:
    """The funnel of each pipeline (or one) for deals created in [since, until) that the
    actor may see (of one owner among them, if given): deals per stage, amounts, and
    stage-to-stage conversion."""
    _require_crm_user(actor)
    scope = await crm_scope(uow, actor)
    if owner_id is not None:
        scope = scope.narrowed_to(owner_id)
    await ensure_pipeline(uow, actor.company_id)
    pipelines = [
        p for p in await uow.crm.pipelines(actor.company_id) if pipeline_id in (None, p.id)
    ]
    result = []
    for pipeline in pipelines:
        totals, reached = await uow.crm.funnel_totals(
            FunnelQuery(actor.company_id, pipeline.id, scope, since, until)
        )
        result.append(build_funnel(pipeline, totals, reached, since, until))
    return result


# -- stale deals ---------------------------------------------------------------------------


async def enqueue_stale_deal_alerts(
    uow: UnitOfWork, now: datetime, days: int, *, limit: int = 1000
) -> int:
    """Tell each owner about their open deals with no activity for ``days`` days.

    One alert per deal per the owner's local date (the dedup key), so the scheduler may
    run this as often as it likes. Returns how many alerts were queued.
    """
    queued = 0
    owners: dict[int, Member | None] = {}
    for deal in await uow.crm.stale_deals(now - timedelta(days=days), limit):
        if deal.owner_id is None:
            continue
        if deal.owner_id not in owners:
            owners[deal.owner_id] = await uow.members.get(deal.owner_id)
        owner = owners[deal.owner_id]
        if owner is None or not owner.active:
            continue
        local_day = now.astimezone(ZoneInfo(owner.timezone)).date().isoformat()
        last = deal.last_activity_at or deal.created_at
        added = await uow.outbox.add(
            Notification(
                member_id=owner.id,
                kind="deal.stale",
                data={"deal_id": deal.id, "days": (now - last).days},
                dedup_key=f"deal.stale:{deal.id}:{local_day}",
            )
        )
        queued += int(added)
    return queued


# -- website forms -------------------------------------------------------------------------


async def create_form(uow: UnitOfWork, company_id: int, name: str, now: datetime) -> LeadForm:
    name = " ".join(name.split())[:100]
    if not name:
        raise InvalidInput(field="form", reason="empty")
    await _company(uow, company_id)
    return await uow.crm.add_form(NewLeadForm(company_id, name, secrets.token_urlsafe(24), now))


async def submit_web_lead(
    uow: UnitOfWork,
    token: str,
    data: LeadInput,
    now: datetime,
    rules: CrmRules,
    call_title: CallTitle,
) -> Lead:
    """A lead from a website form: the token names the form (and so the company)."""
    form = await uow.crm.form_by_token(token) if token else None
    if form is None or not form.active:
        raise FormNotFound()
    source = data.source or f"web:{form.name}"
    created = await create_lead(
        uow, None, replace(data, source=source), now, rules, call_title, form=form
    )
    return created.lead
