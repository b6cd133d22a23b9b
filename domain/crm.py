"""The small CRM: leads, contacts, client companies, deals in pipelines, activities, web forms.

Everything a client is in the CRM is owned by one member (the manager who entered
it, or the one a web lead was handed to). Who sees and works what is decided by
``CrmPolicy`` below, from the owner and the actor's place in the company structure.
Phones are kept as typed and as an E.164 key; emails as typed and case-folded;
the keys find duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

import phonenumbers

from domain.company import Department, Member, Role, WorkSchedule
from domain.errors import InvalidInput, NotFound, NotPermitted

NAME_MAX = 200
COMMENT_MAX = 2000
_EMAIL = re.compile(r"^[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}$", re.UNICODE)
# Department names that mean "the sales team" in the three languages.
SALES_DEPARTMENT_NAMES = frozenset({"sales", "sprzedaż", "sprzedaz", "продажи", "отдел продаж"})


class CrmNotFound(NotFound):
    """A lead, contact, company or deal that does not exist or is not visible to the actor."""

    code = "crm_not_found"


class CrmNotPermitted(NotPermitted):
    code = "crm_not_permitted"


class FormNotFound(NotFound):
    code = "form_not_found"


class InvalidLead(InvalidInput):
    """Lead input with one or more bad fields; ``fields`` maps each field to its reason."""

    code = "invalid_lead"


# -- references -----------------------------------------------------------------------


class EntityKind(StrEnum):
    LEAD = "lead"
    CONTACT = "contact"
    COMPANY = "company"
    DEAL = "deal"


@dataclass(frozen=True, order=True)
class EntityRef:
    """``lead:12``: how tasks (Task.crm_links), activities and buttons name a CRM record."""

    kind: EntityKind
    id: int

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> EntityRef:
        kind, sep, raw = text.strip().partition(":")
        if not sep or not raw.isdigit():
            raise InvalidInput(field="crm_ref", reason="malformed", value=text)
        try:
            return cls(EntityKind(kind), int(raw))
        except ValueError as exc:
            raise InvalidInput(field="crm_ref", reason="malformed", value=text) from exc


def notification_key(kind: EntityKind) -> str:
    """How a notification's data names its CRM record (``lead_id``, ``client_company_id``...)."""
    return "client_company_id" if kind is EntityKind.COMPANY else f"{kind.value}_id"


# -- normalisation --------------------------------------------------------------------


@cache
def _zone_countries() -> dict[str, str]:
    """IANA zone -> ISO country, from the tz database's zone.tab (shipped by ``tzdata``)."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - tzdata is pinned
        return {}
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                found[parts[2]] = parts[0]
    return found


def phone_region_for(timezone: str, override: str | None = None) -> str | None:
    """The default phone region: a configured one, else the country of the company's zone."""
    if override:
        return override.upper()
    return _zone_countries().get(timezone)


