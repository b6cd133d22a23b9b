"""The CRM repository: rows <-> leads, contacts, client companies, pipelines, deals, activities.

The funnel and the stale-deal sweep are single aggregate / filtered queries; nothing
here loops over deals in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    false,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from domain.crm import (
    Activity,
    ActivityKind,
    ClientCompany,
    Contact,
    CrmScope,
    Deal,
    EntityKind,
    EntityRef,
    Lead,
    LeadForm,
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
    StageTotals,
    name_key,
    normalize_email,
)
from domain.ids import with_id
from domain.ports import ClientMatch, CrmListQuery, DuplicateKeys, FunnelQuery, Page
from storage.models import TaskRow
from storage.models.crm import (
    CrmActivityRow,
    CrmCompanyRow,
    CrmContactRow,
    CrmDealRow,
    CrmFormRow,
    CrmLeadRow,
    CrmPipelineRow,
    CrmStageRow,
)
from storage.repositories._sql import inserted_id

_LEAD_FIELDS = (
    "company_id", "name", "phone", "email", "company_name", "source", "comment", "owner_id",
    "created_by", "form_id", "duplicate_of", "contact_id", "client_company_id", "deal_id",
    "merged_into", "created_at", "last_activity_at", "amount", "currency",
)  # fmt: skip
_CONTACT_FIELDS = (
    "company_id", "name", "phone", "email", "client_company_id", "owner_id", "source_lead_id",
    "created_at",
)  # fmt: skip
_COMPANY_FIELDS = (
    "company_id", "name", "phone", "email", "owner_id", "source_lead_id", "created_at",
)  # fmt: skip
_DEAL_FIELDS = (
    "company_id", "title", "amount", "currency", "pipeline_id", "stage_id", "reached_position",
    "owner_id", "contact_id", "client_company_id", "expected_close", "lost_reason",
    "source_lead_id", "created_at", "closed_at", "last_activity_at",
)  # fmt: skip


def _lead_values(lead: NewLead) -> dict[str, Any]:
    values = {f: getattr(lead, f) for f in _LEAD_FIELDS}
    values.update(
        status=lead.status.value,
        phone_key=lead.phone if lead.phone and lead.phone.startswith("+") else None,
        email_key=normalize_email(lead.email),
        company_key=name_key(lead.company_name),
    )
    return values


def _lead(row: CrmLeadRow) -> Lead:
    return Lead(
        id=row.id, status=LeadStatus(row.status), **{f: getattr(row, f) for f in _LEAD_FIELDS}
    )


def _contact_values(contact: NewContact) -> dict[str, Any]:
    values = {f: getattr(contact, f) for f in _CONTACT_FIELDS}
    values.update(
        phone_key=contact.phone if contact.phone and contact.phone.startswith("+") else None,
        email_key=normalize_email(contact.email),
    )
    return values


def _contact(row: CrmContactRow) -> Contact:
    return Contact(id=row.id, **{f: getattr(row, f) for f in _CONTACT_FIELDS})


def _company_values(company: NewClientCompany) -> dict[str, Any]:
    values = {f: getattr(company, f) for f in _COMPANY_FIELDS}
    values.update(
        name_key=name_key(company.name) or "",
        phone_key=company.phone if company.phone and company.phone.startswith("+") else None,
        email_key=normalize_email(company.email),
    )
    return values


def _company(row: CrmCompanyRow) -> ClientCompany:
    return ClientCompany(id=row.id, **{f: getattr(row, f) for f in _COMPANY_FIELDS})


def _deal_values(deal: NewDeal) -> dict[str, Any]:
    values = {f: getattr(deal, f) for f in _DEAL_FIELDS}
    values["stage_kind"] = deal.stage_kind.value
    return values


def _deal(row: CrmDealRow) -> Deal:
    values = {f: getattr(row, f) for f in _DEAL_FIELDS}
    if values["amount"] is not None:
        values["amount"] = Decimal(str(values["amount"])).quantize(Decimal("0.01"))
    return Deal(id=row.id, stage_kind=StageKind(row.stage_kind), **values)


def _activity(row: CrmActivityRow) -> Activity:
    return Activity(
        id=row.id,
        company_id=row.company_id,
        entity=row.entity,
        kind=ActivityKind(row.kind),
        at=row.at,
        actor_id=row.actor_id,
        text=row.text,
    )


def _owned(column: Any, scope: CrmScope) -> ColumnElement[bool]:
    """The rows an actor may see: owned by someone in their scope (or nobody's, for the pool)."""
    if scope.owners is None:
        return true()
    conditions: list[ColumnElement[bool]] = []
    if scope.owners:
        conditions.append(column.in_(sorted(scope.owners)))
    if scope.pool:
        conditions.append(column.is_(None))
    return or_(*conditions) if conditions else false()


class SqlCrmRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    # -- leads ----------------------------------------------------------------------------
    async def add_lead(self, lead: NewLead) -> Lead:
        statement = insert(CrmLeadRow).values(**_lead_values(lead)).returning(CrmLeadRow.id)
        return with_id(Lead, lead, await inserted_id(self._s, statement))

    async def get_lead(self, lead_id: int) -> Lead | None:
        row = await self._s.get(CrmLeadRow, lead_id, populate_existing=True)
        return _lead(row) if row else None

    async def save_lead(self, lead: Lead) -> None:
        await self._s.execute(
            update(CrmLeadRow).where(CrmLeadRow.id == lead.id).values(**_lead_values(lead))
        )

    async def list_leads(self, query: CrmListQuery) -> Page[Lead]:
        where = and_(
            CrmLeadRow.company_id == query.company_id, _owned(CrmLeadRow.owner_id, query.scope)
        )
        if query.open_only:
            where = and_(
                where, CrmLeadRow.status.in_((LeadStatus.NEW.value, LeadStatus.IN_PROGRESS.value))
            )
        total = await self._s.scalar(select(func.count()).select_from(CrmLeadRow).where(where))
        rows = await self._s.scalars(
            select(CrmLeadRow)
            .where(where)
            .order_by(CrmLeadRow.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        return Page([_lead(r) for r in rows], int(total or 0), query.offset, query.limit)

    async def last_web_lead_owner(self, company_id: int) -> int | None:
        return await self._s.scalar(
            select(CrmLeadRow.owner_id)
            .where(CrmLeadRow.company_id == company_id, CrmLeadRow.form_id.is_not(None))
            .order_by(CrmLeadRow.id.desc())
            .limit(1)
        )

    async def count_leads(self, company_id: int, status: LeadStatus | None = None) -> int:
        stmt = (
            select(func.count()).select_from(CrmLeadRow).where(CrmLeadRow.company_id == company_id)
        )
        if status is not None:
            stmt = stmt.where(CrmLeadRow.status == status.value)
        return int(await self._s.scalar(stmt) or 0)

    # -- contacts and client companies ------------------------------------------------------
    async def add_contact(self, contact: NewContact) -> Contact:
        statement = (
            insert(CrmContactRow).values(**_contact_values(contact)).returning(CrmContactRow.id)
        )
        return with_id(Contact, contact, await inserted_id(self._s, statement))

    async def get_contact(self, contact_id: int) -> Contact | None:
        row = await self._s.get(CrmContactRow, contact_id, populate_existing=True)
        return _contact(row) if row else None

    async def save_contact(self, contact: Contact) -> None:
        await self._s.execute(
            update(CrmContactRow)
            .where(CrmContactRow.id == contact.id)
            .values(**_contact_values(contact))
        )

    async def add_client_company(self, company: NewClientCompany) -> ClientCompany:
        statement = (
            insert(CrmCompanyRow).values(**_company_values(company)).returning(CrmCompanyRow.id)
        )
        return with_id(ClientCompany, company, await inserted_id(self._s, statement))

    async def get_client_company(self, company_id: int) -> ClientCompany | None:
        row = await self._s.get(CrmCompanyRow, company_id, populate_existing=True)
        return _company(row) if row else None

    async def save_client_company(self, company: ClientCompany) -> None:
        await self._s.execute(
            update(CrmCompanyRow)
            .where(CrmCompanyRow.id == company.id)
            .values(**_company_values(company))
        )

    async def client_company_by_name(self, company_id: int, name: str) -> ClientCompany | None:
        key = name_key(name)
        if key is None:
            return None
        row = await self._s.scalar(
            select(CrmCompanyRow)
            .where(CrmCompanyRow.company_id == company_id, CrmCompanyRow.name_key == key)
            .order_by(CrmCompanyRow.id)
            .limit(1)
        )
        return _company(row) if row else None

    async def contacts_of(self, client_company_id: int) -> Sequence[Contact]:
        rows = await self._s.scalars(
            select(CrmContactRow)
            .where(CrmContactRow.client_company_id == client_company_id)
            .order_by(CrmContactRow.id)
            .limit(20)
        )
        return [_contact(r) for r in rows]

    async def duplicates(self, keys: DuplicateKeys) -> Sequence[EntityRef]:
        found: list[EntityRef] = []
        cid = keys.company_id

        def _keys(phone: Any, email: Any) -> list[ColumnElement[bool]]:
            conds: list[ColumnElement[bool]] = []
            if keys.phone_key:
                conds.append(phone == keys.phone_key)
            if keys.email_key:
                conds.append(email == keys.email_key)
            return conds

        lead_conds = _keys(CrmLeadRow.phone_key, CrmLeadRow.email_key)
        if keys.company_key:
            lead_conds.append(CrmLeadRow.company_key == keys.company_key)
        if lead_conds:
            stmt = select(CrmLeadRow.id).where(
                CrmLeadRow.company_id == cid,
                CrmLeadRow.status != LeadStatus.MERGED.value,
                or_(*lead_conds),
            )
            if keys.exclude is not None and keys.exclude.kind is EntityKind.LEAD:
                stmt = stmt.where(CrmLeadRow.id != keys.exclude.id)
            found += [EntityRef(EntityKind.LEAD, i) for i in await self._s.scalars(stmt.limit(5))]
        contact_conds = _keys(CrmContactRow.phone_key, CrmContactRow.email_key)
        if contact_conds:
            ids = await self._s.scalars(
                select(CrmContactRow.id)
                .where(CrmContactRow.company_id == cid, or_(*contact_conds))
                .limit(5)
            )
            found += [EntityRef(EntityKind.CONTACT, i) for i in ids]
        company_conds = _keys(CrmCompanyRow.phone_key, CrmCompanyRow.email_key)
        if keys.company_key:
            company_conds.append(CrmCompanyRow.name_key == keys.company_key)
        if company_conds:
            ids = await self._s.scalars(
                select(CrmCompanyRow.id)
                .where(CrmCompanyRow.company_id == cid, or_(*company_conds))
                .limit(5)
            )
            found += [EntityRef(EntityKind.COMPANY, i) for i in ids]
        return sorted(found)

    async def search_clients(
        self, company_id: int, scope: CrmScope, text: str, limit: int
    ) -> Sequence[ClientMatch]:
        """Case-insensitive substring match on names (and the lead's company name)."""
        pattern = f"%{text.strip().casefold()}%"
        found: list[ClientMatch] = []
        queries: list[tuple[EntityKind, Any, Any, Any]] = [
            (
                EntityKind.LEAD,
                select(CrmLeadRow.id, CrmLeadRow.name, CrmLeadRow.owner_id).where(
                    CrmLeadRow.company_id == company_id,
                    CrmLeadRow.status != LeadStatus.MERGED.value,
                    or_(
                        func.lower(CrmLeadRow.name).like(pattern),
                        CrmLeadRow.company_key.like(pattern),
                    ),
                ),
                CrmLeadRow.owner_id,
                CrmLeadRow.id,
            ),
            (
                EntityKind.CONTACT,
                select(CrmContactRow.id, CrmContactRow.name, CrmContactRow.owner_id).where(
                    CrmContactRow.company_id == company_id,
                    func.lower(CrmContactRow.name).like(pattern),
                ),
                CrmContactRow.owner_id,
                CrmContactRow.id,
            ),
            (
                EntityKind.COMPANY,
                select(CrmCompanyRow.id, CrmCompanyRow.name, CrmCompanyRow.owner_id).where(
                    CrmCompanyRow.company_id == company_id, CrmCompanyRow.name_key.like(pattern)
                ),
                CrmCompanyRow.owner_id,
                CrmCompanyRow.id,
            ),
            (
                EntityKind.DEAL,
                select(CrmDealRow.id, CrmDealRow.title, CrmDealRow.owner_id).where(
                    CrmDealRow.company_id == company_id,
                    func.lower(CrmDealRow.title).like(pattern),
                ),
                CrmDealRow.owner_id,
                CrmDealRow.id,
            ),
        ]
        for kind, stmt, owner, ident in queries:
            rows = await self._s.execute(
                stmt.where(_owned(owner, scope)).order_by(ident.desc()).limit(limit)
            )
            found += [ClientMatch(EntityRef(kind, i), n, o) for i, n, o in rows]
        return found[: limit * 2]

    # -- pipelines --------------------------------------------------------------------------
    async def add_pipeline(self, pipeline: NewPipeline) -> Pipeline:
        pipeline_id = await inserted_id(
            self._s,
            insert(CrmPipelineRow)
            .values(company_id=pipeline.company_id, name=pipeline.name, code=pipeline.code)
            .returning(CrmPipelineRow.id),
        )
        stages = []
        for stage in pipeline.stages:
            stage_id = await inserted_id(
                self._s,
                insert(CrmStageRow)
                .values(
                    pipeline_id=pipeline_id,
                    position=stage.position,
                    kind=stage.kind.value,
                    name=stage.name,
                    code=stage.code,
                )
                .returning(CrmStageRow.id),
            )
            stages.append(with_id(Stage, stage, stage_id))
        return Pipeline(pipeline.company_id, pipeline.name, stages, pipeline_id, pipeline.code)

    async def _stages(self, pipeline_ids: Sequence[int]) -> dict[int, list[Stage]]:
        found: dict[int, list[Stage]] = {i: [] for i in pipeline_ids}
        rows = await self._s.scalars(
            select(CrmStageRow)
            .where(CrmStageRow.pipeline_id.in_(pipeline_ids))
            .order_by(CrmStageRow.position)
        )
        for r in rows:
            found[r.pipeline_id].append(
                Stage(r.position, StageKind(r.kind), r.name, r.code, id=r.id)
            )
        return found

    async def pipelines(self, company_id: int) -> Sequence[Pipeline]:
        rows = list(
            await self._s.scalars(
                select(CrmPipelineRow)
                .where(CrmPipelineRow.company_id == company_id)
                .order_by(CrmPipelineRow.id)
            )
        )
        stages = await self._stages([r.id for r in rows])
        return [Pipeline(r.company_id, r.name, stages[r.id], r.id, r.code) for r in rows]

    async def get_pipeline(self, pipeline_id: int) -> Pipeline | None:
        row = await self._s.get(CrmPipelineRow, pipeline_id)
        if row is None:
            return None
        stages = await self._stages([row.id])
        return Pipeline(row.company_id, row.name, stages[row.id], row.id, row.code)

    # -- deals ------------------------------------------------------------------------------
    async def add_deal(self, deal: NewDeal) -> Deal:
        statement = insert(CrmDealRow).values(**_deal_values(deal)).returning(CrmDealRow.id)
        return with_id(Deal, deal, await inserted_id(self._s, statement))

    async def get_deal(self, deal_id: int) -> Deal | None:
        row = await self._s.get(CrmDealRow, deal_id, populate_existing=True)
        return _deal(row) if row else None

    async def save_deal(self, deal: Deal) -> None:
        await self._s.execute(
            update(CrmDealRow).where(CrmDealRow.id == deal.id).values(**_deal_values(deal))
        )

    async def list_deals(self, query: CrmListQuery) -> Page[Deal]:
        where = and_(
            CrmDealRow.company_id == query.company_id, _owned(CrmDealRow.owner_id, query.scope)
        )
        if query.open_only:
            where = and_(where, CrmDealRow.stage_kind == StageKind.OPEN.value)
        total = await self._s.scalar(select(func.count()).select_from(CrmDealRow).where(where))
        rows = await self._s.scalars(
            select(CrmDealRow)
            .where(where)
            .order_by(CrmDealRow.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        return Page([_deal(r) for r in rows], int(total or 0), query.offset, query.limit)

    async def deals_of(self, ref: EntityRef) -> Sequence[Deal]:
        column = {
            EntityKind.CONTACT: CrmDealRow.contact_id,
            EntityKind.COMPANY: CrmDealRow.client_company_id,
        }.get(ref.kind)
        if column is None:
            return []
        rows = await self._s.scalars(
            select(CrmDealRow).where(column == ref.id).order_by(CrmDealRow.id.desc()).limit(10)
        )
        return [_deal(r) for r in rows]

    async def funnel_totals(
        self, query: FunnelQuery
    ) -> tuple[Sequence[StageTotals], dict[int, int]]:
        """One pass over the pipeline's deals (an index-only scan of ix_crm_deals_funnel):
        GROUP BY stage, currency and reached position; the few dozen groups are then
        folded into per-stage and per-position totals."""
        conditions = [
            # A pipeline belongs to one company (the service only asks for the actor's).
            CrmDealRow.pipeline_id == query.pipeline_id,
            CrmDealRow.created_at <= query.until,
            _owned(CrmDealRow.owner_id, query.scope),
        ]
        if query.since is not None:
            conditions.append(CrmDealRow.created_at >= query.since)
        groups = await self._s.execute(
            select(
                CrmDealRow.stage_id,
                CrmDealRow.currency,
                CrmDealRow.reached_position,
                func.count(),
                func.coalesce(func.sum(CrmDealRow.amount), 0),
            )
            .where(*conditions)
            .group_by(CrmDealRow.stage_id, CrmDealRow.currency, CrmDealRow.reached_position)
        )
        counts: dict[int, int] = {}
        amounts: dict[int, dict[str, Decimal]] = {}
        reached: dict[int, int] = {}
        for stage_id, currency, position, count, amount in groups:
            counts[stage_id] = counts.get(stage_id, 0) + int(count)
            reached[int(position)] = reached.get(int(position), 0) + int(count)
            value = Decimal(str(amount))
            if value:
                per_stage = amounts.setdefault(stage_id, {})
                per_stage[currency] = per_stage.get(currency, Decimal(0)) + value
        totals = [
            StageTotals(
                s, n, {c: v.quantize(Decimal("0.01")) for c, v in amounts.get(s, {}).items()}
            )
            for s, n in counts.items()
        ]
        return totals, reached

    async def stale_deals(self, before: datetime, limit: int) -> Sequence[Deal]:
        last = func.coalesce(CrmDealRow.last_activity_at, CrmDealRow.created_at)
        rows = await self._s.scalars(
            select(CrmDealRow)
            .where(CrmDealRow.stage_kind == StageKind.OPEN.value, last < before)
            .order_by(CrmDealRow.id)
            .limit(limit)
        )
        return [_deal(r) for r in rows]

    # -- activities -------------------------------------------------------------------------
    async def add_activity(self, activity: NewActivity) -> Activity:
        activity_id = await inserted_id(
            self._s,
            insert(CrmActivityRow)
            .values(
                company_id=activity.company_id,
                entity=activity.entity,
                kind=activity.kind.value,
                actor_id=activity.actor_id,
                at=activity.at,
                text=activity.text,
            )
            .returning(CrmActivityRow.id),
        )
        return with_id(Activity, activity, activity_id)

    async def timeline(self, refs: Sequence[EntityRef], limit: int) -> Sequence[Activity]:
        rows = await self._s.scalars(
            select(CrmActivityRow)
            .where(CrmActivityRow.entity.in_([str(r) for r in refs]))
            .order_by(CrmActivityRow.id.desc())
            .limit(limit)
        )
        return [_activity(r) for r in rows]

    async def move_activities(self, source: EntityRef, target: EntityRef) -> None:
        await self._s.execute(
            update(CrmActivityRow)
            .where(CrmActivityRow.entity == str(source))
            .values(entity=str(target))
        )

    async def linked_task_ids(
        self, company_id: int, refs: Sequence[EntityRef], limit: int
    ) -> Sequence[int]:
        """``crm_links`` is a JSON list of strings; its text form holds each as ``"lead:12"``
        (quotes included), which a LIKE finds exactly on SQLite and PostgreSQL alike."""
        if not refs:
            return []
        links = cast(TaskRow.crm_links, String)
        matches = [links.like(f'%"{ref}"%') for ref in refs]
        rows = await self._s.scalars(
            select(TaskRow.id)
            .where(TaskRow.company_id == company_id, or_(*matches))
            .order_by(case((TaskRow.is_open.is_(True), 0), else_=1), TaskRow.id.desc())
            .limit(limit)
        )
        return list(rows)

    # -- web forms --------------------------------------------------------------------------
    async def add_form(self, form: NewLeadForm) -> LeadForm:
        form_id = await inserted_id(
            self._s,
            insert(CrmFormRow)
            .values(
                company_id=form.company_id,
                name=form.name,
                token=form.token,
                created_at=form.created_at,
                active=form.active,
            )
            .returning(CrmFormRow.id),
        )
        return with_id(LeadForm, form, form_id)

    async def form_by_token(self, token: str) -> LeadForm | None:
        row = await self._s.scalar(select(CrmFormRow).where(CrmFormRow.token == token))
        if row is None:
            return None
        return LeadForm(row.company_id, row.name, row.token, row.created_at, row.active, id=row.id)
