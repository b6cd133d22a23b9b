"""Stored entities carry the id the database gave them; drafts (``NewX``) carry none."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

import pytest

from domain.approvals import ApprovalRequest, Deputy, NewApprovalRequest, NewDeputy
from domain.company import (
    Company,
    Department,
    Member,
    NewCompany,
    NewDepartment,
    NewMember,
    NewProject,
    Project,
)
from domain.crm import (
    Activity,
    ClientCompany,
    Contact,
    Deal,
    Lead,
    LeadForm,
    NewActivity,
    NewClientCompany,
    NewContact,
    NewDeal,
    NewLead,
    NewLeadForm,
    NewPipeline,
    NewStage,
    Pipeline,
    Stage,
)
from domain.ids import with_id
from domain.reminders import NewTaskTemplate, TaskTemplate
from domain.tasks import Comment, NewComment, NewTask, Task, TaskEvent
from domain.timetracking import DailyReport, NewDailyReport, NewTimeEntry, TimeEntry

PAIRS = [
    (NewCompany, Company),
    (NewDepartment, Department),
    (NewMember, Member),
    (NewProject, Project),
    (NewTask, Task),
    (NewComment, Comment),
    (NewLead, Lead),
    (NewContact, Contact),
    (NewClientCompany, ClientCompany),
    (NewStage, Stage),
    (NewPipeline, Pipeline),
    (NewDeal, Deal),
    (NewActivity, Activity),
    (NewLeadForm, LeadForm),
    (NewApprovalRequest, ApprovalRequest),
    (NewDeputy, Deputy),
    (NewTimeEntry, TimeEntry),
    (NewDailyReport, DailyReport),
    (NewTaskTemplate, TaskTemplate),
]


@pytest.mark.parametrize(("new", "stored"), PAIRS, ids=lambda c: c.__name__)
def test_a_stored_entity_is_its_draft_plus_a_required_id(new: type, stored: type) -> None:
    draft_fields = {f.name for f in fields(new)}
    assert "id" not in draft_fields
    [id_field] = [f for f in fields(stored) if f.name == "id"]
    assert id_field.type == "int"  # never None, and no default standing for "unsaved"
    assert {f.name for f in fields(stored)} == draft_fields | {"id"}


def test_with_id_makes_the_stored_entity_of_a_draft_with_its_pending_events() -> None:
    now = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    new = NewTask(company_id=1, title="Call", creator_id=2, responsible_id=3, created_at=now)
    new.pending_events.append(TaskEvent(2, now, "created", None, "Call"))
    task = with_id(Task, new, 41)
    assert type(task) is Task and task.id == 41
    assert (task.title, task.creator_id, task.responsible_id) == ("Call", 2, 3)
    assert task.pending_events == new.pending_events  # the repository writes them next