def normalize_phone(raw: str | None, region: str | None) -> str | None:
    """E.164 (``+48600100200``) for a valid number, else None."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    value = raw.strip()
    return value.casefold() if _EMAIL.match(value) else None


def name_key(name: str | None) -> str | None:
    """A company name for matching: case-folded, punctuation and spaces collapsed."""
    if not name:
        return None
    key = " ".join(re.sub(r"[^\w]+", " ", name.casefold()).split())
    return key or None


# -- entities ---------------------------------------------------------------------------


class LeadStatus(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    CONVERTED = "converted"
    MERGED = "merged"
    JUNK = "junk"


OPEN_LEAD_STATUSES = frozenset({LeadStatus.NEW, LeadStatus.IN_PROGRESS})


@dataclass
class NewLead:
    company_id: int
    name: str
    created_at: datetime
    phone: str | None = None  # E.164 when valid, else as typed
    email: str | None = None
    company_name: str | None = None
    source: str | None = None
    comment: str | None = None
    status: LeadStatus = LeadStatus.NEW
    owner_id: int | None = None
    created_by: int | None = None
    form_id: int | None = None
    duplicate_of: str | None = None  # an EntityRef as text
    contact_id: int | None = None
    client_company_id: int | None = None
    deal_id: int | None = None
    merged_into: str | None = None
    last_activity_at: datetime | None = None
    amount: Decimal | None = None  # the budget written in the lead: its deal's amount
    currency: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_LEAD_STATUSES


@dataclass
class Lead(NewLead):
    id: int = field(kw_only=True)

    @property
    def ref(self) -> EntityRef:
        return EntityRef(EntityKind.LEAD, self.id)


@dataclass
class NewContact:
    company_id: int
    name: str
    created_at: datetime
    phone: str | None = None
    email: str | None = None
    client_company_id: int | None = None
    owner_id: int | None = None
    source_lead_id: int | None = None


@dataclass
class Contact(NewContact):
    id: int = field(kw_only=True)

    @property
    def ref(self) -> EntityRef:
        return EntityRef(EntityKind.CONTACT, self.id)


@dataclass
class NewClientCompany:
    """An organisation the company sells to (not to be confused with ``domain.company.Company``)."""

    company_id: int
    name: str
    created_at: datetime
    phone: str | None = None
    email: str | None = None
    owner_id: int | None = None
    source_lead_id: int | None = None


@dataclass
class ClientCompany(NewClientCompany):
    id: int = field(kw_only=True)

    @property
    def ref(self) -> EntityRef:
        return EntityRef(EntityKind.COMPANY, self.id)


class StageKind(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


@dataclass(frozen=True)
class NewStage:
    """A pipeline stage. Default stages carry a ``code`` (named by the templates); custom
    stages carry the ``name`` their admin typed."""

    position: int
    kind: StageKind = StageKind.OPEN
    name: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class Stage(NewStage):
    id: int = field(kw_only=True)


@dataclass
class NewPipeline:
    """A pipeline with its stages, not stored yet (``CrmRepository.add_pipeline``)."""

    company_id: int
    name: str | None
    stages: list[NewStage]
    code: str | None = None


@dataclass
class Pipeline:
    company_id: int
    name: str | None
    stages: list[Stage]
    id: int
    code: str | None = None

    def stage(self, stage_id: int) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise InvalidInput(field="stage", reason="unknown", value=stage_id)

    @property
    def open_stages(self) -> list[Stage]:
        return sorted((s for s in self.stages if s.kind is StageKind.OPEN), key=_position)

    def first_stage(self) -> Stage:
        return self.open_stages[0]

    def closing(self, kind: StageKind) -> Stage:
        for stage in sorted(self.stages, key=_position):
            if stage.kind is kind:
                return stage
        raise InvalidInput(field="stage", reason=f"no_{kind.value}_stage")

    def next_open(self, stage_id: int) -> Stage | None:
        """The next open stage after this one; None from the last open stage."""
        current = self.stage(stage_id)
        later = [s for s in self.open_stages if s.position > current.position]
        return later[0] if later else None

    @property
    def won_position(self) -> int:
        """The 'reached' mark of a won deal: past every open stage."""
        return max((s.position for s in self.open_stages), default=0) + 1


def _position(stage: Stage) -> int:
    return stage.position


DEFAULT_STAGES: tuple[tuple[str, StageKind], ...] = (
    ("new", StageKind.OPEN),
    ("qualified", StageKind.OPEN),
    ("proposal", StageKind.OPEN),
    ("negotiation", StageKind.OPEN),
    ("won", StageKind.WON),
    ("lost", StageKind.LOST),
)


def default_pipeline(company_id: int) -> NewPipeline:
    return NewPipeline(
        company_id=company_id,
        name=None,
        code="sales",
        stages=[
            NewStage(position=i + 1, kind=kind, code=code)
            for i, (code, kind) in enumerate(DEFAULT_STAGES)
        ],
    )


def validate_stages(stages: Sequence[tuple[str, StageKind]]) -> list[NewStage]:
    """Custom stages: at least one open stage, exactly one won and one lost stage."""
    names = [n.strip() for n, _ in stages]
    if any(not n for n in names) or len({n.casefold() for n in names}) != len(names):
        raise InvalidInput(field="stages", reason="empty_or_repeated")
    kinds = [k for _, k in stages]
    if kinds.count(StageKind.WON) != 1 or kinds.count(StageKind.LOST) != 1:
        raise InvalidInput(field="stages", reason="one_won_one_lost")
    if StageKind.OPEN not in kinds:
        raise InvalidInput(field="stages", reason="no_open_stage")
    return [
        NewStage(position=i + 1, kind=k, name=n[:100])
        for i, (n, k) in enumerate(zip(names, kinds, strict=True))
    ]


@dataclass
class NewDeal:
    company_id: int
    title: str
    pipeline_id: int
    stage_id: int
    created_at: datetime
    amount: Decimal | None = None
    currency: str = "PLN"
    # The furthest open stage position ever reached (won: past the last open stage);
    # the funnel's stage-to-stage conversion counts deals by it.
    reached_position: int = 1
    owner_id: int | None = None
    contact_id: int | None = None
    client_company_id: int | None = None
    expected_close: date | None = None
    lost_reason: str | None = None
    source_lead_id: int | None = None
    closed_at: datetime | None = None
    last_activity_at: datetime | None = None
    stage_kind: StageKind = StageKind.OPEN

    @property
    def is_open(self) -> bool:
        return self.stage_kind is StageKind.OPEN


@dataclass
class Deal(NewDeal):
    id: int = field(kw_only=True)

    @property
    def ref(self) -> EntityRef:
        return EntityRef(EntityKind.DEAL, self.id)

    def move_to(self, pipeline: Pipeline, stage: Stage, at: datetime, reason: str | None) -> None:
        """Change the stage; a lost stage needs a reason, a won stage closes the deal."""
        if stage.kind is StageKind.LOST:
            reason = (reason or "").strip()
            if not reason:
                raise InvalidInput(field="lost_reason", reason="empty")
            self.lost_reason = reason[:COMMENT_MAX]
        else:
            self.lost_reason = None
        if stage.kind is StageKind.WON:
            self.reached_position = pipeline.won_position
        elif stage.kind is StageKind.OPEN:
            self.reached_position = max(self.reached_position, stage.position)
        self.stage_id = stage.id
        self.stage_kind = stage.kind
        self.closed_at = None if stage.kind is StageKind.OPEN else at
        self.last_activity_at = at


class ActivityKind(StrEnum):
    CREATED = "created"
    COMMENT = "comment"
    CALL = "call"
    STAGE = "stage"
    TASK = "task"
    ASSIGNED = "assigned"
    CONVERTED = "converted"
    MERGED = "merged"
    EDITED = "edited"


@dataclass(frozen=True)
class NewActivity:
    """One line of a record's timeline: a call, a comment, a stage change, a task..."""

    company_id: int
    entity: str  # EntityRef as text
    kind: ActivityKind
    at: datetime
    actor_id: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class Activity(NewActivity):
    id: int = field(kw_only=True)


