"""Tables, as typed SQLAlchemy 2 declarative models, one module per area; repositories map
them to domain objects.

Every table is importable from here (``from storage.models import TaskRow``), and importing
the package registers them all on ``Base.metadata`` (Alembic and the schema test read it).
"""

from storage.models.approvals import (
    AbsenceRow,
    ApprovalApproverRow,
    ApprovalDeputyRow,
    ApprovalEventRow,
    ApprovalRequestRow,
)
from storage.models.base import Base, BigId
from storage.models.board import BoardLinkRow
from storage.models.company import (
    ChatIdentityRow,
    CompanyRow,
    DepartmentRow,
    InviteRow,
    MemberRow,
    ProjectMemberRow,
    ProjectRow,
    StructureChangeRow,
)
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
from storage.models.inbox import SlackInboxRow
from storage.models.install import SettingRow
from storage.models.lease import InstanceLeaseRow
from storage.models.outbox import InboundUpdateRow, OutboxRow
from storage.models.prompts import HeldTextRow, PromptRow
from storage.models.replies import ReplyOutboxRow
from storage.models.scheduler import (
    PreferencesRow,
    SchedulerStateRow,
    TaskTemplateRow,
    TemplateRunRow,
)
from storage.models.tasks import (
    TaskCommentRow,
    TaskEventRow,
    TaskParticipantRow,
    TaskRow,
    TaskTagRow,
    TaskTermRow,
)
from storage.models.time import (
    DailyPlanRow,
    DailyReportRow,
    TimeEntryChangeRow,
    TimeEntryRow,
    TimerRow,
    WorkDayEventRow,
)

__all__ = [
    "AbsenceRow",
    "ApprovalApproverRow",
    "ApprovalDeputyRow",
    "ApprovalEventRow",
    "ApprovalRequestRow",
    "Base",
    "BigId",
    "BoardLinkRow",
    "ChatIdentityRow",
    "CompanyRow",
    "CrmActivityRow",
    "CrmCompanyRow",
    "CrmContactRow",
    "CrmDealRow",
    "CrmFormRow",
    "CrmLeadRow",
    "CrmPipelineRow",
    "CrmStageRow",
    "DailyPlanRow",
    "DailyReportRow",
    "DepartmentRow",
    "HeldTextRow",
    "InboundUpdateRow",
    "InstanceLeaseRow",
    "InviteRow",
    "MemberRow",
    "OutboxRow",
    "PreferencesRow",
    "ProjectMemberRow",
    "ProjectRow",
    "PromptRow",
    "ReplyOutboxRow",
    "SchedulerStateRow",
    "SettingRow",
    "SlackInboxRow",
    "StructureChangeRow",
    "TaskCommentRow",
    "TaskEventRow",
    "TaskParticipantRow",
    "TaskRow",
    "TaskTagRow",
    "TaskTemplateRow",
    "TaskTermRow",
    "TemplateRunRow",
    "TimeEntryChangeRow",
    "TimeEntryRow",
    "TimerRow",
    "WorkDayEventRow",
]