@dataclass(frozen=True)
class NewLeadForm:
    """A website form: its token in the intake URL says which company the lead is for."""

    company_id: int
    name: str
    token: str
    created_at: datetime
    active: bool = True


@dataclass(frozen=True)
class LeadForm(NewLeadForm):
    id: int = field(kw_only=True)


# -- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadInput:
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    company_name: str | None = None
    comment: str | None = None
    source: str | None = None
    amount: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True)
class CleanLead:
    name: str
    phone: str | None
    phone_key: str | None
    email: str | None
    email_key: str | None
    company_name: str | None
    comment: str | None
    source: str | None


def _clip(value: str | None, limit: int) -> str | None:
    value = " ".join(value.split()) if value else None
    return value[:limit] if value else None


def clean_lead(data: LeadInput, region: str | None, *, strict_name: bool) -> CleanLead:
    """Validate lead input; raise ``InvalidLead`` naming every bad field at once.

    A lead needs a name (from a chat, a company name will do) and a phone or an email.
    """
    problems: dict[str, str] = {}
    name = _clip(data.name, NAME_MAX)
    company_name = _clip(data.company_name, NAME_MAX)
    if not name and not strict_name and company_name:
        name = company_name
    if not name:
        problems["name"] = "required"
    phone_raw = _clip(data.phone, 40)
    email_raw = _clip(data.email, 254)
    phone_key = normalize_phone(phone_raw, region)
    email_key = normalize_email(email_raw)
    if phone_raw and phone_key is None:
        problems["phone"] = "invalid"
    if email_raw and email_key is None:
        problems["email"] = "invalid"
    if not phone_raw and not email_raw:
        problems["phone"] = problems["email"] = "phone_or_email_required"
    comment = data.comment.strip()[:COMMENT_MAX] if data.comment and data.comment.strip() else None
    if problems:
        raise InvalidLead(field=",".join(sorted(problems)), reason="invalid", fields=problems)
    assert name is not None
    return CleanLead(
        name=name,
        phone=phone_key,
        phone_key=phone_key,
        email=email_raw,
        email_key=email_key,
        company_name=company_name,
        comment=comment,
        source=_clip(data.source, 100),
    )


# -- visibility ---------------------------------------------------------------------------


class CrmAction(StrEnum):
    VIEW = "view"
    WORK = "work"  # comment, call task, stage, convert, won/lost, fix fields
    ASSIGN = "assign"
    TAKE = "take"


class CrmRelation(StrEnum):
    OWNER = "owner"
    SUPERVISOR = "supervisor"  # the owner is in a department the actor heads, or reports to them
    ADMIN = "admin"
    POOL = "pool"  # nobody owns it yet


_R = CrmRelation
CRM_POLICY: dict[CrmAction, frozenset[CrmRelation]] = {
    CrmAction.VIEW: frozenset(_R),
    CrmAction.WORK: frozenset({_R.OWNER, _R.SUPERVISOR, _R.ADMIN}),
    CrmAction.ASSIGN: frozenset({_R.OWNER, _R.SUPERVISOR, _R.ADMIN}),
    CrmAction.TAKE: frozenset({_R.SUPERVISOR, _R.ADMIN, _R.POOL}),
}


@dataclass(frozen=True)
class CrmScope:
    """Whose clients an actor sees: ``None`` owners = everyone's (admins)."""

    actor_id: int
    owners: frozenset[int] | None
    pool: bool = True  # may see records nobody owns yet

    def narrowed_to(self, owner_id: int) -> CrmScope:
        """Only ``owner_id``'s records, if the scope holds them (else none)."""
        inside = self.owners is None or owner_id in self.owners
        return CrmScope(self.actor_id, frozenset({owner_id} if inside else ()), pool=False)


def scope_for(
    actor: Member, members: Iterable[Member], departments: Iterable[Department]
) -> CrmScope:
    """An employee sees their own clients; a department head their department's
    (sub-departments included); a manager also their direct reports'; an admin all;
    an extranet member none."""
    if not actor.active or actor.role is Role.EXTRANET:
        return CrmScope(actor.id, frozenset(), pool=False)
    if actor.role is Role.ADMIN:
        return CrmScope(actor.id, None)
    depts = list(departments)
    headed = {d.id for d in depts if d.head_id == actor.id}
    grew = True
    while grew:
        more = {d.id for d in depts if d.parent_id in headed} - headed
        grew = bool(more)
        headed |= more
    owners = {actor.id}
    for m in members:
        if m.company_id != actor.company_id:
            continue
        if m.department_id in headed or m.manager_id == actor.id:
            owners.add(m.id)
    return CrmScope(actor.id, frozenset(owners))


def crm_relations(actor: Member, owner_id: int | None, scope: CrmScope) -> frozenset[CrmRelation]:
    if not actor.active or actor.role is Role.EXTRANET:
        return frozenset()
    found: set[CrmRelation] = set()
    if owner_id is None:
        if scope.pool:
            found.add(_R.POOL)
    elif owner_id == actor.id:
        found.add(_R.OWNER)
    elif scope.owners is not None and owner_id in scope.owners:
        found.add(_R.SUPERVISOR)
    if actor.role is Role.ADMIN:
        found.add(_R.ADMIN)
    return frozenset(found)


def crm_allowed(actor: Member, owner_id: int | None, scope: CrmScope, action: CrmAction) -> bool:
    return bool(crm_relations(actor, owner_id, scope) & CRM_POLICY[action])


def crm_require(
    actor: Member,
    company_id: int,
    owner_id: int | None,
    scope: CrmScope,
    action: CrmAction,
    ref: EntityRef | str,
) -> None:
    """Raise unless allowed. An invisible record is reported as not found, not forbidden."""
    if actor.company_id != company_id or not crm_allowed(actor, owner_id, scope, CrmAction.VIEW):
        raise CrmNotFound(ref=str(ref))
    if not crm_allowed(actor, owner_id, scope, action):
        raise CrmNotPermitted(action=action.value, ref=str(ref))


def crm_can(actor: Member, owner_id: int | None, scope: CrmScope) -> frozenset[CrmAction]:
    return frozenset(a for a in CrmAction if crm_allowed(actor, owner_id, scope, a))


# -- rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CrmRules:
    """Install settings the CRM rules need (from ``brygada.settings``)."""

    lead_sla_minutes: int = 15
    stale_deal_days: int = 14
    phone_region: str | None = None  # None: derived from the company's timezone
    default_currency: str = "PLN"


def call_deadline(now: datetime, tz: str, schedule: WorkSchedule, sla: timedelta) -> datetime:
    """When the "call the lead" task is due: ``sla`` of working time from ``now``.

    Inside working hours: now + SLA (what does not fit today continues at the next
    working day's start). Outside them: the next working day's start + SLA.
    """
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    day = local.date()
    if schedule.is_working_day(day):
        start = schedule.start_of_day(day, tz)
        end = schedule.end_of_day(day, tz)
        if local < start:
            return _working_add(start, sla, schedule, tz)
        if local < end:
            return _working_add(local, sla, schedule, tz)
    nxt = schedule.next_working_day(day)
    return _working_add(schedule.start_of_day(nxt, tz), sla, schedule, tz)


def _working_add(moment: datetime, left: timedelta, schedule: WorkSchedule, tz: str) -> datetime:
    for _ in range(366):
        end = schedule.end_of_day(moment.date(), tz)
        if moment + left <= end:
            return moment + left
        left -= max(end - moment, timedelta(0))
        moment = schedule.start_of_day(schedule.next_working_day(moment.date()), tz)
    return moment + left


def pick_round_robin(candidates: Sequence[int], last_owner: int | None) -> int | None:
    """The candidate after the last one who got a lead (ids in ascending order)."""
    ordered = sorted(set(candidates))
    if not ordered:
        return None
    if last_owner is None:
        return ordered[0]
    later = [c for c in ordered if c > last_owner]
    return later[0] if later else ordered[0]


def web_lead_candidates(members: Sequence[Member], departments: Sequence[Department]) -> list[int]:
    """Who gets web leads in turn: managers and employees of a "Sales" department if there
    is one with people in it, else the managers, else the admins."""
    active = [m for m in members if m.active]
    sales = {d.id for d in departments if d.name.strip().casefold() in SALES_DEPARTMENT_NAMES}
    in_sales = [
        m.id
        for m in active
        if m.department_id in sales and m.role in (Role.MANAGER, Role.EMPLOYEE) and m.id
    ]
    if in_sales:
        return in_sales
    managers = [m.id for m in active if m.role is Role.MANAGER and m.id]
    if managers:
        return managers
    return [m.id for m in active if m.role is Role.ADMIN and m.id]


# -- the funnel ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StageTotals:
    """What the database sums per stage: deals now in it, and their amount per currency."""

    stage_id: int
    count: int
    amounts: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class FunnelStage:
    stage: Stage
    count: int  # deals now in this stage
    amounts: dict[str, Decimal]
    reached: int  # deals that got at least this far (open stages; won = all open passed)
    conversion: float | None  # reached here / reached at the previous stage


@dataclass(frozen=True)
class Funnel:
    pipeline: Pipeline
    since: datetime | None
    until: datetime
    stages: list[FunnelStage]
    total: int

    @property
    def won_rate(self) -> float | None:
        won = [s for s in self.stages if s.stage.kind is StageKind.WON]
        return won[0].reached / self.total if won and self.total else None


def build_funnel(
    pipeline: Pipeline,
    totals: Sequence[StageTotals],
    reached_counts: dict[int, int],
    since: datetime | None,
    until: datetime,
) -> Funnel:
    """Combine the per-stage sums and the per-"reached position" counts (both from SQL
    GROUP BY) into funnel rows; the suffix sums run over the handful of stages."""
    by_stage = {t.stage_id: t for t in totals}
    stages: list[FunnelStage] = []
    previous: int | None = None
    total = sum(t.count for t in totals)
    for stage in sorted(pipeline.stages, key=_position):
        t = by_stage.get(stage.id)
        count, amounts = (t.count, dict(t.amounts)) if t else (0, {})
        if stage.kind is StageKind.LOST:
            reached, conversion = count, None
        else:
            mark = pipeline.won_position if stage.kind is StageKind.WON else stage.position
            reached = sum(n for pos, n in reached_counts.items() if pos >= mark)
            conversion = (reached / previous) if previous else None
            previous = reached
        stages.append(FunnelStage(stage, count, amounts, reached, conversion))
    return Funnel(pipeline, since, until, stages, total)
